"""API endpoints of the indicator builder: declarative definitions, their preview, catalogs as files. Thin doors.

The same services as the builder's pages (indicators.declarative.services / files), for
institute staff only (as the pages). Changing what the region computes is a person's
decision: with an integration token the definitions and catalogs are read and previewed,
not saved, removed, imported or adopted (PersonDecides).
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, permissions, serializers, status
from rest_framework.response import Response

from indicators.builder import catalog_file
from indicators.declarative import files, services
from indicators.declarative.spec import DefinitionInvalid
from indicators.models import IndicatorCatalog, IndicatorKind, PeriodIndicator
from monitoring.models import MonitoringPeriod
from monitoring.models.scoping import can_write_region
from monitoring.shared import dispatch
from monitoring.shared.api import Conflict
from monitoring.shared.viewsets import PersonDecides, ScopedViewSet

ERROR = {"$ref": "#/components/schemas/Error"}
FILE = "binary"
PERIOD = OpenApiParameter("period", int, description="Год периода (по умолчанию текущий)")


class InstituteStaff(permissions.BasePermission):
    message = "Конструктор показателей — для сотрудников института."

    def has_permission(self, request, view):
        return can_write_region(request.user)


def _period(request) -> MonitoringPeriod:
    year = request.query_params.get("period") or (request.data.get("period") if hasattr(request.data, "get") else None)
    if year in (None, ""):
        period = MonitoringPeriod.objects.current()
        if period is None:
            raise exceptions.NotFound("В портале еще нет ни одного периода мониторинга.")
        return period
    if not str(year).isascii() or not str(year).isdigit() or len(str(year)) > 4:
        raise exceptions.ValidationError({"period": ["Период — год, четыре цифры."]})
    return get_object_or_404(MonitoringPeriod, year=int(year))


def _invalid(exc: DefinitionInvalid) -> exceptions.ValidationError:
    return exceptions.ValidationError({"definition": exc.errors})


class DefinitionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="indicator.code")
    title = serializers.CharField(source="indicator.title")
    catalog = serializers.CharField(source="indicator.catalog.slug", allow_null=True, default=None)
    period = serializers.IntegerField(source="period.year")
    definition = serializers.JSONField(source="spec", help_text="Определение показателя (как в файле набора)")
    revision = serializers.IntegerField(
        source="indicator.revision", read_only=True, help_text="Версия определения: передайте ее при изменении"
    )

    class Meta:
        model = PeriodIndicator
        fields = ["code", "title", "period", "catalog", "definition", "revision"]


class SaveSerializer(serializers.Serializer):
    definition = serializers.JSONField(help_text="Определение показателя")
    catalog = serializers.CharField(required=False, allow_blank=True, help_text="Обозначение набора (необязательно)")
    period = serializers.IntegerField(required=False, help_text="Год периода (по умолчанию текущий)")
    revision = serializers.IntegerField(
        required=False, min_value=0, help_text="При изменении: версия определения, которую вы правили (обязательна)"
    )


PreviewSerializer = inline_serializer(
    "DefinitionPreview",
    {
        "value": serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True),
        "numerator": serializers.DecimalField(max_digits=20, decimal_places=6),
        "denominator": serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True),
        "top": serializers.ListField(child=serializers.DictField()),
        "bottom": serializers.ListField(child=serializers.DictField()),
        "municipalities": serializers.IntegerField(),
        "queries": serializers.IntegerField(),
        "seconds": serializers.FloatField(),
        "breakdowns": serializers.ListField(child=serializers.DictField()),
        "partial": serializers.BooleanField(),
    },
)


def _preview_body(p: services.Preview) -> dict:
    def pairs(rows, key):
        return [{key: name, "value": None if v is None else str(v)} for name, v in rows]

    return {
        "value": None if p.value is None else str(p.value),
        "numerator": str(p.numerator),
        "denominator": None if p.denominator is None else str(p.denominator),
        "top": pairs(p.top, "municipality"),
        "bottom": pairs(p.bottom, "municipality"),
        "municipalities": p.municipalities,
        "queries": p.queries,
        "seconds": p.seconds,
        "breakdowns": pairs(p.breakdowns, "breakdown"),
        "partial": p.partial,
    }


@extend_schema(parameters=[PERIOD])
class DefinitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Показатели, заданные институтом (декларативные), в издании периода: список, определение, сохранение,
    удаление, предварительный расчет. Только для сотрудников института; сохранять и удалять — только человеку
    (не по токену интеграции)."""

    queryset = PeriodIndicator.objects.select_related("indicator", "indicator__catalog", "period")
    serializer_class = DefinitionSerializer
    permission_classes = [permissions.IsAuthenticated, InstituteStaff, PersonDecides]
    personal_actions = ("create", "update", "destroy")
    lookup_field = "indicator__code"
    lookup_url_kwarg = "code"
    lookup_value_regex = r"[^/]{1,10}"
    ordering = ("indicator__order", "indicator__code")
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PeriodIndicator.objects.none()
        return super().get_queryset().filter(period=_period(self.request), indicator__kind=IndicatorKind.DECLARATIVE)

    def _save(self, request, *, code: str | None):
        body = SaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data["definition"]
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"definition": ["Определение показателя должно быть объектом."]})
        if code is not None and data.get("code") != code:
            raise exceptions.ValidationError({"definition": [f"Код: в определении должен быть код {code}."]})
        slug = body.validated_data.get("catalog") or ""
        catalog = get_object_or_404(IndicatorCatalog, slug=slug) if slug else None
        revision = body.validated_data.get("revision")
        if code is not None and revision is None:
            raise exceptions.ValidationError(
                {
                    "revision": [
                        "Передайте версию определения (revision), которую вы правили: без нее правка не сохраняется."
                    ]
                }
            )
        try:
            with dispatch.watch(), transaction.atomic():
                pi = services.definition_save(
                    period=_period(request),
                    data=data,
                    user=request.user,
                    catalog=catalog,
                    create=code is None,
                    revision=revision,
                )
        except DefinitionInvalid as exc:
            raise _invalid(exc) from exc
        except services.DefinitionRefused as exc:
            raise Conflict(str(exc), code="refused") from exc
        pi = self.queryset.get(pk=pi.pk)
        return Response(DefinitionSerializer(pi).data, status=status.HTTP_201_CREATED if code is None else 200)

    @extend_schema(
        request=SaveSerializer,
        responses={
            201: DefinitionSerializer,
            400: OpenApiResponse(ERROR, description="Определение неверно: ошибки называют часть"),
            409: OpenApiResponse(ERROR, description="Период закрыт или код занят показателем из кода портала"),
        },
    )
    def create(self, request):
        return self._save(request, code=None)

    @extend_schema(request=SaveSerializer, responses={200: DefinitionSerializer, 400: ERROR, 409: ERROR})
    def update(self, request, code: str):
        self.get_object()
        return self._save(request, code=code)

    @extend_schema(responses={204: None, 409: ERROR})
    def destroy(self, request, code: str):
        self.get_object()
        try:
            services.definition_remove(period=_period(request), code=code, user=request.user)
        except services.DefinitionRefused as exc:
            raise Conflict(str(exc), code="refused") from exc
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=SaveSerializer,
        responses={200: PreviewSerializer, 400: OpenApiResponse(ERROR, description="Определение неверно")},
    )
    def preview(self, request):
        body = SaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data["definition"]
        result = services.preview(period=_period(request), data=data, user=request.user)
        if result.errors:
            raise exceptions.ValidationError({"definition": result.errors})
        return Response(_preview_body(result))


