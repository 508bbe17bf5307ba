"""Qt adapters over leaddesigner.core."""
