"""What a proposed letter says: conclusions and recommendations from the findings, title, addressee, introduction.

Texts come from the recommendation library (``reports.library``) filled with the findings
in scope; a municipal letter names schools, a regional one the municipalities that miss.
"""

from __future__ import annotations

from dataclasses import dataclass

from indicators.models import Level
from monitoring.models import Direction, MonitoringPeriod, Municipality, School, SchoolKind
from reports import library
from reports.findings import FindingGroup, grouped_findings
from reports.models import AddresseeKind

# The kinds a letter to «руководителям общеобразовательных организаций» speaks of (a school without a kind
# recorded counts as one: the packages before kinds were recorded were general-education schools only).
GENERAL_EDUCATION = (SchoolKind.GENERAL, "")

MONITORING = "мониторинг системы обеспечения профессионального развития педагогических работников"


def _preferred_level(*, kinds: list[str], municipality: Municipality | None) -> str:
    # A letter to school heads (or about one municipality) names schools; one to all
    # municipal authorities of the region names the municipalities that miss.
    if municipality is None and AddresseeKind.SCHOOL_HEADS not in kinds:
        return Level.MUNICIPALITY
    return Level.SCHOOL


def _one_group_per_indicator(groups: list[FindingGroup], level: str) -> list[FindingGroup]:
    by_code: dict[str, FindingGroup] = {}
    for g in groups:
        current = by_code.get(g.indicator_code)
        if current is None or (g.level == level and current.level != level):
            by_code[g.indicator_code] = g
    return [g for g in groups if by_code.get(g.indicator_code) is g]


def _general_education_only(groups: list[FindingGroup]) -> list[FindingGroup]:
    """A letter to the heads of general-education organisations names none of another kind (a kindergarten)."""
    ids = {f.school_id for g in groups for f in g.units if f.school_id}
    other = set(School.objects.filter(pk__in=ids).exclude(kind__in=GENERAL_EDUCATION).values_list("pk", flat=True))
    kept = []
    for g in groups:
        g.units = [f for f in g.units if f.school_id not in other]
        if g.units:
            kept.append(g)
    return kept


def _values(group: FindingGroup, period: MonitoringPeriod) -> dict[str, str]:
    return {
        "count": str(group.count),
        "orgs": library.orgs_word(group.level, group.count),
        "units": group.names,
        "indicator": group.indicator_title,
        "threshold": library.number(group.threshold),
        "value": library.number(group.units[0].value) if group.count == 1 else "",
        "period": str(period.year),
    }


@dataclass
class Proposal:
    conclusions: list[tuple[int | None, str]]  # (indicator id, text)
    recommendations: list[tuple[str, int | None, str]]  # (addressee kind, indicator id, text)


def letter_proposal(
    *, period: MonitoringPeriod, user, kinds: list[str], municipality: Municipality | None = None
) -> Proposal:
    """Conclusions (one per indicator that misses in scope) and the matching recommendations by addressee kind."""
    lib = library.library_active()
    groups = grouped_findings(period=period, user=user, municipality=municipality)
    if AddresseeKind.SCHOOL_HEADS in kinds:
        groups = _general_education_only(groups)
    groups = _one_group_per_indicator(groups, _preferred_level(kinds=kinds, municipality=municipality))
    conclusions = []
    for g in groups:
        text = library.fill(lib.conclusion_for(g.indicator_code, direction=g.direction), _values(g, period))
        conclusions.append((g.units[0].indicator_id, text))
    recommendations = []
    directions = sorted({g.direction for g in groups})
    for kind in kinds:
        seen: set[str] = set()
        for direction in directions:
            candidates = [
                (None, t, {"period": str(period.year)})
                for t in lib.recommendations_for(addressee=kind, direction=direction, code=None)
            ]
            for g in groups:
                if g.direction != direction:
                    continue
                for t in lib.recommendations_for(addressee=kind, direction=direction, code=g.indicator_code):
                    candidates.append((g.units[0].indicator_id, t, _values(g, period)))
            for indicator_id, template, values in candidates:
                text = library.fill(template, values)
                if text not in seen:
                    seen.add(text)
                    recommendations.append((kind, indicator_id, text))
    return Proposal(conclusions, recommendations)


def _scope_phrase(municipality: Municipality | None) -> str:
    if municipality is None:
        return "в образовательных организациях региона"
    return f"в образовательных организациях муниципального образования «{municipality.name}»"


def proposed_title(*, kinds: list[str], municipality: Municipality | None, year: int) -> str:
    tail = (
        f"по итогам мониторинга системы обеспечения профессионального развития педагогических работников за {year} год"
    )
    where = f" муниципального образования «{municipality.name}»" if municipality else ""
    if len(kinds) > 1:
        return f"Адресные рекомендации {tail}"
    kind = kinds[0]
    if kind == AddresseeKind.SCHOOL_HEADS:
        return f"Адресные рекомендации руководителям общеобразовательных организаций{where} {tail}"
    if kind == AddresseeKind.MUNICIPAL:
        if municipality:
            return f"Адресные рекомендации органу управления образованием{where} {tail}"
        return (
            "Адресные рекомендации органам местного самоуправления, осуществляющим управление в сфере "
            f"образования, {tail}"
        )
    return f"Адресные рекомендации структурным подразделениям института {tail}"


def proposed_addressee_line(*, kinds: list[str], municipality: Municipality | None) -> str:
    if len(kinds) > 1:
        return ""  # a справка has no addressee line: its recommendations name them
    kind = kinds[0]
    if kind == AddresseeKind.SCHOOL_HEADS:
        return "Руководителям ОО"
    if kind == AddresseeKind.MUNICIPAL:
        if municipality:
            return f"Руководителю органа управления образованием муниципального образования «{municipality.name}»"
        return "Руководителям органов местного самоуправления, осуществляющих управление в сфере образования"
    return "Руководителям структурных подразделений института"


def proposed_introduction(*, period: MonitoringPeriod, municipality: Municipality | None, found: int) -> str:
    directions = "\n".join(f"{d.value}. {d.label}." for d in Direction)
    outcome = (
        f"По итогам мониторинга выявлены показатели, не достигающие пороговых значений ({found}); "
        "общие выводы и рекомендации приведены ниже."
        if found
        else "По итогам мониторинга все показатели, для которых установлены пороговые значения, их достигают."
    )
    return (
        f"В соответствии с планом мониторинга на {period.year} год проведен {MONITORING} "
        f"{_scope_phrase(municipality)} (далее – мониторинг).\n"
        f"Мониторинг проводился по показателям девяти направлений:\n{directions}\n{outcome}"
    )
