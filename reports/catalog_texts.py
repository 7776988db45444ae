"""Texts an indicator catalog file brings to the recommendation library.

The shipped library (fixtures/recommendations.json) is loaded once into an empty table
and then belongs to the institute, so the conclusions and recommendations for indicators
an institute defines itself arrive with their catalog: ``catalog_load``
(indicators.declarative.files) fires the store ``catalog_loaded``
(monitoring/config/extensions.py) in its transaction, and this hook checks the texts as
the library's editor does (``text_validate``) and adds each one it does not have yet.
Loading the same file twice adds nothing; a text the institute deactivated or edited
stays as it is (the edited one is a text of its own, the file's is added beside it).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Max

from indicators.declarative.spec import DefinitionInvalid
from indicators.models import IndicatorCatalog
from reports.library import library_ensure, text_validate
from reports.models import AddresseeKind, RecommendationText, TextKind


def _check(texts: list[dict]) -> None:
    errors: list[str] = []
    for n, item in enumerate(texts, 1):
        label = f"Текст {n} ({item['indicator']})"
        try:
            text_validate(item["text"])
        except ValidationError as exc:
            errors += [f"{label}: {message}" for message in exc.messages]
        if item["kind"] == TextKind.RECOMMENDATION and item["addressee"] not in AddresseeKind.values:
            kinds = ", ".join(AddresseeKind.values)
            errors.append(f"{label}: адресат «{item['addressee'][:20]}» неизвестен; допустимы: {kinds}.")
    if errors:
        raise DefinitionInvalid(errors)


def catalog_texts_load(*, catalog: IndicatorCatalog, texts: list[dict]) -> int:
    """Add the catalog's texts the library does not hold yet; how many were added."""
    if not texts:
        return 0
    _check(texts)
    # The shipped library is loaded only into an empty table: load it first, or the
    # catalog's texts would be all the library ever holds.
    library_ensure()
    indicators = {i.code: i for i in catalog.indicators.all()}
    order = (RecommendationText.objects.aggregate(m=Max("order"))["m"] or 0) + 1
    added = 0
    for item in texts:
        indicator = indicators[item["indicator"]]
        addressee = item["addressee"] if item["kind"] == TextKind.RECOMMENDATION else ""
        known = RecommendationText.objects.filter(
            kind=item["kind"], indicator=indicator, addressee=addressee, text=item["text"]
        ).exists()
        if known:
            continue
        RecommendationText.objects.create(
            kind=item["kind"],
            direction=indicator.direction,
            indicator=indicator,
            addressee=addressee,
            text=item["text"],
            order=order + added,
        )
        added += 1
    return added


def catalog_texts_dump(*, catalog: IndicatorCatalog) -> list[dict]:
    """The library's active texts for the catalog's indicators, as a catalog file's ``texts``."""
    rows = (
        RecommendationText.objects.filter(indicator__catalog=catalog, is_active=True)
        .select_related("indicator")
        .order_by("indicator__order", "kind", "addressee", "order", "pk")
    )
    return [{"kind": t.kind, "indicator": t.indicator.code, "addressee": t.addressee, "text": t.text} for t in rows]
