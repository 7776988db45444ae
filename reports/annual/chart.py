"""The chart of a direction: horizontal bars per municipality (a справка: per school), drawn as inline SVG."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from indicators.models import Unit
from monitoring.models import MonitoringPeriod
from reports.annual.tables import Table, fmt

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


def chart(
    tables: list[Table], period: MonitoringPeriod, previous: MonitoringPeriod | None, *, units: str = "муниципалитеты"
) -> tuple[SafeString, str]:
    """The direction's key indicator, one bar per row of its table; ``units`` names the rows in the caption."""
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
        parts.append(f'<text x="{LABEL_WIDTH + 114}" y="11">порог {fmt(threshold, 2)}</text>')
    # Axis.
    for step in range(5):
        v = top * step / 4
        parts.append(
            f'<line x1="{x(v):.1f}" y1="{head - 6}" x2="{x(v):.1f}" y2="{height - 6}" '
            'stroke="#ddd" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{x(v):.1f}" y="{head - 8}" text-anchor="middle" fill="#666">{fmt(v, 0)}</text>')
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
        parts.append(f'<text x="{CHART_WIDTH - VALUE_WIDTH + 4}" y="{y + 8}">{fmt(c.value)}</text>')
    if threshold is not None:
        parts.append(
            f'<line x1="{x(float(threshold)):.1f}" y1="{head - 4}" x2="{x(float(threshold)):.1f}" y2="{height - 6}" '
            f'stroke="#c0392b" stroke-dasharray="3,2"/>'
        )
    parts.append("</svg>")
    caption = f"{column.code} {column.title}, {column.unit}: {units} по значению за {period.year} год"
    if previous is not None:
        caption += f" (черта — {previous.year} год)"
    return mark_safe("".join(parts)), caption
