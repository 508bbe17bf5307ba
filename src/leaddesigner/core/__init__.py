"""Pure scoring core: no Qt imports anywhere below this package."""
