"""Demo data: a realistic Volgograd region with two monitoring periods.

`seed_demo` builds the region the portal is shown and load-tested with: the real
municipalities of Volgograd oblast, their schools and teachers, and every per-period
record of monitoring.models for the year before last (closed) and last year (still
collecting). The same seed gives the same data. Rows are written with bulk_create in
one transaction, never one query per row, and teachers are generated and written one
municipality at a time, so even the `national` size (a million teachers) never holds
more than one municipality's people in memory.

The package: geography (municipalities, sizes), school_names, names (Faker), workforce
(people and their rosters), the steps of each direction (staffing, development,
associations, submissions), accounts (the demo logins), builder (the order of it all),
reset and service (seed_demo); the demo steps and wipes of the apps to the right are the
stores ``demo_steps`` and ``demo_wipes`` of ``monitoring/config/extensions.py``.
"""

from __future__ import annotations

from monitoring.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from monitoring.demo.geography import REGION_CODE, SIZES
from monitoring.demo.reset import wipe
from monitoring.demo.service import seed_demo

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "REGION_CODE",
    "SIZES",
    "seed_demo",
    "wipe",
]
