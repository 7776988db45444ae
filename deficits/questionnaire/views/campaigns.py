"""Campaign pages: the list, a new campaign, a campaign's page with its coverage, a school's invitations.

Thin doors over deficits.questionnaire.campaigns (writes), .coverage (reads) and .targets.
Staff read (``require_staff_reader``); a municipal official and a school head see the
campaigns that reach their municipality or school, with the coverage of their part only.
Institute writers (``can_write_region``) create, open, close and remind; the services
refuse everyone else (403). A campaign, a school or a municipality out of the reader's
scope is "not found".
"""

from __future__ import annotations

import csv
import secrets
from collections import Counter

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from deficits.models import (
    Campaign,
    CampaignStatus,
    CompetenceGroup,
    Invitation,
    QuestionnaireEdition,
    TargetKind,
)
from deficits.questionnaire import campaigns as services
from deficits.questionnaire import coverage
from deficits.questionnaire.results import can_read_results
from deficits.questionnaire.targets import MAX_SAMPLE_SIZE, target_for, target_reach
from monitoring.models import MonitoringPeriod, Municipality, Role, School
from monitoring.models.scoping import can_write_region, is_region_wide, require_staff_reader
from monitoring.shared.spreadsheets import csv_text

# ---------------------------------------------------------------------------
# The new campaign's form
# ---------------------------------------------------------------------------


