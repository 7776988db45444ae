"""The `Диагностика` sheet of the data package: diagnostics taken outside the portal."""

from __future__ import annotations

from django.utils import timezone

from deficits.models import Diagnostic, DiagnosticKind, DiagnosticStatus, GroupResult
from deficits.scoring import active_instrument, instrument_spec, score_answers
from monitoring.package import parsing as p
from monitoring.package.registry import Column, Sheet, SheetResult, register

GROUP_CODES = ("МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР")
ITEM_CODES = tuple(f"{g}-{n}" for g in GROUP_CODES for n in range(1, 11))
BATCH = 2000


class DiagnosticSheet(Sheet):
    name = "Диагностика"
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
        wanted = {(teachers[r["teacher"]], r["date"], r["kind"]): r for r in rows}
        existing = {
            (d.teacher_id, d.date, d.kind): d
            for d in Diagnostic.objects.filter(teacher_id__in={k[0] for k in wanted}).only(
                "id", "teacher_id", "date", "kind", "answers", "instrument_id", "status"
            )
        }
        result = SheetResult()
        new, changed = [], []
        now = timezone.now()
        for key, row in wanted.items():
            answers = {code: row[code] for code in ITEM_CODES}
            current = existing.get(key)
            if current is None:
                new.append(
                    Diagnostic(
                        teacher_id=key[0],
                        date=key[1],
                        kind=key[2],
                        instrument=instrument,
                        answers=answers,
                        status=DiagnosticStatus.SUBMITTED,
                        imported=True,
                        submitted_at=now,
                    )
                )
            elif current.answers != answers or current.status != DiagnosticStatus.SUBMITTED:
                current.answers, current.status, current.submitted_at = answers, DiagnosticStatus.SUBMITTED, now
                changed.append(current)
            else:
                result.unchanged += 1
        Diagnostic.objects.bulk_create(new, batch_size=BATCH)
        Diagnostic.objects.bulk_update(changed, ["answers", "status", "submitted_at"], batch_size=BATCH)
        # Results are rescored only for what changed, each with the edition it was taken with.
        GroupResult.objects.filter(diagnostic__in=[d.pk for d in changed]).delete()
        results = []
        for diagnostic in (*new, *changed):
            spec = specs.get(diagnostic.instrument_id) or specs.setdefault(
                diagnostic.instrument_id, instrument_spec(diagnostic.instrument)
            )
            for s in score_answers(spec=spec, answers=diagnostic.answers):
                results.append(
                    GroupResult(
                        diagnostic_id=diagnostic.pk,
                        group_code=s.group_code,
                        score=s.score,
                        level=s.level,
                        is_deficit=s.is_deficit,
                    )
                )
        GroupResult.objects.bulk_create(results, batch_size=BATCH)
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

    def export_rows(self, period):
        # The period's package carries its roster's diagnostics up to the period's end:
        # a route or a share of deficits may rest on an earlier one, and the import
        # accepts them, so export -> import round-trips.
        qs = (
            Diagnostic.objects.submitted()
            .filter(teacher__roster_entries__period=period, date__lte=period.end)
            .select_related("teacher")
            .order_by("teacher__code", "date", "kind")
        )
        for d in qs.iterator(chunk_size=2000):
            yield [d.teacher.code, d.date.strftime("%d.%m.%Y"), d.kind, *(d.answers.get(code) for code in ITEM_CODES)]


register(DiagnosticSheet())
