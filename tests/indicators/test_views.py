"""Dashboards tried by each fixed person: each sees their own unit and nothing beyond it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators import views
from indicators.catalog import definition
from indicators.engine import compute_period
from indicators.models import ComputationRun, IndicatorValue, RunStatus
from monitoring.models import MonitoringPeriod, PeriodStatus
from tests import factories
from tests.indicators.helpers import DECLARED, DECLARED_TITLE, declare

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(world):
    factories.RosterEntryFactory(period=world.period, school=world.school_a)  # school A: 2 teachers
    factories.StaffingRowFactory(period=world.period, school=world.school_a, vacant_positions=4)  # 60 %
    factories.StaffingRowFactory(period=world.period, school=world.school_b, vacant_positions=0)  # 100 %
    factories.StaffingRowFactory(period=world.period, school=world.school_c, vacant_positions=1)  # 90 %
    compute_period(period=world.period)
    return world


PAGES = [
    ("indicator-overview", ()),
    ("indicator-direction", (9,)),
    ("indicator-detail", ("9.1",)),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
@pytest.mark.parametrize(
    ("person", "status"),
    [("analyst", 200), ("ministry", 200), ("municipal", 200), ("head_a", 200), ("head_b", 200), ("teacher", 404)],
)
def test_every_dashboard_opens_for_staff_only(client, computed, name, args, person, status):
    client.force_login(computed.people[person])
    assert client.get(reverse(name, args=args)).status_code == status


def test_anonymous_is_sent_to_login(client, computed):
    for name, args in PAGES:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _names(response) -> set[str]:
    html = response.content.decode()
    candidates = {
        "Алексеевский муниципальный район",
        "Быковский муниципальный район",
        "МКОУ «Алексеевская СШ»",
        "МКОУ «Аржановская СШ»",
        "МКОУ «Быковская СШ № 1»",
    }
    return {c for c in candidates if c in html}


def test_ranking_and_findings_follow_the_scope(client, computed):
    client.force_login(computed.analyst)
    response = client.get(reverse("indicator-detail", args=["9.1"]))
    ranking = response.context["ranking"]
    # Municipalities, best first: M2 100 % (10 of 10), M1 75 % (15 of 20).
    assert [(r.code, str(r.value)) for r in ranking] == [("02", "100.0000"), ("01", "75.0000")]
    assert [r.code for r in response.context["findings"]] == ["01"]  # threshold 95
    schools = client.get(reverse("indicator-detail", args=["9.1"]), {"level": "school"}).context["ranking"]
    assert [r.code for r in schools] == ["000002", "000003", "000001"]

    client.force_login(computed.municipal)
    response = client.get(reverse("indicator-detail", args=["9.1"]))
    assert [r.code for r in response.context["ranking"]] == ["000003", "000001"]  # M1's schools only
    assert _names(response) == {"Алексеевский муниципальный район", "МКОУ «Аржановская СШ»", "МКОУ «Алексеевская СШ»"}

    client.force_login(computed.head_b)
    response = client.get(reverse("indicator-detail", args=["9.1"]))
    assert response.context["ranking"] == [] and _names(response) == {"МКОУ «Быковская СШ № 1»"}
    assert [v for _, v in response.context["history"]] == [100]


def test_overview_shows_the_users_own_unit(client, computed):
    client.force_login(computed.municipal)
    tiles = client.get(reverse("indicator-overview")).context["directions"][8][2]
    values = {t.definition.code: t.value for t in tiles}
    assert values["9.1"] == 75 and values["9.6"] == 20  # M1: (20 − 5) / 20; 10 + 10 positions
    client.force_login(computed.head_a)
    tiles = client.get(reverse("indicator-overview")).context["directions"][8][2]
    assert {t.definition.code: t.value for t in tiles}["9.1"] == 60
    assert next(t for t in tiles if t.definition.code == "9.1").finding


def test_direction_matrix_rows_are_the_users_units(client, computed):
    client.force_login(computed.analyst)
    response = client.get(reverse("indicator-direction", args=[9]))
    assert [row.name for row in response.context["matrix"].rows] == [
        "Алексеевский муниципальный район",
        "Быковский муниципальный район",
    ]
    client.force_login(computed.municipal)
    response = client.get(reverse("indicator-direction", args=[9]))
    assert [row.name for row in response.context["matrix"].rows] == [
        "МКОУ «Алексеевская СШ»",
        "МКОУ «Аржановская СШ»",
    ]


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a", "teacher"])
def test_only_the_institute_starts_a_computation(client, computed, person):
    client.force_login(computed.people[person])
    assert client.post(reverse("indicator-compute"), {"period": 2025}).status_code == 404
    assert not ComputationRun.objects.exists()


def test_analyst_starts_a_computation_and_sees_its_status(client, computed, django_capture_on_commit_callbacks):
    client.force_login(computed.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indicator-compute"), {"period": 2025})
    assert response.status_code == 302
    run = ComputationRun.objects.get()
    assert run.status == RunStatus.DONE and run.user == computed.analyst
    status = client.get(reverse("indicator-run", args=[run.pk])).content.decode()
    assert f"расчет №{run.pk}" in status and "hx-get" not in status  # finished: no more polling


# ---------------------------------------------------------------------------
# Readable dashboards (issue 16, items 5–7)
# ---------------------------------------------------------------------------

NBSP = "\u00a0"


@pytest.fixture
def with_last_year(computed):
    """The region's 9.1 a year before: 80 % (this year 83,33 %: (15 + 10) of (20 + 10) positions)."""
    now = IndicatorValue.objects.get(period=computed.period, indicator__code="9.1", level="region", breakdown="")
    IndicatorValue.objects.create(
        period=factories.PeriodFactory(year=2024),
        indicator=now.indicator,
        level="region",
        org_code=now.org_code,
        numerator=80,
        denominator=100,
        value=80,
        computed_at=now.computed_at,
    )
    return computed


