"""Indicators the institute defines itself: a closed vocabulary, validation, compilation to ORM queries.

- ``vocabulary``: the populations, fields and relations a definition may name;
- ``spec``: a definition as data and its validation (Russian messages naming the part);
- ``compiler``: a validated definition as the engine's ``Definition`` (grouped queries);
- ``services``: save into a period's edition, remove, adopt a catalog, preview;
- ``files``: catalogs as files regions share.
"""
