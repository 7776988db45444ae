"""Direction 5 (being written)."""
