"""Reads behind the diagnostic pages: coverage, level distribution, the deficit heat map.

Everything starts from the period's roster as the user may see it
(``RosterEntry.objects.visible_to``), so a school head's figures are their school's
and a municipal official's their municipality's. Counts follow spec/indicators.md:
coverage is indicator 1.1/1.2 (a diagnostic dated in the period), levels and
deficits use each teacher's latest diagnostic in the period (1.7, 1.8). Each function
runs a fixed number of grouped queries, however many schools or teachers there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from deficits.models import CompetenceGroup, Diagnostic, DiagnosticStatus, GroupResult, Instrument, Item, LevelBand
from deficits.scoring import active_instrument
from deficits.services import previous_diagnostic
from monitoring.models import MonitoringPeriod, Municipality, RosterEntry, School


@dataclass(frozen=True)
class Unit:
    """The rows a results page breaks down by: municipalities, a municipality's schools, or one school."""

    level: str  # "region" | "municipality" | "school"
    municipality: Municipality | None = None
    school: School | None = None

    @property
    def code_path(self) -> str:
        return "school__code" if self.level == "municipality" else "school__municipality__code"

    @property
    def name_path(self) -> str:
        return "school__name" if self.level == "municipality" else "school__municipality__name"


@dataclass
class CoverageRow:
    code: str
    name: str
    total: int
    diagnosed: int

    @property
    def missing(self) -> int:
        return self.total - self.diagnosed

    @property
    def percent(self) -> float | None:
        return round(100 * self.diagnosed / self.total, 1) if self.total else None


@dataclass
class HeatRow:
    code: str
    name: str
    diagnosed: int
    # group code -> teachers with a deficit in it
    deficits: dict[str, int] = field(default_factory=dict)

    def share(self, group_code: str) -> float | None:
        return round(100 * self.deficits.get(group_code, 0) / self.diagnosed, 1) if self.diagnosed else None

    @property
    def cells(self) -> list[tuple[str, float | None]]:
        return [(code, self.share(code)) for code in self.deficits]


def period_roster(*, period: MonitoringPeriod, user, unit: Unit):
    roster = RosterEntry.objects.visible_to(user).filter(period=period)
    if unit.level == "municipality":
        roster = roster.filter(school__municipality=unit.municipality)
    elif unit.level == "school":
        roster = roster.filter(school=unit.school)
    return roster


def instrument_layout(instrument: Instrument | None = None) -> tuple[list[CompetenceGroup], list[LevelBand]]:
    """Groups (columns) and bands (levels) of the edition the pages lay results out by."""
    instrument = instrument or active_instrument()
    return list(instrument.groups.order_by("order")), list(instrument.bands.order_by("-min_score"))


def coverage(*, period: MonitoringPeriod, user, unit: Unit) -> list[CoverageRow]:
    """Teachers on the roster and those with a diagnostic dated in the period, per row of the unit."""
    roster = period_roster(period=period, user=user, unit=unit)
    # Narrowed to the unit's teachers: a school's page hashes its own, not the region's 20,000.
    diagnosed = (
        Diagnostic.objects.in_period(period)
        .filter(teacher_id__in=roster.order_by().values("teacher_id"))
        .order_by()
        .values("teacher_id")
    )
    rows = (
        roster.values(unit.code_path, unit.name_path)
        .annotate(total=Count("pk"), diagnosed=Count("pk", filter=Q(teacher_id__in=diagnosed)))
        .order_by(unit.code_path)
    )
    return [CoverageRow(r[unit.code_path], r[unit.name_path], r["total"], r["diagnosed"]) for r in rows]


def not_diagnosed(*, period: MonitoringPeriod, user, school: School):
    """Roster rows of one school whose teacher has no diagnostic in the period, with any draft begun."""
    roster = period_roster(period=period, user=user, unit=Unit("school", school=school))
    # Both narrowed to the school's teachers: drafts have no index of their own, and the region's
    # diagnosed teachers are 20,000 to hash for a school of forty.
    teachers = roster.order_by().values("teacher_id")
    diagnosed = Diagnostic.objects.in_period(period).filter(teacher_id__in=teachers).order_by().values("teacher_id")
    drafts = (
        Diagnostic.objects.filter(status=DiagnosticStatus.DRAFT, teacher_id__in=teachers)
        .order_by()
        .values("teacher_id")
    )
    return (
        roster.exclude(teacher_id__in=diagnosed)
        .select_related("teacher")
        .annotate(has_draft=Count("pk", filter=Q(teacher_id__in=drafts)))
        .order_by("teacher__full_name", "teacher__code")
    )


def _latest_results(*, period: MonitoringPeriod, user, unit: Unit):
    """Group results of each rostered teacher's latest diagnostic in the period."""
    teachers = period_roster(period=period, user=user, unit=unit).order_by().values("teacher_id")
    # Narrowed before the latest are picked: a school's page sorts its own teachers' diagnostics only.
    latest = Diagnostic.objects.latest_in_period(period, teachers=teachers)
    return GroupResult.objects.filter(diagnostic__in=latest.order_by().values("pk"))