def _tile(html: str, code: str) -> str:
    start = html.rindex("<li", 0, html.index(f'data-code="{code}"'))
    return html[start : html.index("</li>", start)]


def test_overview_titles_are_whole_and_are_the_links(client, computed):
    client.force_login(computed.analyst)
    html = client.get(reverse("indicator-overview")).content.decode()
    title = definition("9.5").title  # 101 characters: it used to end in «…» with the name in a tooltip
    assert f">{title}</a>" in html and "…" not in _tile(html, "9.5")


def test_overview_values_and_changes_have_units_and_a_trend(client, with_last_year):
    client.force_login(with_last_year.analyst)
    response = client.get(reverse("indicator-overview"))
    tile = _tile(response.content.decode(), "9.1")
    assert f"83,33{NBSP}%" in tile
    assert f"+3,33{NBSP}п.п." in tile  # a change of a percentage, in percentage points
    assert f"в 2024: 80{NBSP}%" in tile  # the previous value beside the change
    assert 'class="sparkline' in tile
    assert response.context["sparklines"]["9.1"] == {
        "labels": ["2024", "2025"],
        "values": [80.0, 83.33],
        "axis": {"min": 0, "max": 100, "suffix": " %"},
    }
    assert 'id="sparkline-data" type="application/json"' in response.content.decode()


def test_coloured_rows_have_a_legend(client, computed):
    client.force_login(computed.head_a)  # school A: 9.1 at 60 % misses the threshold 95
    html = client.get(reverse("indicator-overview")).content.decode()
    assert "bg-danger-subtle" in _tile(html, "9.1")
    assert 'id="legend"' in html and "розовый — порог тревоги не достигнут" in html
    assert "порог тревоги не достигнут — нужны меры</span>" in _tile(html, "9.1")  # not by colour alone


def test_the_runs_figures_are_for_the_institutes_staff_only(client, computed):
    run = ComputationRun.objects.create(period=computed.period, status=RunStatus.DONE, values_written=2077)
    run.started_at = run.finished_at = run.created_at
    run.save()
    client.force_login(computed.municipal)
    html = client.get(reverse("indicator-overview")).content.decode()
    assert "Показатели рассчитаны" in html and f"расчет №{run.pk}" not in html and "2077" not in html
    client.force_login(computed.analyst)
    html = client.get(reverse("indicator-overview")).content.decode()
    details = html[html.index("<details") : html.index("</details>")]
    assert f"расчет №{run.pk}" in details and "2077 значений" in details


def test_direction_matrix_has_names_units_and_links(client, computed):
    client.force_login(computed.analyst)
    html = client.get(reverse("indicator-direction", args=[9])).content.decode()
    matrix = html[html.index('id="matrix"') : html.index("</table>", html.index('id="matrix"'))]
    assert f">{definition('9.1').title}</a>" in matrix and ">9.1</a>" not in matrix
    assert f"75{NBSP}%" in matrix and f"100{NBSP}%" in matrix
    assert f'href="{reverse("municipality-detail", args=["01"])}?period=2025">Алексеевский' in matrix
    assert 'tabindex="0" role="region"' in html  # the wide table scrolls in its own box
    client.force_login(computed.municipal)
    html = client.get(reverse("indicator-direction", args=[9])).content.decode()
    assert f'href="{reverse("school-detail", args=["000003"])}?period=2025">МКОУ «Аржановская СШ»' in html


