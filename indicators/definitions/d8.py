"""Direction 8 (being written)."""
