"""Filled by a later issue; the app exists so the layout of the design holds."""
