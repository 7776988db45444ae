"""The annual report's data: a period's values against the previous one, findings, letters and measures.

Everything is read with a handful of grouped queries (values of two periods at the
municipality and region levels, findings counted per indicator and municipality), so
the size of the report follows the number of municipalities and indicators, not of
schools or teachers. The report covers the whole region: only region-wide roles
(institute and ministry) reach it, so nothing here is narrowed by scope.

A municipality's справка is the same structure by that municipality's schools (their
values, the municipality's as the total, the region's for comparison), read with the same
handful of queries: its size follows the municipality's schools, its queries do not. Its
pages are scoped by the report's row (reports.models.AnnualReport.municipality).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from indicators.models import IndicatorValue, Level, PeriodIndicator, Unit
from indicators.registry import Definition
from indicators.selectors import DIRECTIONS, period_definitions, previous_period
from monitoring.models import MonitoringPeriod, Municipality, School
from monitoring.shared.collation import natural_key
from reports.annual.chart import chart
from reports.annual.tables import AnnualData, Cell, Column, FindingSummary, IssuedLetter, Section, Table
from reports.issuers import require_institute_issuer
from reports.measures import judged
from reports.models import AddresseeKind, Finding, Letter, LetterStatus, Measure, TextKind

# Indicator columns per table: six fit the width of an A4 page at 8 pt with the change below each value.
COLUMNS_PER_TABLE = 6


def _digits(defn: Definition) -> int:
    return {Unit.PERCENT: 1, Unit.AVERAGE: 2}.get(defn.unit, defn.decimals)


def _reported(period: MonitoringPeriod) -> tuple[list[Definition], dict[str, PeriodIndicator]]:
    """The period's indicators (coded and declarative, as its edition keeps them) that have a total row."""
    edition = period_definitions(period)
    definitions = [d for d in edition.definitions if not d.breakdown or "" in d.keys]
    return definitions, edition.settings


@dataclass
class _Frame:
    """Whose figures the report tabulates: the region's by municipality, or a municipality's by school."""

    rows_level: str
    units: list[tuple[str, str]]  # (code, name) of the tables' rows
    total_level: str
    total_org: str
    compare: bool  # a справка compares its municipality's figures with the region's

    @classmethod
    def of(cls, municipality: Municipality | None) -> _Frame:
        if municipality is None:
            units = list(Municipality.objects.order_by("name").values_list("code", "name"))
            return cls(Level.MUNICIPALITY, units, Level.REGION, "", compare=False)
        schools = School.objects.filter(municipality=municipality).values_list("code", "name")
        units = sorted(schools, key=lambda s: natural_key(s[1]))
        return cls(Level.SCHOOL, units, Level.MUNICIPALITY, municipality.code, compare=True)

    def shown(self, defn: Definition) -> bool:
        """An indicator has a column when its rows' level has values (a school's starts at the school)."""
        return defn.start == Level.SCHOOL if self.rows_level == Level.SCHOOL else defn.start != Level.REGION

    def whole(self, defn: Definition) -> bool:
        """An indicator of the total unit only (the region's; a справка's: the municipality's)."""
        return defn.start == (Level.MUNICIPALITY if self.rows_level == Level.SCHOOL else Level.REGION)

    def where(self) -> Q:
        if self.rows_level == Level.MUNICIPALITY:
            return Q(level__in=[Level.MUNICIPALITY, Level.REGION])
        return (
            Q(level=Level.SCHOOL, org_code__in=[code for code, _ in self.units])
            | Q(level=Level.MUNICIPALITY, org_code=self.total_org)
            | Q(level=Level.REGION)
        )


