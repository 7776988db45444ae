"""The annual report of a period for the ministry: a PDF and an .xlsx of the same tables.

Sections: a title page, contents, one section per direction (its indicators by
municipality with the change against the previous period, a chart drawn here as
inline SVG, the direction's findings), the recommendations issued in the period, and
the measures with their effectiveness. The report covers the whole region: only
region-wide roles (institute and ministry) reach it, so nothing here is narrowed by
scope.

Everything is read with a handful of grouped queries (values of two periods at the
municipality and region levels, findings counted per indicator and municipality), so
the size of the report follows the number of municipalities and indicators, not of
schools or teachers.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from indicators.catalog import Definition, catalog
from indicators.models import IndicatorValue, Level, PeriodIndicator, Unit
from indicators.selectors import DIRECTIONS, previous_period
from monitoring.models import MonitoringPeriod, Municipality
from reports.measures import Judged, judged
from reports.models import AddresseeKind, AnnualReport, Finding, Letter, LetterStatus, Measure, ReportStatus, TextKind

log = logging.getLogger(__name__)

# Indicator columns per table: six fit the width of an A4 page at 8 pt with the change below each value.
COLUMNS_PER_TABLE = 6


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


@dataclass
class Cell:
    value: Decimal | None
    previous: Decimal | None
    higher_is_better: bool = True
    finding: bool = False
    digits: int = 1

    @property
    def text(self) -> str:
        return _fmt(self.value, self.digits)

    @property
    def previous_text(self) -> str:
        return _fmt(self.previous, self.digits)

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        if not change:
            return "0"
        # Signs, not arrows: the shipped PT faces have no triangles, and a fallback font would
        # make the PDF depend on the machine it was rendered on.
        return ("+" if change > 0 else "") + _fmt(change, self.digits)

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
    rows: list[tuple[str, list[Cell]]]  # municipality name, cells
    region: list[Cell]


@dataclass
class FindingSummary:
    code: str
    title: str
    threshold: Decimal
    higher_is_better: bool
    schools: int
    municipalities: list[str]  # municipalities below the threshold themselves
    by_municipality: list[tuple[str, int]]  # schools below the threshold, per municipality


@dataclass
class Section:
    number: int
    title: str
    tables: list[Table] = field(default_factory=list)
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
    municipalities: int
    generated_at: dt.datetime
    findings_rows: list[tuple] = field(default_factory=list)

    @property
    def effect_counts(self) -> list[tuple[str, int]]:
        counts = Counter(j.effect_label for j in self.earlier_measures + self.measures if j.effect is not None)
        return sorted(counts.items())


def _digits(defn: Definition) -> int:
    return {Unit.PERCENT: 1, Unit.AVERAGE: 2}.get(defn.unit, defn.decimals)


def _reported(period: MonitoringPeriod) -> tuple[list[Definition], dict[str, PeriodIndicator]]:
    """The period's indicators that have a total row (no breakdown, or a total among them)."""
    edition = {
        pi.indicator.code: pi for pi in PeriodIndicator.objects.filter(period=period).select_related("indicator")
    }
    definitions = [d for d in catalog() if (not edition or d.code in edition) and (not d.breakdown or "" in d.keys)]
    return definitions, edition


