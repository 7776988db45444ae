"""Anonymity of an anonymous campaign's responses, read from the schema and from the rows.

The schema: the response keeps a person only through the four columns its check
constraint empties in an anonymous campaign (invitation, teacher, school, submitted_at);
every other reference of it goes to a non-person table, and no other table in the
project (``apps.get_models()``, history tables included) refers to a response. The rows:
after anonymous submissions through the links, no response holds anything of the person
(ids, code, name, token, browser digest, time), and no row of any table holds a
response's id next to a person. A new column, table or history that links them fails here.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.urls import reverse

from deficits.models import Campaign, Invitation, QuestionnaireEdition, Response
from deficits.questionnaire.links import invitation_token
from deficits.questionnaire.responding import response_submit
from monitoring.models import Municipality
from tests.deficits.questionnaire import answering
from tests.deficits.questionnaire.answering import TEACHER_ANSWERS

pytestmark = pytest.mark.django_db

# What the response may refer to: its campaign and edition, and the municipality of the breakdowns.
NON_PERSON = {Campaign, QuestionnaireEdition, Municipality}
# The response's columns that name a person, each emptied by the constraint in an anonymous campaign.
PERSON_COLUMNS = {"invitation", "teacher", "school", "submitted_at"}
CONSTRAINT = "response_anonymous_keeps_no_person"
TIME_FIELDS = (models.DateTimeField, models.DateField, models.TimeField, models.DurationField)


def response_schema_problems(model) -> list[str]:
    """What in the response's own fields could lead back to a person, beyond the constrained four."""
    problems = []
    for field in model._meta.get_fields():
        if field.name in PERSON_COLUMNS:
            if not getattr(field, "null", False):
                problems.append(f"{field.name} cannot be empty, so an anonymous response would have to fill it")
            continue
        if field.is_relation:
            if field.related_model not in NON_PERSON:
                problems.append(f"{field.name} refers to {field.related_model._meta.label}")
        elif isinstance(field, TIME_FIELDS):
            problems.append(f"{field.name} keeps a time")
        elif isinstance(field, models.AutoField | models.BigAutoField | models.IntegerField) and field.primary_key:
            problems.append(f"{field.name} is a sequential key: the order of insertion tells who answered when")
    return problems


def references_to_response(all_models) -> list[str]:
    """Every table that refers to a response (a foreign key, one-to-one or many-to-many)."""
    found = []
    for model in all_models:
        if model is Response:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if field.is_relation and field.concrete and field.related_model is Response:
                found.append(f"{model._meta.label}.{field.name}")
            if isinstance(field, models.ManyToManyField) and field.related_model is Response:
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_the_response_keeps_a_person_only_in_the_constrained_columns():
    assert response_schema_problems(Response) == []
    constraint = next(c for c in Response._meta.constraints if c.name == CONSTRAINT)
    emptied = {child[0].removesuffix("__isnull") for child in constraint.condition.children[1].children}
    assert emptied == PERSON_COLUMNS
    assert isinstance(Response._meta.pk, models.UUIDField)
    assert Response._meta.pk.default is uuid.uuid4


def test_no_table_refers_to_a_response():
    assert references_to_response(apps.get_models(include_auto_created=True)) == []


def test_the_schema_checks_would_catch_a_new_link():
    """The two checks above fail on a response column or a table that leads to a person."""
    from monitoring.models import Teacher

    def fake(**fields):
        for name, field in fields.items():
            field.set_attributes_from_name(name)
            field.model = Response
        meta = type("Meta", (), {"get_fields": staticmethod(lambda include_hidden=False: list(fields.values()))})
        return type("Fake", (), {"_meta": meta})

    added = fake(author=models.ForeignKey(Teacher, on_delete=models.CASCADE), opened=models.DateTimeField())
    assert response_schema_problems(added) == ["author refers to monitoring.Teacher", "opened keeps a time"]
    sequential = fake(id=models.BigAutoField(primary_key=True))
    assert response_schema_problems(sequential)
    pointer = fake(response=models.ForeignKey(Response, on_delete=models.CASCADE))
    pointer._meta.label = "x.Pointer"
    assert references_to_response([pointer]) == ["x.Pointer.response"]


