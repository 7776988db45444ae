"""How a letter cites the meeting that adopted its recommendations: the choices, the chosen one, the sentence."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from reports.models import Letter, Meeting


def meeting_choices(*, letter: Letter) -> QuerySet[Meeting]:
    """The meetings a letter may cite: every meeting of its issuing body, newest first."""
    return Meeting.objects.filter(issuer_id=letter.issuer_id).order_by("-date", "-pk")


def meeting_for_letter(*, letter: Letter, value) -> Meeting | None:
    """The meeting chosen on a letter's form («» is none); one of another body is refused."""
    if value in (None, ""):
        return None
    try:
        pk = int(str(value).strip())
    except ValueError:
        raise ValidationError("Заседание выбрано неверно: выберите его из списка.") from None
    found = meeting_choices(letter=letter).filter(pk=pk).first()
    if found is None:
        raise ValidationError("Такого заседания у органа, издающего письмо, нет: выберите его из списка.")
    return found


def adoption_sentence(letter: Letter) -> str:
    """How a letter says who adopted its recommendations: the cited meeting, else the free-text protocol."""
    body = letter.issuer.adoption_body.strip() or "научно-методического совета"
    if letter.meeting_id:
        meeting = letter.meeting
        return (
            f"Рекомендации рассмотрены и одобрены на заседании {body} "
            f"(протокол № {meeting.number} от {meeting.date:%d.%m.%Y})."
        )
    if letter.protocol:
        return f"Рекомендации рассмотрены и одобрены на заседании {body} ({letter.protocol})."
    return ""
