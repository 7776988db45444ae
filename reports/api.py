"""API endpoints of the reports app: findings, letters (with their stored PDF), measures and annual reports.

Read-only: letters are written, approved and issued on the portal's pages; here other
systems read what the pages show, through the same selectors (reports.letters,
reports.measures) and the same scope.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, renderers, serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from indicators.models import Level
from monitoring.models import Role
from monitoring.models.scoping import is_region_wide
from monitoring.shared.api import Conflict
from monitoring.shared.viewsets import IsStaffReader, ScopedViewSet
from reports import annual, letters, library, measures
from reports.filters import AnnualReportFilter, FindingFilter, LetterFilter, MeasureFilter
from reports.models import (
    AddresseeKind,
    AnnualReport,
    DecidedBy,
    Effect,
    Finding,
    Letter,
    LetterItem,
    Measure,
    MeasureStatus,
    ReportStatus,
    TextKind,
)

# The shared error body (monitoring.shared.schema adds the component), for statuses an
# operation declares itself.
ERROR = {"$ref": "#/components/schemas/Error"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------
# File downloads
# ---------------------------------------------------------------------------


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client ask for a PDF (``Accept: application/pdf``); the action returns the file itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class XLSXRenderer(PDFRenderer):
    media_type = XLSX
    format = "xlsx"


class FileDownloadsMixin:
    """Errors of a file action are JSON like every other error, whatever file type the client accepted."""

    file_actions: tuple[str, ...] = ()

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and getattr(self, "action", None) in self.file_actions:
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


# ---------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------


class FindingSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="period.year", read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_title = serializers.CharField(source="indicator.title", read_only=True)
    direction = serializers.IntegerField(source="indicator.direction", read_only=True)
    org = serializers.CharField(source="org_code", read_only=True)
    municipality = serializers.CharField(
        source="municipality.code", read_only=True, allow_null=True, help_text="Код муниципалитета (нет у региона)"
    )

    class Meta:
        model = Finding
        fields = [
            "id", "period", "indicator", "indicator_title", "direction", "level", "org", "org_name", "municipality",
            "value", "threshold", "higher_is_better",
        ]  # fmt: skip


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Проблемные зоны: организации и муниципалитеты, у которых значение показателя не достигает порога
    периода. Пересчитываются после каждого расчета показателей. Только сотрудникам органов и организаций
    образования, в пределах их области видимости.
    """

    queryset = Finding.objects.select_related("period", "indicator", "municipality")
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    permission_classes = [IsAuthenticated, IsStaffReader]
    ordering = ("-period__year", "indicator__order", "level", "org_code")


# ---------------------------------------------------------------------------
# Letters
# ---------------------------------------------------------------------------


class LetterItemSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True, allow_null=True)

    class Meta:
        model = LetterItem
        fields = ["id", "kind", "addressee", "indicator", "order", "text"]


class LetterSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="period.year", read_only=True)
    issuer = serializers.CharField(source="issuer.name", read_only=True, help_text="Орган, издающий письмо")
    issuer_kind = serializers.CharField(source="issuer.kind", read_only=True)
    municipality = serializers.CharField(
        source="municipality.code", read_only=True, allow_null=True, help_text="Код муниципалитета; нет — весь регион"
    )
    addressees = serializers.SerializerMethodField()
    has_pdf = serializers.SerializerMethodField()
    corrects = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Письмо, которое это исправляет"
    )
    items = LetterItemSerializer(many=True, read_only=True)
    adoption = serializers.SerializerMethodField(
        help_text="Кем и когда одобрены рекомендации: «…на заседании научно-методического совета (протокол № 4 от …)»"
    )

    class Meta:
        model = Letter
        fields = [
            "id", "period", "document_kind", "issuer", "issuer_kind", "addressee", "addressees", "municipality",
            "addressee_line", "title", "introduction", "closing", "reply_to", "reply_to_date", "protocol", "status",
            "signatory_position", "signatory_name", "created_at", "approved_at", "number", "issued_on",
            "has_pdf", "pdf_sha256", "corrects", "items", "adoption",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=AddresseeKind.choices)))
    def get_addressees(self, letter: Letter) -> list[str]:
        # reports.letters.permissions.addressee_kinds, from the prefetched items instead of a query per letter.
        kinds = {letter.addressee} | {
            i.addressee for i in letter.items.all() if i.kind == TextKind.RECOMMENDATION and i.addressee
        }
        return [k for k in library.ADDRESSEE_ORDER if k in kinds]

    def get_adoption(self, letter: Letter) -> str:
        return letters.adoption_sentence(letter)

    def get_has_pdf(self, letter: Letter) -> bool:
        return bool(letter.is_issued and letter.pdf)


