"""The register of teachers being attested in the period (seeds/004: «реестр аттестуемых»).

An optional sheet, like every sheet but the region's: a package without it leaves the
period's attestations as they are. With it, the rows are merged by their key (the teacher
and the application's date), or, in replace mode, the period's rows the file lacks are
removed — as for every other sheet of the period.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from monitoring import models as m
from monitoring.intake.package import parsing as p
from monitoring.intake.package.registry import Column, Sheet
from monitoring.intake.package.sheets.values import dmy, not_in_future
from monitoring.shared.bulk import upsert

# The words the sheet writes for each result, first; the model's long labels are read too.
RESULT_WORDS: dict[str, str] = {
    m.AttestationResult.PENDING: "на рассмотрении",
    m.AttestationResult.ASSIGNED: "установлена",
    m.AttestationResult.REFUSED: "отказано",
    m.AttestationResult.WITHDRAWN: "отозвано",
}
_RESULT_OF = {
    **{str(label): value for value, label in m.AttestationResult.choices},
    **{word: value for value, word in RESULT_WORDS.items()},
}
_ANY_RESULT = p.choice(_RESULT_OF)

# The model's constraint attestation_dates_plausible: an application before 2000 is a typo.
EARLIEST_APPLICATION_YEAR = 2000


def parse_result(value: Any) -> str | None:
    """«на рассмотрении», «установлена», «отказано» or «отозвано» (any case), or the register's long labels."""
    try:
        word = _ANY_RESULT(value)
    except p.CellError:
        raise p.CellError("допустимые значения: " + ", ".join(f"«{w}»" for w in RESULT_WORDS.values())) from None
    return None if word is None else _RESULT_OF[word]


def result_word(value: str) -> str:
    return RESULT_WORDS[value]


class AttestationSheet(Sheet):
    name = "Аттестация"
    models = (m.Attestation,)
    order = 60
    key = ("teacher", "applied_on")
    columns = (
        Column("Код педагога", "teacher", p.parse_code, required=True),
        Column("Категория", "category", p.choice(m.AttestationCategory.values), required=True),
        Column("Дата заявления", "applied_on", p.parse_date, required=True, export=dmy),
        Column("Дата решения", "decided_on", p.parse_date, export=dmy),
        Column("Результат", "result", parse_result, required=True, export=result_word),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            applied, decided, result = row.values["applied_on"], row.values["decided_on"], row.values["result"]
            if applied.year < EARLIEST_APPLICATION_YEAR:
                ctx.problem(
                    self.name,
                    row.number,
                    "Дата заявления",
                    dmy(applied),
                    f"дата заявления должна быть не раньше {EARLIEST_APPLICATION_YEAR} года",
                )
            not_in_future(ctx, self.name, row, "applied_on", "Дата заявления", today)
            not_in_future(ctx, self.name, row, "decided_on", "Дата решения", today)
            # The period's register: teachers attested in the year, their applications filed in it or
            # late in the year before (a commission decides within months, not years).
            year = ctx.period.year
            if EARLIEST_APPLICATION_YEAR <= applied.year and applied <= today and not year - 1 <= applied.year <= year:
                ctx.problem(
                    self.name,
                    row.number,
                    "Дата заявления",
                    dmy(applied),
                    f"реестр {year} года: дата заявления должна быть в {year - 1} или {year} году",
                )
            if decided is not None and decided < applied:
                ctx.problem(
                    self.name,
                    row.number,
                    "Дата решения",
                    dmy(decided),
                    f"решение не может быть принято раньше заявления ({dmy(applied)})",
                )
            if result == m.AttestationResult.PENDING and decided is not None:
                ctx.problem(
                    self.name,
                    row.number,
                    "Дата решения",
                    dmy(decided),
                    "у заявления «на рассмотрении» не может быть даты решения: "
                    "укажите результат решения или очистите дату",
                )
            if result in (m.AttestationResult.ASSIGNED, m.AttestationResult.REFUSED) and decided is None:
                ctx.problem(
                    self.name,
                    row.number,
                    "Дата решения",
                    "",
                    f"для результата «{RESULT_WORDS[result]}» укажите дату решения аттестационной комиссии",
                )

    def write(self, rows, ctx):
        teachers = ctx.ids("roster")
        return upsert(
            model=m.Attestation,
            existing=m.Attestation.objects.filter(period=ctx.period),
            key=("teacher_id", "applied_on"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "teacher_id": teachers[r.values["teacher"]],
                    "applied_on": r.values["applied_on"],
                    "category": r.values["category"],
                    "decided_on": r.values["decided_on"],
                    "result": r.values["result"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.Attestation.objects.filter(period=period).select_related("teacher")
        for r in qs.order_by("teacher__code", "applied_on"):
            yield [r.teacher.code, r.category, dmy(r.applied_on), dmy(r.decided_on), result_word(r.result)]
