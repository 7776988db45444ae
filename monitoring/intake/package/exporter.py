"""Export of a period's data package: the same sheets and headers the import reads.

Each sheet's ``export_rows`` says which rows the period's package carries: every row
stored for the period and every row its indicators read, other years' included (every
course run, and every enrollment, route and diagnostic of the period's roster: see
iom/sheets.py and deficits/sheets.py), so that the export alone, imported into an empty
portal, computes the same indicators and exports again unchanged.

Rows come ordered by their codes and the files carry fixed timestamps, so two exports
of the same data are byte-identical. Text that a spreadsheet would take for a formula
(starting with =, +, -, @) is protected: in a workbook the cell is stored as text; in a
CSV it gets a leading apostrophe, which the import removes again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from monitoring.intake.package import registry
from monitoring.models import MonitoringPeriod
from monitoring.shared.spreadsheets import csv_text, text_row

# A fixed moment for every timestamp inside the files (zip entries, workbook properties).
EPOCH = dt.datetime(2000, 1, 1, 0, 0, 0)


def _cells(sheet: registry.Sheet, period: MonitoringPeriod, personal_data: bool = True):
    hidden = set() if personal_data else {i for i, c in enumerate(sheet.columns) if c.personal}
    for row in sheet.export_rows(period):
        if hidden:
            yield ["" if v is None or i in hidden else v for i, v in enumerate(row)]
        else:
            yield ["" if v is None else v for v in row]


def _csv_bytes(sheet: registry.Sheet, period: MonitoringPeriod, personal_data: bool = True) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.title for c in sheet.columns])
    for row in _cells(sheet, period, personal_data):
        writer.writerow([csv_text(v) for v in row])
    # UTF-8 with a BOM: Russian Excel opens it with the right encoding on a double click.
    return buffer.getvalue().encode("utf-8-sig")


def package_export(
    *, period: MonitoringPeriod, path: Path | str, sheet_names: list[str] | None = None, personal_data: bool = True
) -> list[str]:
    """Write the period's package to ``path``: .xlsx workbook, .zip of CSV, or a folder of CSV.

    Without ``personal_data`` the columns marked personal (birth dates, СНИЛС) are left empty:
    the export of someone who may not see them (a ministry official).
    """
    path = Path(path)
    chosen = [s for s in registry.sheets() if sheet_names is None or s.name in sheet_names]
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _export_xlsx(chosen, period, path, personal_data)
    elif suffix == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for sheet in chosen:
                info = zipfile.ZipInfo(f"{sheet.name}.csv", date_time=EPOCH.timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, _csv_bytes(sheet, period, personal_data))
    else:
        path.mkdir(parents=True, exist_ok=True)
        for sheet in chosen:
            (path / f"{sheet.name}.csv").write_bytes(_csv_bytes(sheet, period, personal_data))
    return [s.name for s in chosen]


def _export_xlsx(chosen, period, path: Path, personal_data: bool = True) -> None:
    # openpyxl is a heavy import that only a workbook export needs: the CSV exports and every
    # process that merely imports this module (the import job's worker) go without it.
    from openpyxl import Workbook

    # Write-only mode streams rows to disk instead of holding the whole region in memory.
    workbook = Workbook(write_only=True)
    workbook.properties.created = EPOCH
    workbook.properties.modified = EPOCH
    workbook.properties.creator = "Мониторинг ПРП"
    for sheet in chosen:
        ws = workbook.create_sheet(sheet.name[:31])
        ws.append([c.title for c in sheet.columns])
        for row in _cells(sheet, period, personal_data):
            # Text as text (no formula runs when opened), without the characters XML cannot hold.
            ws.append(text_row(ws, row))
    workbook.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite the workbook's zip with fixed times so identical data gives identical bytes.

    openpyxl stamps docProps/core.xml with the time of saving whatever the properties
    say, so the stamp is replaced here along with the zip entries' times.
    """
    stamp = EPOCH.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    entries = [
        (info, re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms)", rb"\g<1>" + stamp + rb"\g<2>", data))
        if info.filename == "docProps/core.xml"
        else (info, data)
        for info, data in entries
    ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=EPOCH.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
