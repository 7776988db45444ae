"""The adopting body's meetings: recorded by the body's own staff, cited by its letters.

Who keeps a body's meetings follows who writes its letters (``reports.letters.permissions``):
the institute's analysts keep the institute's, a municipal official their municipality's.
The signed protocol may be attached: a PDF, a Word document (.docx) or a scan (PNG, JPEG),
at most 10 MB, recognised by its bytes rather than its name, stored under a random name.
A meeting a letter cites is never deleted: the letter names it.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from typing import BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from monitoring.intake.package.safety import (
    MAX_COMPRESSION_RATIO,
    MAX_ZIP_ENTRIES,
    RATIO_CHECK_MIN_BYTES,
    Content,
    sniff,
)
from monitoring.models import Role
from monitoring.shared.text import clean_date, clean_text
from reports.issuers import RequisitesMissing, institute_issuer_or_none
from reports.letters.permissions import may_write, municipal_issuer
from reports.models import Issuer, IssuerKind, Letter, Meeting

MAX_PROTOCOL_BYTES = 10 * 2**20
PROTOCOL_EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
HEAD_BYTES = 4096


def meeting_issuer(*, user) -> Issuer:
    """The body whose meetings a user keeps: the institute for its analysts, their authority for a municipal official.

    PermissionDenied for anyone else; RequisitesMissing while the institute's blank is not entered.
    """
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied("Заседания совета вносят сотрудники института и муниципальных органов управления.")
    if user.is_superuser or user.role == Role.ANALYST:
        issuer = institute_issuer_or_none()
        if issuer is None:
            raise RequisitesMissing(issuer=None, kind=IssuerKind.INSTITUTE)
        return issuer
    if user.role == Role.MUNICIPAL and user.municipality_id:
        return municipal_issuer(municipality=user.municipality)
    raise PermissionDenied("Заседания совета вносят сотрудники института и муниципальных органов управления.")


def meetings_of(*, issuer: Issuer) -> QuerySet[Meeting]:
    """A body's meetings, newest first, each with the number of letters citing it."""
    return Meeting.objects.filter(issuer=issuer).annotate(letter_count=Count("letters")).order_by("-date", "-pk")


def _require_keeper(user, issuer: Issuer) -> None:
    if not may_write(user=user, issuer=issuer):
        raise PermissionDenied("Заседания совета этого органа вносят его сотрудники.")