class CatalogSerializer(serializers.ModelSerializer):
    indicators = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = IndicatorCatalog
        fields = ["slug", "title", "source", "description", "indicators"]


class CatalogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Наборы показателей, заданных институтом: список, выгрузка файлом, загрузка файла, принятие в период.
    Загружать и принимать набор — только человеку (не по токену интеграции)."""

    queryset = IndicatorCatalog.objects.prefetch_related("indicators")
    serializer_class = CatalogSerializer
    permission_classes = [permissions.IsAuthenticated, InstituteStaff, PersonDecides]
    personal_actions = ("upload", "adopt")
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]{1,50}"
    ordering = ("title",)
    filter_backends: list = []

    @extend_schema(
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="Файл набора показателей")
        }
    )
    def export(self, request, slug: str):
        return catalog_file(self.get_object())

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": FILE}}}},
        responses={201: CatalogSerializer, 400: OpenApiResponse(ERROR, description="Файл отклонен: все ошибки")},
    )
    def upload(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": ["Приложите файл набора показателей (.json)."]})
        if upload.size > files.MAX_BYTES:
            raise exceptions.ValidationError({"file": [f"Файл больше {files.MAX_BYTES // 1_000_000} МБ."]})
        try:
            replace = str(request.data.get("replace", "")).lower() in ("1", "true", "on", "yes")
            catalog = files.catalog_load(data=upload.read(), user=request.user, replace=replace)
        except DefinitionInvalid as exc:
            raise exceptions.ValidationError({"file": exc.errors}) from exc
        return Response(CatalogSerializer(catalog).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[PERIOD],
        request=None,
        responses={200: inline_serializer("CatalogAdopted", {"added": serializers.IntegerField()}), 409: ERROR},
    )
    def adopt(self, request, slug: str):
        catalog = self.get_object()
        try:
            with dispatch.watch():
                added = services.catalog_adopt(period=_period(request), catalog=catalog, user=request.user)
        except services.DefinitionRefused as exc:
            raise Conflict(str(exc), code="refused") from exc
        except DefinitionInvalid as exc:
            raise _invalid(exc) from exc
        return Response({"added": added})


definitions = DefinitionViewSet.as_view
catalogs = CatalogViewSet.as_view
urlpatterns = [
    path("declarative-indicators/preview/", definitions({"post": "preview"}), name="api-declarative-preview"),
    path("declarative-indicators/", definitions({"get": "list", "post": "create"}), name="api-declarative-list"),
    path(
        "declarative-indicators/<str:code>/",
        definitions({"get": "retrieve", "put": "update", "delete": "destroy"}),
        name="api-declarative-detail",
    ),
    path("indicator-catalogs/", catalogs({"get": "list"}), name="api-indicator-catalog-list"),
    path("indicator-catalogs/import/", catalogs({"post": "upload"}), name="api-indicator-catalog-import"),
    path("indicator-catalogs/<str:slug>/", catalogs({"get": "retrieve"}), name="api-indicator-catalog-detail"),
    path("indicator-catalogs/<str:slug>/export/", catalogs({"get": "export"}), name="api-indicator-catalog-export"),
    path("indicator-catalogs/<str:slug>/adopt/", catalogs({"post": "adopt"}), name="api-indicator-catalog-adopt"),
]