def level_distribution(*, period: MonitoringPeriod, user, unit: Unit) -> dict[str, dict[str, int]]:
    """Group code -> level name -> teachers (latest diagnostic in the period): indicator 1.8's numerators."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        _latest_results(period=period, user=user, unit=unit)
        .values("group_code", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in rows:
        out[r["group_code"]][r["level"]] = r["n"]
    return dict(out)


def deficit_heatmap(*, period: MonitoringPeriod, user, unit: Unit, group_codes: list[str]) -> list[HeatRow]:
    """Per row of the unit: teachers diagnosed (latest in period) and those with a deficit in each group.

    A teacher falls in the row of their roster row's school in the period; there is one
    roster row per teacher and period (a database constraint), so joining to it inside
    the same filter() — which values() then reuses — neither drops nor repeats results.
    """
    via = "diagnostic__teacher__roster_entries__"
    code_path, name_path = via + unit.code_path, via + unit.name_path
    counts = (
        _latest_results(period=period, user=user, unit=unit)
        .filter(**{via + "period": period})
        .values(code_path, name_path, "group_code")
        .annotate(n=Count("pk"), deficits=Count("pk", filter=Q(is_deficit=True)))
        .order_by(code_path)
    )
    rows: dict[str, HeatRow] = {}
    for r in counts:
        row = rows.get(r[code_path])
        if row is None:
            row = rows[r[code_path]] = HeatRow(r[code_path], r[name_path], 0, dict.fromkeys(group_codes, 0))
        # Every diagnostic has one result per group, so any group's count is the row's diagnosed.
        row.diagnosed = max(row.diagnosed, r["n"])
        if r["group_code"] in row.deficits:
            row.deficits[r["group_code"]] = r["deficits"]
    return list(rows.values())


def results_breakdown(
    *, period: MonitoringPeriod, user, unit: Unit, group_codes: list[str]
) -> tuple[dict[str, dict[str, int]], list[HeatRow]]:
    """The results page's level distribution and heat map, from one grouped query.

    The same counts as level_distribution and deficit_heatmap (each rostered teacher has one
    roster row in the period, so summing the heat map's rows over levels gives the
    distribution), with the period's latest diagnostics picked once instead of twice, and
    grouped by the rows' ids (names are read afterwards for the few rows): grouping 36,000
    results by school name and code spilled the sort to disk. On the region demo the two
    queries were most of the page's time.
    """
    if unit.level == "school":
        return level_distribution(period=period, user=user, unit=unit), []
    via = "diagnostic__teacher__roster_entries__"
    by_school = unit.level == "municipality"
    id_path = via + ("school" if by_school else "school__municipality")
    counts = (
        _latest_results(period=period, user=user, unit=unit)
        .filter(**{via + "period": period})
        .values(id_path, "group_code", "level")
        .annotate(n=Count("pk"), deficits=Count("pk", filter=Q(is_deficit=True)))
        .order_by()
    )
    distribution: dict[str, dict[str, int]] = defaultdict(dict)
    diagnosed: dict[tuple[int, str], int] = defaultdict(int)
    deficits: dict[int, dict[str, int]] = {}
    for r in counts:
        row_id, group, level = r[id_path], r["group_code"], r["level"]
        distribution[group][level] = distribution[group].get(level, 0) + r["n"]
        diagnosed[row_id, group] += r["n"]
        row = deficits.setdefault(row_id, dict.fromkeys(group_codes, 0))
        if group in row:
            row[group] += r["deficits"]
    # Every diagnostic has one result per group, so any group's count is the row's diagnosed.
    row_diagnosed: dict[int, int] = defaultdict(int)
    for (row_id, _group), n in diagnosed.items():
        row_diagnosed[row_id] = max(row_diagnosed[row_id], n)
    units = (School if by_school else Municipality).objects.filter(pk__in=list(deficits)).order_by("name", "code")
    heatmap = [
        HeatRow(code, name, row_diagnosed[pk], deficits[pk])
        for pk, code, name in units.values_list("pk", "code", "name")
    ]
    return dict(distribution), heatmap


def school_profiles(*, period: MonitoringPeriod, user, school: School) -> list[tuple[RosterEntry, dict]]:
    """Each teacher of one school with their latest diagnostic's group results in the period (or none)."""
    unit = Unit("school", school=school)
    results: dict[int, dict[str, GroupResult]] = defaultdict(dict)
    diagnostics: dict[int, int] = {}
    for r in _latest_results(period=period, user=user, unit=unit).select_related("diagnostic"):
        results[r.diagnostic.teacher_id][r.group_code] = r
        diagnostics[r.diagnostic.teacher_id] = r.diagnostic_id
    roster = period_roster(period=period, user=user, unit=unit).select_related("teacher")
    return [
        (entry, {"results": results.get(entry.teacher_id, {}), "diagnostic_id": diagnostics.get(entry.teacher_id)})
        for entry in roster.order_by("teacher__full_name", "teacher__code")
    ]


def diagnostic_profile(*, diagnostic: Diagnostic) -> tuple[list[dict], Diagnostic | None]:
    """A submitted diagnostic as its result page shows it (and the API), and the teacher's previous one.

    One row per group of the diagnostic's edition: the group, its result, the change since
    the previous diagnostic of the same instrument, and the statements answered in the
    lower half of the scale ("не владею", "эпизодически") — what the teacher's route
    should work on within each deficit group.
    """
    groups, _ = instrument_layout(diagnostic.instrument)
    results = {r.group_code: r for r in diagnostic.results.all()}
    previous = previous_diagnostic(diagnostic=diagnostic)
    before = {r.group_code: r.score for r in previous.results.all()} if previous else {}
    weak_at = (diagnostic.instrument.min_item + diagnostic.instrument.max_item) // 2
    weak: dict[int, list[str]] = {}
    for item in Item.objects.filter(group__in=groups).select_related("group").order_by("group__order", "number"):
        if diagnostic.answers.get(item.code, weak_at + 1) <= weak_at:
            weak.setdefault(item.group_id, []).append(item.text)
    rows = [
        {
            "group": g,
            "result": results.get(g.code),
            "change": results[g.code].score - before[g.code] if g.code in results and g.code in before else None,
            "weak": weak.get(g.pk, []),
        }
        for g in groups
    ]
    return rows, previous
