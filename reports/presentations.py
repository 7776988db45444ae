"""The presentation of a period's results (seeds/004): a meeting, webinar or conference, to whom, with which materials.

The institute's analysts record them; every staff reader sees them on the period's page
(``period_section``, the «period_sections» extension of monitoring's period page), each with
the materials that reader may open: the period's annual report (its readers: the
region-wide roles) and the issued letters the reader sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string

from monitoring.models import MonitoringPeriod
from monitoring.models.scoping import can_write_region, is_region_wide, is_staff_reader
from monitoring.shared.text import clean_date, clean_text
from reports.letters.permissions import letters_visible
from reports.models import AnnualReport, Letter, LetterStatus, Presentation, PresentationKind, ReportStatus


def may_edit(user) -> bool:
    """The institute's analysts record the presentations of results."""
    return can_write_region(user)


def _require_editor(user) -> None:
    if not may_edit(user):
        raise PermissionDenied("Представления результатов вносят сотрудники института.")


def report_choices(*, period: MonitoringPeriod) -> QuerySet[AnnualReport]:
    """The period's annual reports that are ready (the region's, not a municipality's справка)."""
    found = AnnualReport.objects.filter(period=period, status=ReportStatus.DONE, municipality__isnull=True)
    return found.order_by("-finished_at", "-pk")


def letter_choices(*, period: MonitoringPeriod) -> QuerySet[Letter]:
    """The period's issued letters, the materials a presentation may hand out."""
    return (
        Letter.objects.filter(period=period, status=LetterStatus.ISSUED)
        .select_related("issuer", "municipality")
        .order_by("-issued_on", "-pk")
    )


def _clean_date(value) -> dt.date:
    """The date as the shared rule reads it, the refusal filed under the form's ``date`` field."""
    try:
        return clean_date(value, label="Дата")
    except ValidationError as refused:
        raise ValidationError({"date": refused.messages}) from None


def _ids(values: Iterable, label: str) -> list[int]:
    found = []
    for value in values:
        try:
            found.append(int(str(value).strip()))
        except ValueError:
            raise ValidationError(f"{label} выбраны неверно: выберите их из списка.") from None
    return found


@transaction.atomic
def presentation_save(
    *,
    user,
    period: MonitoringPeriod,
    date: dt.date | str,
    kind: str,
    title: str,
    audience: str,
    place: str = "",
    report: int | str | None = None,
    letters: Iterable[int | str] = (),
    presentation: Presentation | None = None,
) -> Presentation:
    """Record a presentation of the period's results, or correct one (``presentation``).

    ``report``: the id of one of the period's ready annual reports; ``letters``: ids of its issued letters.
    """
    _require_editor(user)
    if presentation is not None:
        presentation = Presentation.objects.select_for_update().get(pk=presentation.pk)
        if presentation.period_id != period.pk:
            raise ValidationError("Представление относится к другому периоду.")
    else:
        presentation = Presentation(period=period, created_by=user)
    if kind not in PresentationKind.values:
        raise ValidationError({"kind": "Выберите форму: совещание, вебинар или конференция."})
    presentation.kind = kind
    presentation.date = _clean_date(date)
    # The results of a year are presented once they exist: from the year itself to two years on.
    last = period.end.replace(year=period.year + 2)
    if not period.start <= presentation.date <= last:
        raise ValidationError(
            {"date": f"Итоги {period.year} года представляют с {period.start:%d.%m.%Y} по {last:%d.%m.%Y}."}
        )
    presentation.title = clean_text(title, label="Тема", max_length=500)
    presentation.audience = clean_text(audience, label="Участники", max_length=500)
    presentation.place = clean_text(place or "", label="Место или ссылка", max_length=500)
    if not presentation.title:
        raise ValidationError({"title": "Укажите тему."})
    if not presentation.audience:
        raise ValidationError({"audience": "Укажите участников."})
    presentation.report = None
    if report not in (None, ""):
        [report_id] = _ids([report], "Годовой отчет")
        presentation.report = report_choices(period=period).filter(pk=report_id).first()
        if presentation.report is None:
            raise ValidationError({"report": "Такого готового годового отчета за этот период нет."})
    letter_ids = set(_ids(letters, "Письма"))
    chosen = list(letter_choices(period=period).filter(pk__in=letter_ids))
    if len(chosen) != len(letter_ids):
        raise ValidationError({"letters": "Материалами могут быть только зарегистрированные письма этого периода."})
    presentation.full_clean(exclude=["letters"])
    presentation.save()
    presentation.letters.set(chosen)
    return presentation


@transaction.atomic
def presentation_delete(*, user, presentation: Presentation) -> None:
    _require_editor(user)
    Presentation.objects.filter(pk=presentation.pk).delete()


def presentations_for(*, period: MonitoringPeriod, user) -> list[Presentation]:
    """The period's presentations, each with ``materials``: (label, url name, args) the reader may open."""
    if not is_staff_reader(user):
        return []
    rows = list(
        Presentation.objects.visible_to(user)
        .filter(period=period)
        .select_related("report")
        .prefetch_related("letters")
        .order_by("date", "pk")
    )
    visible_letters = set(
        letters_visible(user).filter(presentations__in=[p.pk for p in rows]).values_list("pk", flat=True)
    )
    reports = set()
    if is_region_wide(user):
        reports = set(AnnualReport.objects.visible_to(user).filter(period=period).values_list("pk", flat=True))
    for p in rows:
        p.report_visible = p.report_id in reports
        p.visible_letters = [letter for letter in p.letters.all() if letter.pk in visible_letters]
    return rows


def period_section(*, period: MonitoringPeriod, user) -> str:
    """The period page's section «Представление результатов» (the «period_sections» extension)."""
    if not is_staff_reader(user):
        return ""
    return render_to_string(
        "reports/presentation_section.html",
        {"period": period, "presentations": presentations_for(period=period, user=user), "may_edit": may_edit(user)},
    )