def annual_data(*, period: MonitoringPeriod) -> AnnualData:
    previous = previous_period(period)
    definitions, edition = _reported(period)
    codes = [d.code for d in definitions]
    municipalities = list(Municipality.objects.order_by("name").values_list("pk", "code", "name"))

    values: dict[tuple[int, str, str, str], Decimal | None] = {}
    periods = [period.pk] + ([previous.pk] if previous else [])
    rows = IndicatorValue.objects.filter(
        period_id__in=periods,
        breakdown="",
        level__in=[Level.MUNICIPALITY, Level.REGION],
        indicator__code__in=codes,
    ).values_list("period_id", "indicator__code", "level", "org_code", "value")
    for period_id, code, level, org, value in rows.iterator(chunk_size=5000):
        # The region has one row per indicator: its code is not needed to find it.
        values[(period_id, code, level, org if level == Level.MUNICIPALITY else "")] = value

    def cell(defn: Definition, level: str, org: str) -> Cell:
        setting = edition.get(defn.code)
        value = values.get((period.pk, defn.code, level, org))
        higher = setting.higher_is_better if setting else defn.higher_is_better
        return Cell(
            value,
            values.get((previous.pk, defn.code, level, org)) if previous else None,
            higher,
            bool(setting and setting.misses(value)),
            _digits(defn),
        )

    findings = _finding_summaries(period=period, municipalities={pk: name for pk, _, name in municipalities})
    sections = []
    for number, title in DIRECTIONS.items():
        section = Section(number, title)
        own = [d for d in definitions if d.direction == number]
        by_unit = [Column(d, edition.get(d.code)) for d in own if d.start != Level.REGION]
        for i in range(0, len(by_unit), COLUMNS_PER_TABLE):
            columns = by_unit[i : i + COLUMNS_PER_TABLE]
            section.tables.append(
                Table(
                    columns,
                    [
                        (name, [cell(c.definition, Level.MUNICIPALITY, code) for c in columns])
                        for _, code, name in municipalities
                    ],
                    [cell(c.definition, Level.REGION, "") for c in columns],
                )
            )
        section.region_only = [
            (Column(d, edition.get(d.code)), cell(d, Level.REGION, "")) for d in own if d.start == Level.REGION
        ]
        if section.tables:
            section.chart, section.chart_caption = _chart(section.tables, period, previous)
        section.findings = findings.get(number, [])
        sections.append(section)

    measures = judged(Measure.objects.filter(period=period).select_related("indicator", "item").order_by("due", "pk"))
    earlier = (
        judged(Measure.objects.filter(period=previous).select_related("indicator").order_by("due", "pk"))
        if previous
        else []
    )
    return AnnualData(
        period=period,
        previous=previous,
        sections=sections,
        letters=_letters(period),
        measures=measures,
        earlier_measures=earlier,
        municipalities=len(municipalities),
        generated_at=timezone.localtime(),
    )