def test_charts_start_at_zero_and_draw_the_target_and_the_threshold(client, with_last_year):
    client.force_login(with_last_year.analyst)
    chart = client.get(reverse("indicator-direction", args=[9]), {"chart": "9.1"}).context["chart"]
    assert chart["axis"] == {"min": 0, "max": 100, "suffix": " %"}
    assert [(line["label"], line["value"]) for line in chart["lines"]] == [("Цель", 100.0), ("Порог тревоги", 95.0)]
    response = client.get(reverse("indicator-detail", args=["9.1"]))
    history = response.context["history_chart"]
    assert history["axis"]["min"] == 0 and history["axis"]["max"] == 100
    assert [line["value"] for line in history["lines"]] == [100.0, 95.0]
    assert f"цель: 100{NBSP}%" in response.content.decode()  # the key under the chart names the lines


def test_indicator_page_finds_its_way_back(client, computed):
    client.force_login(computed.analyst)
    html = client.get(reverse("indicator-detail", args=["9.1"])).content.decode()
    crumbs = html[html.index('<nav aria-label="Навигационная цепочка">') : html.index("</nav>", html.index("цепочка"))]
    assert f'href="{reverse("home")}">Главная' in crumbs
    assert f'href="{reverse("indicator-overview")}?period=2025">Показатели' in crumbs
    assert f'href="{reverse("indicator-direction", args=[9])}?period=2025">9. Выявление кадровых потребностей' in crumbs
    assert 'aria-current="page">9.1. Обеспеченность кадрами образовательных организаций' in crumbs


def test_ranking_has_units_links_and_a_readable_alert(client, computed, monkeypatch):
    monkeypatch.setattr(views, "FINDINGS_SHOWN", 1, raising=False)
    client.force_login(computed.analyst)
    html = client.get(reverse("indicator-detail", args=["9.1"])).content.decode()
    assert "Порог тревоги не достигнут в 1 муниципалитете:" in html
    ranking = html[html.index('id="ranking"') : html.index("</table>", html.index('id="ranking"'))]
    assert f'href="{reverse("municipality-detail", args=["02"])}?period=2025">Быковский' in ranking
    assert f"75{NBSP}%" in ranking and 'class="table-danger"' in ranking
    # Schools: A (60 %) and C (90 %) miss 95 %; one is named, the other waits behind «и ещё 1».
    html = client.get(reverse("indicator-detail", args=["9.1"]), {"level": "school"}).content.decode()
    alert = html[html.index('id="findings"') : html.index("</div>", html.index('id="findings"'))]
    assert "Порог тревоги не достигнут в 2 организациях:" in alert
    school_a, school_c = (reverse("school-detail", args=[code]) for code in ("000001", "000003"))
    assert f'<li><a href="{school_a}?period=2025">МКОУ «Алексеевская СШ»</a> — 60' in alert
    assert "<summary>и ещё 1</summary>" in alert
    assert f'<li><a href="{school_c}?period=2025">МКОУ «Аржановская СШ»</a> — 90' in alert


# -- a declarative indicator (Ж.5, tests.indicators.helpers) on the same pages as the coded ones ---------------


def test_a_declarative_indicator_has_its_tile_on_the_overview(client, declared):
    client.force_login(declared.analyst)
    response = client.get(reverse("indicator-overview"))
    tile = _tile(response.content.decode(), DECLARED)
    assert DECLARED_TITLE in tile and f"33,33{NBSP}%" in tile
    assert "bg-danger-subtle" in tile  # 33.33 % misses its own threshold of 50 %
    direction, _, tiles = response.context["directions"][0]
    assert direction == 1 and [t.definition.code for t in tiles][-1] == DECLARED  # after the coded ones
    client.force_login(declared.head_a)  # school A: the one teacher with a diagnostic
    assert f"100{NBSP}%" in _tile(client.get(reverse("indicator-overview")).content.decode(), DECLARED)


def test_a_declarative_indicator_is_a_column_of_its_direction(client, declared):
    client.force_login(declared.analyst)
    response = client.get(reverse("indicator-direction", args=[1]), {"chart": DECLARED})
    html = response.content.decode()
    matrix = html[html.index('id="matrix"') : html.index("</table>", html.index('id="matrix"'))]
    assert f">{DECLARED_TITLE}</a>" in matrix and f"({DECLARED}, %)" in matrix
    assert DECLARED in [d.code for d in response.context["definitions"]]
    column = [d.code for d in response.context["matrix"].definitions].index(DECLARED)
    by_name = {row.name: row.values[column] for row in response.context["matrix"].rows}
    assert by_name == {"Алексеевский муниципальный район": Decimal(50), "Быковский муниципальный район": Decimal(0)}
    chart = response.context["chart"]
    assert chart["label"] == DECLARED_TITLE and chart["values"] == [50.0, 0.0]
    assert [(line["label"], line["value"]) for line in chart["lines"]] == [("Цель", 80.0), ("Порог тревоги", 50.0)]
    standings = {row.name: row.cells[column].standing for row in response.context["matrix"].rows}
    # M1's 50 % passes the threshold short of the target; M2's 0 % misses the threshold.
    assert standings == {"Алексеевский муниципальный район": "short", "Быковский муниципальный район": "alert"}