@pytest.mark.parametrize("column", sorted(PERSON_COLUMNS))
def test_the_database_refuses_an_anonymous_response_with_a_person(world, column):
    campaign = answering.campaign(world, anonymous=True)
    invitation = answering.invitation(campaign, world.teacher_a, world.school_a)
    person = {
        "invitation": invitation,
        "teacher": world.teacher_a,
        "school": world.school_a,
        "submitted_at": dt.datetime(2025, 10, 1, tzinfo=dt.UTC),
    }[column]
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            campaign=campaign,
            edition=campaign.edition,
            anonymous=True,
            municipality=world.m1,
            answers={},
            **{column: person},
        )


def _scalar_texts(value) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (str(k), *_scalar_texts(v))]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _scalar_texts(v)]
    return [] if value is None else [str(value)]


def _is_person_field(field) -> bool:
    from monitoring.models import School, Teacher, User

    person = {Teacher, User, School, Invitation}
    return (field.is_relation and field.related_model in person) or isinstance(field, TIME_FIELDS)


def test_anonymous_submissions_leave_nothing_that_leads_back(world):
    campaign = answering.campaign(world, anonymous=True)
    people = [(world.teacher_a, world.school_a), (world.teacher_b, world.school_b), (world.teacher_c, world.school_c)]
    secrets_of = []
    for teacher, school in people:
        invitation = answering.invitation(campaign, teacher, school)
        token = invitation_token(invitation=invitation)
        browser = Client()
        browser.post(reverse("survey-answer", args=[token]))
        browser.post(
            reverse("survey-answer-page", args=[token, 1]), {"role": "head", "years": "9", "shown": "role years"}
        )
        browser.post(reverse("survey-answer-page", args=[token, 3]), {"short": "без имени", "shown": "short long"})
        invitation.refresh_from_db()
        assert invitation.answered and invitation.draft == {}
        # Ids are small integers any count may equal: the schema test keeps them out of the columns.
        secrets_of.append(
            {
                teacher.code,
                teacher.full_name,
                school.code,
                token,
                invitation.nonce,
                invitation.device,
                browser.cookies["survey_device"].value,
                invitation.started_at.isoformat(),
                invitation.started_at.strftime("%Y-%m-%d %H:%M"),
            }
        )
    # A named response in the same tables, so the scan below has something to tell apart.
    named = answering.campaign(world)
    response_submit(invitation=answering.invitation(named, world.teacher_a, world.school_a), answers=TEACHER_ANSWERS)

    responses = list(Response.objects.filter(campaign=campaign))
    assert len(responses) == 3
    every_secret = set().union(*secrets_of)
    for response in responses:
        assert response.anonymous
        assert (response.invitation_id, response.teacher_id, response.school_id, response.submitted_at) == (
            None,
            None,
            None,
            None,
        )
        for field in Response._meta.concrete_fields:
            value = getattr(response, field.attname)
            if isinstance(field, models.ForeignKey):
                assert field.related_model in NON_PERSON or value is None, field.name
            for text in _scalar_texts(value):
                leaked = [s for s in every_secret if s and (s == text or (len(s) > 6 and s in text))]
                assert not leaked, f"the response's {field.name} holds {leaked}"

    # No row of any table holds an anonymous response's id next to a person or a time.
    ids = {t for r in responses for t in (str(r.pk), r.pk.hex)}
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model is Response:
            continue
        person_fields = [f for f in model._meta.concrete_fields if _is_person_field(f)]
        for row in model._base_manager.all().values_list(*[f.attname for f in model._meta.concrete_fields]):
            texts = [t for value in row for t in _scalar_texts(value)]
            if any(i in t for t in texts for i in ids):
                label = model._meta.label
                found.append(f"{label} keeps an anonymous response's id")
                if person_fields:
                    found.append(f"{label} keeps it next to {', '.join(f.name for f in person_fields)}")
    assert found == []


def test_no_log_line_names_the_person_who_answered(world, caplog):
    campaign = answering.campaign(world, anonymous=True)
    invitation = answering.invitation(campaign, world.teacher_a, world.school_a)
    token = invitation_token(invitation=invitation)
    browser = Client()
    with caplog.at_level("DEBUG"):
        browser.post(reverse("survey-answer", args=[token]))
        browser.post(
            reverse("survey-answer-page", args=[token, 1]), {"role": "head", "years": "9", "shown": "role years"}
        )
        browser.post(reverse("survey-answer-page", args=[token, 3]), {"short": "без имени", "shown": "short long"})
    assert Response.objects.filter(campaign=campaign).count() == 1
    person = (world.teacher_a.full_name, world.teacher_a.code, world.school_a.name, world.school_a.code, token)
    named = [r.getMessage() for r in caplog.records if any(p in r.getMessage() for p in person)]
    assert named == []
