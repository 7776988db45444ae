"""The adopting body's meetings: who records them, the protocol file's check, deletion, and letters citing them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from reports import letters, meetings
from reports.models import Issuer, Meeting
from tests import factories
from tests.pdfs import pdf_text
from tests.reports.letters.helpers import _propose, _signer, staffed  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _docx_bomb() -> bytes:
    """A Word document whose text unpacks to 300 MB from a few hundred kilobytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            block = b"0" * 2**20
            for _ in range(300):
                entry.write(block)
    return out.getvalue()


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def test_the_institute_and_a_municipal_official_keep_their_own_bodys_meetings(staffed):  # noqa: F811
    institute = factories.institute_issuer()
    own = meetings.meeting_create(user=staffed.analyst, number="№ 4", date="14.07.2026", agenda="Итоги мониторинга")
    assert (own.issuer, own.number, own.date, own.created_by) == (institute, "4", dt.date(2026, 7, 14), staffed.analyst)
    theirs = meetings.meeting_create(user=staffed.municipal, number="2", date=dt.date(2026, 8, 1))
    assert theirs.issuer == Issuer.objects.get(municipality=staffed.m1)
    for person in ("ministry", "head_a", "teacher"):
        with pytest.raises(PermissionDenied):
            meetings.meeting_create(user=staffed.people[person], number="5", date="2026-07-14")
    # Naming another body does not help: the writer is checked against it.
    with pytest.raises(PermissionDenied):
        meetings.meeting_create(user=staffed.municipal, issuer=institute, number="5", date="2026-07-14")


@pytest.mark.parametrize(
    ("number", "date", "message"),
    [
        ("", "2026-07-14", "Укажите номер протокола."),
        ("4", "14/07/2026", "Дата заседания»: укажите дату"),
        ("4", "1899-01-01", "Дата заседания»: год должен быть"),
        ("4", "2099-01-01", "не больше года вперед"),
    ],
)
def test_a_meeting_without_number_or_with_a_bad_date_is_refused_in_russian(staffed, number, date, message):  # noqa: F811
    factories.institute_issuer()
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_create(user=staffed.analyst, number=number, date=date)
    assert message in " ".join(refused.value.messages)
    assert not Meeting.objects.exists()


def test_the_same_protocol_twice_is_refused(staffed):  # noqa: F811
    factories.institute_issuer()
    meetings.meeting_create(user=staffed.analyst, number="4", date="2026-07-14")
    with pytest.raises(ValidationError, match="уже есть"):
        meetings.meeting_create(user=staffed.analyst, number="4", date="2026-07-14")


@pytest.mark.parametrize(
    ("name", "content"),
    [("protocol.pdf", PDF), ("scan.png", PNG), ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16), ("p.docx", None)],
)
def test_a_protocol_file_is_accepted_by_its_bytes_and_stored_under_a_random_name(staffed, name, content):  # noqa: F811
    factories.institute_issuer()
    upload = SimpleUploadedFile(name, content if content is not None else _docx())
    meeting = meetings.meeting_create(user=staffed.analyst, number="4", date="2026-07-14", protocol_file=upload)
    stored = meeting.protocol_file.name
    assert stored.startswith("protocols/") and "protocol" not in stored.removeprefix("protocols/")
    assert stored.endswith("." + name.rsplit(".", 1)[1])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("protocol.exe", PDF, "не подходит"),
        ("protocol.pdf", b"MZ\x90\x00 not a pdf", "не соответствует"),
        ("protocol.docx", _xlsx(), "не соответствует"),
        ("protocol.png", PDF, "не соответствует"),
        ("protocol.pdf", b"", "пустой"),
        ("protocol.pdf", PDF + b"0" * (10 * 2**20), "слишком большой"),
        ("protocol.docx", _docx_bomb(), "zip-бомб"),
    ],
)
def test_a_protocol_file_that_is_not_what_it_claims_is_refused(staffed, name, content, message):  # noqa: F811
    factories.institute_issuer()
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError, match=message):
        meetings.meeting_create(user=staffed.analyst, number="4", date="2026-07-14", protocol_file=upload)
    assert not Meeting.objects.exists()


