"""Forms of the intake pages: an upload's suffix and size, an export's period and format, a review's action.

They check what a user typed; the services (:mod:`.jobs`, :mod:`.exports`,
:mod:`.submissions`) do the rest. The suffixes are also the API's (``monitoring.api``).
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms

from monitoring.intake.package.safety import MAX_UPLOAD_BYTES
from monitoring.models import MonitoringPeriod

PACKAGE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".zip", ".csv")
STAFFING_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class _UploadForm(forms.Form):
    suffixes: tuple[str, ...] = ()
    file = forms.FileField(label="Файл", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))

    def clean_file(self):
        file = self.cleaned_data["file"]
        suffix = PurePath(file.name or "").suffix.lower()
        if suffix not in self.suffixes:
            raise forms.ValidationError(
                "Нужен файл " + ", ".join(self.suffixes) + f"; загружен «{PurePath(file.name or '').name}»."
            )
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"Файл слишком большой: можно загрузить не более {MAX_UPLOAD_BYTES // (1024 * 1024)} МБ."
            )
        return file


class PackageUploadForm(_UploadForm):
    suffixes = PACKAGE_SUFFIXES
    period = forms.ModelChoiceField(
        queryset=MonitoringPeriod.objects.open().order_by("-year"),
        label="Период",
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        # A period closed while the page was open: say so, not "choose a valid option".
        error_messages={
            "invalid_choice": "Этот период закрыт или не существует: данные загружаются только в открытый период."
        },
    )
    replace = forms.BooleanField(
        label="Режим замены",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "aria-describedby": "replace-help"}),
        help_text=(
            "Удаляет из портала записи выбранного периода на листах, которые есть в файле, если этих записей "
            "в файле нет (педагогов, штатные должности, участие в конкурсах…). Без отметки записи только "
            "добавляются и изменяются."
        ),
    )


class StaffingUploadForm(_UploadForm):
    suffixes = STAFFING_SUFFIXES


# Where a refused review keeps the typed comment until the school's page shows it again.
REVIEW_DRAFT = "review-comment:{code}"


class ReviewForm(forms.Form):
    action = forms.ChoiceField(
        label="Действие",
        choices=[("return", "Вернуть на доработку"), ("accept", "Принять"), ("withdraw", "Снять отметку о принятии")],
    )
    comment = forms.CharField(
        label="Комментарий", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExportForm(forms.Form):
    period = forms.ModelChoiceField(
        queryset=MonitoringPeriod.objects.order_by("-year"),
        label="Период",
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    format = forms.ChoiceField(
        choices=[("xlsx", "Книга Excel (.xlsx)"), ("zip", "ZIP-архив с CSV")],
        label="Формат",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
