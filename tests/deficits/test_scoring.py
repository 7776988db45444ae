"""Scores, levels and deficits at every band edge; editions never rescore old diagnostics."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.core.exceptions import ValidationError

from deficits.models import Diagnostic, GroupResult, Instrument
from deficits.scoring import diagnostic_submit, instrument_load, instrument_spec, score_answers, score_columns
from tests import factories

pytestmark = pytest.mark.django_db

GROUPS = ["МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР"]
BANDS = [
    {"name": "пороговый", "min": 10, "max": 19, "deficit": True},
    {"name": "допустимый", "min": 20, "max": 29, "deficit": True},
    {"name": "оптимальный", "min": 30, "max": 40, "deficit": False},
]


def _instrument(tmp_path, *, version=1, bands=BANDS, code="test") -> Instrument:
    data = {
        "code": code,
        "version": version,
        "name": "Тестовый инструмент",
        "scale": [{"value": v, "label": str(v)} for v in (1, 2, 3, 4)],
        "bands": bands,
        "groups": [{"code": g, "name": g, "items": [f"{g} утверждение {i}" for i in range(1, 11)]} for g in GROUPS],
    }
    path = tmp_path / f"{code}-{version}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return instrument_load(path=path)


def _answers_for_score(group_scores: dict[str, int]) -> dict[str, int]:
    """Ten items per group summing to the wanted score (10..40)."""
    answers = {}
    for group in GROUPS:
        total = group_scores.get(group, 40)
        base, extra = divmod(total - 10, 3)  # each item 1 + up to 3
        values = [4] * base + [1 + extra] + [1] * (10 - base - 1) if base < 10 else [4] * 10
        for i, v in enumerate(values[:10], start=1):
            answers[f"{group}-{i}"] = v
        assert sum(values[:10]) == total, (group, total, values)
    return answers


@pytest.mark.parametrize(
    ("score", "level", "deficit"),
    [
        (10, "пороговый", True),
        (19, "пороговый", True),
        (20, "допустимый", True),
        (29, "допустимый", True),
        (30, "оптимальный", False),
        (40, "оптимальный", False),
    ],
)
def test_band_edges(tmp_path, score, level, deficit):
    spec = instrument_spec(_instrument(tmp_path))
    scores = {s.group_code: s for s in score_answers(spec=spec, answers=_answers_for_score({"МЕТ": score}))}
    assert (scores["МЕТ"].score, scores["МЕТ"].level, scores["МЕТ"].is_deficit) == (score, level, deficit)
    assert scores["ТЕХ"].level == "оптимальный"


def test_incomplete_or_out_of_scale_answers_are_refused(tmp_path):
    spec = instrument_spec(_instrument(tmp_path))
    answers = _answers_for_score({})
    del answers["ИКТ-7"]
    with pytest.raises(ValidationError, match="Нет ответа на утверждения: ИКТ-7"):
        score_answers(spec=spec, answers=answers)
    answers["ИКТ-7"] = 5
    with pytest.raises(ValidationError, match="Ответ должен быть от 1 до 4: ИКТ-7"):
        score_answers(spec=spec, answers=answers)


def test_a_new_edition_leaves_old_results_unchanged(tmp_path):
    v1 = _instrument(tmp_path)
    teacher = factories.TeacherFactory()
    old = Diagnostic.objects.create(
        teacher=teacher, instrument=v1, date=dt.date(2025, 3, 1), answers=_answers_for_score({"МЕТ": 27})
    )
    diagnostic_submit(diagnostic=old)
    # Edition 2 is stricter: 27 would now be "пороговый".
    v2 = _instrument(
        tmp_path,
        version=2,
        bands=[
            {"name": "пороговый", "min": 10, "max": 29, "deficit": True},
            {"name": "оптимальный", "min": 30, "max": 40, "deficit": False},
        ],
    )
    assert not Instrument.objects.get(pk=v1.pk).is_active and v2.is_active
    new = Diagnostic.objects.create(
        teacher=teacher, instrument=v2, date=dt.date(2025, 9, 1), answers=_answers_for_score({"МЕТ": 27})
    )
    diagnostic_submit(diagnostic=new)
    assert GroupResult.objects.get(diagnostic=old, group_code="МЕТ").level == "допустимый"
    assert GroupResult.objects.get(diagnostic=new, group_code="МЕТ").level == "пороговый"
    # Loading edition 1 again changes nothing.
    assert _instrument(tmp_path).pk == v1.pk
    with pytest.raises(ValidationError, match="уже завершена"):
        diagnostic_submit(diagnostic=old)


def test_latest_in_period_and_deficit_querysets(tmp_path):
    instrument = _instrument(tmp_path)
    period = factories.PeriodFactory(year=2025)
    a, b = factories.TeacherFactory(), factories.TeacherFactory()

    def take(teacher, date, scores):
        d = Diagnostic.objects.create(
            teacher=teacher,
            instrument=instrument,
            date=date,
            kind="входная" if date.month < 6 else "промежуточная",
            answers=_answers_for_score(scores),
        )
        return diagnostic_submit(diagnostic=d)

    take(a, dt.date(2025, 2, 1), {"ИКТ": 15})
    a_late = take(a, dt.date(2025, 10, 1), {})
    take(b, dt.date(2024, 12, 31), {"МЕТ": 12})  # before the period
    b_in = take(b, dt.date(2025, 1, 1), {"МЕТ": 25, "КОРР": 29})
    latest = Diagnostic.objects.latest_in_period(period)
    assert set(latest) == {a_late, b_in}
    assert set(latest.with_deficit_in("МЕТ")) == {b_in}
    assert set(latest.with_deficit_in("ИКТ")) == set()  # a's ИКТ deficit was in an earlier diagnostic
    assert set(latest.with_any_deficit()) == {b_in}


# --- score_columns: the import's scorer, column by column ----------------------------

EDGES = [10, 19, 20, 29, 30, 40]


def _columns(answer_sets: list[dict[str, int]]) -> dict[str, list[int]]:
    return {code: [answers[code] for answers in answer_sets] for code in answer_sets[0]}


def _row_by_row(spec, answer_sets) -> list[list[tuple]]:
    return [
        [(s.group_code, s.score, s.level, s.is_deficit) for s in score_answers(spec=spec, answers=answers)]
        for answers in answer_sets
    ]


def _by_columns(spec, answer_sets) -> list[list[tuple]]:
    groups = score_columns(spec=spec, answers=_columns(answer_sets))
    return [[(g.group_code, g.scores[i], g.levels[i], g.deficits[i]) for g in groups] for i in range(len(answer_sets))]


@pytest.mark.parametrize(
    ("score", "level", "deficit"),
    [
        (10, "пороговый", True),
        (19, "пороговый", True),
        (20, "допустимый", True),
        (29, "допустимый", True),
        (30, "оптимальный", False),
        (40, "оптимальный", False),
    ],
)
def test_score_columns_agrees_with_score_answers_at_every_band_edge(tmp_path, score, level, deficit):
    spec = instrument_spec(_instrument(tmp_path))
    # The edge in every group, then each group in turn at every other edge beside it.
    answer_sets = [_answers_for_score(dict.fromkeys(GROUPS, score))]
    answer_sets += [_answers_for_score({**dict.fromkeys(GROUPS, score), g: other}) for g in GROUPS for other in EDGES]
    by_columns = _by_columns(spec, answer_sets)
    assert by_columns == _row_by_row(spec, answer_sets)
    assert by_columns[0] == [(g, score, level, deficit) for g in GROUPS]
    groups = score_columns(spec=spec, answers=_columns(answer_sets))
    assert all(type(v) is int for g in groups for v in g.scores)
    assert all(type(v) is bool for g in groups for v in g.deficits)


def test_score_columns_agrees_with_score_answers_on_many_diagnostics_of_each_edition(tmp_path):
    v1 = instrument_spec(_instrument(tmp_path))
    v2 = instrument_spec(
        _instrument(
            tmp_path,
            version=2,
            bands=[
                {"name": "пороговый", "min": 10, "max": 29, "deficit": True},
                {"name": "оптимальный", "min": 30, "max": 40, "deficit": False},
            ],
        )
    )
    rng = random.Random(7)
    answer_sets = [{code: rng.randint(1, 4) for code in v1.item_codes} for _ in range(500)]
    for spec in (v1, v2):
        assert _by_columns(spec, answer_sets) == _row_by_row(spec, answer_sets)
    empty = score_columns(spec=v1, answers={code: [] for code in v1.item_codes})
    assert [(g.group_code, g.scores, g.levels, g.deficits) for g in empty] == [(g, [], [], []) for g in GROUPS]


def test_score_columns_refuses_what_score_answers_refuses_with_its_message(tmp_path):
    spec = instrument_spec(_instrument(tmp_path))
    good = _answers_for_score({})
    columns = _columns([good, good])
    del columns["ИКТ-7"]
    with pytest.raises(ValidationError, match="Нет ответа на утверждения: ИКТ-7"):
        score_columns(spec=spec, answers=columns)
    # The first diagnostic in order that score_answers refuses decides the message.
    off_scale = [good, {**good, "ИКТ-7": 5}, {**good, "МЕТ-1": 0}]
    with pytest.raises(ValidationError, match=r"Ответ должен быть от 1 до 4: ИКТ-7\.") as refused:
        score_columns(spec=spec, answers=_columns(off_scale))
    with pytest.raises(ValidationError) as expected:
        score_answers(spec=spec, answers=off_scale[1])
    assert refused.value.messages == expected.value.messages


def test_score_columns_refuses_a_sum_outside_every_band_like_score_answers(tmp_path):
    gap = [
        {"name": "низкий", "min": 10, "max": 19, "deficit": True},
        {"name": "высокий", "min": 25, "max": 40, "deficit": False},
    ]
    spec = instrument_spec(_instrument(tmp_path, bands=gap))
    answer_sets = [_answers_for_score({"МЕТ": s}) for s in (30, 22, 21)]
    with pytest.raises(ValidationError, match="Балл 22 не попадает ни в один уровень"):
        score_columns(spec=spec, answers=_columns(answer_sets))
    with pytest.raises(ValueError, match="different lengths"):
        score_columns(spec=spec, answers={"МЕТ-1": [1, 2], "МЕТ-2": [1]})
