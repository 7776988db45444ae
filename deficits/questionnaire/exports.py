"""A campaign's responses as a workbook or a CSV: one row per response, one column per item.

Columns: for a named campaign the teacher's code and name (only for those who may see
personal data: the institute) and the school (every reader: a named campaign's reader
knows who was asked); then municipality, school type and role; then every item (a
multiple choice as its chosen labels joined with «; »), then each score group's score
and level. Ministry and municipal officials get no person columns: they work with
aggregates (monitoring.models.scoping.PERSONAL_DATA_ROLES).

An anonymous campaign's export is not a row per response but the results page's
tables (``summary_rows``): every item's counts and shares under the page's rules.

The workbook is written by ``SheetStream`` below, a streaming writer of one sheet of
inline strings and numbers: 30,000 responses × 60 items take ~2 s, where openpyxl's
write-only mode takes ~14 s and xlsxwriter's constant-memory mode ~11 s on this machine
(2 cores) for the same cells. Inline strings can never be formulas, so text typed by a
respondent (``=HYPERLINK(…)``) opens as text; characters XML cannot carry are dropped
(monitoring.shared.spreadsheets). The CSV is UTF-8 with a BOM and «;» between values
(what Russian Excel opens on a double click), formula-looking text with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape

from deficits.models import Campaign, RespondentRole, Response
from deficits.questionnaire.results import ITEM_TOO_FEW, form_items, overview, score_levels, value_order
from monitoring.models import SchoolKind
from monitoring.models.scoping import can_see_personal_data
from monitoring.shared.spreadsheets import csv_text, sheet_value

MULTIPLE_JOIN = "; "
_CHUNK = 2000


_KINDS = dict(SchoolKind.choices)
_ROLES = dict(RespondentRole.choices)


def _kind_label(kind: str) -> str:
    return _KINDS.get(kind, kind)


def _role_label(role: str) -> str:
    return _ROLES.get(role, role)


def _plain_number(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        return int(number) if number == number.to_integral_value() else float(number)
    return value


class _Columns:
    """How one response becomes one row, for a campaign and a reader."""

    def __init__(self, campaign: Campaign, user) -> None:
        definition = campaign.edition.definition
        self.items = form_items(definition)
        self.labels = {
            item["name"]: dict(value_order(item, definition))
            for item in self.items
            if item["type"] in ("single", "multiple")
        }
        self.scores = score_levels(campaign.edition.scoring)
        # (item name, how its answer becomes a cell), made once: the export calls it for every cell.
        self.converters = [(item["name"], self._converter(item)) for item in self.items]
        self.anonymous = campaign.anonymous
        self.person = not campaign.anonymous and can_see_personal_data(user)

    def header(self) -> list[str]:
        head = []
        if self.person:
            head += ["Код педагога", "ФИО педагога"]
        if not self.anonymous:
            head += ["ОО"]
        head += ["Муниципалитет", "Тип ОО", "Роль"]
        if not self.anonymous:
            head += ["Получен"]
        head += [f"{item['name']}: {item.get('label') or item['name']}" for item in self.items]
        for _, name, _ in self.scores:
            head += [f"{name}: баллы", f"{name}: уровень"]
        return head

    def _converter(self, item: Mapping[str, Any]):
        kind = item["type"]
        if kind == "single":
            labels = self.labels[item["name"]]
            return lambda value: labels.get(str(value), str(value))
        if kind == "multiple":
            labels = self.labels[item["name"]]
            return lambda value: MULTIPLE_JOIN.join(
                labels.get(str(c), str(c)) for c in (value if isinstance(value, list) else [value])
            )
        if kind in ("scale", "number"):
            return _plain_number
        return str

    def answer(self, item: Mapping[str, Any], value: Any) -> Any:
        """One answer as its cell: a choice's label, chosen labels joined, a number, or the text."""
        if value is None or value == "" or value == []:
            return ""
        return self._converter(item)(value)

    def row(self, *, person: list[Any], answers: Mapping[str, Any], scores: Mapping[str, Any]) -> list[Any]:
        out = list(person)
        for name, convert in self.converters:
            value = answers.get(name)
            out.append("" if value is None or value == "" or value == [] else convert(value))
        for code, _, _ in self.scores:
            score = scores.get(code) or {}
            out += [_plain_number(score.get("score", "")), score.get("level", "")]
        return out


