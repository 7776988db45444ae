"""The FilterSets of the catalog and of routes, shared by the HTML pages and the API.

Codes of schools, municipalities and teachers are read as in deficits.filters: objects in
the user's scope only, a school or municipality meaning the teachers on its roster.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from deficits.filters import (
    CodeFilter,
    RosterFilterSet,
    municipality_filter,
    period_filter,
    school_filter,
    teacher_filter,
)
from iom.models import (
    ActivityKind,
    CourseRun,
    Enrollment,
    EnrollmentStatus,
    Program,
    ProgramKind,
    Provider,
    Route,
    RouteActivity,
    RouteStatus,
    TagKind,
    Topic,
)
from iom.services import active_group_choices

ID_PATTERN = r"[0-9]{1,18}"


def program_filter(**kwargs) -> CodeFilter:
    return CodeFilter(
        queryset=Program.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": "Программы с таким кодом нет в каталоге."},
        **kwargs,
    )


class ProgramFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Поиск")
    competence = django_filters.ChoiceFilter(
        method="tagged", label="Группа компетенций", empty_label="Все группы", choices=active_group_choices
    )
    topic = django_filters.ChoiceFilter(method="tagged", label="Тематика", empty_label="Любая", choices=Topic.choices)
    kind = django_filters.ChoiceFilter(choices=ProgramKind.choices, label="Вид", empty_label="ПК и ПП")
    e_learning = django_filters.BooleanFilter(label="ЭО и ДОТ")
    # Chosen by id (providers have no code); CodeFilter keeps a malformed id from the database.
    provider = CodeFilter(
        queryset=Provider.objects.order_by("name"),
        pattern=ID_PATTERN,
        label="Организация",
        empty_label="Все организации",
        error_messages={"invalid_choice": "Такой организации ДПО нет."},
    )

    class Meta:
        model = Program
        fields = ["q", "competence", "topic", "kind", "e_learning", "provider"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Long names (organizations, groups) would widen a phone's page: the closed select is capped.
        for name in ("competence", "provider"):
            self.form.fields[name].widget.attrs["style"] = "max-width: min(24rem, 80vw)"

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))

    def tagged(self, queryset, name, value: str):
        kind = TagKind.COMPETENCE if name == "competence" else TagKind.TOPIC
        return queryset.filter(pk__in=Program.objects.filter(tags__kind=kind, tags__value=value).values("pk"))


class CourseRunFilter(django_filters.FilterSet):
    program = program_filter(label="Код программы")
    period = period_filter(method="ending_in", label="Год периода: курсы, которые заканчиваются в нем")
    upcoming = django_filters.BooleanFilter(method="not_started", label="Только курсы, которые еще не начались")

    class Meta:
        model = CourseRun
        fields = ["program", "period", "upcoming"]

    @extend_schema_field(OpenApiTypes.INT)
    def ending_in(self, queryset, name, value):
        return queryset.ending_in(value)

    def not_started(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(start__gte=today) if value else queryset.filter(start__lt=today)


class EnrollmentFilter(RosterFilterSet):
    period = period_filter(method="ending_in", label="Год периода: обучение на курсах, которые заканчиваются в нем")
    municipality = municipality_filter(
        field_name="school__municipality", method="on_roster", label="Код муниципалитета (педагоги его ОО)"
    )
    school = school_filter(field_name="school", method="on_roster", label="Код ОО (педагоги в ее списке)")
    teacher = teacher_filter(label="Код педагога")
    program = program_filter(field_name="course__program", label="Код программы")
    course = CodeFilter(
        queryset=CourseRun.objects.all(),
        to_field_name="code",
        label="Код курса",
        error_messages={"invalid_choice": "Курса с таким кодом нет."},
    )
    status = django_filters.ChoiceFilter(choices=EnrollmentStatus.choices, label="Статус обучения")

    class Meta:
        model = Enrollment
        fields = ["period", "municipality", "school", "teacher", "program", "course", "status"]

    @extend_schema_field(OpenApiTypes.INT)
    def ending_in(self, queryset, name, value):
        return queryset.filter(course__end__gte=value.start, course__end__lte=value.end)


class RouteFilter(RosterFilterSet):
    """Routes; the staff routes page takes its school from here too."""

    period = period_filter(method="active_in", label="Год периода: маршруты, действующие в нем")
    municipality = municipality_filter(
        field_name="school__municipality", method="on_roster", label="Код муниципалитета (педагоги его ОО)"
    )
    school = school_filter(field_name="school", method="on_roster", label="Код ОО (педагоги в ее списке)")
    teacher = teacher_filter(label="Код педагога")
    status = django_filters.ChoiceFilter(choices=RouteStatus.choices, label="Состояние согласования")

    class Meta:
        model = Route
        fields = ["period", "municipality", "school", "teacher", "status"]

    @extend_schema_field(OpenApiTypes.INT)
    def active_in(self, queryset, name, value):
        return queryset.active_in(value)


class RouteActivityFilter(RosterFilterSet):
    teacher_path = "route__teacher_id"

    route = CodeFilter(
        queryset=Route.objects.none(),
        pattern=ID_PATTERN,
        label="Номер маршрута",
        error_messages={"invalid_choice": "Маршрута с таким номером нет в вашей области видимости."},
    )
    municipality = municipality_filter(
        field_name="school__municipality", method="on_roster", label="Код муниципалитета (педагоги его ОО)"
    )
    school = school_filter(field_name="school", method="on_roster", label="Код ОО (педагоги в ее списке)")
    teacher = teacher_filter(field_name="route__teacher", label="Код педагога")
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label="Вид мероприятия")
    done = django_filters.BooleanFilter(label="Выполнено")

    class Meta:
        model = RouteActivity
        fields = ["route", "municipality", "school", "teacher", "kind", "done"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["route"].queryset = Route.objects.visible_to(user)
