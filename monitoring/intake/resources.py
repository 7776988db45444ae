"""django-import-export resources for the reference tables, speaking the data package.

The admin's import and export buttons for municipalities, schools and teachers read
and write the same sheets as the package: export rows come from the registry's
``Sheet.export_rows`` and import runs the one import service (``package_import``) on
the uploaded table, so parsing, validation and the all-or-nothing transaction are not
written a second time.

They are data intake's, not the admin's: they are one more door an upload comes in by
(read by the package reader, kept in a private folder between preview and confirmation,
applied by the package import) and a table goes out by; ``monitoring.admin`` only
wires them to its buttons.
"""

from __future__ import annotations

import io
import re
import tempfile
import uuid
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, SuspiciousOperation, ValidationError
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.forms import SelectableFieldsExportForm
from import_export.results import Error, Result, RowResult
from import_export.tmp_storages import TempFolderStorage
from openpyxl import Workbook

from monitoring import models
from monitoring.intake.package.importer import package_import
from monitoring.intake.package.reader import read_package
from monitoring.intake.package.registry import sheet_by_name
from monitoring.intake.package.safety import PackageFileError
from monitoring.models.scoping import can_see_personal_data
from monitoring.shared.spreadsheets import csv_text, text_row

# --- the admin's file formats: what a user typed never runs as a formula ------------
#
# django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT strips one leading
# "=" (so "=HYPERLINK(...)" is exported as other text and "+", "-", "@" pass untouched),
# and the admin offers a dozen formats. The admin's doors offer the package's two, written
# the way the package export writes them (monitoring.shared.spreadsheets): a text cell in .xlsx,
# an apostrophe before formula-looking text in CSV — which the import takes off again.


class FileRefused(ValueError):
    """An admin upload the package reader refused; the message is Russian and for the user."""


def read_table(data: bytes, *, filename: str) -> tablib.Dataset:
    """The first sheet of an uploaded table, read as the package reads its files.

    tablib would open the upload with openpyxl in the web process, where a 1.6 KB workbook
    declaring a million rows by 16,384 columns takes all its memory; the package reader
    bounds what a file declares and reads it in a child process (monitoring.intake.package.isolation).
    """
    try:
        sheets = read_package(io.BytesIO(data), filename=filename)
    except PackageFileError as exc:
        raise FileRefused(exc.message) from exc
    if not sheets:
        raise FileRefused(f"В файле «{filename}» нет ни одного листа с данными.")
    raw = next(iter(sheets.values()))
    width = len(raw.headers)
    dataset = tablib.Dataset(headers=raw.headers)
    for _, cells in raw.rows:
        # A workbook's numbers come as floats: a code 7 is "7" in the CSV the import reads, not "7.0".
        dataset.append([int(v) if isinstance(v, float) and v.is_integer() else v for v in cells[:width]])
    return dataset


class SafeCSV(base_formats.CSV):
    def create_dataset(self, in_stream, **kwargs):
        data = in_stream.encode("utf-8") if isinstance(in_stream, str) else in_stream
        return read_table(data, filename="таблица.csv")

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            safe.append([csv_text(v) for v in row])
        return safe.export("csv", **kwargs)


class SafeXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream, **kwargs):
        return read_table(in_stream, filename="таблица.xlsx")

    def export_data(self, dataset, **kwargs):
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet(dataset.title or "Лист1")
        ws.append(text_row(ws, dataset.headers or []))
        for row in dataset:
            ws.append(text_row(ws, row))
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


ADMIN_FORMATS = [SafeXLSX, SafeCSV]


