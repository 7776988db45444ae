"""The monitoring data package: reading, validating, importing and exporting (spec/data-package.md)."""
