"""Admin of measures, notices and annual reports (being written)."""