def test_a_declarative_indicator_has_its_own_page(client, declared):
    client.force_login(declared.analyst)
    url = reverse("indicator-detail", args=[DECLARED])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 class="h4">{DECLARED}. {DECLARED_TITLE}</h1>' in html
    assert f"единица: % · цель 80{NBSP}% · порог тревоги 50{NBSP}%" in html
    assert f'href="{reverse("indicator-direction", args=[1])}?period=2025">1. Выявление' in html
    ranking = response.context["ranking"]
    assert [(r.name, r.value, r.finding) for r in ranking] == [
        ("Алексеевский муниципальный район", Decimal(50), False),
        ("Быковский муниципальный район", Decimal(0), True),
    ]
    assert "Порог тревоги не достигнут в 1 муниципалитете:" in html
    schools = client.get(url, {"level": "school"}).context["ranking"]
    # Best first, ties by name: «Аржановская» (C) before «Быковская» (B).
    assert [(r.code, r.value) for r in schools] == [("000001", 100), ("000003", 0), ("000002", 0)]
    assert [line["value"] for line in response.context["history_chart"]["lines"]] == [80.0, 50.0]
    assert response.context["history"] == [(2025, Decimal("33.33"))]


def test_a_declarative_count_names_what_it_counts(client, world):
    factories.DiagnosticFactory(teacher=world.teacher_a, submit=True, scores={"ИКТ": 21})
    declare(world, unit="count", target="", threshold="")
    client.force_login(world.analyst)
    html = client.get(reverse("indicator-detail", args=[DECLARED])).content.decode()
    assert "единица: человек" in html  # the teachers' noun, as the coded counts of teachers
    ranking = html[html.index('id="ranking"') : html.index("</table>", html.index('id="ranking"'))]
    assert f"1{NBSP}человек" in ranking


def test_an_unknown_code_is_not_found_and_a_declarative_one_outside_the_period_is(client, declared):
    client.force_login(declared.analyst)
    assert client.get(reverse("indicator-detail", args=["Ж.404"])).status_code == 404
    factories.PeriodFactory(year=2024)  # Ж.5 is not in 2024's edition: its page still opens, with no value that year
    response = client.get(reverse("indicator-detail", args=[DECLARED]), {"period": 2024})
    assert response.status_code == 200 and response.context["setting"] is None
    assert response.context["ranking"] == [] and response.context["history"] == [(2025, Decimal("33.33"))]


def test_a_closed_period_keeps_its_declarative_definition_and_values(client, declared):
    before = sorted(IndicatorValue.objects.filter(indicator__code=DECLARED).values_list("org_code", "value"))
    # 2025 closes; in 2026 the institute changes Ж.5 (title, threshold, even its direction).
    MonitoringPeriod.objects.filter(pk=declared.period.pk).update(status=PeriodStatus.CLOSED)
    later = factories.PeriodFactory(year=2026)
    factories.RosterEntryFactory(period=later, teacher=declared.teacher_b, school=declared.school_b)
    declare(declared, period=later, title="Доля педагогов с диагностикой", threshold="90", target="95", direction=2)
    client.force_login(declared.analyst)
    old = client.get(reverse("indicator-detail", args=[DECLARED]), {"period": 2025})
    assert old.context["definition"].title == DECLARED_TITLE and old.context["definition"].direction == 1
    assert old.context["setting"].threshold == Decimal(50)
    assert [(r.code, r.value) for r in old.context["ranking"]] == [("01", 50), ("02", 0)]
    direction = client.get(reverse("indicator-direction", args=[1]), {"period": 2025})
    assert DECLARED in [d.code for d in direction.context["definitions"]]
    new = client.get(reverse("indicator-detail", args=[DECLARED]), {"period": 2026})
    assert (new.context["definition"].title, new.context["definition"].direction) == (
        "Доля педагогов с диагностикой",
        2,
    )
    assert new.context["setting"].threshold == Decimal(90)
    # 2026: only B's teacher on the roster, no diagnostic that year; M1 has nobody (an empty value, last).
    assert [(r.code, r.value) for r in new.context["ranking"]] == [("02", 0), ("01", None)]
    stored = IndicatorValue.objects.filter(indicator__code=DECLARED, period=declared.period)
    assert before and sorted(stored.values_list("org_code", "value")) == before
