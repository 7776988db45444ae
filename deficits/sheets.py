"""The `Диагностика` sheet of the data package: diagnostics taken outside the portal."""

from __future__ import annotations

from django.utils import timezone

from deficits.models import Diagnostic, DiagnosticKind, DiagnosticStatus, GroupResult, Instrument
from deficits.scoring import active_instrument, instrument_spec, score_answers
from monitoring.package import parsing as p
from monitoring.package.registry import Column, Sheet, SheetResult, register
from monitoring.package.sheets import insert_rows

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
        new: list[dict] = []
        changed = []
        now = timezone.now()
        for key, row in wanted.items():
            answers = {code: row[code] for code in ITEM_CODES}
            current = existing.get(key)
            if current is None:
                new.append(
                    {
                        "teacher_id": key[0],
                        "date": key[1],
                        "kind": key[2],
                        "instrument_id": instrument.pk,
                        "answers": answers,
                        "status": DiagnosticStatus.SUBMITTED,
                        "imported": True,
                        "submitted_at": now,
                    }
                )
            elif current.answers != answers or current.status != DiagnosticStatus.SUBMITTED:
                current.answers, current.status, current.submitted_at = answers, DiagnosticStatus.SUBMITTED, now
                changed.append(current)
            else:
                result.unchanged += 1
        # New diagnostics go in without model instances (COPY on PostgreSQL); their ids
        # are read back by key for the group results.
        insert_rows(model=Diagnostic, rows=new)
        Diagnostic.objects.bulk_update(changed, ["answers", "status", "submitted_at"], batch_size=BATCH)
        GroupResult.objects.filter(diagnostic__in=[d.pk for d in changed]).delete()
        to_score = [(d.pk, d.instrument_id, d.answers) for d in changed]
        if new:
            ids = {
                (t, d, k): pk
                for pk, t, d, k in Diagnostic.objects.filter(teacher_id__in={r["teacher_id"] for r in new})
                .order_by()
                .values_list("pk", "teacher_id", "date", "kind")
            }
            to_score += [(ids[(r["teacher_id"], r["date"], r["kind"])], instrument.pk, r["answers"]) for r in new]
        # Results are scored only for what changed, each with the edition it was taken with.
        results = []
        for pk, instrument_id, answers in to_score:
            spec = specs.get(instrument_id) or specs.setdefault(
                instrument_id, instrument_spec(Instrument.objects.get(pk=instrument_id))
            )
            for s in score_answers(spec=spec, answers=answers):
                results.append(
                    {
                        "diagnostic_id": pk,
                        "group_code": s.group_code,
                        "score": s.score,
                        "level": s.level,
                        "is_deficit": s.is_deficit,
                    }
                )
        insert_rows(model=GroupResult, rows=results)
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
