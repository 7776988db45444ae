"""API endpoints of the deficits app: the instrument, diagnostics' results and a teacher's own questionnaire.

Results are read as the pages show them (deficits.selectors); a teacher's token starts,
answers and completes their diagnostic through the same services as the questionnaire
pages (deficits.services), so the rules (one draft at a time, answers on the scale,
completed once) are the same at both doors.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from deficits import selectors, services
from deficits.filters import DiagnosticFilter
from deficits.models import CompetenceGroup, Diagnostic, DiagnosticKind, DiagnosticStatus, Instrument, Item, LevelBand
from deficits.scoring import active_instrument
from monitoring.models import Role
from monitoring.shared.viewsets import PersonDecides, ScopedViewSet


def is_teacher(user) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.TEACHER and user.teacher_id)


class TeacherWrites(permissions.BasePermission):
    """Everyone in scope reads; only a teacher (their own token) takes a diagnostic."""

    message = "Проходить диагностику может только сам педагог (токен педагога)."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or is_teacher(request.user)


# ---------------------------------------------------------------------------
# The instrument: what a client shows the teacher and which answers it accepts
# ---------------------------------------------------------------------------


class ScaleOptionSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="Балл ответа")
    label = serializers.CharField(help_text="Формулировка ответа")


class InstrumentItemSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="Код утверждения: ключ ответа (МЕТ-1)")

    class Meta:
        model = Item
        fields = ["code", "number", "text"]


class CompetenceGroupSerializer(serializers.ModelSerializer):
    items = InstrumentItemSerializer(many=True, read_only=True)

    class Meta:
        model = CompetenceGroup
        fields = ["code", "name", "description", "order", "items"]


class LevelBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = LevelBand
        fields = ["name", "min_score", "max_score", "is_deficit"]


class InstrumentSerializer(serializers.ModelSerializer):
    scale = ScaleOptionSerializer(many=True, read_only=True)
    groups = CompetenceGroupSerializer(many=True, read_only=True)
    bands = LevelBandSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = ["id", "code", "version", "name", "description", "is_active", "scale", "groups", "bands"]


class InstrumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Инструменты диагностики (редакции анкеты): шкала ответов, группы компетенций с утверждениями, уровни.

    Ответы диагностики передаются по кодам утверждений (МЕТ-1 …) и баллам шкалы этой редакции.
    """

    queryset = Instrument.objects.prefetch_related(
        Prefetch("groups", queryset=CompetenceGroup.objects.order_by("order")),
        Prefetch("groups__items", queryset=Item.objects.select_related("group").order_by("number")),
        Prefetch("bands", queryset=LevelBand.objects.order_by("min_score")),
    )
    serializer_class = InstrumentSerializer
    filterset_class = None
    ordering = ("code", "-version")

    def get_queryset(self):
        # The shipped questionnaire is loaded on first need, as the questionnaire pages do:
        # a client may ask what to show before any teacher has begun.
        active_instrument()
        return super().get_queryset()


# ---------------------------------------------------------------------------
# Diagnostics: results, and a teacher's own questionnaire
# ---------------------------------------------------------------------------


class GroupResultSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="Код группы компетенций")
    name = serializers.CharField(help_text="Наименование группы")
    score = serializers.IntegerField(help_text="Балл группы")
    level = serializers.CharField(help_text="Уровень сформированности")
    is_deficit = serializers.BooleanField(help_text="Дефицит")


class GroupProfileSerializer(GroupResultSerializer):
    change = serializers.IntegerField(
        allow_null=True, help_text="Изменение балла с предыдущей диагностики педагога (нет предыдущей — null)"
    )
    weak = serializers.ListField(
        child=serializers.CharField(), help_text="Утверждения, на которые педагог ответил в нижней половине шкалы"
    )


def _group_names(diagnostic: Diagnostic) -> dict[str, str]:
    # instrument.groups is prefetched for lists; the same edition's names for every row.
    return {g.code: g.name for g in diagnostic.instrument.groups.all()}


