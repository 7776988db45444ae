"""Forms of the diagnostic pages."""

from __future__ import annotations

from django import forms

from deficits.models import CompetenceGroup, DiagnosticKind, Instrument


class StartForm(forms.Form):
    kind = forms.ChoiceField(label="Вид диагностики", choices=DiagnosticKind.choices)


class GroupPageForm(forms.Form):
    """One page of the questionnaire: a radio choice per statement of one competence group.

    Fields are optional so that "save and leave" and "back" keep a half-filled page;
    the view asks for the missing ones when the teacher moves on.
    """

    def __init__(self, *args, instrument: Instrument, group: CompetenceGroup, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(option["value"]), option["label"]) for option in instrument.scale]
        self.group = group
        for item in group.items.order_by("number"):
            self.fields[self.field_name(item.number)] = forms.TypedChoiceField(
                label=item.text,
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"invalid_choice": "Выберите один из предложенных вариантов ответа."},
            )

    def field_name(self, number: int) -> str:
        return f"{self.group.code}-{number}"

    def answers(self) -> dict[str, int]:
        return {name: value for name, value in self.cleaned_data.items() if value is not None}

    def require_all(self) -> bool:
        """Mark every unanswered statement; True when the page is complete."""
        # add_error drops the field from cleaned_data, so collect the names first.
        for name in [name for name, value in self.cleaned_data.items() if value is None]:
            self.add_error(name, "Выберите ответ на это утверждение.")
        return not self.errors