def _finding_summaries(*, period: MonitoringPeriod, municipalities: dict[int, str]) -> dict[int, list[FindingSummary]]:
    """Per direction, per indicator: how many schools miss the threshold, where, and which municipalities."""
    found = Finding.objects.filter(period=period)
    meta = {
        code: (title, direction, threshold, higher)
        for code, title, direction, threshold, higher in found.values_list(
            "indicator__code", "indicator__title", "indicator__direction", "threshold", "higher_is_better"
        ).distinct()
    }
    schools: dict[str, Counter] = defaultdict(Counter)
    for code, municipality_id, n in (
        found.filter(level=Level.SCHOOL)
        .values_list("indicator__code", "municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        schools[code][municipalities.get(municipality_id, "—")] += n
    whole: dict[str, list[str]] = defaultdict(list)
    for code, name in (
        found.filter(level=Level.MUNICIPALITY).values_list("indicator__code", "org_name").order_by("org_name")
    ):
        whole[code].append(name)
    out: dict[int, list[FindingSummary]] = defaultdict(list)
    for code in sorted(meta, key=_code_key):
        title, direction, threshold, higher = meta[code]
        per = schools.get(code, Counter())
        out[direction].append(
            FindingSummary(
                code,
                title,
                threshold,
                higher,
                sum(per.values()),
                whole.get(code, []),
                sorted(per.items(), key=lambda i: (-i[1], i[0])),
            )
        )
    return out


def _code_key(code: str) -> tuple[int, int]:
    direction, number = code.split(".")
    return int(direction), int(number)


def _letters(period: MonitoringPeriod) -> list[IssuedLetter]:
    letters = (
        Letter.objects.filter(period=period, status=LetterStatus.ISSUED)
        .select_related("issuer", "municipality")
        .prefetch_related("items")
        .order_by("issued_on", "pk")
    )
    labels = dict(AddresseeKind.choices)
    out = []
    for letter in letters:
        groups: dict[str, list[str]] = {}
        for item in sorted(letter.items.all(), key=lambda i: (i.addressee, i.order, i.pk)):
            if item.kind == TextKind.RECOMMENDATION:
                groups.setdefault(labels.get(item.addressee or letter.addressee, ""), []).append(item.text)
        out.append(IssuedLetter(letter, list(groups.items())))
    return out


# ---------------------------------------------------------------------------
# The chart: horizontal bars per municipality, drawn as SVG (no external resources)
# ---------------------------------------------------------------------------

CHART_WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 60
ROW = 12


def _chart_column(tables: list[Table]) -> tuple[Table, int]:
    """The direction's key indicator: its first percentage (comparable across units), else its first."""
    for table in tables:
        for i, column in enumerate(table.columns):
            if column.definition.unit == Unit.PERCENT:
                return table, i
    return tables[0], 0


def _fmt(value: Decimal | float | None, digits: int = 1) -> str:
    """A figure as the report prints it: fixed decimals, a decimal comma, a true minus sign."""
    if value is None:
        return "—"
    text = f"{float(value):,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "−")


def _chart(tables: list[Table], period: MonitoringPeriod, previous: MonitoringPeriod | None) -> tuple[SafeString, str]:
    table, index = _chart_column(tables)
    column = table.columns[index]
    rows = [(name, cells[index]) for name, cells in table.rows]
    rows.sort(key=lambda r: (r[1].value is None, -(r[1].value or 0), r[0]))
    setting = column.setting
    threshold = setting.threshold if setting else None
    numbers = [float(c.value) for _, c in rows if c.value is not None]
    numbers += [float(c.previous) for _, c in rows if c.previous is not None]
    top = max([*numbers, float(threshold) if threshold is not None else 0.0, 0.0])
    if column.definition.unit == Unit.PERCENT:
        top = max(top, 100.0)
    top = top or 1.0
    bar_area = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    head = 26
    height = head + ROW * len(rows) + 8

    def x(v: float) -> float:
        return LABEL_WIDTH + bar_area * max(v, 0.0) / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" font-family="PT Sans" font-size="8">'
    ]
    # Legend.
    parts.append(f'<rect x="{LABEL_WIDTH}" y="4" width="10" height="7" fill="#3a6ea5"/>')
    parts.append(f'<text x="{LABEL_WIDTH + 14}" y="11">{period.year}</text>')
    if previous is not None:
        parts.append(f'<rect x="{LABEL_WIDTH + 50}" y="3" width="2" height="9" fill="#222"/>')
        parts.append(f'<text x="{LABEL_WIDTH + 56}" y="11">{previous.year}</text>')
    if threshold is not None:
        parts.append(
            f'<line x1="{LABEL_WIDTH + 96}" y1="7.5" x2="{LABEL_WIDTH + 110}" y2="7.5" '
            f'stroke="#c0392b" stroke-dasharray="3,2"/>'
        )
        parts.append(f'<text x="{LABEL_WIDTH + 114}" y="11">порог {_fmt(threshold, 2)}</text>')
    # Axis.
    for step in range(5):
        v = top * step / 4
        parts.append(
            f'<line x1="{x(v):.1f}" y1="{head - 6}" x2="{x(v):.1f}" y2="{height - 6}" '
            'stroke="#ddd" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{x(v):.1f}" y="{head - 8}" text-anchor="middle" fill="#666">{_fmt(v, 0)}</text>')
    for i, (name, c) in enumerate(rows):
        y = head + i * ROW
        label = name if len(name) <= 40 else name[:39] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 4}" y="{y + 8}" text-anchor="end">{escape(label)}</text>')
        if c.value is not None:
            fill = "#c0392b" if c.finding else "#3a6ea5"
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 1}" width="{x(float(c.value)) - LABEL_WIDTH:.1f}" height="{ROW - 3}" '
                f'fill="{fill}"/>'
            )
        if c.previous is not None:
            parts.append(f'<rect x="{x(float(c.previous)) - 1:.1f}" y="{y}" width="2" height="{ROW - 1}" fill="#222"/>')
        parts.append(f'<text x="{CHART_WIDTH - VALUE_WIDTH + 4}" y="{y + 8}">{_fmt(c.value)}</text>')
    if threshold is not None:
        parts.append(
            f'<line x1="{x(float(threshold)):.1f}" y1="{head - 4}" x2="{x(float(threshold)):.1f}" y2="{height - 6}" '
            f'stroke="#c0392b" stroke-dasharray="3,2"/>'
        )
    parts.append("</svg>")
    caption = f"{column.code} {column.title}, {column.unit}: муниципалитеты по значению за {period.year} год"
    if previous is not None:
        caption += f" (черта — {previous.year} год)"
    return mark_safe("".join(parts)), caption


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------


def annual_html(data: AnnualData) -> str:
    return render_to_string("reports/annual_pdf.html", {"data": data})


def annual_pdf(data: AnnualData) -> bytes:
    return _render_pdf(annual_html(data))


