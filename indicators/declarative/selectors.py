"""What the builder shows: the vocabulary as data for its script, definitions in words, their history.

``vocabulary_for_builder`` is the closed vocabulary (indicators.declarative.vocabulary) as
plain data: the builder's script offers only what is listed there, so a person picks a
population, a field, an operator and values from lists, never types a field's name.
``describe`` reads a definition's conditions back as a Russian sentence, and ``history``
lists an indicator's versions (who, when, what changed) for its page in the builder.
"""

from __future__ import annotations

from django.db.models import Count

from indicators.declarative.vocabulary import COUNTABLE, NO_VALUE, OPERATORS, POPULATIONS, YEARS, Kind, Population
from indicators.models import Indicator, IndicatorCatalog, IndicatorKind, Level, PeriodIndicator, Unit
from indicators.selectors import DIRECTIONS
from monitoring.models import MonitoringPeriod

BREAKDOWN_KINDS = (Kind.CHOICE, Kind.BOOL, Kind.TEXT)


def _starts(population: Population) -> list[str]:
    if population.region_only:
        return [Level.REGION]
    if population.school is None and population.teacher is None:
        return [Level.MUNICIPALITY, Level.REGION]
    return [Level.SCHOOL, Level.MUNICIPALITY, Level.REGION]


def _population(population: Population) -> dict:
    groups: list[dict] = []
    for name, (f, _prefix, entity) in population.field_map().items():
        if not groups or groups[-1]["label"] != entity:
            groups.append({"label": entity, "fields": []})
        groups[-1]["fields"].append(
            {
                "name": name,
                "label": f.label,
                "kind": f.kind,
                "choices": [list(c) for c in f.choices],
                "measurable": f.measurable,
                "breakdown": f.breakdown and f.kind in BREAKDOWN_KINDS,
            }
        )
    return {
        "label": population.label,
        "countable": population.name in COUNTABLE,
        "starts": _starts(population),
        "groups": groups,
        "relations": [{"name": r.name, "label": r.label, "target": r.target} for r in population.relations],
    }


def vocabulary_for_builder() -> dict:
    """Everything the builder's lists offer, as JSON-ready data (the page gives it to its script)."""
    return {
        "populations": {name: _population(p) for name, p in POPULATIONS.items()},
        "countable": list(COUNTABLE),
        "operators": OPERATORS,
        "no_value": sorted(NO_VALUE),
        "years": sorted(YEARS),
        "directions": [[n, title] for n, title in DIRECTIONS.items()],
        "units": [list(c) for c in Unit.choices],
        "levels": [list(c) for c in Level.choices],
    }


def _value_words(value) -> str:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return ", ".join(f"«{v}»" for v in value)
    return f"«{value}»" if isinstance(value, str) else str(value)


def _condition(item: dict, population: Population) -> str:
    if "any" in item:
        return "любое из (" + " или ".join(_condition(i, population) for i in item["any"]) + ")"
    if "relation" in item:
        rel = next((r for r in population.relations if r.name == item["relation"]), None)
        if rel is None:
            return f"связь «{item['relation']}»"
        word = "есть" if item.get("op", "exists") == "exists" else "нет"
        inner = describe_conditions(item.get("where") or [], POPULATIONS[rel.target])
        return f"{word} «{rel.label}»" + (f", такая что {inner}" if inner else "")
    entry = population.field_map().get(item.get("field"))
    if entry is None:
        return f"поле «{item.get('field')}»"
    f, _prefix, entity = entry
    op = OPERATORS[f.kind].get(item.get("op"), item.get("op"))
    # The population's own fields by their label; those of the rows it points to after their entity.
    text = f"{entity}: {f.label} {op}" if "." in item["field"] else f"{f.label} {op}"
    if item.get("op") in YEARS:
        return text.replace("N", str(item.get("value")))
    if item.get("op") not in NO_VALUE:
        text += " " + _value_words(item.get("value"))
    return text


def describe_conditions(items: list, population: Population) -> str:
    """Conditions in words: «запись на курс есть, такая что курс: окончание в году периода и …»."""
    return " и ".join(_condition(i, population) for i in items if isinstance(i, dict))


def describe(spec: dict) -> dict[str, str]:
    """A definition's parts in words (what the history compares and the list shows)."""
    population = POPULATIONS.get(spec.get("population"))
    if population is None:
        return {}
    return {
        "Наименование": spec.get("title", ""),
        "Направление": str(spec.get("direction", "")),
        "Единица": dict(Unit.choices).get(spec.get("unit"), ""),
        "Совокупность": population.label,
        "Числитель": describe_conditions(spec.get("numerator") or [], population) or "—",
        "Знаменатель": describe_conditions(spec.get("denominator") or [], population) or "—",
        "Числовое поле": spec.get("measure") or "—",
        "Разрез": spec.get("breakdown") or "—",
        "Цель": spec.get("target") or "—",
        "Порог тревоги": spec.get("threshold") or "—",
    }


def _who(record) -> str:
    user = record.history_user
    return (user.get_full_name() or user.username) if user is not None else "служба портала"


def _changes(before: dict, after: dict) -> list[str]:
    if not before:
        return [f"{k}: {v}" for k, v in after.items() if v and v != "—"]
    return [f"{k}: было «{before.get(k, '—')}», стало «{v}»" for k, v in after.items() if before.get(k) != v]


def history(*, indicator: Indicator, period: MonitoringPeriod) -> list[dict]:
    """The indicator's versions, newest first: who, when, what changed (the definition, the period's edition)."""
    out: list[dict] = []
    previous: dict = {}
    for record in indicator.history.select_related("history_user").order_by("history_date", "history_id"):
        words = describe(record.spec or {})
        changes = _changes(previous, words)
        if changes or record.history_type == "+":
            kind = "создан" if record.history_type == "+" else "изменено определение"
            out.append({"when": record.history_date, "who": _who(record), "what": kind, "changes": changes})
        previous = words
    rows = PeriodIndicator.history.filter(indicator_id=indicator.pk, period_id=period.pk)
    for record in rows.select_related("history_user").order_by("history_date", "history_id"):
        what = {"+": "добавлен в период", "~": "изменен в периоде", "-": "убран из периода"}[record.history_type]
        out.append({"when": record.history_date, "who": _who(record), "what": f"{what} {period.year}", "changes": []})
    out.sort(key=lambda r: r["when"], reverse=True)
    return out


def in_period(period: MonitoringPeriod) -> list[PeriodIndicator]:
    """The period's declarative indicators, in the order of the dashboards."""
    rows = list(
        PeriodIndicator.objects.filter(period=period, indicator__kind=IndicatorKind.DECLARATIVE)
        .select_related("indicator", "indicator__catalog")
        .order_by("indicator__order", "indicator__code")
    )
    for pi in rows:
        pi.population_label = population_label(pi.spec.get("population", ""))
    return rows


def catalogs() -> list[IndicatorCatalog]:
    """Every catalog, with the number of its indicators."""
    return list(IndicatorCatalog.objects.annotate(size=Count("indicators")).order_by("title"))


def population_label(name: str) -> str:
    population = POPULATIONS.get(name)
    return population.label if population else name
