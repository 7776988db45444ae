"""The shapes of the annual report's content: cells with their change, tables, sections, the report's data.

A figure prints as the report prints it (:func:`fmt`): fixed decimals, a decimal comma,
a true minus sign.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import SafeString

from indicators.models import PeriodIndicator, Unit
from indicators.registry import Definition
from monitoring.models import MonitoringPeriod, Municipality, PeriodStatus
from reports.measures import Judged
from reports.models import Issuer, Letter


@dataclass
class Cell:
    value: Decimal | None
    previous: Decimal | None
    higher_is_better: bool = True
    finding: bool = False
    digits: int = 1
    compare: Decimal | None = None  # a справка: the region's value of a municipality's figure

    @property
    def text(self) -> str:
        return fmt(self.value, self.digits)

    @property
    def compare_text(self) -> str:
        return fmt(self.compare, self.digits)

    @property
    def previous_text(self) -> str:
        return fmt(self.previous, self.digits)

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        if not change:
            return "0"
        # Signs, not arrows: the shipped PT faces have no triangles, and a fallback font would
        # make the PDF depend on the machine it was rendered on.
        return ("+" if change > 0 else "") + fmt(change, self.digits)

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def better(self) -> bool | None:
        change = self.change
        if not change:
            return None
        return (change > 0) == self.higher_is_better


@dataclass
class Column:
    definition: Definition
    setting: PeriodIndicator | None

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def unit(self) -> str:
        return "%" if self.definition.unit == Unit.PERCENT else self.definition.unit_label


@dataclass
class Table:
    columns: list[Column]
    rows: list[tuple[str, list[Cell]]]  # a unit's name (a municipality's, or a school's in a справка), cells
    region: list[Cell]  # the total row: the region's, or the municipality's in a справка
    # A справка's row of the region's values for comparison (empty in the region's report).
    comparison: list[Cell] = field(default_factory=list)


@dataclass
class FindingSummary:
    code: str
    title: str
    threshold: Decimal
    higher_is_better: bool
    schools: int
    municipalities: list[str]  # municipalities below the threshold themselves
    by_municipality: list[tuple[str, int]]  # schools below the threshold, per municipality (a справка: per school)


@dataclass
class Section:
    number: int
    title: str
    tables: list[Table] = field(default_factory=list)
    # Indicators of the total unit only: the region's (in a справка: the municipality's, with the region's value
    # as the cell's ``compare``).
    region_only: list[tuple[Column, Cell]] = field(default_factory=list)
    chart: SafeString | None = None
    chart_caption: str = ""
    findings: list[FindingSummary] = field(default_factory=list)

    @property
    def indicator_count(self) -> int:
        return sum(len(t.columns) for t in self.tables) + len(self.region_only)

    @property
    def school_findings(self) -> int:
        return sum(f.schools for f in self.findings)

    @property
    def municipality_findings(self) -> int:
        return sum(len(f.municipalities) for f in self.findings)


@dataclass
class IssuedLetter:
    letter: Letter
    groups: list[tuple[str, list[str]]]  # addressee label, recommendations


@dataclass
class AnnualData:
    period: MonitoringPeriod
    previous: MonitoringPeriod | None
    sections: list[Section]
    letters: list[IssuedLetter]
    measures: list[Judged]
    earlier_measures: list[Judged]  # the previous period's decisions judged by this period's values
    municipalities: int  # the rows of the tables: municipalities (a справка: the municipality's schools)
    generated_at: dt.datetime
    findings_rows: list[tuple] = field(default_factory=list)
    issuer: Issuer | None = None  # the institute's blank: its name on the title page
    # A municipality's справка: the same structure by the municipality's schools. None: the region's report.
    municipality: Municipality | None = None

    @property
    def title(self) -> str:
        if self.municipality is not None:
            return "Аналитическая справка по результатам мониторинга"
        return "Годовой отчет по результатам мониторинга"

    @property
    def subject(self) -> str:
        """What follows the title: the monitored system, and the municipality of a справка."""
        text = "системы обеспечения профессионального развития педагогических работников"
        return f"{text}: {self.municipality.name}" if self.municipality is not None else text

    @property
    def unit_label(self) -> str:
        """The heading of the tables' rows."""
        return "Образовательная организация" if self.municipality is not None else "Муниципалитет"

    @property
    def total_label(self) -> str:
        return self.municipality.name if self.municipality is not None else "Регион"

    @property
    def preliminary(self) -> bool:
        """A period not yet closed: its figures may still change, and the report says so on every page."""
        return self.period.status != PeriodStatus.CLOSED

    @property
    def preliminary_header(self) -> str:
        """The one line every page's footer carries while the period is open."""
        if self.period.status == PeriodStatus.COLLECTING:
            return f"Предварительные данные: сбор данных за {self.period.year} год не завершен"
        return f"Предварительные данные: период {self.period.year} года не закрыт"

    @property
    def preliminary_note(self) -> str:
        return (
            f"{self.preliminary_header} («{self.period.get_status_display()}»), значения показателей могут измениться."
        )

    @property
    def effect_counts(self) -> list[tuple[str, int]]:
        counts = Counter(j.effect_label for j in self.earlier_measures + self.measures if j.effect is not None)
        return sorted(counts.items())


def fmt(value: Decimal | float | None, digits: int = 1) -> str:
    """A figure as the report prints it: fixed decimals, a decimal comma, a true minus sign."""
    if value is None:
        return "—"
    text = f"{float(value):,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "−")
