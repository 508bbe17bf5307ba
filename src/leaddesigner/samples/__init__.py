"""Generated, realistic sample data (not scoring core: the app and the tests use it as a user's file)."""
