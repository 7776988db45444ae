"""Pages of the monitoring plan: the items with their counts, one item's units, its edit and «done».

Thin doors: the rows come from reports.plan.pages, the writes from reports.plan.services.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from monitoring import tokens
from monitoring.models import MonitoringPeriod, MonitoringPlanItem, Municipality, PlanItemState, PlanObligation, Role
from monitoring.models.scoping import require_staff_reader
from monitoring.shared.pages import page_of
from reports.plan import pages, services


class PlanItemForm(forms.Form):
    deadline = forms.DateField(
        label="Срок",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Введите дату срока (ДД.ММ.ГГГГ).", "required": "Укажите срок."},
    )
    state = forms.ChoiceField(label="Состояние", choices=PlanItemState.choices)
    obligation = forms.ChoiceField(label="Что требуется и от кого", choices=PlanObligation.choices)
    responsible = forms.ModelChoiceField(
        get_user_model().objects.none(), label="Ответственный (пользователь портала)", required=False
    )
    municipalities = forms.ModelMultipleChoiceField(
        Municipality.objects.order_by("name"),
        label="Муниципалитеты (пусто — все)",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    grace_days = forms.IntegerField(
        label="Дней после срока до сообщения муниципалитету",
        min_value=0,
        max_value=services.MAX_GRACE_DAYS,
        error_messages={
            "invalid": "Отсрочка — целое число дней.",
            "required": "Укажите отсрочку в днях.",
            "max_value": f"Отсрочка до сообщения муниципалитету — не больше {services.MAX_GRACE_DAYS} дней.",
            "min_value": "Отсрочка не может быть отрицательной.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(is_active=True).exclude(role__in=[Role.TEACHER, Role.CURATOR])
        # The system accounts API tokens act as are nobody to hold responsible.
        self.fields["responsible"].queryset = tokens.people_only(staff).order_by("last_name", "username")
        for f in self.fields.values():
            css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            f.widget.attrs.setdefault("class", css)
        self.fields["state"].error_messages["invalid_choice"] = "Неизвестное состояние пункта плана."
        self.fields["obligation"].error_messages["invalid_choice"] = "Неизвестный вид обязательства."
        self.fields["responsible"].error_messages["invalid_choice"] = "Такого сотрудника нет среди ответственных."
        self.fields["municipalities"].error_messages["invalid_choice"] = "Такого муниципалитета нет."
        self.fields["municipalities"].error_messages["invalid_pk_value"] = "Такого муниципалитета нет."


def _period(year: int) -> MonitoringPeriod:
    return get_object_or_404(MonitoringPeriod, year=year)


def _item(year: int, pk: int) -> MonitoringPlanItem:
    return get_object_or_404(
        MonitoringPlanItem.objects.select_related("period", "responsible").prefetch_related("municipalities"),
        period__year=year,
        pk=pk,
    )


@login_required
def plan_list(request, year: int):
    require_staff_reader(request.user)
    period = _period(year)
    rows = pages.plan_rows(period=period, user=request.user, today=timezone.localdate())
    return render(request, "reports/plan_list.html", {"period": period, "rows": rows})


def _initial(item: MonitoringPlanItem) -> dict:
    return {
        "deadline": item.deadline,
        "state": item.state,
        "obligation": item.obligation,
        "responsible": item.responsible_id,
        "municipalities": [m.pk for m in item.municipalities.all()],
        "grace_days": item.grace_days,
    }


def _item_page(request, item: MonitoringPlanItem, form=None, status=200):
    today = timezone.localdate()
    # A closed period's plan is history: no form to change it (the services refuse it anyway).
    is_open = not item.period.is_closed
    can_edit = is_open and services.can_edit_item(request.user)
    rows = pages.unit_rows(item=item, user=request.user, today=today)
    page = page_of(request, rows)
    context = {
        "period": item.period,
        "item": item,
        "overdue": item.is_overdue(today),
        "rows": page.object_list,
        "page": page,
        "done": sum(r.unit.done for r in rows),
        "late": sum(r.late for r in rows),
        "total": len(rows),
        "form": form or (PlanItemForm(initial=_initial(item)) if can_edit else None),
        "can_edit": can_edit,
        "can_mark": is_open and services.can_mark_done(user=request.user, item=item),
    }
    return render(request, "reports/plan_item.html", context, status=status)


@login_required
def plan_item(request, year: int, pk: int):
    require_staff_reader(request.user)
    return _item_page(request, _item(year, pk))


@login_required
@require_POST
def plan_item_edit(request, year: int, pk: int):
    require_staff_reader(request.user)
    item = _item(year, pk)
    if not services.can_edit_item(request.user):
        raise Http404("Страница недоступна.")
    form = PlanItemForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, form=form, status=400)
    data = form.cleaned_data
    try:
        services.plan_item_update(
            item=item,
            user=request.user,
            deadline=data["deadline"],
            state=data["state"],
            obligation=data["obligation"],
            grace_days=data["grace_days"],
            responsible=data["responsible"],
            municipalities=list(data["municipalities"]),
        )
    except ValidationError as exc:
        # A refusal of the whole item (its period closed) has no field: it goes above the form.
        refusals = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        for field, errors in refusals:
            form.add_error(field if field in form.fields else None, errors)
        return _item_page(request, _item(year, pk), form=form, status=400)
    messages.success(request, "Пункт плана сохранен.")
    return redirect(reverse("plan-item", args=[year, pk]))


@login_required
@require_POST
def plan_item_done(request, year: int, pk: int):
    """The responsible user's (or the analyst's) mark: «done» by default, or «in progress»."""
    item = _item(year, pk)
    # The «Выполнен» button sends no state; a state sent empty is a mistake, refused like an unknown one.
    state = request.POST.get("state", PlanItemState.DONE)
    try:
        services.plan_item_set_state(item=item, user=request.user, state=state)
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("plan-item", args=[year, pk]))
    if state == PlanItemState.DONE:
        messages.success(request, "Пункт плана отмечен выполненным: напоминания по нему больше не отправляются.")
    else:
        messages.success(request, "Состояние пункта плана отмечено.")
    return redirect(reverse("plan-item", args=[year, pk]))
