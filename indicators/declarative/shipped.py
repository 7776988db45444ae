"""The indicator catalogs the portal ships as data (fixtures/indicator_catalogs/*.json).

Each file is a catalog in the shared format (indicators.declarative.files) made from one
of the source documents: the Zhirnovsk letter's 13 indicators, the Smolensk справка's 3,
the monitoring scheme's six shares, the shipped questionnaires' one (the burnout
screening's share) and the attestation register's one (the share attested in the
period). :func:`shipped_catalogs_load` stores every file that is new or changed and
leaves the others untouched (no new history rows, no text added twice), so the demo and
a deployment can call it on every start. The demo's step
(:func:`seed_catalogs`) stores them and has the collecting period adopt the Zhirnovsk
one, the questionnaires' one and the attestation one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from indicators.declarative.files import catalog_check, catalog_dump, catalog_load
from indicators.declarative.services import catalog_adopt
from indicators.models import IndicatorCatalog

SHIPPED_DIR = Path(settings.BASE_DIR) / "fixtures" / "indicator_catalogs"
# The catalogs the demo's collecting period adopts (their values show on the demo's pages):
# the Zhirnovsk letter's, and the questionnaires' (the burnout screening's share, counted from
# the demo's anonymous campaign that deficits.questionnaire.demo adds before the computation), and
# the attestation register's (АТ.1, counted from the demo's register: monitoring.demo.attestation).
DEMO_ADOPTED = ("zhirnovsk-2022", "questionnaires", "attestation")


@dataclass(frozen=True)
class Shipped:
    slug: str
    path: Path
    loaded: bool  # False: the stored catalog was already the file's


def shipped_files(directory: Path = SHIPPED_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def _unchanged(meta: dict, specs: list[dict]) -> bool:
    catalog = IndicatorCatalog.objects.filter(slug=meta["slug"]).first()
    if catalog is None:
        return False
    stored = catalog_dump(catalog)
    same_meta = all(stored["catalog"][k] == meta[k] for k in ("title", "source", "description"))
    by_code = {spec["code"]: spec for spec in stored["indicators"]}
    return same_meta and by_code == {spec["code"]: spec for spec in specs}


def shipped_catalogs_load(*, user=None, directory: Path = SHIPPED_DIR) -> list[Shipped]:
    """Store each shipped catalog that is not stored as it is in its file (None: the operator or the demo)."""
    out = []
    for path in shipped_files(directory):
        data = path.read_bytes()
        meta, specs = catalog_check(data)
        if _unchanged(meta, specs):
            out.append(Shipped(meta["slug"], path, False))
            continue
        catalog_load(data=data, user=user, replace=True)
        out.append(Shipped(meta["slug"], path, True))
    return out


def seed_catalogs(*, periods, seed: int, log: Callable[[str], None]) -> dict[str, int]:
    """The demo step: the shipped catalogs stored; the open (collecting) period adopts DEMO_ADOPTED.

    Registered before ``indicators.demo.seed_indicators``, whose computation then includes them.
    """
    shipped = shipped_catalogs_load(user=None)
    log(f"  наборы показателей: {', '.join(s.slug for s in shipped)}")
    for catalog in IndicatorCatalog.objects.filter(slug__in=DEMO_ADOPTED).order_by("slug"):
        for period in periods:
            if not period.is_closed:
                added = catalog_adopt(period=period, catalog=catalog, user=None, compute=False)
                log(f"  набор «{catalog.slug}» принят в период {period.year}: {added} показателей")
    return {"IndicatorCatalog": IndicatorCatalog.objects.count()}
