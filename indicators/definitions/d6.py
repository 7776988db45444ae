"""Direction 6 (being written)."""