def check_protocol_file(upload: BinaryIO, *, name: str | None = None) -> str:
    """Refuse a protocol file that is not a PDF, DOCX, PNG or JPEG by its bytes, or larger than 10 MB.

    Returns the kind found («pdf», «docx», «png», «jpeg»); the file's position is restored.
    """
    name = os.path.basename(name or getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    expected = PROTOCOL_EXTENSIONS.get(extension)
    if expected is None:
        raise ValidationError(
            f"Файл «{name[:100]}» не подходит: приложите протокол в формате PDF, DOCX или изображение (PNG, JPEG)."
        )
    start = upload.tell()
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    try:
        if size == 0:
            raise ValidationError(f"Файл «{name}» пустой. Выберите файл протокола еще раз.")
        if size > MAX_PROTOCOL_BYTES:
            raise ValidationError(
                f"Файл «{name}» слишком большой: {size / 2**20:.1f} МБ, а можно не более "
                f"{MAX_PROTOCOL_BYTES // 2**20} МБ. Сохраните скан с меньшим разрешением или в PDF."
            )
        found = _kind(head, upload)
        if found != expected:
            raise ValidationError(
                f"Содержимое файла «{name}» не соответствует его расширению «{extension}»: приложите настоящий "
                f"PDF, документ Word (.docx) или изображение PNG/JPEG."
            )
    finally:
        upload.seek(start)
    return found


def _kind(head: bytes, upload: BinaryIO) -> str | None:
    """What the bytes are: the shared sniffer for PDF and ZIP (a .docx is a ZIP with word/document.xml)."""
    content = sniff(head)
    if content is Content.PDF:
        return "pdf"
    if content is Content.ZIP:
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        _refuse_bomb(infos)
        return "docx" if any(info.filename == "word/document.xml" for info in infos) else None
    if head.startswith(_PNG):
        return "png"
    if head.startswith(_JPEG):
        return "jpeg"
    return None


# A Word protocol unpacks to a few megabytes; far more is a «zip bomb» for whatever opens it later.
MAX_DOCX_UNPACKED_BYTES = 200 * 2**20


def _refuse_bomb(infos: list[zipfile.ZipInfo]) -> None:
    """The package's rule for zips (the ratio of any large entry, the count), read off the directory only."""
    bomb = ValidationError(
        "Файл протокола сжат подозрительно сильно или содержит слишком много частей: так выглядят «zip-бомбы», "
        "поэтому файл не принят. Откройте документ в Word и сохраните его заново или приложите PDF."
    )
    if len(infos) > MAX_ZIP_ENTRIES or sum(info.file_size for info in infos) > MAX_DOCX_UNPACKED_BYTES:
        raise bomb
    for info in infos:
        if (
            info.file_size > RATIO_CHECK_MIN_BYTES
            and info.file_size / max(info.compress_size, 1) > MAX_COMPRESSION_RATIO
        ):
            raise bomb


# A meeting is recorded once it is held or scheduled; a year ahead is as far as a schedule goes.
MEETING_DAYS_AHEAD = 366


def _meeting_date(value) -> dt.date:
    date = _clean_date(value)
    latest = timezone.localdate() + dt.timedelta(days=MEETING_DAYS_AHEAD)
    if date > latest:
        raise ValidationError({"date": f"Дата заседания — не позже {latest:%d.%m.%Y} (не больше года вперед)."})
    return date


def _clean_date(value) -> dt.date:
    """The date as the shared rule reads it, the refusal filed under the form's ``date`` field."""
    try:
        return clean_date(value, label="Дата заседания")
    except ValidationError as refused:
        raise ValidationError({"date": refused.messages}) from None


@transaction.atomic
def meeting_create(
    *,
    user,
    number: str,
    date: dt.date | str,
    agenda: str = "",
    protocol_file=None,
    issuer: Issuer | None = None,
) -> Meeting:
    """Record a meeting of the user's body (``issuer`` defaults to it; another body's is refused)."""
    issuer = issuer or meeting_issuer(user=user)
    _require_keeper(user, issuer)
    number = clean_text(number or "", label="Номер протокола", max_length=50)
    # «№ 4» typed whole: the letter prints «протокол № 4», not «№ № 4».
    number = number.lstrip("№").strip()
    if not number:
        raise ValidationError({"number": "Укажите номер протокола."})
    meeting = Meeting(
        issuer=issuer,
        number=number,
        date=_meeting_date(date),
        agenda=clean_text(agenda or "", label="Повестка", max_length=20_000),
        created_by=user,
    )
    if Meeting.objects.filter(issuer=issuer, number=meeting.number, date=meeting.date).exists():
        raise ValidationError({"number": "Протокол с этим номером и датой у органа уже есть."})
    if protocol_file:
        check_protocol_file(protocol_file)
        meeting.protocol_file = protocol_file
    meeting.full_clean(exclude=["protocol_file"])
    meeting.save()
    return meeting


@transaction.atomic
def meeting_delete(*, user, meeting: Meeting) -> None:
    """Delete a meeting no letter cites (a cited one stays: the letters name it)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_keeper(user, meeting.issuer)
    cited = Letter.objects.filter(meeting=meeting).count()
    if cited:
        raise ValidationError(
            f"Заседание удалить нельзя: на его протокол ссылаются письма (писем: {cited}). "
            "Сначала выберите в них другое заседание."
        )
    stored = meeting.protocol_file.name if meeting.protocol_file else ""
    storage = meeting.protocol_file.storage
    meeting.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
