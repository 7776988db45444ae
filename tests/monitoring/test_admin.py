"""The admin, tried by each fixed person: lists are scoped and only the institute writes."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.urls import reverse

from monitoring import models
from tests import factories

pytestmark = pytest.mark.django_db


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_model_of_the_monitored_world_is_in_the_admin():
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    # Audit history shows as each model's «История», not as a model of its own.
    models_ = [m for m in apps.get_app_config("monitoring").get_models() if not issubclass(m, HistoricalChanges)]
    missing = [m.__name__ for m in models_ if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("analyst", {"000001", "000002", "000003"}),
        ("ministry", {"000001", "000002", "000003"}),
        ("municipal", {"000001", "000003"}),
        ("head_a", {"000001"}),
        ("head_b", {"000002"}),
    ],
)
def test_school_changelist_is_scoped(client, world, person, expected):
    client.force_login(world.people[person])
    response = client.get(_changelist(models.School))
    assert response.status_code == 200
    assert {s.code for s in response.context["cl"].result_list} == expected


def test_teacher_has_no_admin(client, world):
    client.force_login(world.teacher)
    response = client.get(_changelist(models.School))
    assert response.status_code == 302  # to the admin login: not staff


@pytest.mark.parametrize("model", [m for m in admin.site._registry if m._meta.app_label == "monitoring"])
def test_each_admin_list_opens_and_is_scoped_for_a_school_head(client, world, model):
    factories.StaffingRowFactory(period=world.period, school=world.school_b, position="учитель")
    client.force_login(world.head_a)
    response = client.get(_changelist(model))
    if model in (models.User, models.ApiToken):  # the institute's own registers
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert set(shown) <= set(model.objects.visible_to(world.head_a))
    # Nothing of school B's reaches head A in any list.
    assert "Быковская" not in response.content.decode()


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a"])
def test_only_the_institute_changes_data(client, world, person):
    client.force_login(world.people[person])
    add = client.get(reverse("admin:monitoring_school_add"))
    assert add.status_code == 403
    change = client.post(
        reverse("admin:monitoring_school_change", args=[world.school_a.pk]),
        {"code": "000001", "name": "Переименована", "municipality": world.m1.pk},
    )
    assert change.status_code == 403
    world.school_a.refresh_from_db()
    assert world.school_a.name == "МКОУ «Алексеевская СШ»"


def test_head_cannot_open_another_schools_admin_page(client, world):
    client.force_login(world.head_a)
    response = client.get(reverse("admin:monitoring_school_change", args=[world.school_b.pk]))
    # Django's admin redirects to the index with a message for an object outside the queryset.
    assert response.status_code == 302
    assert "Быковская" not in client.get(response["Location"]).content.decode()


def test_analyst_edits_and_constraint_message_reaches_the_form(client, world):
    client.force_login(world.analyst)
    url = reverse("admin:monitoring_staffingrow_add")
    response = client.post(
        url,
        {
            "period": world.period.pk,
            "school": world.school_a.pk,
            "position": "учитель",
            "positions_by_schedule": "5",
            "actual_need": "5",
            "vacant_positions": "6",
            "vacant_posts": "1",
        },
    )
    assert response.status_code == 200
    assert "Вакантных ставок не может быть меньше нуля или больше, чем ставок по штату." in response.content.decode()
    assert not models.StaffingRow.objects.exists()


def test_user_admin_is_for_the_institute_only(client, world):
    client.force_login(world.analyst)
    assert client.get(_changelist(models.User)).status_code == 200
    client.force_login(world.municipal)
    assert client.get(_changelist(models.User)).status_code == 403


# --- personal data in the admin (issue 14, item 3) -----------------------------------


def test_an_import_jobs_admin_page_hides_quoted_personal_data_from_officials(client, world, media_root):
    snils, born = "003-284-112 45", "31.12.2030"
    problems = [
        {"sheet": "Педагоги", "row": 2, "column": "СНИЛС", "value": snils, "message": "контрольное число",
         "text": f"Лист «Педагоги», строка 2, столбец «СНИЛС»: контрольное число (значение: «{snils}»)"},
        {"sheet": "Педагоги", "row": 3, "column": "Дата рождения", "value": born, "message": "дата еще не наступила",
         "text": f"Лист «Педагоги», строка 3, столбец «Дата рождения»: дата еще не наступила (значение: «{born}»)"},
    ]  # fmt: skip
    job = factories.ImportJobFactory(
        period=world.period, school=world.school_a, user=world.head_a, problems=problems, status="refused"
    )
    url = reverse("admin:monitoring_importjob_change", args=[job.pk])
    for person, shown in (("ministry", False), ("municipal", False), ("analyst", True), ("head_a", True)):
        client.force_login(world.people[person])
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert (snils in text, born in text) == (shown, shown), person
        if not shown:
            assert "скрыто" in text and 'href="/media/' not in text
    job.refresh_from_db()
    assert job.problems[0]["value"] == snils  # shown masked, stored as it was


def test_an_import_jobs_files_link_to_the_scoped_downloads_not_media(client, world, media_root):
    # A leftover of an attack: the admin linked the stored upload to /media/…, which nothing serves (404).
    from django.core.files.base import ContentFile

    job = factories.ImportJobFactory(
        period=world.period, school=world.school_a, user=world.head_a, status="refused", original_name="шр.xlsx",
        problems=[{"sheet": "Педагоги", "row": 2, "column": "ФИО", "value": "", "message": "пусто", "text": "пусто"}],
    )  # fmt: skip
    job.file.save("шр.xlsx", ContentFile(b"PK"), save=True)
    url = reverse("admin:monitoring_importjob_change", args=[job.pk])
    client.force_login(world.analyst)
    text = client.get(url).content.decode()
    assert 'href="/media/' not in text
    assert f'href="{reverse("import-file", args=[job.pk])}">шр.xlsx</a>' in text
    assert f'href="{reverse("import-error-report", args=[job.pk])}"' in text
    client.force_login(world.ministry)  # no personal data: no link to the file at all
    job.preview = {"Педагоги": {"changed": [{"name": "Петрова", "fields": [{"column": "СНИЛС", "after": "003-284"}]}]}}
    job.save(update_fields=["preview"])
    text = client.get(url).content.decode()
    assert reverse("import-file", args=[job.pk]) not in text and 'href="/media/' not in text
    assert "003-284" not in text  # the preview's personal values are not shown raw either


@pytest.mark.parametrize(
    ("path", "lookup", "for_staff"),
    [
        ("/admin/monitoring/teacher/", "?code=T0000001&snils__startswith=003-284", True),
        ("/admin/monitoring/teacher/", "?birth_date__year=1980", True),
        ("/admin/monitoring/teacher/", "?birth_date__gte=1980-01-01", True),
        # Through a relation Django refuses what list_filter does not offer, to everyone.
        ("/admin/monitoring/rosterentry/", "?teacher__birth_date__year=1980", False),
        ("/admin/monitoring/rosterentry/", "?teacher__snils__contains=1", False),
    ],
)
def test_officials_cannot_filter_by_personal_fields(client, world, path, lookup, for_staff):
    """An oracle: yes/no answers to a filter read a СНИЛС out digit by digit."""
    world.teacher_a.snils = "003-284-112 45"
    world.teacher_a.save()
    for person, allowed in (("ministry", False), ("municipal", False), ("analyst", for_staff), ("head_a", for_staff)):
        client.force_login(world.people[person])
        response = client.get(path + lookup)
        assert (response.status_code == 200) is allowed, (person, response.status_code)
        if not allowed:
            assert response.status_code == 400


def test_the_admin_shows_a_closed_periods_rows_read_only(client, world):
    """Closed means read-only at every door, the institute's admin included (issue 14, item 6)."""
    row = factories.StaffingRowFactory(period=world.period, school=world.school_a, positions_by_schedule=8)
    models.MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=models.PeriodStatus.CLOSED)
    client.force_login(world.analyst)
    change = reverse("admin:monitoring_staffingrow_change", args=[row.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # view only
    form = {
        "period": world.period.pk, "school": world.school_a.pk, "position": "учитель", "positions_by_schedule": "99",
        "actual_need": "1", "vacant_positions": "0", "vacant_posts": "0",
    }  # fmt: skip
    assert client.post(change, form).status_code == 403
    assert (
        client.post(reverse("admin:monitoring_staffingrow_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    )
    added = client.post(reverse("admin:monitoring_staffingrow_add"), {**form, "position": "воспитатель"})
    assert added.status_code == 200 and "Период мониторинга 2025 года закрыт" in added.content.decode()
    assert list(models.StaffingRow.objects.values_list("positions_by_schedule", flat=True)) == [8]
    # The period itself stays editable: the institute reopens it there.
    assert client.get(reverse("admin:monitoring_monitoringperiod_change", args=[world.period.pk])).status_code == 200


# --- users: institute staff never grant more than their own powers (the attack on issue 14) ---


def _user_form(user: models.User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "role": user.role,
        "position": user.position or "",
        "date_joined_0": "01.01.2025",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "01.01.2025",
        "initial-date_joined_1": "00:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_an_analyst_cannot_make_anyone_superuser(client, world):
    client.force_login(world.analyst)
    for target in (world.analyst, world.head_a):
        url = reverse("admin:monitoring_user_change", args=[target.pk])
        page = client.get(url)
        assert page.status_code == 200 and 'name="is_superuser"' not in page.content.decode()
        client.post(url, _user_form(target, is_superuser="on", user_permissions="1", groups=""))
        target.refresh_from_db()
        assert not target.is_superuser and not target.user_permissions.exists()


def test_a_superusers_account_and_password_are_changed_by_a_superuser_only(client, world):
    root = factories.UserFactory(username="root", role=models.Role.ANALYST, is_superuser=True, is_staff=True)
    root.set_password("old-secret-phrase")
    root.save()
    client.force_login(world.analyst)
    password = reverse("admin:auth_user_password_change", args=[root.pk])
    assert client.get(password).status_code == 403
    response = client.post(password, {"password1": "Zz9-new-secret", "password2": "Zz9-new-secret"})
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("old-secret-phrase")
    assert client.post(reverse("admin:monitoring_user_change", args=[root.pk]), _user_form(root)).status_code == 403
    assert client.post(reverse("admin:monitoring_user_delete", args=[root.pk]), {"post": "yes"}).status_code == 403
    # A superuser still manages everyone.
    client.force_login(root)
    client.post(
        reverse("admin:monitoring_user_change", args=[world.analyst.pk]), _user_form(world.analyst, is_superuser="on")
    )
    world.analyst.refresh_from_db()
    assert world.analyst.is_superuser


def test_institute_staff_accounts_are_managed_by_a_superuser_only(client, world):
    # The attack on issue 16: the analyst reset the «director» analyst's password (200), then
    # signed letters as them — four eyes on letters rely on distinct people.
    director = factories.UserFactory(username="director", role=models.Role.ANALYST, is_staff=True)
    director.set_password("old-secret-phrase")
    director.save()
    client.force_login(world.analyst)
    password = reverse("admin:auth_user_password_change", args=[director.pk])
    assert client.get(password).status_code == 403
    assert client.post(password, {"password1": "Zz9-new-secret", "password2": "Zz9-new-secret"}).status_code == 403
    change = reverse("admin:monitoring_user_change", args=[director.pk])
    assert client.post(change, _user_form(director, last_name="Подменный")).status_code == 403
    assert client.post(reverse("admin:monitoring_user_delete", args=[director.pk]), {"post": "yes"}).status_code == 403
    director.refresh_from_db()
    assert director.check_password("old-secret-phrase") and director.last_name != "Подменный"
    # No new analyst account, and no head turned into one.
    added = client.post(
        reverse("admin:monitoring_user_add"),
        {"username": "twin", "usable_password": "false", "role": models.Role.ANALYST},
    )
    assert added.status_code == 200 and "role" in added.context["adminform"].form.errors
    assert not models.User.objects.filter(username="twin").exists()
    head_change = reverse("admin:monitoring_user_change", args=[world.head_a.pk])
    client.post(head_change, _user_form(world.head_a, role=models.Role.ANALYST, school=world.school_a.pk))
    world.head_a.refresh_from_db()
    assert world.head_a.role == models.Role.SCHOOL_HEAD


def test_an_analyst_keeps_managing_their_own_and_non_institute_accounts(client, world):
    client.force_login(world.analyst)
    head_password = reverse("admin:auth_user_password_change", args=[world.head_a.pk])
    assert client.get(head_password).status_code == 200
    client.post(head_password, {"password1": "Zz9-new-secret", "password2": "Zz9-new-secret"})
    world.head_a.refresh_from_db()
    assert world.head_a.check_password("Zz9-new-secret")
    own = reverse("admin:monitoring_user_change", args=[world.analyst.pk])
    client.post(own, _user_form(world.analyst, last_name="Новикова"))
    world.analyst.refresh_from_db()
    assert world.analyst.last_name == "Новикова" and world.analyst.role == models.Role.ANALYST
    added = client.post(
        reverse("admin:monitoring_user_add"),
        {"username": "new_official", "usable_password": "false", "role": models.Role.MINISTRY},
    )
    assert added.status_code == 302
    assert models.User.objects.get(username="new_official").role == models.Role.MINISTRY
    # A superuser creates institute staff.
    root = factories.UserFactory(username="root", role=models.Role.ANALYST, is_superuser=True, is_staff=True)
    client.force_login(root)
    client.post(
        reverse("admin:monitoring_user_add"),
        {"username": "colleague", "usable_password": "false", "role": models.Role.ANALYST},
    )
    assert models.User.objects.get(username="colleague").role == models.Role.ANALYST


def test_a_value_that_is_no_key_in_an_autocomplete_field_is_a_form_error(client, world):
    # A teacher's code where the id goes: Django's autocomplete widget raised (500) redrawing it.
    client.force_login(world.analyst)
    response = client.post(
        reverse("admin:monitoring_user_add"),
        {"username": "new1", "usable_password": "false", "role": models.Role.TEACHER, "teacher": "T0000001"},
    )
    assert response.status_code == 200
    assert "teacher" in response.context["adminform"].form.errors
    assert not models.User.objects.filter(username="new1").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subjects", '["\\u0000"]', "Недопустимый символ (NUL)"),
        ("subjects", "[" * 5000 + "]" * 5000, "вложено слишком глубоко"),
        ("subjects", "[1e400]", "NaN или бесконечность"),
        ("subjects", '["Математика", -Infinity]', "NaN или бесконечность"),
        ("subjects", '{"a": 1}', "Ожидается список названий"),
        ("category_date", "01.01.0001", "между 1900 и 2100"),
        ("category_date", "31.12.9999", "между 1900 и 2100"),
    ],
)
def test_the_admins_fields_refuse_what_uploads_refuse(client, world, field, value, message):
    # The third attack: a NUL in a roster row's subjects (500 on PostgreSQL), category dates 0001 and 9999 saved.
    entry = models.RosterEntry.objects.filter(period=world.period).first()
    client.force_login(world.analyst)
    url = reverse("admin:monitoring_rosterentry_change", args=[entry.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else (v if not isinstance(v, list | dict) else json.dumps(v))) for k, v in data.items()}
    data.update({"period": entry.period_id, "teacher": entry.teacher_id, "school": entry.school_id, field: value})
    if "category_date" in data and field != "category_date":
        data["category_date"] = ""
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors), response.context["adminform"].form.errors
    entry.refresh_from_db()
    assert entry.category_date is None or 1900 <= entry.category_date.year <= 2100


def test_every_admin_form_and_inline_has_the_safe_fields():
    # The fourth attack: inlines (a program's runs, a period's plan) took dates 0001 and 9999
    # that the same models' own forms refused. Every admin and every inline shares the rules.
    from monitoring.shared.admin import SafeFieldsMixin

    unsafe = []
    for model_admin in admin.site._registry.values():
        if not isinstance(model_admin, SafeFieldsMixin) and model_admin.__module__.split(".")[0] in (
            "monitoring",
            "deficits",
            "iom",
            "indicators",
            "reports",
        ):
            unsafe.append(type(model_admin).__name__)
        unsafe += [i.__name__ for i in model_admin.inlines if not issubclass(i, SafeFieldsMixin)]
    assert unsafe == []


def test_an_inline_refuses_a_date_outside_the_years(client, world):
    from tests import factories as f

    run = f.CourseRunFactory()
    program = run.program
    client.force_login(world.analyst)
    url = reverse("admin:iom_program_change", args=[program.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    data = {k: (v if not isinstance(v, bool) else ("on" if v else "")) for k, v in data.items()}
    data = {k: v for k, v in data.items() if v != ""}
    context = client.get(url).context
    for formset in context["inline_admin_formsets"]:
        fs = formset.formset
        data[f"{fs.prefix}-TOTAL_FORMS"] = str(fs.total_form_count())
        data[f"{fs.prefix}-INITIAL_FORMS"] = str(fs.initial_form_count())
        for i, sub in enumerate(fs.forms):
            for name in sub.fields:
                value = sub[name].value()
                if value not in (None, ""):
                    data[f"{fs.prefix}-{i}-{name}"] = (
                        value.strftime("%d.%m.%Y") if hasattr(value, "strftime") else value
                    )
            if sub.instance.pk == run.pk:
                data[f"{fs.prefix}-{i}-end"] = "31.12.9999"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "между 1900 и 2100" in response.content.decode()
    run.refresh_from_db()
    assert run.end.year < 9999


def test_the_export_pages_select_all_box_gets_the_script_that_makes_it_work_and_read(client, world):
    # The library binds «Select all» with onchange="…" (refused by the Content-Security-Policy) and
    # labels it for an id it does not have; static/js/admin-export.js rebinds, ties and translates it.
    client.force_login(world.people["analyst"])
    response = client.get(reverse("admin:monitoring_school_export"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="select-toggle"' in page  # the library's box is still there to fix
    assert "js/admin-export.js" in page
