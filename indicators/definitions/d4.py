"""Direction 4 (being written)."""
