"""The `Диагностика` sheet of the data package: diagnostics taken outside the portal."""

from __future__ import annotations

import itertools
import json
import operator

from django.utils import timezone

from deficits.models import Diagnostic, DiagnosticKind, DiagnosticStatus, GroupResult, Instrument
from deficits.scoring import active_instrument, instrument_spec, score_columns
from monitoring.intake.package import parsing as p
from monitoring.intake.package.registry import Column, Sheet, SheetResult
from monitoring.intake.package.rows import row_values
from monitoring.models import RosterEntry
from monitoring.shared.bulk import ComputedColumn, JsonText, insert_columns

GROUP_CODES = ("МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР")
ITEM_CODES = tuple(f"{g}-{n}" for g in GROUP_CODES for n in range(1, 11))
BATCH = 2000
# Diagnostics scored at a time on import.
SCORE_CHUNK = 10_000

# jsonb keeps an object's keys shortest first, then bytewise. A text already in that order
# and without spaces is stored without re-sorting: the server's part of this COPY went
# from 0.78 to 0.57 s for the region demo's 36 000 diagnostics (timed in psql).
_JSONB_ORDER = tuple(sorted(ITEM_CODES, key=lambda code: (len(code.encode()), code.encode())))
# Answers in ITEM_CODES order -> the same answers in _JSONB_ORDER.
_in_jsonb_order = operator.itemgetter(*(ITEM_CODES.index(code) for code in _JSONB_ORDER))
# Answers are whole numbers (the column's parser is ranged_int), so %d writes them exactly.
_ANSWERS_JSON = "{" + ",".join(f"{json.dumps(code, ensure_ascii=False)}:%d" for code in _JSONB_ORDER) + "}"