class PrivateUploadStorage(TempFolderStorage):
    """Where the admin keeps an upload between its preview and its confirmation.

    django-import-export names the kept file in a hidden field of the confirmation form and,
    with its default storage, opens ``os.path.join(tempdir, name)`` for whatever name comes
    back — an absolute path or «../» reads any file the process can, and the confirmation
    then deletes it. Here a name is only ever one this storage made (32 hex digits) in a
    folder of its own; any other is refused (400) before a file is touched.
    """

    _NAME = re.compile(r"[0-9a-f]{32}")

    @staticmethod
    def folder() -> Path:
        path = Path(tempfile.gettempdir()) / "portal-admin-uploads"
        path.mkdir(mode=0o700, exist_ok=True)
        return path

    def get_full_path(self) -> str:
        if not isinstance(self.name, str) or not self._NAME.fullmatch(self.name):
            raise SuspiciousOperation("Загрузка не найдена: начните импорт заново.")
        path = self.folder() / self.name
        if not path.is_file():  # confirmed already, or never uploaded
            raise SuspiciousOperation("Загрузка не найдена: начните импорт заново.")
        return str(path)

    def _open(self, mode="r"):
        if not self.name:  # saving a new upload (the library hands over its bytes)
            self.name = uuid.uuid4().hex
            return open(self.folder() / self.name, "wb")
        return open(self.get_full_path(), mode, encoding=self.encoding)


class SheetExportForm(SelectableFieldsExportForm):
    """The admin's export form, its column choices labelled with the sheet's Russian titles.

    The library titles a choice by the field's attribute name («Full Name (ФИО)»).
    """

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource().fields.get(field_name)
        return field.column_name if field is not None else field_name


class SheetResource(resources.ModelResource):
    """A resource whose columns, export and import are those of one package sheet."""

    sheet_name = ""
    # Field of the sheet's rows holding the code that identifies the model object.
    code_field = "code"

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        # Who exports: birth dates and СНИЛС stay empty for roles that may not see them.
        self.user = user
        self.sheet = sheet_by_name(self.sheet_name)
        # Declared from the sheet, so the admin's column choices are the package's titles.
        self.fields = {c.field: fields.Field(column_name=c.title, attribute=None) for c in self.sheet.columns}

    @classmethod
    def get_display_name(cls):
        return cls.sheet_name

    def get_export_headers(self, selected_fields=None):
        return [c.title for c in self.sheet.columns]

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        codes = set((queryset if queryset is not None else self.get_queryset()).values_list("code", flat=True))
        dataset = tablib.Dataset(headers=self.get_export_headers())
        period = models.MonitoringPeriod.objects.current()
        hidden = set()
        if self.user is None or not can_see_personal_data(self.user):
            hidden = {i for i, c in enumerate(self.sheet.columns) if c.personal}
        for row in self.sheet.export_rows(period):
            if row[0] in codes:
                dataset.append(["" if v is None or i in hidden else v for i, v in enumerate(row)])
        return dataset

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs) -> Result:
        user = kwargs.get("user")
        result = Result()
        result.diff_headers = list(dataset.headers or [])
        result.add_dataset_headers(result.diff_headers)
        source = io.BytesIO(dataset.export("csv").encode("utf-8"))
        period = models.MonitoringPeriod.objects.current()
        outcome = package_import(
            source=source,
            filename=f"{self.sheet.name}.csv",
            period=period,
            user=user,
            dry_run=dry_run,
            only_sheets={self.sheet.name},
        )
        for problem in outcome.problems:
            if problem.row and problem.row >= 2 and problem.row - 2 < len(dataset):
                values = dict(zip(result.diff_headers, dataset[problem.row - 2], strict=False))
                error = ValidationError({problem.column or NON_FIELD_ERRORS: [problem.message]})
                result.append_invalid_row(problem.row, values, error)
            else:
                result.append_base_error(Error(ValidationError(str(problem))))
        if outcome.problems:
            return result
        counts = outcome.sheets.get(self.sheet.name)
        for import_type, n in (
            (RowResult.IMPORT_TYPE_NEW, counts.added),
            (RowResult.IMPORT_TYPE_UPDATE, counts.changed),
            (RowResult.IMPORT_TYPE_SKIP, counts.unchanged),
        ):
            for _ in range(n):
                row = RowResult()
                row.import_type = import_type
                result.append_row_result(row)
                result.increment_row_result_total(row)
        result.total_rows = len(dataset)
        return result


class MunicipalityResource(SheetResource):
    sheet_name = "Муниципалитеты"

    class Meta:
        model = models.Municipality
        fields = ()


class SchoolResource(SheetResource):
    sheet_name = "Организации"

    class Meta:
        model = models.School
        fields = ()


class TeacherResource(SheetResource):
    """Teachers travel as the current period's roster (the `Педагоги` sheet)."""

    sheet_name = "Педагоги"

    class Meta:
        model = models.Teacher
        fields = ()
