"""The annual report as an .xlsx: the same tables as the PDF, plus findings, recommendations and measures."""

from __future__ import annotations

import io
from decimal import Decimal

from indicators.models import Level
from monitoring.shared.spreadsheets import looks_like_formula, sheet_value, text_row
from reports.annual.tables import AnnualData
from reports.models import Finding


def annual_xlsx(data: AnnualData) -> bytes:
    """The same tables as the PDF, one sheet per direction, plus findings, recommendations and measures."""
    # openpyxl loads with the first workbook, not with every process that imports the reports app.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    marked = Font(bold=True, color="B3261E")

    def new_sheet(title: str):
        """A sheet marked «ПРЕДВАРИТЕЛЬНЫЕ ДАННЫЕ» (first row, printed header) while the period is open."""
        sheet = book.create_sheet(title)
        if data.preliminary:
            sheet.oddHeader.center.text = "ПРЕДВАРИТЕЛЬНЫЕ ДАННЫЕ"
            sheet.oddFooter.left.text = data.preliminary_note
            mark = WriteOnlyCell(sheet, value="ПРЕДВАРИТЕЛЬНЫЕ ДАННЫЕ")
            mark.font = marked
            sheet.append([mark, data.preliminary_note])
        return sheet

    def header(sheet, values):
        cells = []
        for v in values:
            c = WriteOnlyCell(sheet, value=sheet_value(v))
            if looks_like_formula(c.value):
                c.data_type = "s"  # a column named after a typed title stays text
            c.font = bold
            cells.append(c)
        sheet.append(cells)

    year = data.period.year
    prev = data.previous.year if data.previous else None
    title = new_sheet("Титульный лист")
    for line in (
        data.issuer.name if data.issuer else "",
        f"{data.title} {data.subject}",
        f"{year} год" if data.municipality is not None else f"за {year} год",
        f"{data.issuer.city if data.issuer else ''}, {data.generated_at:%Y}".strip(", "),
        f"Сформирован {data.generated_at:%d.%m.%Y}",
    ):
        title.append(text_row(title, [line]))
    for section in data.sections:
        sheet = new_sheet(f"Направление {section.number}")
        sheet.append(text_row(sheet, [f"{section.number}. {section.title}"]))
        columns = [c for t in section.tables for c in t.columns]
        if columns:
            titles = [data.unit_label]
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
            total = [_x(v) for cell in region for v in (cell.value, cell.previous, cell.change)]
            sheet.append(text_row(sheet, [data.total_label, *total]))
            comparison = [cell for t in section.tables for cell in t.comparison]
            if comparison:
                values = [_x(v) for cell in comparison for v in (cell.value, cell.previous, cell.change)]
                sheet.append(["Регион (для сравнения)", *values])
        if section.region_only:
            sheet.append([])
            whole = "Показатель муниципалитета" if data.municipality is not None else "Показатель региона"
            titles = [whole, "Наименование", str(year), str(prev or ""), "изменение"]
            header(sheet, titles + (["регион"] if data.municipality is not None else []))
            for column, cell in section.region_only:
                row = [column.code, column.title, _x(cell.value), _x(cell.previous), _x(cell.change)]
                if data.municipality is not None:
                    row.append(_x(cell.compare))
                sheet.append(text_row(sheet, row))  # titles the institute typed: never formulas
        sheet.append([])
        header(sheet, ["Показатели", "Наименование", "Единица", "Цель", "Порог"])
        for c in columns + [c for c, _ in section.region_only]:
            s = c.setting
            row = [c.code, c.title, c.unit, _x(s.target if s else None), _x(s.threshold if s else None)]
            sheet.append(text_row(sheet, row))

    sheet = new_sheet("Проблемные зоны")
    header(sheet, ["Показатель", "Наименование показателя", "Уровень", "Код", "Организация", "Значение", "Порог"])
    found = Finding.objects.filter(period=data.period)
    if data.municipality is not None:
        found = found.filter(municipality=data.municipality)  # a справка lists its own schools only
    for row in (
        found.order_by("indicator__order", "level", "org_name")
        .values_list("indicator__code", "indicator__title", "level", "org_code", "org_name", "value", "threshold")
        .iterator(chunk_size=5000)
    ):
        code, title, level, org, name, value, threshold = row
        sheet.append(text_row(sheet, [code, title, Level(level).label, org, name, _x(value), _x(threshold)]))

    sheet = new_sheet("Рекомендации")
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

    sheet = new_sheet("Меры")
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
