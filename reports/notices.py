"""Notices: in the portal and by e-mail, each exactly once (``Notice.key`` is unique per person).

The daily job creates its notices without e-mail and then sends each person ONE digest
listing all their notices not yet mailed (``notices_digest``); an issued letter's notice
is still mailed at once. The plan's reminders (schools, teachers, heads, escalation to
the municipality) are built in ``reports.plan.reminders``. Besides them, four kinds:

- a plan deadline within a week reaches the plan item's responsible person;
- new findings reach the officials they concern: the municipal officials of the
  municipality and the heads of the school;
- an issued letter reaches its addressees (the letters code calls
  :func:`notify_letter_issued`; the daily job catches any it missed);
- an overdue measure reaches its responsible user.

A key names what a notice is about (and the date it is about, where that may move),
so the daily job can run as often as it likes: what was already said is not said
again. E-mail goes through Django's mail settings; a person without an address reads
the notice in the portal only, and a failed send is retried by the next daily run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from monitoring.models import MonitoringPeriod, MonitoringPlanItem, PlanItemState, Role
from reports.letters.permissions import addressee_kinds
from reports.letters.wording import GENERAL_EDUCATION
from reports.models import AddresseeKind, Finding, Letter, LetterStatus, Measure, MeasureStatus, Notice
from reports.plan.reminders import plan_reminders, survey_reminders

log = logging.getLogger(__name__)

DEADLINE_DAYS = 7
# How far back the daily job looks for issued letters whose notices were never sent.
LETTER_SWEEP_DAYS = 30
SUBJECT = "Мониторинг ПРП: уведомление"
DIGEST_SUBJECT = "Мониторинг ПРП: напоминания на {date}"
# A digest lists at most this many notices and counts the rest, which the portal shows.
DIGEST_LIMIT = 50


def notify(*, user, key: str, text: str, url: str = "", reason: str = "", email: bool = True) -> Notice | None:
    """Create the notice once (and e-mail it unless ``email`` is off); None when this person already had it.

    The daily job creates its notices with ``email=False``: the digest mails them together.
    """
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                user=user, key=key[:200], text=text[:1000], url=url[:500], reason=reason[:1000]
            )
    except IntegrityError:
        return None
    if email:
        _email(notice)
    return notice


def _email(notice: Notice) -> None:
    if not notice.user.email or not notice.user.is_active:
        return
    body = notice.text
    if notice.url:
        # A mail is read outside the portal: its link carries the portal's address.
        body += f"\n\nПодробнее на портале: {settings.PORTAL_URL}{notice.url}"
    try:
        send_mail(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [notice.user.email])
    except Exception:  # a mail server down must not lose the notice: the next run retries
        log.exception("notice %s: e-mail not sent", notice.pk)
        return
    Notice.objects.filter(pk=notice.pk).update(emailed=True)
    notice.emailed = True


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _num(value) -> str:
    """A figure as Russian text writes it: no trailing zeros, a decimal comma."""
    return f"{value.normalize():f}".replace(".", ",")


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


# ---------------------------------------------------------------------------
# The four kinds
# ---------------------------------------------------------------------------


def plan_deadlines_notify(*, today: dt.date) -> int:
    """Plan items due within a week reach their responsible person (again if the deadline moves)."""
    items = (
        MonitoringPlanItem.objects.filter(
            deadline__gte=today, deadline__lte=today + dt.timedelta(days=DEADLINE_DAYS), responsible__is_active=True
        )
        .exclude(state=PlanItemState.DONE)
        .select_related("period", "responsible")
    )
    sent = 0
    for item in items:
        days = (item.deadline - today).days
        when = "сегодня" if days == 0 else f"через {days} дн."
        text = (
            f"Приближается срок по плану мониторинга {item.period.year} года: "
            f"«{item.get_direction_display()}» — до {_date(item.deadline)} ({when})."
        )
        key = f"plan:{item.pk}:{item.deadline.isoformat()}"
        reason = (
            f"Вы получили это напоминание как ответственный за пункт плана «{item.get_direction_display()}» "
            f"(срок {_date(item.deadline)}); напоминание приходит за неделю до срока, пока пункт не выполнен."
        )
        url = _url("plan-item", item.period.year, item.pk)
        sent += notify(user=item.responsible, key=key, text=text, url=url, reason=reason, email=False) is not None
    return sent


def findings_notify(*, period: MonitoringPeriod, email: bool = True) -> int:
    """Each official gets one notice per indicator listing the units of their scope below its threshold.

    Findings are replaced on every recomputation, so a notice is keyed by the set of
    units it lists: the same findings after a recomputation say nothing new; a unit
    added to them brings a fresh notice with the current list.
    """
    User = get_user_model()
    active = User.objects.filter(is_active=True)
    municipal = defaultdict(list)
    for u in active.filter(role=Role.MUNICIPAL, municipality__isnull=False):
        municipal[u.municipality_id].append(u)
    heads = defaultdict(list)
    for u in active.filter(role=Role.SCHOOL_HEAD, school__isnull=False):
        heads[u.school_id].append(u)
    # (user, indicator, level) -> the findings that person should hear about
    per_person: dict[tuple, list[Finding]] = defaultdict(list)
    people = {}
    findings = Finding.objects.filter(period=period).select_related("indicator").order_by("org_name")
    for f in findings.iterator(chunk_size=5000):
        recipients = list(municipal.get(f.municipality_id, []))
        if f.school_id:
            recipients += heads.get(f.school_id, [])
        for u in recipients:
            people[u.pk] = u
            per_person[(u.pk, f.indicator.code, f.level)].append(f)
    # The daily job sees the same findings every day: what was told is skipped without an insert.
    told = set(
        Notice.objects.filter(user_id__in=people, key__startswith=f"finding:{period.year}:").values_list(
            "user_id", "key"
        )
    )
    sent = 0
    for (user_id, code, level), units in per_person.items():
        first = units[0]
        digest = hashlib.sha1(",".join(sorted(f.org_code for f in units)).encode()).hexdigest()[:16]
        key = f"finding:{period.year}:{code}:{level}:{digest}"
        if (user_id, key) in told:
            continue
        where = "образовательных организаций" if level == "school" else "муниципалитетов"
        worse = "ниже" if first.higher_is_better else "выше"
        text = (
            f"Мониторинг {period.year}: показатель {code} «{first.indicator.title}» {worse} порога "
            f"({_num(first.threshold)}) у {len(units)} {where}: "
        )
        text += _listed([f"{f.org_name} ({_num(f.value)})" for f in units], room=950 - len(text))
        url = _url("indicator-detail", code)
        if url:
            url += f"?period={period.year}"
        sent += notify(user=people[user_id], key=key, text=text, url=url, email=email) is not None
    return sent


def _listed(names: list[str], *, room: int) -> str:
    """Names joined while they fit the notice; the rest counted («и еще 12»), the full list is on the portal."""
    shown: list[str] = []
    used = 0
    for name in names:
        if used + len(name) + 2 > room - 20:
            return ", ".join(shown) + f" и еще {len(names) - len(shown)}"
        shown.append(name)
        used += len(name) + 2
    return ", ".join(shown)


def letter_recipients(letter: Letter):
    """The people a letter is addressed to: every kind of addressee it speaks to (its own and its
    recommendation groups', as ``may_receive`` reads them), in its municipality or the whole region."""
    kinds = addressee_kinds(letter)
    area = letter.municipality_id
    wanted = Q(pk__in=[])
    if AddresseeKind.SCHOOL_HEADS in kinds:
        # «Руководителям общеобразовательных организаций»: not the head of a kindergarten.
        heads = Q(role=Role.SCHOOL_HEAD, school__isnull=False, school__kind__in=GENERAL_EDUCATION)
        wanted |= heads & (Q(school__municipality_id=area) if area else Q())
    if AddresseeKind.MUNICIPAL in kinds:
        wanted |= Q(role=Role.MUNICIPAL, municipality__isnull=False) & (Q(municipality_id=area) if area else Q())
    if AddresseeKind.INSTITUTE in kinds:
        wanted |= Q(role=Role.ANALYST)
    return get_user_model().objects.filter(wanted, is_active=True).order_by("pk")


def notify_letter_issued(letter: Letter, *, email: bool = True) -> int:
    """An issued letter reaches each of its addressees once (safe to call again)."""
    if letter.status != LetterStatus.ISSUED:
        return 0
    date = f" от {_date(letter.issued_on)}" if letter.issued_on else ""
    text = f"Вам направлено письмо {letter.issuer.name} № {letter.number}{date}: «{letter.title}»."
    url = _url("letter-detail", letter.pk)
    return sum(
        notify(user=u, key=f"letter:{letter.pk}", text=text, url=url, email=email) is not None
        for u in letter_recipients(letter)
    )


def notify_route_comment(comment) -> int:
    """A comment on a teacher's route reaches the teacher in the portal (and in their next digest)."""
    route, author = comment.route, comment.author
    if author is None:
        return 0
    who = "куратора" if author.role == Role.CURATOR else "руководителя организации"
    name = author.get_full_name() or author.username
    text = f"Новый комментарий к вашему маршруту (ИОМ) от {who} {name}: «{comment.text[:300]}»."
    reason = (
        "Вы получили это уведомление как автор маршрута: его комментируют закрепленный за вами куратор ЦНППМ "
        "и руководитель вашей организации."
    )
    teachers = get_user_model().objects.filter(is_active=True, role=Role.TEACHER, teacher_id=route.teacher_id)
    url = _url("route-detail", route.pk)
    return sum(
        notify(user=u, key=f"route-comment:{comment.pk}", text=text, url=url, reason=reason, email=False) is not None
        for u in teachers.exclude(pk=author.pk)
    )


def notify_route_reviewed(event) -> int:
    """The head's decision on a route reaches its teacher in the portal (and in their next digest)."""
    route = event.route
    decided = "согласовал" if event.status == "approved" else "вернул на доработку"
    text = f"Руководитель {decided} ваш маршрут (ИОМ)"
    text += f": «{event.comment[:300]}»." if event.comment else "."
    reason = "Вы получили это уведомление как автор маршрута: его согласует руководитель вашей организации."
    teachers = get_user_model().objects.filter(is_active=True, role=Role.TEACHER, teacher_id=route.teacher_id)
    url = _url("route-detail", route.pk)
    return sum(
        notify(user=u, key=f"route-review:{event.pk}", text=text, url=url, reason=reason, email=False) is not None
        for u in teachers
    )


def measures_overdue_notify(*, today: dt.date) -> int:
    """A planned measure past its due date reaches its responsible user (again if the date moves)."""
    measures = Measure.objects.filter(
        status=MeasureStatus.PLANNED, due__lt=today, responsible_user__is_active=True
    ).select_related("responsible_user", "indicator")
    sent = 0
    for m in measures:
        text = (
            f"Просрочено управленческое решение (срок {_date(m.due)}): «{m.text[:300]}» "
            f"по показателю {m.indicator.code}. Отметьте выполнение или перенесите срок."
        )
        key = f"measure-overdue:{m.pk}:{m.due.isoformat()}"
        sent += notify(user=m.responsible_user, key=key, text=text, url=_url("measure-list"), email=False) is not None
    return sent


def notices_digest(*, today: dt.date) -> int:
    """One e-mail per person listing every notice not yet mailed; the mails sent.

    A failed send leaves its notices unmailed: the next run sends them again.
    """
    pending = (
        Notice.objects.filter(emailed=False, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    per_person: dict[int, list[Notice]] = defaultdict(list)
    for notice in pending.iterator(chunk_size=2000):
        per_person[notice.user_id].append(notice)
    sent = 0
    subject = DIGEST_SUBJECT.format(date=_date(today))
    for items in per_person.values():
        shown = items[:DIGEST_LIMIT]
        user = shown[0].user
        lines = [f"Новые уведомления портала мониторинга ({len(items)}):", ""]
        for n in shown:
            lines.append(f"— {n.text}")
            if n.url:
                # A mail is read outside the portal: its link carries the portal's address.
                lines.append(f"  Подробнее на портале: {settings.PORTAL_URL}{n.url}")
            if n.reason:
                lines.append(f"  Почему я это получил: {n.reason}")
            lines.append("")
        if len(items) > len(shown):
            lines.append(f"Остальные уведомления ({len(items) - len(shown)}) — на портале.")
        lines.append(f"Все уведомления: {settings.PORTAL_URL}{_url('notice-list')}")
        try:
            send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception:  # a mail server down must not lose the notices: the next run retries
            log.exception("digest for user %s: e-mail not sent", user.pk)
            continue
        # The notices it only counts were told too («на портале»): they are not mailed again.
        Notice.objects.filter(pk__in=[n.pk for n in items]).update(emailed=True)
        sent += 1
    return sent


def notices_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job: every kind is created without e-mail, then one digest per person."""
    today = today or timezone.localdate()
    counts = {
        "plan": plan_deadlines_notify(today=today),
        "reminders": plan_reminders(today=today),
        "surveys": survey_reminders(today=today),
        "findings": 0,
        "letters": 0,
        "measures": measures_overdue_notify(today=today),
    }
    # Findings of the open periods only: a closed period's findings were told long ago.
    for period in MonitoringPeriod.objects.open().filter(findings__isnull=False).distinct():
        counts["findings"] += findings_notify(period=period, email=False)
    since = today - dt.timedelta(days=LETTER_SWEEP_DAYS)
    for letter in Letter.objects.filter(status=LetterStatus.ISSUED, issued_on__gte=since).select_related("issuer"):
        counts["letters"] += notify_letter_issued(letter, email=False)
    counts["emails"] = notices_digest(today=today)
    return counts


def unread_count(user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def notice_open(*, notice: Notice) -> Notice:
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


def notices_mark_all_read(*, user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
