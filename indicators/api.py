"""API endpoints of the indicators: the computed values (the export's rows) and the computation runs."""

from __future__ import annotations

from django.db import transaction
from django.urls import include, path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, mixins, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from indicators import services
from indicators.export import format_row, ordered
from indicators.filters import ComputationRunFilter, IndicatorValueFilter
from indicators.models import ComputationRun, IndicatorValue
from monitoring.models import MonitoringPeriod
from monitoring.shared import dispatch
from monitoring.shared.api import Conflict, Pagination
from monitoring.shared.viewsets import IsStaffReader, RegionWriteOrReadOnly, ScopedViewSet

# The shared error body (monitoring.shared.schema adds the component), for statuses an
# operation declares itself.
ERROR = {"$ref": "#/components/schemas/Error"}

# ---------------------------------------------------------------------------
# Indicator values: the rows of export_indicators
# ---------------------------------------------------------------------------


# A row as export_indicators writes it: every number a string in the CSV's format.
class IndicatorValueSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    level = serializers.CharField()
    org = serializers.CharField()
    breakdown = serializers.CharField()
    numerator = serializers.CharField(allow_blank=True)
    denominator = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)

    def to_representation(self, instance: IndicatorValue) -> dict:
        return dict(zip(self.fields, format_row(instance), strict=True))


class ExportPagination(Pagination):
    # A region's period is ~100,000 rows; pages of a thousand keep a client's loop short.
    page_size = 1000
    max_page_size = 10000
    page_size_query_description = "Строк на странице (по умолчанию 1000, не больше 10000)."
    invalid_page_message = "Нет такой страницы: {message}"


class IndicatorValueList(generics.ListAPIView):
    """Значения показателей периода: те же строки, поля, порядок и формат чисел, что в выгрузке
    `export_indicators` (числа — строки с точкой, пустое значение — пустая строка).

    Без параметра `period` — текущий период (как на страницах портала): в строках выгрузки период не указан.
    Строки ограничены областью видимости: ОО — своя организация, муниципалитет — свои ОО и сам
    муниципалитет, институт и министерство — все уровни, включая регион.
    """

    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    pagination_class = ExportPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no database
            return IndicatorValue.objects.none()
        queryset = IndicatorValue.objects.visible_to(self.request.user)
        if not self.request.query_params.get("period"):
            # The export's rows carry no period: mixing periods would give rows nobody can tell apart.
            current = MonitoringPeriod.objects.current()
            queryset = queryset.filter(period=current) if current else queryset.none()
        # The export's order is unique within a period (indicator, level, org, breakdown).
        return ordered(queryset)


# ---------------------------------------------------------------------------
# Computation runs: start one, poll its progress
# ---------------------------------------------------------------------------


class ComputationRunSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="period.year", read_only=True)
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    percent = serializers.IntegerField(read_only=True, help_text="Готовность, % (шаги выполнено / шагов всего)")
    seconds = serializers.FloatField(read_only=True, allow_null=True, help_text="Длительность расчета, с")
    timings = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text="Время по направлениям и итоговому шагу, с"
    )
    inputs = serializers.SerializerMethodField()
    warning = serializers.SerializerMethodField(help_text="Предупреждение, например, что очередь задач недоступна")

    class Meta:
        model = ComputationRun
        fields = [
            "id", "period", "status", "trigger", "user", "created_at", "started_at", "finished_at",
            "steps_total", "steps_done", "percent", "seconds", "timings", "values_written", "inputs", "error",
            "warning",
        ]  # fmt: skip

    def get_warning(self, run: ComputationRun) -> str | None:
        return self.context.get("warning")

    @extend_schema_field(
        inline_serializer(
            "ComputationRunInputs",
            {
                "imports": serializers.ListField(child=serializers.IntegerField(), help_text="Примененные загрузки"),
                "submissions": serializers.DictField(
                    child=serializers.IntegerField(), help_text="Число сдач ОО по состояниям"
                ),
                "data_changed_at": serializers.DateTimeField(allow_null=True),
            },
        )
    )
    def get_inputs(self, run: ComputationRun) -> dict:
        # Runs created before inputs were recorded have an empty dict: the same keys for every run.
        inputs = run.inputs or {}
        return {
            "imports": list(inputs.get("imports", [])),
            "submissions": dict(inputs.get("submissions", {})),
            "data_changed_at": inputs.get("data_changed_at"),
        }


class ComputationStartSerializer(serializers.Serializer):
    period = serializers.IntegerField(min_value=1, max_value=32767, help_text="Год периода мониторинга")

    def validate_period(self, year: int) -> MonitoringPeriod:
        period = MonitoringPeriod.objects.filter(year=year).first()
        if period is None:
            raise serializers.ValidationError(f"Периода {year} нет.", code="does_not_exist")
        return period


class ComputationRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Расчеты показателей: состояние, ход (шаги выполнено/всего), время по направлениям, ошибка.

    Запустить расчет (POST) может только специалист института — как кнопкой «Рассчитать» на странице
    показателей; показатели закрытого периода, однажды рассчитанные, не пересчитываются (409).
    """

    queryset = ComputationRun.objects.select_related("period", "user")
    serializer_class = ComputationRunSerializer
    filterset_class = ComputationRunFilter
    permission_classes = [IsAuthenticated, IsStaffReader, RegionWriteOrReadOnly]
    ordering = ("-created_at",)

    def get_serializer_class(self):
        return ComputationStartSerializer if self.action == "create" else ComputationRunSerializer

    @extend_schema(
        request=ComputationStartSerializer,
        responses={
            201: ComputationRunSerializer,
            409: OpenApiResponse(ERROR, description="Период закрыт: показатели не пересчитываются"),
        },
    )
    def create(self, request, *args, **kwargs):
        start = ComputationStartSerializer(data=request.data)
        start.is_valid(raise_exception=True)
        # The dashboard's button's service; the workers take the run once this commits.
        try:
            # With the broker down the run is saved and sent again later (monitoring.shared.dispatch);
            # the caller is told so, as the dashboard tells a person.
            with dispatch.watch() as queue, transaction.atomic():
                run = services.computation_start(period=start.validated_data["period"], user=request.user)
        except services.ClosedPeriod as exc:
            raise Conflict(str(exc), code="closed_period") from exc
        run.refresh_from_db()
        context = {"warning": dispatch.QUEUE_DOWN_MESSAGE} if queue.down else {}
        return Response(ComputationRunSerializer(run, context=context).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("computation-runs", ComputationRunViewSet, basename="api-computation-run")

urlpatterns = [
    path("indicator-values/", IndicatorValueList.as_view(), name="api-indicator-values"),
    *router.urls,
    # The indicator builder's endpoints (declarative definitions, catalogs as files).
    path("", include("indicators.builder_api")),
]
