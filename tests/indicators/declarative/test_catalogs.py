"""The shipped catalogs (fixtures/indicator_catalogs): they validate, load once, compute what was counted by hand.

Each data set below is small enough to count on paper; the comments say who counts and
why, and the expected numerators and denominators are those counts, written as literals.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from indicators.declarative.files import catalog_check, catalog_load
from indicators.declarative.services import catalog_adopt
from indicators.declarative.shipped import SHIPPED_DIR, shipped_catalogs_load, shipped_files
from indicators.engine import compute_period
from indicators.models import Indicator, IndicatorCatalog, IndicatorValue, Level
from iom.models import Enrollment
from monitoring.demo import seed_demo
from monitoring.models import (
    ActivistRole,
    Category,
    CompetitionEntry,
    EducationLevel,
    MentoringPair,
    MentoringProgram,
    MethodicalActivist,
    MonitoringPeriod,
    PeriodStatus,
    RosterEntry,
    SchoolKind,
    SupportProject,
    SupportProjectParticipant,
)
from reports.models import RecommendationText
from tests import factories
from tests.indicators.helpers import value

pytestmark = pytest.mark.django_db

ZH, SM, MO, QS, AT = "zhirnovsk-2022", "smolensk-2020", "dpo-monitoring-scheme", "questionnaires", "attestation"
REGIONAL = "ГАУ ДПО «Волгоградская государственная академия последипломного образования»"
EXTERNAL = "ФГАОУ ДПО «Академия Минпросвещения России»"
Y2024 = {"start": dt.date(2024, 3, 1), "end": dt.date(2024, 5, 1)}  # a run of the year before the period


def shipped(slug: str) -> bytes:
    return (SHIPPED_DIR / f"{slug}.json").read_bytes()


def load_and_adopt(period, *slugs: str):
    for slug in slugs:
        catalog = catalog_load(data=shipped(slug), user=None)
        catalog_adopt(period=period, catalog=catalog, user=None, compute=False)
    compute_period(period=period)


def d(text) -> Decimal:
    return Decimal(str(text))


def triple(period, code: str, level: str, org: str) -> tuple:
    num, den, val = value(period, code, level, org)
    return num, den, val


def teacher_at(period, school, **roster) -> object:
    teacher = factories.TeacherFactory(birth_date=roster.pop("birth_date", dt.date(1980, 5, 17)))
    factories.RosterEntryFactory(period=period, teacher=teacher, school=school, **roster)
    return teacher


def completed(teacher, program, *, status="завершил", satisfaction=None, **dates):
    run = factories.CourseRunFactory(program=program, **dates)
    return factories.EnrollmentFactory(teacher=teacher, course=run, status=status, satisfaction=satisfaction)


# --- the files ---------------------------------------------------------------------------


def test_five_catalogs_are_shipped():
    assert [p.stem for p in shipped_files()] == sorted([ZH, SM, MO, QS, AT])


@pytest.mark.parametrize(("slug", "count"), [(ZH, 13), (SM, 3), (MO, 6), (QS, 1), (AT, 1)])
def test_each_shipped_file_validates_and_loads(slug, count):
    meta, specs = catalog_check(shipped(slug))
    assert meta["slug"] == slug and len(specs) == count
    # Every indicator has a threshold, so findings come out of it, and a note saying the choices.
    assert all(s["threshold"] is not None and s["note"] for s in specs)
    catalog = catalog_load(data=shipped(slug), user=None)
    assert catalog.indicators.count() == count
    # Every indicator gets a conclusion of its own from the file.
    with_conclusion = set(
        RecommendationText.objects.filter(indicator__catalog=catalog, kind="conclusion").values_list(
            "indicator__code", flat=True
        )
    )
    assert with_conclusion == {s["code"] for s in specs}


def test_titles_are_the_documents_words():
    specs = {s["code"]: s for s in catalog_check(shipped(ZH))[1]}
    assert specs["Ж.11"]["title"] == (
        "Организация повышения квалификации педагогических работников по вопросам организации воспитания обучающихся"
    )
    assert specs["Ж.11"]["numerator"][0]["where"][-1] == {"field": "program.topic", "op": "in", "value": ["воспитание"]}
    smolensk = [s["title"] for s in catalog_check(shipped(SM))[1]]
    assert smolensk == [
        "Повышение квалификации педагогов на основе профессиональных дефицитов",
        "Качество программ ДПО",
        "Осуществление профессиональной переподготовки по программам педагогической направленности",
    ]
    # The seven topics of the letter are the seven topic tags, each on one indicator.
    topics = {
        s["numerator"][0]["where"][-1]["value"][0]
        for s in specs.values()
        if s["numerator"] and s["numerator"][0].get("where") and "topic" in s["numerator"][0]["where"][-1]["field"]
    }
    assert topics == {"оценка качества", "ШНОР", "таланты", "профориентация", "воспитание", "дошкольное",
                      "федеральные программы"}  # fmt: skip


def test_loading_the_shipped_catalogs_twice_changes_nothing():
    first = shipped_catalogs_load()
    assert sorted(s.slug for s in first if s.loaded) == sorted([ZH, SM, MO, QS, AT])
    texts = RecommendationText.objects.count()
    history = Indicator.history.count()
    again = shipped_catalogs_load()
    assert not any(s.loaded for s in again)
    assert (RecommendationText.objects.count(), Indicator.history.count()) == (texts, history)
    assert IndicatorCatalog.objects.count() == 5


def test_a_changed_file_is_loaded_again(tmp_path):
    shipped_catalogs_load()
    data = json.loads(shipped(SM))
    data["indicators"][1]["threshold"] = "60"
    (tmp_path / "smolensk.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    [item] = shipped_catalogs_load(directory=tmp_path)
    assert item.loaded
    assert Indicator.objects.get(code="С.2").spec["threshold"] == "60"


# --- Zhirnovsk, counted by hand --------------------------------------------------------------


@pytest.fixture
def zhirnovsk(world):
    """Four schools of the world's period, the teachers below, their courses, diagnostics and routes.

    school_a (m1): teacher_a, a2, a3, a4 (a4 without pedagogical education) — 4 teachers
    school_b (m2, ШНОР): teacher_b, b2 — 2
    school_c (m1): teacher_c — 1
    school_d (m2, preschool): d1, d2 (d2 without pedagogical education) — 2        region: 9
    """
    period, w = world.period, world
    w.school_b.low_results = True
    w.school_b.save()
    school_d = factories.SchoolFactory(municipality=w.m2, code="000004", kind=SchoolKind.PRESCHOOL)
    a2 = teacher_at(period, w.school_a)
    a3 = teacher_at(period, w.school_a, birth_date=dt.date(1996, 1, 1))  # young: 29 at 2025-12-31
    a4 = teacher_at(period, w.school_a, pedagogical_education=False, birth_date=dt.date(1995, 6, 1))  # young
    b2 = teacher_at(period, w.school_b)
    d1 = teacher_at(period, school_d)
    teacher_at(period, school_d, pedagogical_education=False)  # d2
    upbringing = factories.ProgramFactory(topics=["воспитание"])
    talents = factories.ProgramFactory(topics=["таланты"])
    shnor = factories.ProgramFactory(topics=["ШНОР"])
    preschool = factories.ProgramFactory(topics=["дошкольное"])
    retraining_upbringing = factories.ProgramFactory(kind="ПП", hours=256, topics=["воспитание"])
    completed(w.teacher_a, upbringing)  # counts for Ж.11
    completed(w.teacher_a, talents)  # counts for Ж.9
    completed(a2, upbringing, status="отчислен")  # expelled: no
    completed(a3, upbringing, **Y2024)  # last year: no
    completed(a4, retraining_upbringing)  # a retraining program, not ПК: no for Ж.11; yes for Ж.5
    completed(w.teacher_b, upbringing)  # counts for Ж.11
    completed(w.teacher_b, shnor)  # counts for Ж.8
    completed(b2, talents, status="зачислен")  # not finished: no
    completed(d1, preschool)  # counts for Ж.12
    # Ж.1: submitted diagnostics dated in 2025 — teacher_a and teacher_b; a2's is of 2024, c's a draft.
    factories.DiagnosticFactory(teacher=w.teacher_a, submit=True)
    factories.DiagnosticFactory(teacher=w.teacher_b, submit=True)
    factories.DiagnosticFactory(teacher=a2, submit=True, date=dt.date(2024, 11, 1))
    factories.DiagnosticFactory(teacher=w.teacher_c)
    # Ж.2: school_a has an active route based on the diagnostic; b's is not based on it; c's ended in 2024.
    factories.RouteFactory(teacher=w.teacher_a)
    factories.RouteFactory(teacher=w.teacher_b, based_on_diagnostic=False)
    factories.RouteFactory(teacher=w.teacher_c, start=dt.date(2023, 1, 1), end=dt.date(2024, 12, 31))
    # Ж.4: 1.5 + 0.5 vacant positions at school_a, none at school_b.
    factories.StaffingRowFactory(period=period, school=w.school_a, vacant_positions="1.5")
    factories.StaffingRowFactory(period=period, school=w.school_a, vacant_positions="0.5")
    factories.StaffingRowFactory(period=period, school=w.school_b, vacant_positions="0")
    # Ж.3: two tutors in m1, a RUMO member (not a tutor) in m2.
    for n, (role, mun) in enumerate(
        ((ActivistRole.TUTOR, w.m1), (ActivistRole.TUTOR, w.m1), (ActivistRole.RUMO, w.m2))
    ):
        MethodicalActivist.objects.create(period=period, full_name=f"Активист {n}", municipality=mun, role=role)
    # Ж.6: young teachers are a3 and a4 (school_a); a3 is a mentee in a pair of the period.
    program = MentoringProgram.objects.create(period=period, code="НП-1", name="Наставничество", school=w.school_a)
    MentoringPair.objects.create(program=program, mentor=w.teacher_a, mentee=a3)
    load_and_adopt(period, ZH)
    return w, school_d


def test_zhirnovsk_topics_counted_by_hand(zhirnovsk):
    w, _ = zhirnovsk
    p = w.period
    # Ж.11 (воспитание): teacher_a of 4 at school_a, teacher_b of 2 at school_b, none at c and d.
    assert triple(p, "Ж.11", Level.SCHOOL, "000001") == (d(1), d(4), d("25.00"))
    assert triple(p, "Ж.11", Level.SCHOOL, "000002") == (d(1), d(2), d("50.00"))
    assert triple(p, "Ж.11", Level.SCHOOL, "000003") == (d(0), d(1), d("0.00"))
    assert triple(p, "Ж.11", Level.SCHOOL, "000004") == (d(0), d(2), d("0.00"))
    # m1 = school_a + school_c: 1 of 5; m2 = school_b + school_d: 1 of 4; the region 2 of 9.
    assert triple(p, "Ж.11", Level.MUNICIPALITY, "01") == (d(1), d(5), d("20.00"))
    assert triple(p, "Ж.11", Level.MUNICIPALITY, "02") == (d(1), d(4), d("25.00"))
    assert triple(p, "Ж.11", Level.REGION, "34") == (d(2), d(9), d("22.22"))
    # Ж.9 (таланты): teacher_a only (b2 is still enrolled).
    assert triple(p, "Ж.9", Level.REGION, "34") == (d(1), d(9), d("11.11"))
    # Ж.7 (оценка качества): nobody.
    assert triple(p, "Ж.7", Level.REGION, "34") == (d(0), d(9), d("0.00"))
    # Ж.8: only school_b is ШНОР; teacher_b of its 2 teachers took the ШНОР course.
    assert triple(p, "Ж.8", Level.SCHOOL, "000002") == (d(1), d(2), d("50.00"))
    assert triple(p, "Ж.8", Level.REGION, "34") == (d(1), d(2), d("50.00"))
    # Ж.12: only school_d is preschool; d1 of its 2 teachers.
    assert triple(p, "Ж.12", Level.SCHOOL, "000004") == (d(1), d(2), d("50.00"))
    assert triple(p, "Ж.12", Level.REGION, "34") == (d(1), d(2), d("50.00"))
    # No value for a school outside the indicator's denominator.
    assert not IndicatorValue.objects.filter(
        period=p, indicator__code="Ж.12", org_code="000001", value__isnull=False
    ).exists()


def test_zhirnovsk_other_indicators_counted_by_hand(zhirnovsk):
    w, _ = zhirnovsk
    p = w.period
    # Ж.1: teacher_a of school_a's 4, teacher_b of school_b's 2; region 2 of 9.
    assert triple(p, "Ж.1", Level.SCHOOL, "000001") == (d(1), d(4), d("25.00"))
    assert triple(p, "Ж.1", Level.REGION, "34") == (d(2), d(9), d("22.22"))
    # Ж.2 is a flag: school_a has a route based on the diagnostic, b and c do not.
    assert value(p, "Ж.2", Level.SCHOOL, "000001")[2] == d(1)
    assert value(p, "Ж.2", Level.SCHOOL, "000002")[2] == d(0)
    assert value(p, "Ж.2", Level.SCHOOL, "000003")[2] == d(0)
    # Ж.3: 2 tutors in m1, 0 in m2 (the RUMO member is not one).
    assert value(p, "Ж.3", Level.MUNICIPALITY, "01")[0] == d(2)
    assert value(p, "Ж.3", Level.REGION, "34")[0] == d(2)
    # Ж.4: 1.5 + 0.5 = 2 vacant positions at school_a.
    assert value(p, "Ж.4", Level.SCHOOL, "000001")[2] == d(2)
    assert value(p, "Ж.4", Level.SCHOOL, "000002")[2] == d(0)
    # Ж.5: a4 (school_a) and d2 (school_d) lack pedagogical education; a4 finished a retraining.
    assert triple(p, "Ж.5", Level.SCHOOL, "000001") == (d(1), d(1), d("100.00"))
    assert triple(p, "Ж.5", Level.REGION, "34") == (d(1), d(2), d("50.00"))
    # Ж.6: young a3 and a4, a3 a mentee.
    assert triple(p, "Ж.6", Level.SCHOOL, "000001") == (d(1), d(2), d("50.00"))


def test_zhirnovsk_support_project_counts_for_young_teachers(world):
    period = world.period
    young = teacher_at(period, world.school_c, birth_date=dt.date(1999, 1, 1))
    teacher_at(period, world.school_c, birth_date=dt.date(1998, 1, 1))
    project = SupportProject.objects.create(period=period, code="ПП-1", name="Школа молодого педагога")
    SupportProjectParticipant.objects.create(project=project, teacher=young)
    load_and_adopt(period, ZH)
    # Two young teachers at school_c (teacher_c is 45), one in the project.
    assert triple(period, "Ж.6", Level.SCHOOL, "000003") == (d(1), d(2), d("50.00"))


# --- Smolensk, counted by hand ----------------------------------------------------------------


def test_smolensk_counted_by_hand(world):
    p, w = world.period, world
    a2 = teacher_at(p, w.school_a)
    a3 = teacher_at(p, w.school_a, pedagogical_education=False)
    b2 = teacher_at(p, w.school_b, pedagogical_education=False)
    based = factories.ProgramFactory(diagnostics_based=True)
    plain = factories.ProgramFactory()
    retraining = factories.ProgramFactory(kind="ПП", hours=256)
    # С.1: of those who finished a ПК course in 2025 (teacher_a; teacher_b and b2 below), teacher_a's was
    # diagnostics-based.
    completed(w.teacher_a, based, satisfaction=5)
    completed(w.teacher_b, plain, satisfaction=4)
    # С.2 counts enrollments of 2025 with a rating: a(5), b(4), a2(3); b2's has none; a3's is of 2024.
    completed(a2, plain, status="отчислен", satisfaction=3)
    completed(b2, plain)  # finished, unrated
    completed(a3, based, satisfaction=5, **Y2024)
    # С.3: a3 and b2 lack pedagogical education; a3 finished a retraining in 2024 (up to the period's end).
    completed(a3, retraining, **Y2024)
    load_and_adopt(p, SM)
    assert triple(p, "С.1", Level.SCHOOL, "000001") == (d(1), d(1), d("100.00"))
    assert triple(p, "С.1", Level.SCHOOL, "000002") == (d(0), d(2), d("0.00"))
    assert triple(p, "С.1", Level.REGION, "34") == (d(1), d(3), d("33.33"))
    # school_a: a (5) and a2 (3) rated, one of them 4+; school_b: b (4).
    assert triple(p, "С.2", Level.SCHOOL, "000001") == (d(1), d(2), d("50.00"))
    assert triple(p, "С.2", Level.SCHOOL, "000002") == (d(1), d(1), d("100.00"))
    assert triple(p, "С.2", Level.REGION, "34") == (d(2), d(3), d("66.67"))
    assert triple(p, "С.3", Level.REGION, "34") == (d(1), d(2), d("50.00"))


# --- the monitoring scheme (002), counted by hand -----------------------------------------------


def test_monitoring_scheme_counted_by_hand(world):
    p, w = world.period, world
    # school_a: teacher_a and the three below — 4 teachers.
    a2 = teacher_at(p, w.school_a, pedagogical_education=False, category=Category.FIRST,
                    category_date=dt.date(2019, 1, 1))  # fmt: skip
    a3 = teacher_at(p, w.school_a, education_level=EducationLevel.NONE)
    a4 = teacher_at(p, w.school_a, education_level=EducationLevel.NONE)
    roster_a = w.teacher_a.roster_entries.get(period=p)
    roster_a.category, roster_a.category_date = Category.HIGHEST, dt.date(2022, 5, 1)
    roster_a.save()
    regional = factories.ProgramFactory()  # the factory's provider is the regional academy
    regional_online = factories.ProgramFactory(e_learning=True)
    external_online = factories.ProgramFactory(e_learning=True, provider=factories.ProviderFactory(name=EXTERNAL))
    retraining = factories.ProgramFactory(kind="ПП", hours=256)
    completed(w.teacher_a, regional)  # СМ.2
    completed(a2, external_online)  # СМ.3
    completed(a3, regional_online)  # СМ.2 (regional, even online); СМ.5 (no professional education)
    completed(a2, retraining, **Y2024)  # СМ.6: non-pedagogical base, regional retraining up to the period
    CompetitionEntry.objects.create(
        period=p, teacher=a4, competition="Учитель года", level="муниципальный", date=dt.date(2025, 2, 1)
    )
    load_and_adopt(p, MO)
    org = "000001"
    # СМ.1: teacher_a's category is valid; a2's first category of 2019 is older than 5 years.
    assert triple(p, "СМ.1", Level.SCHOOL, org) == (d(1), d(4), d("25.00"))
    assert triple(p, "СМ.2", Level.SCHOOL, org) == (d(2), d(4), d("50.00"))
    assert triple(p, "СМ.3", Level.SCHOOL, org) == (d(1), d(4), d("25.00"))
    assert triple(p, "СМ.4", Level.SCHOOL, org) == (d(1), d(4), d("25.00"))
    # СМ.5: a3 and a4 have no professional education; a3 finished a program.
    assert triple(p, "СМ.5", Level.SCHOOL, org) == (d(1), d(2), d("50.00"))
    assert triple(p, "СМ.6", Level.SCHOOL, org) == (d(1), d(4), d("25.00"))
    # The region: schools b and c add a teacher each to every «all teachers» denominator.
    assert triple(p, "СМ.2", Level.REGION, "34") == (d(2), d(6), d("33.33"))


# --- the demo ------------------------------------------------------------------------------------


def test_catalogs_compute_on_the_demo():
    seed_demo(size="small", seed=1)
    period = MonitoringPeriod.objects.get(status=PeriodStatus.COLLECTING)
    # The demo step stored the five catalogs and the collecting period adopted Zhirnovsk's (and the
    # questionnaires' and the attestation one), computed.
    assert IndicatorCatalog.objects.count() == 5
    zh = set(IndicatorCatalog.objects.get(slug=ZH).indicators.values_list("code", flat=True))
    computed = set(
        IndicatorValue.objects.filter(period=period, level=Level.REGION).values_list("indicator__code", flat=True)
    )
    assert len(zh) == 13 and zh <= computed
    for slug in (SM, MO):
        catalog_adopt(period=period, catalog=IndicatorCatalog.objects.get(slug=slug), user=None, compute=False)
    compute_period(period=period)
    codes = Indicator.objects.filter(catalog__isnull=False).values_list("code", flat=True)
    region = {
        v.indicator.code: v
        for v in IndicatorValue.objects.filter(period=period, level=Level.REGION, breakdown="").select_related(
            "indicator"
        )
    }
    assert sorted(codes) == sorted(c for c in region if c in set(codes)) and len(codes) == 24
    # Ж.11 counted again here, with a query of its own: roster teachers of the period who finished a ПК
    # course ending in the period's year whose program has the topic «воспитание».
    roster = RosterEntry.objects.filter(period=period)
    upbringing = roster.filter(
        teacher__enrollments__status="завершил",
        teacher__enrollments__course__end__year=period.year,
        teacher__enrollments__course__program__kind="ПК",
        teacher__enrollments__course__program__tags__kind="topic",
        teacher__enrollments__course__program__tags__value="воспитание",
    )
    expected = upbringing.values("pk").distinct().count()
    assert expected > 0
    assert (region["Ж.11"].numerator, region["Ж.11"].denominator) == (expected, roster.count())
    # С.2 likewise: enrollments of roster teachers on runs ending in the year, rated 4 or 5 of those rated.
    rated = Enrollment.objects.filter(
        course__end__year=period.year,
        satisfaction__isnull=False,
        teacher__roster_entries__period=period,
    )
    assert (region["С.2"].numerator, region["С.2"].denominator) == (
        rated.filter(satisfaction__gte=4).count(),
        rated.count(),
    )


# --- the store catalog_loaded ---------------------------------------------------------------------

CALLS: list[tuple] = []


def probe(*, catalog, texts):
    CALLS.append((catalog.slug, texts))


def test_loading_fires_catalog_loaded_with_the_texts_in_shape(settings):
    settings.PORTAL_EXTENSIONS = {**settings.PORTAL_EXTENSIONS, "catalog_loaded": {"probe": f"{__name__}.probe"}}
    CALLS.clear()
    data = json.loads(shipped(SM))
    data["texts"] = [{"kind": "conclusion", "indicator": "С.2", "text": "  Мало   оценок\n{units}. "}]
    catalog_load(data=json.dumps(data, ensure_ascii=False), user=None)
    # The text arrives with its whitespace collapsed and an empty addressee; nothing reached the library.
    assert CALLS == [
        ("smolensk-2020", [{"kind": "conclusion", "indicator": "С.2", "addressee": "", "text": "Мало оценок {units}."}])
    ]
    assert not RecommendationText.objects.exists()
