"""redlines."""
