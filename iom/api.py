"""API endpoints of the iom app: the DPO catalog, enrollments, routes (ИОМ) and their activities.

The catalog and enrollments are read-only here (they arrive with the data package,
/api/v1/import-jobs/). Routes are written exactly where the browser has a door, through
the same services (iom.services): the teacher builds a route from their diagnostic, adds and
removes activities, submits it, marks activities done, writes a reflection and corrects it
after an intermediate diagnostic; the head of the teacher's school approves or returns it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from deficits.models import Diagnostic, DiagnosticStatus
from iom import services
from iom.filters import CourseRunFilter, EnrollmentFilter, ProgramFilter, RouteActivityFilter, RouteFilter
from iom.models import (
    PROGRAM_FLAGS,
    ActivityKind,
    CourseRun,
    Enrollment,
    Program,
    Route,
    RouteActivity,
    RouteEvent,
    RouteVersion,
)
from monitoring.models import Role
from monitoring.shared.viewsets import PersonDecides, ScopedViewSet

MAX_ID = 10**18 - 1


class ActionRoles(permissions.BasePermission):
    """Reads for everyone in scope; each writing action for the one role whose door it is.

    The view's ``action_roles`` maps an action to the role that may call it; an unsafe
    action not listed is refused. The services check the rest (the teacher's own route, the
    head of the teacher's current school).
    """

    def has_permission(self, request, view):
        role = view.action_roles.get(view.action)
        if role is None:
            return request.method in permissions.SAFE_METHODS
        user = request.user
        anchored = user.teacher_id if role == Role.TEACHER else user.school_id
        if user.role == role and anchored:
            return True
        self.message = view.role_messages[role]
        return False


ROLE_MESSAGES = {
    Role.TEACHER: "Маршрут составляет и ведет сам педагог (токен педагога).",
    Role.SCHOOL_HEAD: "Согласует маршрут руководитель образовательной организации, где работает педагог.",
}


# ---------------------------------------------------------------------------
# The catalog: programs and course runs
# ---------------------------------------------------------------------------


class ProgramSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider.name", read_only=True, help_text="Организация ДПО")
    target_positions = serializers.ListField(child=serializers.CharField(), read_only=True)
    competences = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Коды групп компетенций, которые развивает программа"
    )
    topics = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Program
        fields = [
            "code",
            "name",
            "provider",
            "kind",
            "hours",
            *PROGRAM_FLAGS,
            "target_positions",
            "competences",
            "topics",
        ]


class ProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Каталог дополнительных профессиональных программ (ДПП) с признаками: должности, группы компетенций, тематики.

    Фильтры — те же, что в каталоге на сайте. Каталог пополняется загрузкой пакета данных.
    """

    queryset = Program.objects.select_related("provider").prefetch_related("tags")
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    ordering = ("code",)


class CourseRunSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program.code", read_only=True, help_text="Код программы")
    program_name = serializers.CharField(source="program.name", read_only=True)

    class Meta:
        model = CourseRun
        fields = ["code", "program", "program_name", "start", "end", "by_school_request"]


class CourseRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Курсы: потоки программ с датами начала и окончания."""

    queryset = CourseRun.objects.select_related("program")
    serializer_class = CourseRunSerializer
    filterset_class = CourseRunFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    ordering = ("start", "code")


class EnrollmentSerializer(serializers.ModelSerializer):
    teacher = serializers.CharField(source="teacher.code", read_only=True, help_text="Код педагога")
    teacher_name = serializers.CharField(source="teacher.full_name", read_only=True)
    course = serializers.CharField(source="course.code", read_only=True, help_text="Код курса")
    program = serializers.CharField(source="course.program.code", read_only=True, help_text="Код программы")

    class Meta:
        model = Enrollment
        fields = ["id", "teacher", "teacher_name", "course", "program", "status", "final_attestation", "satisfaction"]


class EnrollmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Обучение педагогов на курсах: статус, итоговая аттестация, удовлетворенность."""

    queryset = Enrollment.objects.select_related("teacher", "course__program")
    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilter
    ordering = ("course__code", "teacher__code")


# ---------------------------------------------------------------------------
# Routes and their activities
# ---------------------------------------------------------------------------


class RouteActivitySerializer(serializers.ModelSerializer):
    route = serializers.IntegerField(source="route_id", read_only=True, help_text="Номер маршрута")
    program = serializers.CharField(
        source="program.code", read_only=True, allow_null=True, default=None, help_text="Код программы (для курса)"
    )
    label = serializers.CharField(read_only=True, help_text="Что сделать: программа, содержание или вид")

    class Meta:
        model = RouteActivity
        fields = ["id", "route", "kind", "program", "group_code", "title", "label", "due", "done", "done_at"]


class RouteSerializer(serializers.ModelSerializer):
    teacher = serializers.CharField(source="teacher.code", read_only=True, help_text="Код педагога")
    teacher_name = serializers.CharField(source="teacher.full_name", read_only=True)
    diagnostic = serializers.IntegerField(
        source="diagnostic_id", read_only=True, allow_null=True, help_text="Диагностика, по которой построен маршрут"
    )
    approved_by = serializers.CharField(
        source="approved_by.username", read_only=True, allow_null=True, default=None, help_text="Кто согласовал"
    )
    activities = RouteActivitySerializer(many=True, read_only=True)

    class Meta:
        model = Route
        fields = [
            "id", "teacher", "teacher_name", "start", "end", "based_on_diagnostic", "diagnostic", "status",
            "corrected", "version", "comment", "reflection", "approved_by", "approved_at", "activities",
        ]  # fmt: skip


class RouteEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = RouteEvent
        fields = ["status", "at", "user", "comment"]


class RouteVersionSerializer(serializers.ModelSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="Даты и мероприятия маршрута до корректировки")

    class Meta:
        model = RouteVersion
        fields = ["number", "created_at", "reason", "snapshot"]


class RouteDetailSerializer(RouteSerializer):
    events = RouteEventSerializer(many=True, read_only=True)
    versions = RouteVersionSerializer(many=True, read_only=True)

    class Meta(RouteSerializer.Meta):
        fields = [*RouteSerializer.Meta.fields, "events", "versions"]


class PlanDateField(serializers.DateField):
    """A date of a route's plan: within years a route can be planned in.

    Routes last up to three years and the services count years and months forward from
    their dates; a date near year 9999 would overflow Python's calendar there.
    """

    default_error_messages = {"out_of_range": "Дата должна быть в пределах 2000–2100 годов."}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not 2000 <= day.year <= 2100:
            self.fail("out_of_range")
        return day


class ActivityInputSerializer(serializers.Serializer):
    """Мероприятие маршрута: для курса — программа каталога, для остального — что будет сделано."""

    # Serializer docstrings are the schema's descriptions, hence Russian; the rules are
    # the route pages' forms' (iom.forms), the route's own are the services'.

    kind = serializers.ChoiceField(choices=ActivityKind.choices, help_text="Вид мероприятия")
    program = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Program.objects.all(),
        required=False,
        allow_null=True,
        error_messages={
            "does_not_exist": "Программы с кодом «{value}» нет в каталоге.",
            "invalid": "Укажите код программы.",
        },
        help_text="Код программы каталога (для курса)",
    )
    group_code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="Группа компетенций (код)"
    )
    title = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", help_text="Содержание (для всего, кроме курса)"
    )
    due = PlanDateField(help_text="Срок")

    def validate_group_code(self, value: str) -> str:
        if value and value not in dict(services.active_group_choices()):
            raise serializers.ValidationError("Группы компетенций с таким кодом нет в анкете.")
        return value

    def validate(self, attrs):
        if attrs["kind"] == ActivityKind.COURSE:
            if attrs.get("program") is None:
                raise serializers.ValidationError({"program": "Для курса выберите программу из каталога."})
            attrs["title"] = ""
        else:
            attrs["program"] = None
            attrs["title"] = attrs.get("title", "").strip()
            if not attrs["title"]:
                raise serializers.ValidationError({"title": "Опишите, что вы сделаете."})
        return attrs

    @staticmethod
    def to_input(data: dict) -> services.ActivityInput:
        return services.ActivityInput(
            kind=data["kind"],
            due=data["due"],
            program=data.get("program"),
            group_code=data.get("group_code", ""),
            title=data.get("title", ""),
        )


