"""Admin of letters, issuers and the recommendation library (being written)."""
