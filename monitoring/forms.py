"""Forms of the monitoring pages: they check what a user typed; services do the rest."""

from __future__ import annotations

from pathlib import PurePath

from django import forms

from monitoring.models import MonitoringPeriod, Municipality, Role, School, Teacher
from monitoring.package.safety import MAX_UPLOAD_BYTES

PACKAGE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".zip", ".csv")
STAFFING_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class _UploadForm(forms.Form):
    suffixes: tuple[str, ...] = ()
    file = forms.FileField(label="Файл")

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
        queryset=MonitoringPeriod.objects.open().order_by("-year"), label="Период", empty_label=None
    )
    replace = forms.BooleanField(label="Режим замены: удалить записи периода, которых нет в пакете", required=False)


class StaffingUploadForm(_UploadForm):
    suffixes = STAFFING_SUFFIXES


class ReviewForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("return", "Вернуть на доработку"), ("accept", "Принять"), ("withdraw", "Снять отметку о принятии")]
    )
    comment = forms.CharField(
        label="Комментарий", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExportForm(forms.Form):
    period = forms.ModelChoiceField(
        queryset=MonitoringPeriod.objects.order_by("-year"), label="Период", empty_label=None
    )
    format = forms.ChoiceField(choices=[("xlsx", "Книга Excel (.xlsx)"), ("zip", "ZIP-архив с CSV")], label="Формат")


class ApiTokenForm(forms.Form):
    """What institute staff fill in to issue a token: the system, and the role and scope it acts with."""

    name = forms.CharField(label="Система (назначение токена)", max_length=200)
    role = forms.ChoiceField(label="Роль", choices=Role.choices)
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.order_by("name"), label="Муниципалитет", required=False
    )
    school = forms.CharField(label="Код ОО", max_length=20, required=False)
    teacher = forms.CharField(label="Код педагога", max_length=40, required=False)

    def clean_school(self):
        code = self.cleaned_data["school"].strip()
        if not code:
            return None
        school = School.objects.filter(code=code).first()
        if school is None:
            raise forms.ValidationError(f"Организации с кодом «{code}» нет.")
        return school

    def clean_teacher(self):
        code = self.cleaned_data["teacher"].strip()
        if not code:
            return None
        teacher = Teacher.objects.filter(code=code).first()
        if teacher is None:
            raise forms.ValidationError(f"Педагога с кодом «{code}» нет.")
        return teacher


class TransferForm(forms.Form):
    """Where a teacher moves: the destination school's code (the service checks the rest)."""

    school = forms.CharField(label="Код ОО, куда переводится педагог", max_length=20)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_school(self):
        code = self.cleaned_data["school"].strip()
        # Only schools the user sees: another one is "not found", as its page would be.
        school = School.objects.visible_to(self.user).filter(code=code).first()
        if school is None:
            raise forms.ValidationError(f"Организации с кодом «{code}» среди доступных вам нет.")
        return school