class OwnDiagnosticMixin:
    # A ``diagnostic`` field naming the signed-in teacher's own completed diagnostic by id.
    # (A comment, not a docstring: the schema would take it as the serializers' description.)

    def validate_diagnostic(self, pk: int) -> Diagnostic:
        user = self.context["request"].user
        diagnostic = (
            Diagnostic.objects.visible_to(user)
            .select_related("instrument")
            .filter(pk=pk, teacher_id=user.teacher_id, status=DiagnosticStatus.SUBMITTED)
            .first()
        )
        if diagnostic is None:
            raise serializers.ValidationError("Вашей завершенной диагностики с таким номером нет.")
        return diagnostic


class RouteCreateSerializer(OwnDiagnosticMixin, serializers.Serializer):
    """Новый маршрут по своей завершенной диагностике: даты и мероприятия."""

    diagnostic = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Ваша завершенная диагностика, по которой строится маршрут"
    )
    start = PlanDateField(required=False, help_text="Начало; по умолчанию — сегодня")
    end = PlanDateField(required=False, help_text="Окончание; по умолчанию — через год без одного дня")
    activities = ActivityInputSerializer(many=True, max_length=200, help_text="Мероприятия маршрута")


class RouteCorrectSerializer(serializers.Serializer):
    end = PlanDateField(required=False, help_text="Новое окончание; по умолчанию — прежнее")
    activities = ActivityInputSerializer(
        many=True, max_length=200, help_text="Новый план: заменяет невыполненные мероприятия (выполненные остаются)"
    )


class RouteReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("approve", "согласовать"), ("return", "вернуть на доработку")], help_text="Решение руководителя"
    )
    comment = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Что доработать (для возврата)"
    )


class RouteReflectionSerializer(serializers.Serializer):
    reflection = serializers.CharField(max_length=5000, allow_blank=True, help_text="Рефлексия педагога")


class RouteProposalsQuerySerializer(OwnDiagnosticMixin, serializers.Serializer):
    diagnostic = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Ваша завершенная диагностика")
    start = PlanDateField(required=False, help_text="Начало маршрута; по умолчанию — сегодня")
    end = PlanDateField(required=False, help_text="Окончание маршрута; по умолчанию — через год")


class RouteProposalSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    program = serializers.CharField(source="program.code", allow_null=True, default=None)
    program_name = serializers.CharField(source="program.name", allow_null=True, default=None)
    title = serializers.CharField(allow_blank=True)
    next_run = serializers.CharField(
        source="next_run.code", allow_null=True, default=None, help_text="Ближайший курс программы"
    )
    next_run_start = serializers.DateField(source="next_run.start", allow_null=True, default=None)
    due = serializers.DateField(allow_null=True, help_text="Предлагаемый срок")


class RouteGroupProposalsSerializer(serializers.Serializer):
    group_code = serializers.CharField()
    group_name = serializers.CharField()
    score = serializers.IntegerField()
    level = serializers.CharField()
    items = RouteProposalSerializer(many=True)


class RouteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Индивидуальные образовательные маршруты (ИОМ) с мероприятиями.

    Педагог (своим токеном) строит маршрут по своей диагностике, пишет рефлексию и корректирует
    маршрут после промежуточной диагностики. Решения принимает сам человек в сеансе портала, а не
    интеграция по токену: педагог отправляет маршрут на согласование, руководитель ОО, где педагог
    работает, согласует его или возвращает на доработку. Правила — те же, что на сайте.
    """

    queryset = Route.objects.select_related("teacher", "approved_by").prefetch_related(
        Prefetch("activities", queryset=RouteActivity.objects.select_related("program").order_by("due", "pk"))
    )
    serializer_class = RouteSerializer
    filterset_class = RouteFilter
    permission_classes = [permissions.IsAuthenticated, ActionRoles, PersonDecides]
    # Sending for approval and approving are a person's own decisions: not through a token.
    personal_actions = frozenset({"submit", "review"})
    action_roles = {
        "create": Role.TEACHER,
        "proposals": Role.TEACHER,
        "submit": Role.TEACHER,
        "reflection": Role.TEACHER,
        "correct": Role.TEACHER,
        "review": Role.SCHOOL_HEAD,
    }
    role_messages = ROLE_MESSAGES
    ordering = ("teacher__code", "-start")

    def get_serializer_class(self):
        return RouteSerializer if self.action == "list" else RouteDetailSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("events", queryset=RouteEvent.objects.select_related("user").order_by("at", "pk")),
                Prefetch("versions", queryset=RouteVersion.objects.order_by("number")),
            )
        return queryset

    def _detail(self, route: Route, code: int = status.HTTP_200_OK) -> Response:
        route = self.get_queryset().get(pk=route.pk)
        return Response(RouteDetailSerializer(route, context=self.get_serializer_context()).data, status=code)

    def _body(self, serializer_class) -> dict:
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data

    @extend_schema(
        parameters=[RouteProposalsQuerySerializer],
        responses={200: RouteGroupProposalsSerializer(many=True)},
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def proposals(self, request):
        """Предложения для маршрута по диагностике (педагог): по каждой группе с дефицитом — программы и другие виды."""
        query = RouteProposalsQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        groups = services.propose(diagnostic=data["diagnostic"], start=data.get("start"), end=data.get("end"))
        return Response(RouteGroupProposalsSerializer(groups, many=True).data)

    @extend_schema(request=RouteCreateSerializer, responses={201: RouteDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Составить маршрут по своей завершенной диагностике (педагог); он создается в состоянии «Составляется»."""
        data = self._body(RouteCreateSerializer)
        # The builder page's defaults: from today (or the given start) for one year.
        start = data.get("start") or timezone.localdate()
        route = services.route_create(
            teacher=request.user.teacher,
            start=start,
            end=data.get("end") or services.default_route_dates(start)[1],
            activities=[ActivityInputSerializer.to_input(a) for a in data["activities"]],
            user=request.user,
            diagnostic=data["diagnostic"],
        )
        return self._detail(route, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RouteDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Отправить маршрут руководителю на согласование (педагог, только в сеансе портала — не по токену)."""
        route = services.route_submit(route=self.get_object(), user=request.user)
        return self._detail(route)

    @extend_schema(request=RouteReviewSerializer, responses={200: RouteDetailSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Согласовать маршрут или вернуть на доработку (руководитель ОО педагога, только в сеансе портала)."""
        route = self.get_object()
        data = self._body(RouteReviewSerializer)
        route = services.route_review(
            route=route, user=request.user, approve=data["decision"] == "approve", comment=data["comment"]
        )
        return self._detail(route)

    @extend_schema(request=RouteReflectionSerializer, responses={200: RouteDetailSerializer})
    @action(detail=True, methods=["post"])
    def reflection(self, request, pk=None):
        """Сохранить рефлексию по маршруту (педагог)."""
        route = self.get_object()
        data = self._body(RouteReflectionSerializer)
        route = services.route_reflect(route=route, user=request.user, text=data["reflection"])
        return self._detail(route)

    @extend_schema(request=RouteCorrectSerializer, responses={200: RouteDetailSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Скорректировать маршрут по новой промежуточной диагностике (педагог); прежняя версия сохраняется."""
        route = self.get_object()
        if request.user.teacher_id != route.teacher_id:
            raise PermissionDenied("Корректирует маршрут сам педагог.")
        data = self._body(RouteCorrectSerializer)
        diagnostic = services.correction_diagnostic(route=route)
        if diagnostic is None:
            raise ValidationError("Для корректировки пройдите промежуточную диагностику в сроки маршрута.")
        route = services.route_correct(
            route=route,
            user=request.user,
            diagnostic=diagnostic,
            end=data.get("end", route.end),
            activities=[ActivityInputSerializer.to_input(a) for a in data["activities"]],
        )
        return self._detail(route)


class ActivityCreateSerializer(ActivityInputSerializer):
    """Мероприятие, добавляемое в маршрут."""

    route = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Номер маршрута")

    def validate_route(self, pk: int) -> Route:
        route = Route.objects.visible_to(self.context["request"].user).filter(pk=pk).first()
        if route is None:
            raise serializers.ValidationError("Маршрута с таким номером нет в вашей области видимости.")
        return route


class ActivityMarkSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text="Выполнено")


class RouteActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Мероприятия маршрутов. Педагог добавляет и удаляет мероприятия своего маршрута, пока тот
    составляется или возвращен на доработку, и отмечает выполнение после согласования."""

    queryset = RouteActivity.objects.select_related("route", "program")
    serializer_class = RouteActivitySerializer
    filterset_class = RouteActivityFilter
    permission_classes = [permissions.IsAuthenticated, ActionRoles]
    action_roles = {"create": Role.TEACHER, "destroy": Role.TEACHER, "mark": Role.TEACHER}
    role_messages = ROLE_MESSAGES
    ordering = ("route_id", "due")

    def get_serializer_class(self):
        if self.action == "create":
            return ActivityCreateSerializer
        if self.action == "mark":
            return ActivityMarkSerializer
        return RouteActivitySerializer

    def _row(self, activity: RouteActivity, code: int = status.HTTP_200_OK) -> Response:
        activity = self.get_queryset().get(pk=activity.pk)
        return Response(RouteActivitySerializer(activity, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ActivityCreateSerializer, responses={201: RouteActivitySerializer})
    def create(self, request, *args, **kwargs):
        """Добавить мероприятие в свой маршрут (педагог)."""
        body = ActivityCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        activity = services.activity_add(
            route=data["route"], activity=ActivityInputSerializer.to_input(data), user=request.user
        )
        return self._row(activity, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Удалить мероприятие из своего маршрута (педагог)."""
        services.activity_remove(activity=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ActivityMarkSerializer, responses={200: RouteActivitySerializer})
    @action(detail=True, methods=["post"])
    def mark(self, request, pk=None):
        """Отметить мероприятие выполненным или невыполненным (педагог, после согласования маршрута)."""
        activity = self.get_object()
        body = ActivityMarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.activity_mark(activity=activity, user=request.user, done=body.validated_data["done"])
        return self._row(activity)


router = SimpleRouter()
router.register("programs", ProgramViewSet, basename="api-program")
router.register("course-runs", CourseRunViewSet, basename="api-course-run")
router.register("enrollments", EnrollmentViewSet, basename="api-enrollment")
router.register("routes", RouteViewSet, basename="api-route")
router.register("route-activities", RouteActivityViewSet, basename="api-route-activity")

urlpatterns = router.urls
