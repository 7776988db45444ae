"""The XLSForm workbook's optional ``scoring`` sheet: a questionnaire's scoring authored in Excel.

Kobo and ODK ignore sheets they do not know, so a workbook with this sheet still loads
there. Columns: ``group``, ``group_label``, ``item``, ``band``, ``min``, ``max``, ``flag``.
A row with a group and an item puts the item into the group (``group_label`` names the
group, on any of its rows); a row with a band (``band``, ``min``, ``max``, ``flag`` yes or
empty) adds a level band to its group, or to every group without bands of its own when
``group`` is empty. Rows keep their order: groups, items and bands come back as written.

The result is the scoring of ``deficits.questionnaire.scoring`` in its canonical form::

    {"groups": [{"code", "name", "items": [...], "bands": [...]}], "bands": [...]}
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from monitoring.intake.package.safety import column_letters
from monitoring.shared.spreadsheets import text_row

SHEET = "scoring"
COLUMNS = ("group", "group_label", "item", "band", "min", "max", "flag")
_YES = {"yes", "true", "да", "1"}
_NO = {"", "no", "false", "нет", "0"}
MAX_TEXT = 300


def cell_text(value: Any) -> str:
    """A cell's value as one line of text (a whole float without its «.0»); the form's sheets read cells so too."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def plain_number(value: Any) -> int | float | None:
    """A band's bound as a JSON number (an integral one as int), None when it is not a number."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def read_scoring_sheet(reader, raw) -> dict[str, Any]:
    """The scoring the sheet defines ({} without the sheet or rows); problems go to ``reader.problem``."""
    if raw is None or not raw.rows:
        return {}
    columns: dict[str, int] = {}
    for index, header in enumerate(raw.headers):
        columns.setdefault(str(header or "").strip().lower(), index)
    if "group" not in columns:
        reader.problem(SHEET, raw.header_row or None, None, "нет столбца «group»")
        return {}

    def cell(cells, field: str) -> str:
        return cell_text(cells[columns[field]]) if field in columns else ""

    def where(field: str) -> str:
        index = columns.get(field)
        return f"{column_letters(index + 1)} («{raw.headers[index]}»)" if index is not None else f"«{field}»"

    groups: dict[str, dict[str, Any]] = {}
    common: list[dict[str, Any]] = []
    for number, cells in raw.rows:
        code, label, item, band = (cell(cells, f) for f in ("group", "group_label", "item", "band"))
        if not any((code, label, item, band, cell(cells, "min"), cell(cells, "max"))):
            continue
        if len(code) > 60 or len(label) > MAX_TEXT or len(band) > MAX_TEXT:
            reader.problem(SHEET, number, None, "слишком длинный текст")
            continue
        if code:
            group = groups.setdefault(code, {"code": code, "name": "", "items": [], "bands": []})
            if label and not group["name"]:
                group["name"] = label
        elif item or label:
            reader.problem(SHEET, number, where("group"), "не указан код группы")
            continue
        if item:
            if item in group["items"]:
                reader.problem(SHEET, number, where("item"), f"вопрос «{item}» уже есть в группе «{code}»")
            else:
                group["items"].append(item)
        if band or cell(cells, "min") or cell(cells, "max"):
            parsed = _band(reader, number, cells, columns, where, band)
            if parsed is not None:
                (group["bands"] if code else common).append(parsed)
    if not groups and not common:
        return {}
    return {"groups": list(groups.values()), "bands": common}


def _band(reader, number, cells, columns, where, name: str) -> dict[str, Any] | None:
    if not name:
        reader.problem(SHEET, number, where("band"), "не указано название уровня")
        return None
    bounds = {}
    for field in ("min", "max"):
        raw = cells[columns[field]] if field in columns else None
        value = plain_number(raw) if raw not in (None, "") else None
        if value is None:
            reader.problem(SHEET, number, where(field), f"граница уровня «{name}» должна быть числом")
            return None
        bounds[field] = value
    flag = cell_text(cells[columns["flag"]]).lower() if "flag" in columns else ""
    if flag not in _YES | _NO:
        reader.problem(SHEET, number, where("flag"), "ожидается «yes» или пусто")
        return None
    return {"name": name, "min": bounds["min"], "max": bounds["max"], "flag": flag in _YES}


def write_scoring_sheet(sheet, scoring: dict[str, Any]) -> None:
    """Writes ``scoring`` on ``sheet`` (an openpyxl worksheet) so that reading it gives it back."""
    sheet.append(text_row(sheet, list(COLUMNS)))
    for group in scoring.get("groups", []):
        label = group.get("name", "")
        for item in group.get("items", []):
            sheet.append(text_row(sheet, [group["code"], label, item, "", None, None, ""]))
            label = ""
        for band in group.get("bands") or []:
            sheet.append(text_row(sheet, [group["code"], label, "", *_band_cells(band)]))
            label = ""
        if label:  # a group with neither items nor bands still keeps its name
            sheet.append(text_row(sheet, [group["code"], label, "", "", None, None, ""]))
    for band in scoring.get("bands") or []:
        sheet.append(text_row(sheet, ["", "", "", *_band_cells(band)]))


def _band_cells(band: dict[str, Any]) -> list[Any]:
    return [band["name"], band["min"], band["max"], "yes" if band.get("flag") else ""]
