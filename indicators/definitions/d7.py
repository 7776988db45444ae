"""Direction 7 (being written)."""