class LetterViewSet(FileDownloadsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Письма с адресными рекомендациями (и справки): реквизиты, адресаты, состояние, пункты.

    Видны те же письма, что на странице «Письма»: проекты — только стороне автора, зарегистрированные —
    адресатам в пределах области видимости. Зарегистрированное письмо не меняется; его PDF — `/pdf/`.
    """

    queryset = Letter.objects.select_related("period", "issuer", "municipality", "meeting")
    serializer_class = LetterSerializer
    filterset_class = LetterFilter
    permission_classes = [IsAuthenticated, IsStaffReader]
    ordering = ("-period__year", "-created_at")
    file_actions = ("pdf",)

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return queryset
        # The letters page's selector decides who sees drafts; the scope is applied as well.
        queryset = queryset.filter(pk__in=letters.letters_visible(self.request.user).values("pk"))
        if self.action in ("list", "retrieve"):
            items = LetterItem.objects.select_related("indicator").order_by("kind", "addressee", "order", "pk")
            queryset = queryset.prefetch_related(Prefetch("items", queryset=items))
        return queryset

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (409, "application/json"): OpenApiResponse(
                ERROR, description="Файл изменен после регистрации: контрольная сумма не совпадает"
            ),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def pdf(self, request, pk=None):
        """PDF зарегистрированного письма — файл, сохраненный при регистрации (проверяется по SHA-256).
        У проекта письма PDF еще нет (404).
        """
        letter = self.get_object()
        if not (letter.is_issued and letter.pdf):
            raise exceptions.NotFound("У письма еще нет PDF: оно не зарегистрировано.")
        try:
            content = letters.letter_pdf_verified(letter=letter)
        except letters.LetterTampered as exc:
            raise Conflict(str(exc), code="tampered") from exc
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="letter-{letter.pk}.pdf"'
        return response


# ---------------------------------------------------------------------------
# Measures (management decisions) with their effect
# ---------------------------------------------------------------------------


# A measure as reports.measures.judged gives it: the decision and what the next period says.
class MeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="measure.pk")
    period = serializers.IntegerField(source="measure.period.year")
    text = serializers.CharField(source="measure.text")
    responsible = serializers.CharField(source="measure.responsible")
    due = serializers.DateField(source="measure.due")
    indicator = serializers.CharField(source="measure.indicator.code")
    level = serializers.ChoiceField(source="measure.level", choices=Level.choices)
    org = serializers.CharField(source="measure.org_code")
    org_name = serializers.CharField(source="unit_name")
    municipality = serializers.CharField(source="measure.municipality.code", allow_null=True)
    letter = serializers.IntegerField(
        source="measure.item.letter_id", allow_null=True, help_text="Письмо, по рекомендации которого принято решение"
    )
    baseline = serializers.DecimalField(
        source="measure.baseline", max_digits=20, decimal_places=4, allow_null=True, help_text="Значение при решении"
    )
    target = serializers.DecimalField(source="measure.target", max_digits=14, decimal_places=2)
    status = serializers.ChoiceField(source="measure.status", choices=MeasureStatus.choices)
    decided_by = serializers.ChoiceField(
        source="measure.decided_by", choices=DecidedBy.choices, help_text="Кем принято"
    )
    act = serializers.CharField(source="measure.act", help_text="Документ (приказ, распоряжение)")
    created_at = serializers.DateTimeField(source="measure.created_at")
    next_year = serializers.IntegerField(allow_null=True, help_text="Следующий период, по которому судят об эффекте")
    next_value = serializers.DecimalField(
        source="value", max_digits=20, decimal_places=4, allow_null=True, help_text="Значение в следующем периоде"
    )
    effect = serializers.ChoiceField(choices=Effect.choices, allow_null=True, help_text="Нет — нет данных")


class MeasureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Управленческие решения (меры) по рекомендациям и их эффект по значению показателя в следующем периоде:
    достигнут, частично, не достигнут. Только сотрудникам органов и организаций образования.
    """

    queryset = Measure.objects.select_related("period", "indicator", "municipality", "item")
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    permission_classes = [IsAuthenticated, IsStaffReader]
    ordering = ("-period__year", "due")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # judged() reads the next period's values for the whole page in a few queries.
        return self.get_paginated_response(MeasureSerializer(measures.judged(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(MeasureSerializer(measures.judged([self.get_object()])[0]).data)


# ---------------------------------------------------------------------------
# Annual reports
# ---------------------------------------------------------------------------


class IsReportReader(permissions.BasePermission):
    """The region's report: those who see the whole region; a municipality's справка also its officials.

    Which rows each reads is the viewset's scope (AnnualReport.scope_paths); a school head reads neither.
    """

    message = "Годовые отчеты и справки доступны специалистам института, министерства и муниципалитетов."

    def has_permission(self, request, view):
        user = request.user
        return is_region_wide(user) or bool(user.is_authenticated and user.role == Role.MUNICIPAL)


class AnnualReportSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="period.year", read_only=True)
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    # A municipality's справка: its municipality's code; empty for the region's report.
    municipality = serializers.CharField(source="municipality.code", read_only=True, allow_null=True, default=None)
    has_pdf = serializers.SerializerMethodField()
    has_xlsx = serializers.SerializerMethodField()

    class Meta:
        model = AnnualReport
        fields = [
            "id", "period", "municipality", "preliminary", "status", "progress", "user", "created_at", "finished_at",
            "pages", "error", "has_pdf", "has_xlsx",
        ]  # fmt: skip

    def get_has_pdf(self, report: AnnualReport) -> bool:
        return bool(report.status == ReportStatus.DONE and report.pdf)

    def get_has_xlsx(self, report: AnnualReport) -> bool:
        return bool(report.status == ReportStatus.DONE and report.xlsx)


class AnnualReportViewSet(FileDownloadsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Годовые отчеты для министерства и аналитические справки муниципалитетов: состояние формирования и файлы
    (PDF и XLSX с теми же таблицами). Отчеты по региону доступны специалистам института и министерства,
    справка муниципалитета — также специалистам этого муниципалитета (поле и фильтр municipality — код
    муниципалитета; у отчета по региону поле пустое, фильтр region=true оставляет только их).
    """

    queryset = AnnualReport.objects.select_related("period", "user", "municipality")
    serializer_class = AnnualReportSerializer
    filterset_class = AnnualReportFilter
    permission_classes = [IsAuthenticated, IsReportReader]
    ordering = ("-created_at",)
    file_actions = ("pdf", "xlsx")

    def _file(self, kind: str):
        report = self.get_object()
        stored = getattr(report, kind)
        if report.status != ReportStatus.DONE or not stored:
            raise exceptions.NotFound("Файл отчета еще не готов.")
        return FileResponse(stored.open("rb"), as_attachment=True, filename=f"{annual.document_name(report)}.{kind}")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def pdf(self, request, pk=None):
        """PDF годового отчета (404, пока отчет не сформирован)."""
        return self._file("pdf")

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, XLSXRenderer])
    def xlsx(self, request, pk=None):
        """Таблицы годового отчета в XLSX (404, пока отчет не сформирован)."""
        return self._file("xlsx")


router = SimpleRouter()
router.register("findings", FindingViewSet, basename="api-finding")
router.register("letters", LetterViewSet, basename="api-letter")
router.register("measures", MeasureViewSet, basename="api-measure")
router.register("annual-reports", AnnualReportViewSet, basename="api-annual-report")

urlpatterns = router.urls