def test_a_meeting_cited_by_a_letter_is_not_deleted(staffed):  # noqa: F811
    factories.institute_issuer()
    cited = meetings.meeting_create(user=staffed.analyst, number="4", date="2026-07-14")
    spare = meetings.meeting_create(user=staffed.analyst, number="5", date="2026-07-15")
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(letter=letter, user=staffed.analyst, meeting=str(cited.pk))
    with pytest.raises(ValidationError, match="ссылаются письма"):
        meetings.meeting_delete(user=staffed.analyst, meeting=cited)
    with pytest.raises(PermissionDenied):
        meetings.meeting_delete(user=staffed.municipal, meeting=spare)
    meetings.meeting_delete(user=staffed.analyst, meeting=spare)
    assert list(Meeting.objects.values_list("number", flat=True)) == ["4"]


def test_a_letter_cites_only_its_own_bodys_meetings(staffed):  # noqa: F811
    factories.institute_issuer()
    foreign = meetings.meeting_create(user=staffed.municipal, number="9", date="2026-07-14")
    letter = _propose(staffed, "school_heads", staffed.m1)
    for value in (str(foreign.pk), "abc", "999999"):
        with pytest.raises(ValidationError, match=r"(?i)заседани"):
            letters.letter_update(letter=letter, user=staffed.analyst, meeting=value)
    letter.refresh_from_db()
    assert letter.meeting is None


def test_an_issued_letter_cites_the_meeting_with_the_bodys_name_number_and_date_in_its_pdf(staffed):  # noqa: F811
    """The issue's done-when: the letter's PDF names the body, «№ N» and the date of the adopting meeting."""
    factories.institute_issuer()
    Issuer.objects.filter(kind="institute").update(adoption_body="программно-методического совета")
    meeting = meetings.meeting_create(user=staffed.analyst, number="4", date="2026-02-14")
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(letter=letter, user=staffed.analyst, meeting=meeting.pk, protocol="устаревший текст")
    letter.refresh_from_db()
    letters.letter_approve(letter=letter, revision=letter.revision, user=_signer(staffed))
    issued = letters.letter_issue(letter=letter, user=staffed.analyst, today=dt.date(2026, 3, 2))
    # A line may break at the hyphen of «программно-методического»: the text read back joins it again.
    text = " ".join(pdf_text(letters.letter_pdf_verified(letter=issued)).split()).replace("- ", "-")
    assert "одобрены на заседании программно-методического совета" in text
    assert "протокол № 4 от 14.02.2026" in text
    assert "устаревший текст" not in text
    # A correction cites the same meeting.
    assert letters.letter_correct(letter=issued, user=staffed.analyst).meeting == meeting


def test_without_a_meeting_the_free_text_protocol_is_cited_with_the_bodys_name(staffed):  # noqa: F811
    factories.institute_issuer()
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(letter=letter, user=staffed.analyst, protocol="протокол № 3 от 01.02.2026")
    letter.refresh_from_db()
    assert letters.adoption_sentence(letter) == (
        "Рекомендации рассмотрены и одобрены на заседании научно-методического совета (протокол № 3 от 01.02.2026)."
    )
    letters.letter_update(letter=letter, user=staffed.analyst, protocol="")
    letter.refresh_from_db()
    assert letters.adoption_sentence(letter) == ""


def test_a_letter_citing_a_meeting_yet_to_be_held_is_not_issued(staffed):  # noqa: F811
    factories.institute_issuer()
    meeting = meetings.meeting_create(user=staffed.analyst, number="7", date="2026-03-10")
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(letter=letter, user=staffed.analyst, meeting=meeting.pk)
    letter.refresh_from_db()
    letters.letter_approve(letter=letter, revision=letter.revision, user=_signer(staffed))
    with pytest.raises(ValidationError, match="еще не прошло"):
        letters.letter_issue(letter=letter, user=staffed.analyst, today=dt.date(2026, 3, 2))
    letter.refresh_from_db()
    assert (letter.status, letter.number) == ("approved", "")
    issued = letters.letter_issue(letter=letter, user=staffed.analyst, today=dt.date(2026, 3, 10))
    assert issued.is_issued
