"""Direction 2 (being written)."""
