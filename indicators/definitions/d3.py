"""Direction 3 (being written)."""