class DiagnosticSheet(Sheet):
    name = "Диагностика"
    models = (Diagnostic,)
    order = 80
    key = ("teacher", "date", "kind")
    columns = (
        Column("Код педагога", "teacher", p.parse_code, required=True),
        Column("Дата", "date", p.parse_date, required=True, export=lambda d: d.strftime("%d.%m.%Y")),
        Column("Вид", "kind", p.choice(DiagnosticKind.values), default=DiagnosticKind.ENTRY),
        *(Column(code, code, p.ranged_int(1, 4), required=True) for code in ITEM_CODES),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            if row["date"] > today:
                ctx.problem(self.name, row.number, "Дата", row["date"].strftime("%d.%m.%Y"), "дата еще не наступила")

    def write(self, rows, ctx) -> SheetResult:
        instrument = active_instrument()
        specs = {instrument.pk: instrument_spec(instrument)}
        teachers = ctx.ids("roster")
        # Key -> answers in ITEM_CODES order, read as plain tuples (rows.row_values).
        wanted = {
            (teachers[teacher], date, kind): answers
            for (teacher, date, kind), answers in zip(
                row_values(rows, ("teacher", "date", "kind")), row_values(rows, ITEM_CODES), strict=True
            )
        }
        stale, same = _compared(wanted, ctx)
        result = SheetResult(unchanged=len(same))
        new: list[tuple[tuple, tuple]] = []
        changed: list[tuple[Diagnostic, tuple]] = []
        now = timezone.now()
        for key, answers in wanted.items():
            current = stale.get(key)
            if current is None:
                if key not in same:
                    new.append((key, answers))
                continue
            pk, instrument_id = current
            diagnostic = Diagnostic(
                pk=pk,
                instrument_id=instrument_id,
                answers=dict(zip(ITEM_CODES, answers, strict=True)),
                status=DiagnosticStatus.SUBMITTED,
                submitted_at=now,
            )
            changed.append((diagnostic, answers))
        del same
        ids = self._insert_new(new, instrument, now)
        Diagnostic.objects.bulk_update([d for d, _ in changed], ["answers", "status", "submitted_at"], batch_size=BATCH)
        GroupResult.objects.filter(diagnostic__in=[d.pk for d, _ in changed]).delete()
        # Results are scored only for what changed, each with the edition it was taken with.
        to_score: dict[int, tuple[list[int], list[tuple]]] = {}
        for diagnostic, answers in changed:
            pks, answer_rows = to_score.setdefault(diagnostic.instrument_id, ([], []))
            pks.append(diagnostic.pk)
            answer_rows.append(answers)
        if new:
            pks, answer_rows = to_score.setdefault(instrument.pk, ([], []))
            pks += ids
            answer_rows += [answers for _, answers in new]
        results: dict[str, list] = {f: [] for f in ("diagnostic_id", "group_code", "score", "level", "is_deficit")}
        for instrument_id, (pks, answer_rows) in to_score.items():
            spec = specs.get(instrument_id) or specs.setdefault(
                instrument_id, instrument_spec(Instrument.objects.get(pk=instrument_id))
            )
            # A chunk of diagnostics at a time: their answers column by column are a copy of
            # them, and each diagnostic's scores depend on its own answers only.
            for start in range(0, len(pks), SCORE_CHUNK):
                chunk = answer_rows[start : start + SCORE_CHUNK]
                columns = dict(zip(ITEM_CODES, zip(*chunk, strict=True), strict=True))
                groups = score_columns(spec=spec, answers=columns)
                del columns
                # Row by row, each diagnostic's groups together: the order of the indexes.
                results["diagnostic_id"] += [pk for pk in pks[start : start + SCORE_CHUNK] for _ in groups]
                results["group_code"] += [g.group_code for g in groups] * len(chunk)
                results["score"] += itertools.chain.from_iterable(zip(*(g.scores for g in groups), strict=True))
                results["level"] += itertools.chain.from_iterable(zip(*(g.levels for g in groups), strict=True))
                results["is_deficit"] += itertools.chain.from_iterable(zip(*(g.deficits for g in groups), strict=True))
        del to_score
        insert_columns(model=GroupResult, columns=results)
        result.added, result.changed = len(new), len(changed)
        if ctx.replace:
            # Replace reaches diagnostics dated in the period, whoever took them.
            gone = [
                pk
                for pk, *key in Diagnostic.objects.filter(date__gte=ctx.period.start, date__lte=ctx.period.end)
                .values_list("pk", "teacher_id", "date", "kind")
                .iterator()
                if tuple(key) not in wanted
            ]
            for start in range(0, len(gone), BATCH):
                Diagnostic.objects.filter(pk__in=gone[start : start + BATCH]).delete()
            result.removed = len(gone)
        return result

    @staticmethod
    def _insert_new(new: list[tuple[tuple, tuple]], instrument: Instrument, now) -> list[int]:
        """Insert the new diagnostics (COPY on PostgreSQL); their ids, in the order given."""
        count = len(new)
        ids = insert_columns(
            model=Diagnostic,
            columns={
                "teacher_id": [key[0] for key, _ in new],
                "date": [key[1] for key, _ in new],
                "kind": [key[2] for key, _ in new],
                "instrument_id": [instrument.pk] * count,
                # One template per row instead of a dict and json.dumps: the same JSON value. Made
                # a COPY chunk at a time: a region's texts together are hundreds of megabytes.
                "answers": ComputedColumn(
                    count,
                    lambda start, stop: [
                        JsonText(_ANSWERS_JSON % _in_jsonb_order(answers)) for _, answers in new[start:stop]
                    ],
                ),
                "status": [DiagnosticStatus.SUBMITTED] * count,
                "imported": [True] * count,
                "submitted_at": [now] * count,
            },
            returning_ids=True,
        )
        if ids is None:  # a backend that cannot tell the new keys: read them back by key
            found = {
                (t, d, k): pk
                for pk, t, d, k in Diagnostic.objects.filter(teacher_id__in={key[0] for key, _ in new})
                .order_by()
                .values_list("pk", "teacher_id", "date", "kind")
            }
            ids = [found[key] for key, _ in new]
        return ids

    def export_rows(self, period):
        # The period's package carries every submitted diagnostic of its roster, whatever
        # its year: a route or a share of deficits may rest on an earlier one, a package
        # imported for the period may bring one of the next year (what a route planned
        # from then rests on), and the import accepts them all, so export -> import
        # round-trips. A draft is no diagnostic yet: no indicator reads it.
        qs = (
            Diagnostic.objects.submitted()
            .filter(teacher__roster_entries__period=period)
            .select_related("teacher")
            .order_by("teacher__code", "date", "kind")
        )
        for d in qs.iterator(chunk_size=2000):
            yield [d.teacher.code, d.date.strftime("%d.%m.%Y"), d.kind, *(d.answers.get(code) for code in ITEM_CODES)]


def _compared(wanted: dict[tuple, tuple], ctx) -> tuple[dict[tuple, tuple[int, int]], set[tuple]]:
    """The stored diagnostics the package's rows match: those it changes (key -> (pk, instrument_id)), the others' keys.

    A stored diagnostic is changed unless it is submitted with the row's very answers. The
    stored rows are compared as they stream from the database, a chunk at a time: a
    re-upload of a large package never holds every stored answer sheet at once. Every
    teacher of the package is in the period's roster (the check saw to it), so the roster
    as a subquery and the package's dates bound the search; an IN list of tens of thousands
    of teacher ids cost more to build than the query took.
    """
    stale: dict[tuple, tuple[int, int]] = {}
    same: set[tuple] = set()
    if not wanted:
        return stale, same
    dates = [key[1] for key in wanted]
    qs = Diagnostic.objects.filter(
        teacher_id__in=RosterEntry.objects.filter(period=ctx.period).values("teacher_id"),
        date__gte=min(dates),
        date__lte=max(dates),
    )
    del dates
    count = len(ITEM_CODES)
    for pk, teacher_id, date, kind, answers, instrument_id, status in (
        qs.order_by()
        .values_list("pk", "teacher_id", "date", "kind", "answers", "instrument_id", "status")
        .iterator(chunk_size=BATCH)
    ):
        key = (teacher_id, date, kind)
        given = wanted.get(key)
        if given is None:
            continue
        # The stored answers equal the row's as dicts exactly when they hold the sixty codes,
        # each with the row's answer (a row has every answer).
        if (
            status == DiagnosticStatus.SUBMITTED
            and answers.__class__ is dict
            and len(answers) == count
            and tuple(map(answers.get, ITEM_CODES)) == given
        ):
            stale.pop(key, None)
            same.add(key)
        else:
            same.discard(key)
            stale[key] = (pk, instrument_id)
    return stale, same
