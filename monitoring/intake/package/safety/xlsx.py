"""The sheets of an .xlsx measured from their XML, streamed in pieces."""

from __future__ import annotations

import functools
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from defusedxml import ElementTree

from monitoring.intake.package.parsing import count_of
from monitoring.intake.package.safety.common import HEAD_BYTES, MAX_TOTAL_CELLS, PackageFileError
from monitoring.intake.package.safety.extent import (
    XML_ATTRIBUTES,
    SheetExtent,
    column_letters,
    column_number,
    over_limits,
    xml_pieces,
)

# calamine reads the cells of a sheet from its XML: a cell's place is its r="…" attribute
# (letters and digits, either case), or, without one, the place after the previous cell
# of the row; a row's r="…" sets the row, its end moves to the next. A cell holding
# nothing (self-closing) is skipped. These are emulated exactly by the general path; the
# fast path covers what every spreadsheet program writes (every cell opening with
# <c r="A1", upper case, no leading zeros, no namespace prefix) with C-speed searches.
_XLSX_TOKEN = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])" + XML_ATTRIBUTES + rb">")
_R_ATTRIBUTE = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REFERENCE = re.compile(rb"([A-Za-z]*)([0-9]*)")
# In the fast path: a namespace-prefixed cell (the rest is _beyond's).
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?dimension\b" + XML_ATTRIBUTES + rb">")
_REF_ATTRIBUTE = re.compile(rb"(?:^|\s)ref\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_UNIQUE_COUNT = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"']([0-9]+)")
# A sheet whose fast path needs more new maxima than this (cells far out of order) is
# read again by the general path.
_MAX_THRESHOLD_MOVES = 64


def xlsx_extents(fp: BinaryIO, name: str) -> Iterator[SheetExtent]:
    with zipfile.ZipFile(fp) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        for info in infos:
            if info.filename.lower().endswith("sharedstrings.xml"):
                _check_shared_strings(archive, info, name)
        titles = _xlsx_sheet_titles(archive)
        # The sheets first; then every other part, not only those
        # workbook.xml lists (calamine follows relationships; a part without cells costs
        # a quick pass). Paths compare in lower case, as calamine looks them up.
        # The largest sheet first: the reader parses each sheet as soon as it has passed,
        # while the next are checked (see reader._iter_workbook).
        infos.sort(key=lambda info: (info.filename.lower() not in titles, -info.file_size))
        for info in infos:
            title = titles.get(info.filename.lower())
            extent = _xlsx_sheet_extent(archive, info, title or info.filename, name)
            if extent.cells or extent.declared or title:
                yield extent


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    # calamine reserves room for uniqueCount strings before reading one; each takes at
    # least a dozen bytes of XML (<si><t/></si>), so the part's size bounds the count.
    with archive.open(info) as stream:
        head = stream.read(HEAD_BYTES)
    found = _UNIQUE_COUNT.search(head)
    if found and int(found.group(1)) > min(MAX_TOTAL_CELLS, info.file_size // 4 + 1024):
        raise PackageFileError(
            f"Файл «{name}» повреждён: в нём объявлено "
            f"{count_of(int(found.group(1)), 'строка', 'строки', 'строк')} текста, "
            f"а сам файл столько не вмещает. Откройте файл в Excel и сохраните заново как «Книга Excel (*.xlsx)»."
        )


def _xlsx_sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """{part path (lower case): sheet name}, as the workbook's relationships name them; best effort.

    Only for messages: which part is which sheet. A workbook whose relationships cannot
    be read gets its parts named by path.
    """
    parts = {info.filename.lower(): info for info in archive.infolist()}

    def load(path: str):
        info = parts.get(path.lower())
        if info is None or info.file_size > 16 * 1024 * 1024:
            return None
        return ElementTree.fromstring(archive.read(info))

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    try:
        document = "xl/workbook.xml"
        package = load("_rels/.rels")
        for rel in package if package is not None else ():
            if rel.get("Type", "").endswith("/officeDocument"):
                document = rel.get("Target", document).lstrip("/")
        base = document.rsplit("/", 1)[0] + "/" if "/" in document else ""
        workbook = load(document)
        relations = load(f"{base}_rels/{document.rsplit('/', 1)[-1]}.rels")
        if workbook is None or relations is None:
            return {}
        targets = {}
        for rel in relations:
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else base + target
        titles = {}
        for element in workbook.iter():
            if local(element.tag) == "sheet":
                rel_id = next((v for k, v in element.attrib.items() if local(k) == "id"), None)
                if rel_id in targets:
                    titles[targets[rel_id].lower()] = unicodedata.normalize("NFC", element.get("name", "").strip())
        return titles
    except Exception:  # malformed relationships: calamine will say so when it opens the file
        return {}


def _xlsx_sheet_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, name: str) -> SheetExtent:
    extent = SheetExtent(sheet=sheet)
    fast = _xlsx_fast_extent(archive, info, extent, name)
    if fast is None:
        extent = SheetExtent(sheet=sheet, declared=extent.declared)
        _xlsx_general_extent(archive, info, extent, name)
    return extent


def _parse_reference(value: bytes) -> tuple[int, int] | None:
    """(row, column), 1-based, of a cell reference as calamine parses it; None where calamine fails."""
    match = _REFERENCE.fullmatch(value)
    if match is None or not match.group(2):
        return None
    return int(match.group(2)), column_number(match.group(1))


def _note_declared(extent: SheetExtent, piece: bytes) -> None:
    # <dimension> stands before <sheetData>: only the first piece is searched.
    if extent.declared is not None or extent.filled or b"dimension" not in piece[:65536]:
        return
    element = _DIMENSION.search(piece)
    ref = _REF_ATTRIBUTE.search(element.group(1)) if element else None
    if ref is None:
        return
    text = ref.group(1) if ref.group(1) is not None else ref.group(2)
    corners = [_parse_reference(part) for part in text.split(b":")]
    if len(corners) in (1, 2) and None not in corners:
        (first_row, first_column), (last_row, last_column) = corners[0], corners[-1]
        extent.declared = (
            abs(last_row - first_row) + 1 if len(corners) == 2 else first_row,
            abs(last_column - first_column) + 1 if len(corners) == 2 else first_column,
            text.decode("ascii"),
        )
        # A range that only starts far out is harmless to calamine (it reserves by the
        # size); what matters is how far it reaches.
        extent.declared = (max(extent.declared[0], last_row), extent.declared[1], extent.declared[2])


def _xlsx_fast_extent(archive, info, extent: SheetExtent, name: str) -> SheetExtent | None:
    """The extent from C-speed searches; None when the part is not in the common shape."""
    moves = 0
    for _, piece in xml_pieces(archive, info, name):
        _note_declared(extent, piece)
        if _PREFIXED_CELL.search(piece):
            return None
        extent.filled += piece.count(b"</c>")
        # The last cell holding a value seeds the maxima: in a sheet written in order it
        # is the lowest, so the search below finds nothing beyond it.
        end = piece.rfind(b"</c>")
        if end >= 0:
            seed = _parse_reference(piece[piece.rfind(b'<c r="', 0, end) + 6 :].split(b'"', 1)[0])
            if seed is not None:
                extent.rows, extent.columns = max(extent.rows, seed[0]), max(extent.columns, seed[1])
        position = 0
        while not over_limits(extent):
            found = _beyond(extent.rows, extent.columns).search(piece, position)
            if found is None:
                break
            if found.group("ref") is None:
                return None  # a cell in another shape: the general path reads it as calamine does
            moves += 1
            if moves > _MAX_THRESHOLD_MOVES:
                return None
            row, column = _parse_reference(found.group("ref"))
            extent.rows, extent.columns = max(extent.rows, row), max(extent.columns, column)
            position = found.end()
        if over_limits(extent):
            break  # refused whatever the rest holds
    return extent


def _xlsx_general_extent(archive, info, extent: SheetExtent, name: str) -> None:
    row_index = column_index = 0  # 0-based, as calamine keeps them
    for _, piece in xml_pieces(archive, info, name):
        _note_declared(extent, piece)
        for token in _XLSX_TOKEN.finditer(piece):
            closing, tag, attributes = token.groups()
            self_closing = attributes.endswith(b"/")
            if tag == b"row":
                if not closing:
                    r = _R_ATTRIBUTE.search(attributes)
                    if r is not None:
                        parsed = _parse_reference(r.group(1) if r.group(1) is not None else r.group(2))
                        if parsed is not None:
                            row_index = parsed[0] - 1
                if closing or self_closing:
                    row_index += 1
                    column_index = 0
                continue
            if closing:
                continue
            r = _R_ATTRIBUTE.search(attributes)
            if r is not None:
                parsed = _parse_reference(r.group(1) if r.group(1) is not None else r.group(2))
                if parsed is None or parsed[1] == 0:
                    continue  # calamine stops at such a cell with an error
                row, column = parsed
                column_index = column - 1
            else:
                row, column = row_index + 1, column_index + 1
            column_index += 1
            if not self_closing:
                extent.filled += 1
                extent.rows, extent.columns = max(extent.rows, row), max(extent.columns, column)
        if over_limits(extent):
            return


def _numbers_above(limit: int) -> bytes:
    """A regex for decimal numbers without leading zeros greater than ``limit``."""
    digits = str(limit)
    options = [rb"[1-9][0-9]{%d,}" % len(digits)]
    for index, digit in enumerate(digits):
        low = int(digit) + 1
        if low > 9:
            continue
        first = max(low, 1) if index == 0 else low
        if first > 9:
            continue
        rest = len(digits) - index - 1
        options.append(digits[:index].encode() + b"[%d-9]" % first + (b"[0-9]{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(options) + b")"


def _letters_above(number: int) -> bytes:
    """A regex for column letters (upper case) of columns greater than ``number``."""
    if number <= 0:
        return b"[A-Z]+"
    letters = column_letters(number).encode()
    options = [rb"[A-Z]{%d,}" % (len(letters) + 1)]
    for index, char in enumerate(letters):
        if char == ord("Z"):
            continue
        rest = len(letters) - index - 1
        options.append(letters[:index] + b"[%c-Z]" % (char + 1) + (b"[A-Z]{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(options) + b")"


@functools.lru_cache(maxsize=512)
def _beyond(row: int, column: int) -> re.Pattern:
    """One pass over every "<c" of a piece: what the fast path cannot take, or a cell beyond the maxima.

    Group ``ref`` is a cell holding a value (not self-closing) below ``row`` or right of
    ``column``; a match without it is a cell in another shape (no r="…" first, lower
    case, a leading zero), which only the general path reads as calamine does.
    """
    return re.compile(
        rb'<c(?:[>/\t\n\r]| (?!r=")| r="(?:[A-Z]*+[a-z0]|(?P<ref>(?:'
        + _letters_above(column)
        + rb")[0-9]+|[A-Z]++"
        + _numbers_above(row)
        + rb')"[^>]*(?<!/)>))'
    )
