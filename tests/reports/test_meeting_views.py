"""The meetings page: the body's own staff add and delete meetings; the protocol downloads in scope only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import letters, meetings
from reports.models import Meeting
from tests import factories
from tests.reports.letters.helpers import _propose, staffed  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

PDF = b"%PDF-1.4\n%%EOF\n"
URL = "/letters/meetings/"


def test_the_page_is_the_writers_of_a_body_only(client, staffed):  # noqa: F811
    factories.institute_issuer()
    assert reverse("meeting-list") == URL
    for name, status in {"analyst": 200, "municipal": 200, "ministry": 404, "head_a": 404, "teacher": 404}.items():
        client.force_login(staffed.people[name])
        assert client.get(URL).status_code == status, name


def test_a_meeting_is_added_with_its_protocol_and_downloaded_as_an_attachment(client, staffed):  # noqa: F811
    factories.institute_issuer()
    client.force_login(staffed.municipal)
    upload = SimpleUploadedFile("Протокол 4.pdf", PDF, content_type="application/pdf")
    response = client.post(URL, {"number": "4", "date": "2026-07-14", "agenda": "Итоги", "protocol_file": upload})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.issuer.municipality == staffed.m1
    page = client.get(URL).content.decode()
    assert "№ 4 от 14.07.2026" in page
    download = client.get(reverse("meeting-protocol", kwargs={"pk": meeting.pk}))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    # The institute and the ministry see every body's meetings; another municipality's people do not.
    for name, status in {"analyst": 200, "ministry": 200, "head_b": 404, "teacher": 404}.items():
        client.force_login(staffed.people[name])
        assert client.get(reverse("meeting-protocol", kwargs={"pk": meeting.pk})).status_code == status, name


def test_a_wrong_file_is_refused_with_everything_typed_kept(client, staffed):  # noqa: F811
    factories.institute_issuer()
    client.force_login(staffed.analyst)
    upload = SimpleUploadedFile("protocol.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(
        URL, {"number": "77", "date": "2026-07-14", "agenda": "Повестка дня", "protocol_file": upload}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "не соответствует" in page and 'value="77"' in page and "Повестка дня" in page
    assert not Meeting.objects.exists()
    assert client.post(URL, {"number": "", "date": "июль"}).status_code == 400


def test_a_cited_meeting_is_not_deleted_through_the_page(client, staffed):  # noqa: F811
    factories.institute_issuer()
    cited = meetings.meeting_create(user=staffed.analyst, number="4", date="2026-07-14")
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(letter=letter, user=staffed.analyst, meeting=cited.pk)
    client.force_login(staffed.analyst)
    response = client.post(reverse("meeting-delete", kwargs={"pk": cited.pk}), follow=True)
    assert "ссылаются письма" in response.content.decode()
    assert Meeting.objects.filter(pk=cited.pk).exists()
    # Another body's official does not reach it at all.
    client.force_login(staffed.municipal)
    assert client.post(reverse("meeting-delete", kwargs={"pk": cited.pk})).status_code == 404


def test_the_letter_editor_offers_the_bodys_meetings_and_keeps_the_choice(client, staffed):  # noqa: F811
    factories.institute_issuer()
    meeting = meetings.meeting_create(user=staffed.analyst, number="4", date="2026-07-14")
    letter = _propose(staffed, "school_heads", staffed.m1)
    client.force_login(staffed.analyst)
    edit = reverse("letter-edit", kwargs={"pk": letter.pk})
    assert "протокол № 4 от 14.07.2026" in client.get(edit).content.decode()
    response = client.post(edit, {"revision": letter.revision, "title": letter.title, "meeting": meeting.pk})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.meeting == meeting
    page = client.get(reverse("letter-detail", kwargs={"pk": letter.pk})).content.decode()
    assert "научно-методического совета (протокол № 4 от 14.07.2026)" in page
    refused = client.post(edit, {"revision": letter.revision, "title": "Новый заголовок", "meeting": "abc"})
    assert refused.status_code == 200 and "Новый заголовок" in refused.content.decode()


def test_the_adopting_body_is_set_on_the_requisites_page(client, staffed):  # noqa: F811
    client.force_login(staffed.municipal)
    url = reverse("requisites-edit")
    assert "одобряющий рекомендации" in client.get(url).content.decode()
    values = {
        "name": "Отдел по образованию М1",
        "address": "403000, г. Энск-1",
        "city": "Энск-1",
        "signatory_position": "Начальник",
        "signatory_name": "А. Б. Иванов",
        "adoption_body": "программно-методического совета",
    }
    assert client.post(url, values).status_code == 302
    issuer = letters.municipal_issuer(municipality=staffed.m1)
    assert issuer.adoption_body == "программно-методического совета"
    # Left empty, the usual body.
    assert client.post(url, values | {"adoption_body": ""}).status_code == 302
    issuer.refresh_from_db()
    assert issuer.adoption_body == "научно-методического совета"


def test_a_protocol_number_with_a_slash_keeps_it_in_the_download_name(client, staffed):  # noqa: F811
    from urllib.parse import unquote  # only this test reads the encoded name

    factories.institute_issuer()
    client.force_login(staffed.municipal)
    upload = SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf")
    client.post(URL, {"number": "12/2026", "date": "2026-07-14", "protocol_file": upload})
    meeting = Meeting.objects.get()
    disposition = unquote(client.get(reverse("meeting-protocol", kwargs={"pk": meeting.pk}))["Content-Disposition"])
    assert "Протокол № 12-2026 от 14.07.2026.pdf" in disposition

