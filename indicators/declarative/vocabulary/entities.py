"""Entities: groups of fields a row has, mounted in populations under a prefix."""

from __future__ import annotations

from deficits.models import RespondentRole
from indicators.declarative import computed
from indicators.declarative.vocabulary.terms import Field, Kind, choices_of
from iom.models import (
    PROGRAM_FLAGS,
    ActivityKind,
    EnrollmentStatus,
    ProgramKind,
    RouteStatus,
    TagKind,
    Topic,
)
from monitoring.models import (
    ASSOCIATION_CRITERIA,
    ActivistRole,
    AssociationLevel,
    AttestationCategory,
    AttestationResult,
    Category,
    CompetitionLevel,
    CompetitionResult,
    EducationLevel,
    ExpertKind,
    SchoolKind,
    Sex,
)

GROUP_CODES = (
    ("МЕТ", "методическая"),
    ("ТЕХ", "технологическая"),
    ("ИССЛ", "исследовательская"),
    ("ПРОЕКТ", "проектная"),
    ("ИКТ", "ИКТ"),
    ("КОРР", "коррекционная"),
)

# Entities: groups of fields a row has, mounted in populations under a prefix.
ENTITIES: dict[str, tuple[str, tuple[Field, ...]]] = {
    "school": (
        "организация",
        (
            Field("kind", "тип", Kind.CHOICE, "kind", choices_of(SchoolKind)),
            Field("low_results", "ШНОР", Kind.BOOL, "low_results"),
            Field("adverse_conditions", "неблагоприятные условия", Kind.BOOL, "adverse_conditions"),
        ),
    ),
    "teacher": (
        "педагог",
        (
            Field("sex", "пол", Kind.CHOICE, "sex", choices_of(Sex)),
            Field("age", "возраст на отчетную дату", Kind.NUMBER, build=computed.age, breakdown=False),
            Field("young", "молодой педагог (моложе возраста периода)", Kind.BOOL, build=computed.young),
            Field("pension_age", "пенсионного возраста", Kind.BOOL, build=computed.pension_age),
            Field("on_roster", "в списке педагогов периода", Kind.BOOL, build=computed.on_roster),
        ),
    ),
    "roster": (
        "педагог в списке периода",
        (
            Field("position", "должность", Kind.TEXT, "position"),
            Field("education_level", "уровень образования", Kind.CHOICE, "education_level", choices_of(EducationLevel)),
            Field("pedagogical_education", "педагогическое образование", Kind.BOOL, "pedagogical_education"),
            Field("education_matches_profile", "образование по профилю", Kind.BOOL, "education_matches_profile"),
            Field("category", "квалификационная категория", Kind.CHOICE, "category", choices_of(Category)),
            Field("category_date", "дата присвоения категории", Kind.DATE, "category_date", breakdown=False),
            Field(
                "valid_category", "действующая первая или высшая категория", Kind.BOOL, build=computed.valid_category
            ),
            Field("experience_years", "педагогический стаж, лет", Kind.NUMBER, "experience_years", breakdown=False),
            Field("part_time", "совместитель", Kind.BOOL, "part_time"),
            Field("workload", "ставка", Kind.NUMBER, "workload", breakdown=False),
        ),
    ),
    "program": (
        "программа",
        (
            Field("kind", "вид", Kind.CHOICE, "kind", choices_of(ProgramKind)),
            Field(
                "topic",
                "тематика",
                Kind.TAG,
                choices=choices_of(Topic),
                build=computed.tagged(TagKind.TOPIC),
                breakdown=False,
            ),
            Field(
                "position_tag", "целевая должность", Kind.TAG, build=computed.tagged(TagKind.POSITION), breakdown=False
            ),
            Field(
                "competence_tag",
                "группа компетенций",
                Kind.TAG,
                choices=GROUP_CODES,
                build=computed.tagged(TagKind.COMPETENCE),
                breakdown=False,
            ),
            *(Field(name, title, Kind.BOOL, name) for name, title in PROGRAM_FLAGS.items()),
            Field("provider", "организация ДПО", Kind.TEXT, "provider__name"),
        ),
    ),
    "course": (
        "курс",
        (
            Field("start", "начало", Kind.DATE, "start", breakdown=False),
            Field("end", "окончание", Kind.DATE, "end", breakdown=False),
            Field("by_school_request", "по заявке ОО", Kind.BOOL, "by_school_request"),
        ),
    ),
    "enrollment": (
        "запись на курс",
        (
            Field("status", "статус обучения", Kind.CHOICE, "status", choices_of(EnrollmentStatus)),
            Field("final_attestation", "итоговая аттестация пройдена", Kind.BOOL, "final_attestation"),
            Field("satisfaction", "удовлетворенность (1–5)", Kind.NUMBER, "satisfaction", breakdown=False),
        ),
    ),
    "route": (
        "маршрут",
        (
            Field("status", "состояние", Kind.CHOICE, "status", choices_of(RouteStatus)),
            Field("active", "действует в году периода", Kind.BOOL, build=computed.active),
            Field("based_on_diagnostic", "на основе диагностики", Kind.BOOL, "based_on_diagnostic"),
            Field("corrected", "скорректирован", Kind.BOOL, "corrected"),
            Field("start", "начало", Kind.DATE, "start", breakdown=False),
            Field("end", "окончание", Kind.DATE, "end", breakdown=False),
        ),
    ),
    "activity": (
        "мероприятие маршрута",
        (
            Field("kind", "вид", Kind.CHOICE, "kind", choices_of(ActivityKind)),
            Field("done", "выполнено", Kind.BOOL, "done"),
            Field("due", "срок", Kind.DATE, "due", breakdown=False),
        ),
    ),
    "expert": (
        "экспертная роль",
        (
            Field("kind", "вид", Kind.CHOICE, "kind", choices_of(ExpertKind)),
            Field("subject", "предмет", Kind.TEXT, "subject"),
        ),
    ),
    "activist": (
        "участник методического актива",
        (Field("role", "роль", Kind.CHOICE, "role", choices_of(ActivistRole)),),
    ),
    "mentoring_program": ("программа наставничества", (Field("name", "наименование", Kind.TEXT, "name"),)),
    "pair": ("наставническая пара", (Field("form", "форма", Kind.TEXT, "form"),)),
    "competition": (
        "участие в конкурсе",
        (
            Field("competition", "конкурс", Kind.TEXT, "competition"),
            Field("level", "уровень", Kind.CHOICE, "level", choices_of(CompetitionLevel)),
            Field("result", "результат", Kind.CHOICE, "result", choices_of(CompetitionResult)),
            Field("date", "дата", Kind.DATE, "date", breakdown=False),
        ),
    ),
    "association": (
        "методическое объединение",
        (
            Field("level", "уровень", Kind.CHOICE, "level", choices_of(AssociationLevel)),
            Field("subject", "предмет", Kind.TEXT, "subject"),
            *(Field(name, title, Kind.BOOL, name) for name, title in ASSOCIATION_CRITERIA.items()),
        ),
    ),
    "event": (
        "мероприятие объединения",
        (
            Field("date", "дата", Kind.DATE, "date", breakdown=False),
            Field("networked", "сетевая форма", Kind.BOOL, "networked"),
        ),
    ),
    "staffing": (
        "строка штатного расписания",
        (
            Field("position", "должность", Kind.TEXT, "position"),
            Field("positions_by_schedule", "ставок по штату", Kind.NUMBER, "positions_by_schedule", breakdown=False),
            Field("actual_need", "фактическая потребность в ставках", Kind.NUMBER, "actual_need", breakdown=False),
            Field("vacant_positions", "вакантных ставок", Kind.NUMBER, "vacant_positions", breakdown=False),
            Field("vacant_posts", "вакантных должностей", Kind.NUMBER, "vacant_posts", breakdown=False),
        ),
    ),
    "digital": (
        "оценка цифровой среды",
        tuple(
            Field(name, f"{label} (0–4)", Kind.NUMBER, name, breakdown=False)
            for name, label in (
                ("infrastructure", "инфраструктура"),
                ("tools", "инструменты и сервисы"),
                ("usage", "использование в обучении"),
                ("professional_development", "профессиональное развитие"),
            )
        ),
    ),
    "attestation": (
        "аттестация педагога",
        (
            Field(
                "category", "категория, на которую претендует", Kind.CHOICE, "category", choices_of(AttestationCategory)
            ),
            Field("result", "результат", Kind.CHOICE, "result", choices_of(AttestationResult)),
            Field("applied_on", "дата заявления", Kind.DATE, "applied_on", breakdown=False),
            Field("decided_on", "дата решения", Kind.DATE, "decided_on", breakdown=False),
        ),
    ),
    "provider": ("организация ДПО", (Field("name", "наименование", Kind.TEXT, "name"),)),
    "support_project": ("проект поддержки молодых педагогов", (Field("name", "наименование", Kind.TEXT, "name"),)),
    "diagnostic": (
        "диагностика",
        (
            Field("date", "дата", Kind.DATE, "date", breakdown=False),
            Field("latest", "последняя диагностика педагога в году периода", Kind.BOOL, build=computed.latest),
            Field("any_deficit", "выявлен хотя бы один дефицит", Kind.BOOL, build=computed.any_deficit),
            Field(
                "deficit_in",
                "дефицит в группе компетенций",
                Kind.TAG,
                choices=GROUP_CODES,
                build=computed.deficit_in,
                breakdown=False,
            ),
        ),
    ),
    "response": (
        "ответ на анкету",
        (
            Field("questionnaire", "анкета (код)", Kind.TEXT, "campaign__edition__questionnaire__code"),
            Field("campaign", "опрос (название)", Kind.TEXT, "campaign__title"),
            # No breakdown by role, school type or anonymity: it would split an anonymous
            # campaign's municipality into groups smaller than five.
            Field("role", "роль респондента", Kind.CHOICE, "role", choices_of(RespondentRole), breakdown=False),
            Field("school_kind", "тип ОО", Kind.CHOICE, "school_kind", choices_of(SchoolKind), breakdown=False),
            Field("anonymous", "анонимный ответ", Kind.BOOL, "anonymous", breakdown=False),
            Field(
                "level_in",
                "уровень в группе («ГРУППА:уровень», например «ЭИ:высокий»)",
                Kind.TAG,
                build=computed.level_in,
                breakdown=False,
            ),
            Field("flagged", "отмечен хотя бы в одной группе", Kind.BOOL, build=computed.flagged),
        ),
    ),
}