def pdf_pages(data: bytes) -> int:
    """The page count of a PDF: /Count of its page tree (WeasyPrint compresses it into an object stream)."""
    pattern = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")
    found = [int(a or b) for a, b in pattern.findall(data)]
    for m in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", data):
        start, length = m.end(), int(m.group(1))
        try:
            chunk = zlib.decompress(data[start : start + length])
        except zlib.error:
            continue
        found += [int(a or b) for a, b in pattern.findall(chunk)]
    return max(found, default=0)


def annual_xlsx(data: AnnualData) -> bytes:
    """The same tables as the PDF, one sheet per direction, plus findings, recommendations and measures."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from monitoring.shared.spreadsheets import text_row

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, values):
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for v in values:
            c = WriteOnlyCell(sheet, value=v)
            c.font = bold
            cells.append(c)
        sheet.append(cells)

    year = data.period.year
    prev = data.previous.year if data.previous else None
    for section in data.sections:
        sheet = book.create_sheet(f"Направление {section.number}")
        sheet.append([f"{section.number}. {section.title}"])
        columns = [c for t in section.tables for c in t.columns]
        if columns:
            titles = ["Муниципалитет"]
            for c in columns:
                titles += [f"{c.code} {year}", f"{c.code} {prev or ''}".strip(), f"{c.code} изменение"]
            header(sheet, titles)
            by_name: dict[str, list] = {}
            for table in section.tables:
                for name, cells in table.rows:
                    by_name.setdefault(name, []).extend(cells)
            for name, cells in by_name.items():
                values = [_x(v) for cell in cells for v in (cell.value, cell.previous, cell.change)]
                sheet.append(text_row(sheet, [name, *values]))
            region = [cell for t in section.tables for cell in t.region]
            sheet.append(["Регион"] + [_x(v) for cell in region for v in (cell.value, cell.previous, cell.change)])
        if section.region_only:
            sheet.append([])
            header(sheet, ["Показатель региона", "Наименование", str(year), str(prev or ""), "изменение"])
            for column, cell in section.region_only:
                sheet.append([column.code, column.title, _x(cell.value), _x(cell.previous), _x(cell.change)])
        sheet.append([])
        header(sheet, ["Показатели", "Наименование", "Единица", "Цель", "Порог"])
        for c in columns + [c for c, _ in section.region_only]:
            s = c.setting
            sheet.append([c.code, c.title, c.unit, _x(s.target if s else None), _x(s.threshold if s else None)])

    sheet = book.create_sheet("Проблемные зоны")
    header(sheet, ["Показатель", "Наименование показателя", "Уровень", "Код", "Организация", "Значение", "Порог"])
    for row in (
        Finding.objects.filter(period=data.period)
        .order_by("indicator__order", "level", "org_name")
        .values_list("indicator__code", "indicator__title", "level", "org_code", "org_name", "value", "threshold")
        .iterator(chunk_size=5000)
    ):
        code, title, level, org, name, value, threshold = row
        sheet.append(text_row(sheet, [code, title, Level(level).label, org, name, _x(value), _x(threshold)]))

    sheet = book.create_sheet("Рекомендации")
    header(sheet, ["Номер", "Дата", "От кого", "Кому", "Заголовок", "Адресат рекомендации", "Рекомендация"])
    for issued in data.letters:
        letter = issued.letter
        for addressee, texts in issued.groups or [("", [""])]:
            for text in texts:
                row = [
                    letter.number,
                    letter.issued_on,
                    letter.issuer.name,
                    letter.addressee_line,
                    letter.title,
                    addressee,
                    text,
                ]
                sheet.append(text_row(sheet, row))  # texts people typed: never formulas

    sheet = book.create_sheet("Меры")
    header(
        sheet,
        [
            "Период",
            "Мера",
            "Организация",
            "Показатель",
            "Ответственный",
            "Срок",
            "Состояние",
            "Исходное значение",
            "Цель",
            "Значение следующего периода",
            "Оценка",
        ],
    )
    for j in data.earlier_measures + data.measures:
        m = j.measure
        sheet.append(
            text_row(
                sheet,
                [
                    m.period.year,
                    m.text,
                    j.unit_name,
                    m.indicator.code,
                    m.responsible,
                    m.due,
                    m.get_status_display(),
                    _x(m.baseline),
                    _x(m.target),
                    _x(j.value),
                    j.effect_label,
                ],
            )
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _x(value):
    """Decimals as floats: a spreadsheet computes with numbers, not text."""
    return float(value) if isinstance(value, Decimal) else value


@dataclass
class Built:
    pdf: bytes
    pages: int
    xlsx: bytes


def annual_build(*, period: MonitoringPeriod, progress=None) -> Built:
    """Both files of the period's report; ``progress(percent)`` is told along the way."""
    progress = progress or (lambda percent: None)
    data = annual_data(period=period)
    progress(20)
    html = annual_html(data)
    progress(30)
    with _layout_progress(progress, 30, 85):
        pdf = _render_pdf(html)
    progress(90)
    xlsx = annual_xlsx(data)
    progress(98)
    return Built(pdf, pdf_pages(pdf), xlsx)


