"""Forms of the route pages. They parse input; the rules are the services'."""

from __future__ import annotations

import datetime as dt

from django import forms

from iom.models import ActivityKind, Program
from iom.services import ActivityInput, GroupProposals, route_length_problem

# Programs shown per deficit group before «показать ещё»: the best few, the rest one click away.
SHOWN_PER_GROUP = 3
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


class RouteBuildForm(forms.Form):
    """The route's dates and, per deficit group, a tick and a due date for each proposal.

    Used to build a route from a diagnostic and to correct one after an intermediate
    diagnostic (then the start is fixed and only the end can move).
    """

    start = forms.DateField(label="Начало маршрута", widget=DATE)
    end = forms.DateField(label="Окончание маршрута", widget=DATE)

    def __init__(self, *args, proposals: list[GroupProposals], fixed_start: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = proposals
        self.fixed_start = fixed_start
        if fixed_start is not None:
            self.fields["start"].disabled = True
            self.fields["start"].initial = fixed_start
        self.rows = []
        for g, group in enumerate(proposals):
            for i, item in enumerate(group.items):
                key = f"{g}_{i}"
                self.fields[f"pick_{key}"] = forms.BooleanField(
                    required=False, label="Включить в маршрут", initial=item.picked
                )
                self.fields[f"due_{key}"] = forms.DateField(required=False, label="Срок", widget=DATE, initial=item.due)
                if item.program is None:
                    self.fields[f"title_{key}"] = forms.CharField(
                        required=False,
                        max_length=1000,
                        initial=item.title,
                        label="Содержание",
                        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
                    )
                self.rows.append((group, item, key))

    def grouped(self):
        """(group, rows shown, rows behind «показать ещё», whether those open) for the template.

        A row is (item, pick field, due field, title field or None). The first programs of a
        group are shown; the rest and the other kinds of activity fold away, unless one of them
        is ticked or has an error. The current plan of a correction is shown whole.
        """
        out = []
        for g, group in enumerate(self.proposals):
            rows = []
            for i, item in enumerate(group.items):
                key = f"{g}_{i}"
                title = self[f"title_{key}"] if f"title_{key}" in self.fields else None
                rows.append((item, self[f"pick_{key}"], self[f"due_{key}"], title))
            cut = len(rows) if not group.group_code else min(SHOWN_PER_GROUP, sum(1 for r in rows if r[0].program))
            more = rows[cut:]
            opened = any(
                pick.value() or pick.errors or due.errors or (title is not None and title.errors)
                for _item, pick, due, title in more
            )
            out.append((group, rows[:cut], more, opened))
        return out

    def summary(self) -> dict:
        """What the builder's heading sums up: the deficits, the chosen programs and their hours."""
        picked = [item for _group, item, key in self.rows if self[f"pick_{key}"].value()]
        programs = [item.program for item in picked if item.program is not None]
        return {
            "deficits": [g for g in self.proposals if g.group_code],
            "programs": len(programs),
            "hours": sum(p.hours for p in programs),
            "others": len(picked) - len(programs),
        }

    def clean(self):
        data = super().clean()
        start = self.fixed_start or data.get("start")
        end = data.get("end")
        if start and end and (problem := route_length_problem(start=start, end=end)):
            self.add_error("end", problem[0].upper() + problem[1:] + ".")
        for _group, item, key in self.rows:
            if not data.get(f"pick_{key}"):
                continue
            if data.get(f"due_{key}") is None:
                self.add_error(f"due_{key}", "Укажите срок выполнения.")
            if item.program is None and not (data.get(f"title_{key}") or "").strip():
                self.add_error(f"title_{key}", "Опишите, что вы сделаете.")
        return data

    def activities(self) -> list[ActivityInput]:
        chosen = []
        for group, item, key in self.rows:
            if not self.cleaned_data.get(f"pick_{key}"):
                continue
            chosen.append(
                ActivityInput(
                    kind=item.kind,
                    due=self.cleaned_data[f"due_{key}"],
                    program=item.program,
                    group_code=item.group_code or group.group_code,
                    title=(self.cleaned_data.get(f"title_{key}") or "").strip(),
                )
            )
        return chosen


class ActivityForm(forms.Form):
    """One more activity for a route being drafted: any kind, any program of the catalog."""

    kind = forms.ChoiceField(label="Вид", choices=ActivityKind.choices)
    program = forms.ModelChoiceField(
        label="Программа (для курса)",
        queryset=Program.objects.order_by("name"),
        required=False,
        empty_label="— не курс —",
        to_field_name="code",
    )
    group_code = forms.ChoiceField(label="Группа компетенций", required=False)
    title = forms.CharField(label="Содержание", max_length=1000, required=False)
    due = forms.DateField(label="Срок", widget=DATE)

    def __init__(self, *args, groups: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group_code"].choices = [("", "—"), *groups]
        # Bootstrap's controls take their column's width: a long program name does not widen a phone's page.
        for name in ("kind", "program", "group_code"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["title"].widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        if data.get("kind") == ActivityKind.COURSE and not data.get("program"):
            self.add_error("program", "Для курса выберите программу из каталога.")
        if data.get("kind") and data.get("kind") != ActivityKind.COURSE:
            data["program"] = None
            if not (data.get("title") or "").strip():
                self.add_error("title", "Опишите, что вы сделаете.")
        return data

    def activity(self) -> ActivityInput:
        d = self.cleaned_data
        return ActivityInput(
            kind=d["kind"], due=d["due"], program=d["program"], group_code=d["group_code"] or "", title=d["title"]
        )


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "Согласовать"), ("return", "Вернуть на доработку")])
    comment = forms.CharField(label="Комментарий", max_length=2000, required=False)


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        label="Рефлексия",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class CommentForm(forms.Form):
    """A curator's or head's comment on a route; the service checks the length and who may write."""

    text = forms.CharField(
        label="Комментарий",
        # The service refuses an over-long one in Russian; the form lets it through to say so.
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "maxlength": "5000"}),
    )


class AssignForm(forms.Form):
    codes = forms.CharField(
        label="Коды педагогов",
        required=False,
        help_text="Один или несколько кодов через пробел, запятую или с новой строки (можно вставить столбец таблицы).",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