class DiagnosticSerializer(serializers.ModelSerializer):
    teacher = serializers.CharField(source="teacher.code", read_only=True, help_text="Код педагога")
    teacher_name = serializers.CharField(source="teacher.full_name", read_only=True)
    instrument = serializers.CharField(source="instrument.code", read_only=True, help_text="Код инструмента")
    instrument_id = serializers.IntegerField(read_only=True, help_text="Редакция инструмента (/api/v1/instruments/)")
    instrument_version = serializers.IntegerField(source="instrument.version", read_only=True)
    results = serializers.SerializerMethodField()
    deficits = serializers.SerializerMethodField()

    class Meta:
        model = Diagnostic
        fields = [
            "id", "teacher", "teacher_name", "instrument", "instrument_id", "instrument_version", "date", "kind",
            "status", "imported", "submitted_at", "results", "deficits",
        ]  # fmt: skip

    @extend_schema_field(GroupResultSerializer(many=True))
    def get_results(self, diagnostic: Diagnostic):
        names = _group_names(diagnostic)
        order = list(names)
        rows = sorted(
            diagnostic.results.all(),
            key=lambda r: (order.index(r.group_code) if r.group_code in names else len(order), r.group_code),
        )
        return [
            {
                "group": r.group_code,
                "name": names.get(r.group_code, r.group_code),
                "score": r.score,
                "level": r.level,
                "is_deficit": r.is_deficit,
            }
            for r in rows
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_deficits(self, diagnostic: Diagnostic):
        """Codes of the groups with a deficit, in the edition's order."""
        return [row["group"] for row in self.get_results(diagnostic) if row["is_deficit"]]


class DiagnosticDetailSerializer(DiagnosticSerializer):
    answers = serializers.DictField(
        child=serializers.IntegerField(), read_only=True, help_text="Ответы: код утверждения → балл"
    )
    profile = serializers.SerializerMethodField()
    previous = serializers.SerializerMethodField()
    missing_groups = serializers.SerializerMethodField()

    class Meta(DiagnosticSerializer.Meta):
        fields = [*DiagnosticSerializer.Meta.fields, "answers", "profile", "previous", "missing_groups"]

    def _profile(self, diagnostic: Diagnostic):
        if not hasattr(diagnostic, "_api_profile"):
            diagnostic._api_profile = (
                selectors.diagnostic_profile(diagnostic=diagnostic)
                if diagnostic.status == DiagnosticStatus.SUBMITTED
                else ([], None)
            )
        return diagnostic._api_profile

    @extend_schema_field(GroupProfileSerializer(many=True))
    def get_profile(self, diagnostic: Diagnostic):
        """The result page's table: every group of the edition, with the change and the weak statements."""
        rows, _ = self._profile(diagnostic)
        return [
            {
                "group": row["group"].code,
                "name": row["group"].name,
                "score": row["result"].score,
                "level": row["result"].level,
                "is_deficit": row["result"].is_deficit,
                "change": row["change"],
                "weak": row["weak"],
            }
            for row in rows
            if row["result"] is not None
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="Предыдущая диагностика педагога"))
    def get_previous(self, diagnostic: Diagnostic):
        _, previous = self._profile(diagnostic)
        return previous.pk if previous else None

    @extend_schema_field(
        serializers.ListField(child=serializers.CharField(), help_text="Группы, где остались утверждения без ответа")
    )
    def get_missing_groups(self, diagnostic: Diagnostic):
        if diagnostic.status != DiagnosticStatus.DRAFT:
            return []
        return services.missing_groups(diagnostic=diagnostic)


class DiagnosticStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DiagnosticKind.choices,
        required=False,
        help_text="Вид диагностики; по умолчанию — входная, после нее — промежуточная",
    )


class DiagnosticAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.IntegerField(),
        allow_empty=True,
        help_text="Ответы: код утверждения (МЕТ-1) → балл шкалы; добавляются к уже данным",
    )


class DiagnosticSubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Последние ответы (необязательно); после них на все утверждения должен быть ответ",
    )


class DiagnosticViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Диагностики профессиональных дефицитов: результаты по группам компетенций, уровни, дефициты.

    Сотрудники видят завершенные диагностики педагогов своей области видимости; педагог — свои,
    включая начатую. Педагог (своим токеном) начинает диагностику, сохраняет ответы и завершает ее —
    по тем же правилам, что и на странице анкеты.
    """

    queryset = Diagnostic.objects.select_related("teacher", "instrument").prefetch_related(
        "results", Prefetch("instrument__groups", queryset=CompetenceGroup.objects.order_by("order"))
    )
    serializer_class = DiagnosticSerializer
    filterset_class = DiagnosticFilter
    permission_classes = [permissions.IsAuthenticated, TeacherWrites, PersonDecides]
    # Completing the diagnostic fixes its result: the teacher's own act, not a token's.
    personal_actions = frozenset({"submit"})
    ordering = ("teacher__code", "-date")

    def get_queryset(self):
        queryset = super().get_queryset()
        # Staff read results; a draft is only its teacher's business (the result page says the same).
        if not is_teacher(self.request.user):
            queryset = queryset.filter(status=DiagnosticStatus.SUBMITTED)
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return DiagnosticSerializer
        if self.action == "create":
            return DiagnosticStartSerializer
        if self.action == "answers":
            return DiagnosticAnswersSerializer
        if self.action == "submit":
            return DiagnosticSubmitSerializer
        return DiagnosticDetailSerializer

    def _detail(self, diagnostic: Diagnostic, code: int = status.HTTP_200_OK) -> Response:
        diagnostic = self.get_queryset().get(pk=diagnostic.pk)
        return Response(DiagnosticDetailSerializer(diagnostic, context=self.get_serializer_context()).data, status=code)

    def _own_diagnostic(self) -> Diagnostic:
        # The scope already narrows a teacher to their own diagnostics.
        return self.get_object()

    @extend_schema(
        request=DiagnosticStartSerializer, responses={201: DiagnosticDetailSerializer, 200: DiagnosticDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Начать диагностику (педагог). Если начатая диагностика уже есть, возвращается она (ответ 200)."""
        body = DiagnosticStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        teacher = request.user.teacher
        kind = body.validated_data.get("kind") or services.default_kind(teacher=teacher)
        draft = services.current_draft(teacher=teacher)
        diagnostic = services.diagnostic_start(teacher=teacher, kind=kind)
        created = draft is None or draft.pk != diagnostic.pk
        return self._detail(diagnostic, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=DiagnosticAnswersSerializer, responses={200: DiagnosticDetailSerializer})
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Сохранить ответы начатой диагностики (педагог); можно по частям, как по страницам анкеты."""
        diagnostic = self._own_diagnostic()
        body = DiagnosticAnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # The service locks the row and checks it is still a draft: a save racing a submit is refused.
        diagnostic = services.diagnostic_save_answers(diagnostic=diagnostic, answers=body.validated_data["answers"])
        return self._detail(diagnostic)

    @extend_schema(request=DiagnosticSubmitSerializer, responses={200: DiagnosticDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Завершить диагностику (педагог, только в сеансе портала — не по токену): нужны ответы на все утверждения."""
        diagnostic = self._own_diagnostic()
        body = DiagnosticSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # All or nothing: answers sent with a refused completion are not kept either.
        with transaction.atomic():
            # Locks the row (answers or none) until the completion below commits, and reads it afresh.
            diagnostic = services.diagnostic_save_answers(
                diagnostic=diagnostic, answers=body.validated_data.get("answers", {})
            )
            missing = services.missing_groups(diagnostic=diagnostic)
            if missing:
                raise ValidationError(f"Остались утверждения без ответа в группах: {', '.join(missing)}.")
            services.diagnostic_complete(diagnostic=diagnostic)
        return self._detail(diagnostic)


router = SimpleRouter()
router.register("instruments", InstrumentViewSet, basename="api-instrument")
router.register("diagnostics", DiagnosticViewSet, basename="api-diagnostic")

urlpatterns = router.urls