def annual_data(*, period: MonitoringPeriod, municipality: Municipality | None = None) -> AnnualData:
    """The region's report, or with ``municipality`` its справка: the same structure by its schools."""
    # The title page wears the institute's name from its setup: no setup, no report (RequisitesMissing).
    issuer = require_institute_issuer()
    previous = previous_period(period)
    definitions, edition = _reported(period)
    codes = [d.code for d in definitions]
    frame = _Frame.of(municipality)

    values: dict[tuple[int, str, str, str], Decimal | None] = {}
    periods = [period.pk] + ([previous.pk] if previous else [])
    rows = IndicatorValue.objects.filter(
        frame.where(), period_id__in=periods, breakdown="", indicator__code__in=codes
    ).values_list("period_id", "indicator__code", "level", "org_code", "value")
    for period_id, code, level, org, value in rows.iterator(chunk_size=5000):
        # The region has one row per indicator: its code is not needed to find it.
        values[(period_id, code, level, org if level != Level.REGION else "")] = value

    def cell(defn: Definition, level: str, org: str, compare: bool = False) -> Cell:
        setting = edition.get(defn.code)
        value = values.get((period.pk, defn.code, level, org))
        higher = setting.higher_is_better if setting else defn.higher_is_better
        return Cell(
            value,
            values.get((previous.pk, defn.code, level, org)) if previous else None,
            higher,
            bool(setting and setting.misses(value)),
            _digits(defn),
            values.get((period.pk, defn.code, Level.REGION, "")) if compare else None,
        )

    findings = _finding_summaries(
        period=period,
        municipalities=dict(Municipality.objects.values_list("pk", "name")) if municipality is None else {},
        # Each indicator as this period defined it (a declarative one may have been renamed or moved since).
        known={d.code: d for d in definitions},
        municipality=municipality,
    )
    sections = []
    for number, title in DIRECTIONS.items():
        section = Section(number, title)
        own = [d for d in definitions if d.direction == number]
        by_unit = [Column(d, edition.get(d.code)) for d in own if frame.shown(d)]
        for i in range(0, len(by_unit), COLUMNS_PER_TABLE):
            columns = by_unit[i : i + COLUMNS_PER_TABLE]
            section.tables.append(
                Table(
                    columns,
                    [
                        (name, [cell(c.definition, frame.rows_level, code) for c in columns])
                        for code, name in frame.units
                    ],
                    [cell(c.definition, frame.total_level, frame.total_org) for c in columns],
                    [cell(c.definition, Level.REGION, "") for c in columns] if frame.compare else [],
                )
            )
        section.region_only = [
            (Column(d, edition.get(d.code)), cell(d, frame.total_level, frame.total_org, compare=frame.compare))
            for d in own
            if frame.whole(d)
        ]
        if section.tables:
            section.chart, section.chart_caption = chart(
                section.tables, period, previous, units="ОО" if municipality is not None else "муниципалитеты"
            )
        section.findings = findings.get(number, [])
        sections.append(section)

    measures = Measure.objects.select_related("indicator", "item").order_by("due", "pk")
    if municipality is not None:
        # A справка's decisions: those about its municipality or its schools.
        measures = measures.filter(municipality=municipality)
    return AnnualData(
        period=period,
        previous=previous,
        sections=sections,
        letters=_letters(period, institute=issuer, municipality=municipality),
        measures=judged(measures.filter(period=period)),
        earlier_measures=judged(measures.filter(period=previous)) if previous else [],
        municipalities=len(frame.units),
        generated_at=timezone.localtime(),
        issuer=issuer,
        municipality=municipality,
    )


def _finding_summaries(
    *,
    period: MonitoringPeriod,
    municipalities: dict[int, str],
    known: dict[str, Definition],
    municipality: Municipality | None = None,
) -> dict[int, list[FindingSummary]]:
    """Per direction, per indicator: how many schools miss the threshold, where, and which municipalities.

    A справка (``municipality``) counts the municipality's own findings, its schools named one by one.
    """
    found = Finding.objects.filter(period=period)
    if municipality is not None:
        found = found.filter(municipality=municipality)
    meta = {
        code: (title, direction, threshold, higher, order)
        for code, title, direction, threshold, higher, order in found.values_list(
            "indicator__code",
            "indicator__title",
            "indicator__direction",
            "threshold",
            "higher_is_better",
            "indicator__order",
        ).distinct()
    }
    schools: dict[str, Counter] = defaultdict(Counter)
    # Schools counted per municipality; a справка's per school (each one once).
    where = "municipality_id" if municipality is None else "org_name"
    for code, unit, n in (
        found.filter(level=Level.SCHOOL).values_list("indicator__code", where).annotate(n=Count("pk")).order_by()
    ):
        schools[code][municipalities.get(unit, "—") if municipality is None else unit] += n
    whole: dict[str, list[str]] = defaultdict(list)
    for code, name in (
        found.filter(level=Level.MUNICIPALITY).values_list("indicator__code", "org_name").order_by("org_name")
    ):
        whole[code].append(name)
    out: dict[int, list[FindingSummary]] = defaultdict(list)
    # In the indicators' order (a declarative code such as «Ж.5» is not a number).
    for code in sorted(meta, key=lambda c: (meta[c][4], c)):
        title, direction, threshold, higher, _ = meta[code]
        if code in known:
            title, direction = known[code].title, known[code].direction
        per = schools.get(code, Counter())
        out[direction].append(
            FindingSummary(
                code,
                title,
                threshold,
                higher,
                sum(per.values()),
                whole.get(code, []),
                sorted(per.items(), key=lambda i: (-i[1], natural_key(i[0]))),
            )
        )
    return out


def _letters(period: MonitoringPeriod, *, institute, municipality: Municipality | None = None) -> list[IssuedLetter]:
    letters = Letter.objects.filter(period=period, status=LetterStatus.ISSUED)
    if municipality is not None:
        # A справка's letters: those to the whole region and those to its municipality.
        letters = letters.filter(Q(municipality__isnull=True) | Q(municipality=municipality))
    letters = letters.select_related("issuer", "municipality").prefetch_related("items").order_by("issued_on", "pk")
    labels = dict(AddresseeKind.choices)
    # Recommendations to the institute are headed by its own name (as «ГАУ ДПО СОИРО:» in a справка).
    labels[AddresseeKind.INSTITUTE] = institute.display_short_name
    out = []
    for letter in letters:
        groups: dict[str, list[str]] = {}
        for item in sorted(letter.items.all(), key=lambda i: (i.addressee, i.order, i.pk)):
            if item.kind == TextKind.RECOMMENDATION:
                groups.setdefault(labels.get(item.addressee or letter.addressee, ""), []).append(item.text)
        out.append(IssuedLetter(letter, list(groups.items())))
    return out