class _layout_progress:
    """Turns WeasyPrint's per-page progress log into the report's percentage (a page is a step)."""

    def __init__(self, progress, low: int, high: int, expected_pages: int = 60):
        self.progress, self.low, self.high, self.expected = progress, low, high, expected_pages
        self.logger = logging.getLogger("weasyprint.progress")
        self.handler = logging.Handler()
        self.handler.emit = self._emit
        self.last = low

    def _emit(self, record) -> None:
        match = re.search(r"Page (\d+)", record.getMessage())
        if not match:
            return
        percent = min(self.high, self.low + (self.high - self.low) * int(match.group(1)) // self.expected)
        if percent >= self.last + 5:
            self.last = percent
            self.progress(percent)

    def __enter__(self):
        self.level, self.propagate = self.logger.level, self.logger.propagate
        self.logger.addHandler(self.handler)
        if self.logger.getEffectiveLevel() > logging.INFO:
            # Lowered for our handler only: the log's own handlers asked for less than this.
            self.logger.setLevel(logging.INFO)
            self.logger.propagate = False
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)
        self.logger.propagate = self.propagate
        return False


# ---------------------------------------------------------------------------
# The job
# ---------------------------------------------------------------------------


def annual_start(*, period: MonitoringPeriod, user) -> AnnualReport:
    """Queue a report; the worker takes it once the caller's transaction commits."""
    from monitoring.shared.dispatch import send_on_commit
    from reports.tasks import build_annual_report

    report = AnnualReport.objects.create(period=period, user=user)
    # With the queue down the report stays queued and is sent again when it is back (monitoring.shared.dispatch).
    send_on_commit(build_annual_report, (report.pk,))
    return report


def waiting_reports(window):
    """Reports still queued (not yet taken by a worker): monitoring.shared.dispatch sends them again."""
    from reports.tasks import build_annual_report

    for pk in AnnualReport.objects.filter(status=ReportStatus.QUEUED, created_at__range=window).values_list(
        "pk", flat=True
    ):
        yield build_annual_report, (pk,)


def annual_generate(*, report_id: int) -> AnnualReport:
    """Build the report's files and store them; a failure is recorded on the report, not lost."""
    report = AnnualReport.objects.select_related("period").get(pk=report_id)
    if report.status == ReportStatus.DONE:
        return report  # a redelivered task (acks late) finds the work done
    AnnualReport.objects.filter(pk=report_id).update(status=ReportStatus.RUNNING, progress=5, error="")

    def progress(percent: int) -> None:
        AnnualReport.objects.filter(pk=report_id).update(progress=percent)

    try:
        built = annual_build(period=report.period, progress=progress)
    except Exception as exc:
        log.exception("annual report %s failed", report_id)
        AnnualReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:5000], finished_at=timezone.now()
        )
        report.refresh_from_db()
        return report
    name = f"annual-{report.period.year}-{report.pk}"
    report.pdf.save(f"{name}.pdf", ContentFile(built.pdf), save=False)
    report.xlsx.save(f"{name}.xlsx", ContentFile(built.xlsx), save=False)
    report.pages = built.pages
    report.status = ReportStatus.DONE
    report.progress = 100
    report.error = ""
    report.finished_at = timezone.now()
    report.save(update_fields=["pdf", "xlsx", "pages", "status", "progress", "error", "finished_at"])
    return report


def _render_pdf(html: str) -> bytes:
    # WeasyPrint (and its Pango bindings) load on the first PDF, not when Django starts:
    # importing them cost every process, the import command's included, 0.4 s.
    from reports.pdf import render_pdf

    return render_pdf(html)