def export_rows(*, campaign: Campaign, user) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows (a generator reading the responses in chunks) for the user's scope."""
    columns = _Columns(campaign, user)
    responses = Response.objects.visible_to(user).filter(campaign=campaign)
    header = columns.header()
    if not campaign.anonymous:
        fields = [
            "teacher__code",
            "teacher__full_name",
            "school__name",
            "municipality__name",
            "school_kind",
            "role",
            "submitted_at",
            "answers",
            "scores",
        ]
        rows = responses.order_by("municipality__name", "id").values_list(*fields)

        def named() -> Iterator[list[Any]]:
            for code, name, school, municipality, kind, role, at, answers, scores in rows.iterator(chunk_size=_CHUNK):
                person = [code or "", name or ""] if columns.person else []
                person += [school or "", municipality, _kind_label(kind), _role_label(role), _moment(at)]
                yield columns.row(person=person, answers=answers, scores=scores)

        return header, named()
    return SUMMARY_HEADER, summary_rows(campaign=campaign, user=user)


SUMMARY_HEADER = ["Вопрос", "Ответ", "Число ответов", "Доля респондентов, %"]


def summary_rows(*, campaign: Campaign, user) -> Iterator[list[Any]]:
    """An anonymous campaign's export: the results page's tables, not one row per response.

    A row per response would carry its municipality, school type, role and every answer
    together, and a few answers (the years of experience, a subject) can single a person
    out among a municipality's respondents whatever the size of the group. The summary
    is the page's own figures, under the page's rules (``results.withheld``, groups and
    items under five not shown).
    """
    shown = overview(campaign=campaign, user=user)
    if shown.suppressed:
        yield [shown.reason]
        return
    yield ["Респондентов", "", shown.total, ""]
    for d in [*shown.scores, *shown.distributions]:
        label = f"{d.label} (уровень)" if d.score_group else d.label
        if d.hidden:
            yield [label, ITEM_TOO_FEW, "", ""]
            continue
        for r in d.rows:
            yield [label, r.label, r.count, "" if r.share is None else r.share]
        if d.mean is not None:
            yield [label, "среднее", d.mean, ""]


def _moment(at: datetime | None) -> str:
    if at is None:
        return ""
    from django.utils import timezone  # kept beside its only use: the named campaigns' time column

    return timezone.localtime(at).strftime("%d.%m.%Y %H:%M")


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------


def csv_chunks(header: list[str], rows: Iterator[list[Any]], *, batch: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM and «;» separators, in chunks for a streaming response."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_text(v) if isinstance(v, str) else v for v in row])
        if n % batch == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# ---------------------------------------------------------------------------
# XLSX: one sheet, streamed
# ---------------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_STATIC = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_NS}">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
# A fixed moment for the zip entries: the same data gives the same bytes.
_EPOCH = (2000, 1, 1, 0, 0, 0)


def _column(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


def _cell(ref: str, value: Any, style: str = "") -> str:
    if value is None or value == "":
        return ""
    return f'<c r="{ref}"{style}{_body(value)}'


def _body(value: Any) -> str:
    """A cell's XML after its reference: a number's value, or any other value as an inline string."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return f"><v>{value}</v></c>"
    text = escape(sheet_value(str(value)))
    return f' t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


# Distinct texts remembered per workbook (choice labels repeat on every row); past this, forgotten.
_TEXT_MEMORY = 20_000


def write_xlsx(header: list[str], rows: Iterator[list[Any]], out: IO[bytes], *, sheet: str = "Ответы") -> int:
    """Write a one-sheet workbook to ``out`` (a file open for writing bytes); the number of rows written."""
    letters = [_column(i) for i in range(max(len(header), 1) + 8)]
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in {
            **_STATIC,
            "xl/workbook.xml": (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_NS}" xmlns:r="{_REL}">'
                f'<sheets><sheet name="{escape(sheet[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
        }.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_EPOCH), text)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=_EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as part:
            part.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_NS}">'
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                'state="frozen"/></sheetView></sheetViews><sheetData>'.encode()
            )
            cells = "".join(_cell(f"{letters[i]}1", v, ' s="1"') for i, v in enumerate(header))
            part.write(f'<row r="1">{cells}</row>'.encode())
            buffer: list[str] = []
            texts: dict[str, str] = {}
            for n, row in enumerate(rows, start=2):
                while len(letters) < len(row):
                    letters.append(_column(len(letters)))
                buffer.append(f'<row r="{n}">')
                for letter, value in zip(letters, row, strict=False):
                    if value is None or value == "":
                        continue
                    if type(value) is str:
                        body = texts.get(value)
                        if body is None:
                            if len(texts) > _TEXT_MEMORY:
                                texts.clear()
                            body = texts[value] = _body(value)
                    else:
                        body = _body(value)
                    buffer.append(f'<c r="{letter}{n}"{body}')
                buffer.append("</row>")
                count += 1
                if count % 500 == 0:
                    part.write("".join(buffer).encode())
                    buffer = []
            part.write(("".join(buffer) + "</sheetData></worksheet>").encode())
    return count