class CampaignForm(forms.Form):
    title = forms.CharField(label="Название опроса", max_length=300)
    edition = forms.ModelChoiceField(
        label="Анкета (редакция)",
        queryset=QuestionnaireEdition.objects.select_related("questionnaire").order_by(
            "questionnaire__title", "-version"
        ),
        empty_label="— выберите —",
    )
    period = forms.ModelChoiceField(
        label="Период мониторинга", queryset=MonitoringPeriod.objects.order_by("-year"), empty_label=None
    )
    opens = forms.DateField(label="Начало опроса", widget=forms.DateInput(attrs={"type": "date"}))
    closes = forms.DateField(label="Окончание опроса (включительно)", widget=forms.DateInput(attrs={"type": "date"}))
    anonymous = forms.BooleanField(label="Анонимный опрос (ответы не связываются с человеком)", required=False)
    target_kind = forms.ChoiceField(label="Кого опрашиваем", choices=TargetKind.choices)
    share = forms.CharField(label="Доля педагогов (для выборки), например 0,1", required=False, max_length=20)
    size = forms.IntegerField(
        label="или размер выборки, человек", required=False, min_value=1, max_value=MAX_SAMPLE_SIZE
    )
    seed = forms.IntegerField(
        label="Зерно выборки (необязательно: без него выбирается случайное)",
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="С тем же зерном и тем же списком педагогов выборка получается та же.",
    )
    group = forms.ChoiceField(label="Группа компетенций (для педагогов с дефицитом)", required=False)
    schools = forms.CharField(
        label="Коды образовательных организаций (через запятую или пробел)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label="Муниципалитеты",
        queryset=Municipality.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    course = forms.CharField(label="Код курса (для слушателей курса)", required=False, max_length=50)

    PARAMS = ("share", "size", "seed", "group", "schools", "municipalities", "course")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = CompetenceGroup.objects.order_by("code").values_list("code", "name").distinct()
        self.fields["group"].choices = [("", "—"), *((code, f"{code} — {name}") for code, name in codes)]
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
                continue
            widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-help"

    def full_clean(self):
        super().full_clean()
        # Each field with a problem is marked and names its message for screen readers.
        for name in self.errors:
            if name in self.fields and not isinstance(self.fields[name].widget, forms.CheckboxSelectMultiple):
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), f"id_{name}-error"]))

    def clean_schools(self) -> list[int]:
        codes = sorted({code for code in self.cleaned_data["schools"].replace(",", " ").split() if code})
        if not codes:
            return []
        found = dict(School.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError("Нет организаций с кодами: " + ", ".join(unknown) + ".")
        return sorted(found.values())

    def params(self) -> dict:
        """The chosen target's parameters, from its own fields only."""
        data = self.cleaned_data
        try:
            fields = target_for(data.get("target_kind", "")).fields
        except ValidationError:
            return {}
        params = {}
        for name in fields:
            value = data.get(name)
            if name == "municipalities" and value is not None:
                value = [m.pk for m in value]
            if value not in (None, "", []):
                params[name] = value
        return params

    def clean(self):
        data = super().clean()
        # Checked together even when some fields are already wrong, so every problem shows at once.
        try:
            data["target"] = services.campaign_clean(
                edition=data.get("edition"),
                period=data.get("period"),
                title=data.get("title", ""),
                opens=data.get("opens"),
                closes=data.get("closes"),
                target_kind=data.get("target_kind", ""),
                target=self.params(),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                if field in self.errors:
                    continue  # its own check already said what is wrong
                for problem in problems:
                    self.add_error(field if field in self.fields else None, problem)
        return data


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _readable(request, pk: int) -> Campaign:
    """The campaign if the user may read it: region-wide staff any, others one that reaches their part."""
    require_staff_reader(request.user)
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("edition__questionnaire", "period", "created_by"),
        pk=pk,
    )
    if not is_region_wide(request.user) and not coverage.campaign_reaches(campaign=campaign, user=request.user):
        raise Http404("Опрос не найден.")
    return campaign


def _person(invitation: Invitation) -> str:
    if invitation.teacher_id:
        return invitation.teacher.full_name
    account = invitation.user
    return account.get_full_name() or account.username


def _names(queryset, ids: list[int], user) -> str:
    """The names of the chosen units the user may see; the others only counted (their names are not theirs)."""
    visible = list(queryset.visible_to(user).filter(pk__in=ids).order_by("name").values_list("name", flat=True))
    others = len(ids) - len(visible)
    return "; ".join(visible) + (f"{'; ' if visible else ''}других: {others}" if others else "")


def _target_text(campaign: Campaign, user) -> str:
    """The target in words (its kind and parameters)."""
    params = campaign.target or {}
    text = campaign.get_target_kind_display()
    if "share" in params:
        text += f": {params['share'] * 100:g} % педагогов, пропорционально по муниципалитетам"
    elif "size" in params:
        text += f": {params['size']} чел., пропорционально по муниципалитетам"
    elif "group" in params:
        text += f": группа «{params['group']}»"
    elif "schools" in params:
        text += ": " + _names(School.objects, params["schools"], user)
    elif "municipalities" in params:
        text += ": " + _names(Municipality.objects, params["municipalities"], user)
    elif "course" in params:
        text += f": курс {params['course']}"
    return text


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


@login_required
def campaign_list(request):
    """Every campaign for the region-wide staff; a municipality's or a school's ones for theirs."""
    require_staff_reader(request.user)
    campaigns = Campaign.objects.visible_to(request.user).select_related("edition__questionnaire", "period")
    if not is_region_wide(request.user):
        reached = Invitation.objects.visible_to(request.user).values("campaign_id")
        campaigns = campaigns.filter(pk__in=reached).exclude(status=CampaignStatus.DRAFT)
    campaigns = list(campaigns)
    totals = coverage.campaigns_totals(campaigns=campaigns, user=request.user)
    rows = [(campaign, totals.get(campaign.pk)) for campaign in campaigns]
    return render(
        request,
        "surveys/campaigns/list.html",
        {"rows": rows, "can_write": can_write_region(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    """A new campaign as a draft; "Сколько человек попадет" counts the people first, writing nothing."""
    require_staff_reader(request.user)
    if not can_write_region(request.user):
        raise Http404("Опросы составляют сотрудники института.")
    reached = None
    if request.method == "POST":
        data = request.POST.copy()
        preview = "preview" in data
        if preview and data.get("target_kind") == TargetKind.SAMPLE and not data.get("seed", "").strip():
            # The seed of the preview becomes the campaign's, so creating it draws the same people.
            data["seed"] = str(secrets.randbits(31))
        form = CampaignForm(data)
        if form.is_valid():
            cleaned = form.cleaned_data
            kind = cleaned["target_kind"]
            seed = cleaned.get("seed") if kind == TargetKind.SAMPLE else None
            if preview:
                reached = len(target_reach(period=cleaned["period"], kind=kind, params=cleaned["target"], seed=seed))
            else:
                try:
                    campaign = services.campaign_create(
                        edition=cleaned["edition"],
                        period=cleaned["period"],
                        title=cleaned["title"],
                        opens=cleaned["opens"],
                        closes=cleaned["closes"],
                        anonymous=cleaned["anonymous"],
                        target_kind=kind,
                        target=cleaned["target"],
                        seed=seed,
                        user=request.user,
                    )
                except ValidationError as error:
                    _refused(request, error)
                else:
                    messages.success(request, "Опрос подготовлен. Проверьте, кого он охватит, и начните его.")
                    return redirect("survey-campaign-detail", pk=campaign.pk)
    else:
        form = CampaignForm(initial={"period": MonitoringPeriod.objects.current()})
    return render(request, "surveys/campaigns/new.html", {"form": form, "reached": reached})


@login_required
def campaign_detail(request, pk: int):
    """What, when and whom; the coverage of the reader's part by municipality (or a municipality's schools)."""
    campaign = _readable(request, pk)
    user = request.user
    municipality = None
    if request.GET.get("municipality"):
        value = request.GET["municipality"]
        if not (value.isascii() and value.isdigit()):
            raise Http404("Муниципалитет указан неверно.")
        municipality = get_object_or_404(Municipality.objects.visible_to(user), pk=int(value))
    elif user.role == Role.MUNICIPAL and user.municipality_id:
        municipality = user.municipality
    elif user.role == Role.SCHOOL_HEAD and user.school_id:
        municipality = user.school.municipality
    can_write = can_write_region(user)
    context = {
        "campaign": campaign,
        "target_text": _target_text(campaign, user),
        "coverage": coverage.campaign_coverage(campaign=campaign, user=user, municipality=municipality),
        "can_write": can_write,
        "region_wide": is_region_wide(user),
        "can_links": can_write or user.role == Role.SCHOOL_HEAD,
        "own_school": user.school if user.role == Role.SCHOOL_HEAD else None,
        "can_read_results": can_read_results(user),
        "Status": CampaignStatus,
    }
    if campaign.status == CampaignStatus.DRAFT:
        try:
            reached = services.campaign_sample_preview(campaign=campaign)
        except ValidationError as error:
            context["preview_problem"] = " ".join(error.messages)
        else:
            # Drafts are the region-wide roles' only (``_readable``): the whole allocation is theirs to see.
            counts = Counter(row.municipality_id for row in reached)
            names = Municipality.objects.filter(pk__in=counts).order_by("name")
            context["preview"] = len(reached)
            context["preview_rows"] = [(m.name, counts[m.pk]) for m in names]
    return render(request, "surveys/campaigns/detail.html", context)


@login_required
@require_POST
def campaign_open(request, pk: int):
    campaign = _readable(request, pk)
    try:
        invited = services.campaign_open(campaign=campaign, user=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Опрос начат. Приглашений: {invited}.")
    return redirect("survey-campaign-detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_close(request, pk: int):
    campaign = _readable(request, pk)
    try:
        services.campaign_close(campaign=campaign, user=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, "Опрос завершен: ссылки больше не открывают анкету.")
    return redirect("survey-campaign-detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_remind(request, pk: int):
    campaign = _readable(request, pk)
    try:
        result = services.campaign_remind(campaign=campaign, user=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            f"Напоминания отправлены: {result.sent}. Без адреса электронной почты: {result.without_email}. "
            f"Уже получили напоминание за последние сутки: {result.recent}.",
        )
        if result.failed:
            messages.warning(
                request,
                f"Не удалось отправить: {result.failed}. Почтовый сервер не принял эти письма; "
                "этим людям напоминание будет отправлено при следующей попытке.",
            )
    return redirect("survey-campaign-detail", pk=campaign.pk)


@login_required
def campaign_links(request, pk: int):
    """A CSV of the personal links of those who have not answered: the writer's whole list, a head's school."""
    campaign = _readable(request, pk)
    if not (can_write_region(request.user) or request.user.role == Role.SCHOOL_HEAD):
        raise Http404("Ссылки раздают руководитель ОО и сотрудники института.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-links.csv"'
    response.write("\ufeff")  # Excel opens a UTF-8 CSV with its mark as UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["Муниципалитет", "Код ОО", "ОО", "ФИО", "Роль", "Напоминаний", "Персональная ссылка"])
    for invitation in coverage.campaign_waiting(campaign=campaign, user=request.user):
        # Names come from uploaded rosters: a cell starting with "=" must stay text in Excel.
        writer.writerow(
            [
                csv_text(invitation.municipality.name),
                csv_text(invitation.school.code),
                csv_text(invitation.school.name),
                csv_text(_person(invitation)),
                invitation.get_role_display(),
                invitation.reminders,
                services.invitation_link(invitation=invitation),
            ]
        )
    return response


@login_required
def campaign_school(request, pk: int, school_pk: int):
    """One school's invitations: who has answered, and the links to hand to those who have not."""
    campaign = _readable(request, pk)
    school = get_object_or_404(School.objects.visible_to(request.user).select_related("municipality"), pk=school_pk)
    invitations = list(coverage.campaign_school_invitations(campaign=campaign, user=request.user, school_id=school.pk))
    user = request.user
    own = user.role == Role.SCHOOL_HEAD and user.school_id == school.pk
    show_links = (can_write_region(user) or own) and campaign.status == CampaignStatus.OPEN
    rows = [
        {
            "person": _person(invitation),
            "invitation": invitation,
            "link": services.invitation_link(invitation=invitation) if show_links and not invitation.answered else None,
        }
        for invitation in invitations
    ]
    return render(
        request,
        "surveys/campaigns/school.html",
        {
            "campaign": campaign,
            "school": school,
            "rows": rows,
            "answered": sum(1 for i in invitations if i.answered),
            "show_links": show_links,
        },
    )
