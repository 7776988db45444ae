"""Forms of the monitoring pages: they check what a user typed; services do the rest.

The upload, export and review forms are data intake's (``monitoring.intake.forms``).
"""

from __future__ import annotations

from django import forms

from monitoring.models import Municipality, Role, School, Teacher


class ApiTokenForm(forms.Form):
    """What institute staff fill in to issue a token: the system, and the role and scope it acts with."""

    # Bootstrap's classes: a select as wide as its column, not as its longest role (390 px phones).
    name = forms.CharField(
        label="Система (назначение токена)", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    role = forms.ChoiceField(label="Роль", choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"}))
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.order_by("name"),
        label="Муниципалитет",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    school = forms.CharField(
        label="Код ОО", max_length=20, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    teacher = forms.CharField(
        label="Код педагога", max_length=40, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )

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
