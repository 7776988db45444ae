"""The catalog's definitions, one module per direction of the regional order."""
