"""API endpoints of the monitored world: organisations, periods, the roster, staffing and imports."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, mixins, parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from monitoring import services
from monitoring.filters import MunicipalityFilter, RosterEntryFilter, SchoolFilter
from monitoring.intake import jobs
from monitoring.intake.forms import PACKAGE_SUFFIXES, STAFFING_SUFFIXES
from monitoring.intake.package.safety import MAX_UPLOAD_BYTES
from monitoring.models import (
    ImportJob,
    ImportKind,
    ImportStatus,
    MonitoringPeriod,
    Municipality,
    RosterEntry,
    School,
    StaffingRow,
    Teacher,
)
from monitoring.models.scoping import can_see_personal_data, is_region_wide, scope_filter
from monitoring.shared import dispatch
from monitoring.shared.api import Conflict
from monitoring.shared.viewsets import ScopedViewSet

# ---------------------------------------------------------------------------
# Organisations and periods
# ---------------------------------------------------------------------------


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["code", "name"]


class MunicipalityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Муниципалитеты в области видимости."""

    queryset = Municipality.objects.all()
    serializer_class = MunicipalitySerializer
    filterset_class = MunicipalityFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]{1,20}"
    ordering = ("code",)


class SchoolSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = School
        fields = ["code", "name", "municipality", "kind", "low_results", "adverse_conditions", "inn", "head_name"]


class SchoolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Образовательные организации в области видимости."""

    queryset = School.objects.select_related("municipality")
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]{1,20}"
    ordering = ("code",)


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringPeriod
        fields = ["year", "reference_date", "status", "young_age_limit", "pension_age_women", "pension_age_men"]


class PeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Периоды мониторинга."""

    queryset = MonitoringPeriod.objects.all()
    serializer_class = PeriodSerializer
    lookup_field = "year"
    lookup_value_regex = r"[0-9]{4}"
    ordering = ("-year",)
    filterset_class = None


# ---------------------------------------------------------------------------
# The roster (teachers) and staffing
# ---------------------------------------------------------------------------


class PeriodFilterMixin(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period__year", label="Год периода")


class RosterEntryApiFilter(PeriodFilterMixin, RosterEntryFilter):
    """The teacher list's filters, plus the period (the page takes it from its own selector)."""

    class Meta(RosterEntryFilter.Meta):
        fields = [*RosterEntryFilter.Meta.fields, "period"]


class RosterEntrySerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="period.year", read_only=True)
    teacher = serializers.CharField(source="teacher.code", read_only=True)
    full_name = serializers.CharField(source="teacher.full_name", read_only=True)
    sex = serializers.CharField(source="teacher.sex", read_only=True)
    birth_date = serializers.SerializerMethodField()
    snils = serializers.SerializerMethodField()
    school = serializers.CharField(source="school.code", read_only=True)
    municipality = serializers.CharField(source="school.municipality.code", read_only=True)

    class Meta:
        model = RosterEntry
        fields = [
            "id", "period", "teacher", "full_name", "sex", "birth_date", "snils", "school", "municipality",
            "position", "subjects", "education_level", "pedagogical_education", "education_matches_profile",
            "category", "category_date", "experience_years", "part_time", "workload",
        ]  # fmt: skip

    def _personal(self, entry: RosterEntry) -> bool:
        # The role decides once per response; the person, per row: a past year's row of a
        # teacher who has moved to another school carries no birth date for the former head
        # (TeacherViewSet annotates whether the card itself is in the user's scope).
        if "personal" not in self.context:
            self.context["personal"] = can_see_personal_data(self.context["request"].user)
        return self.context["personal"] and getattr(entry, "card_visible", True)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_birth_date(self, entry: RosterEntry):
        return entry.teacher.birth_date.isoformat() if self._personal(entry) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_snils(self, entry: RosterEntry):
        return (entry.teacher.snils or None) if self._personal(entry) else None


class TransferSerializer(serializers.Serializer):
    school = serializers.CharField(max_length=20, help_text="Код ОО, куда переводится педагог")


class TeacherViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Педагоги (строки списка педагогов по периодам). Дата рождения и СНИЛС — только ролям, которым они нужны."""

    queryset = RosterEntry.objects.select_related("period", "teacher", "school__municipality")
    serializer_class = RosterEntrySerializer
    filterset_class = RosterEntryApiFilter
    ordering = ("-period__year", "teacher__code")

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        if is_region_wide(user) or not can_see_personal_data(user):
            return queryset
        # Whether the teacher's card (name, birth date, СНИЛС now) is the user's: in one query.
        cards = Teacher.objects.filter(scope_filter(user=user, model=Teacher), pk=OuterRef("teacher_id"))
        return queryset.annotate(card_visible=Exists(cards))

    @extend_schema(request=TransferSerializer, responses={200: RosterEntrySerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Перевести педагога в другую ОО за период этой строки (специалист института; муниципальный координатор —
        внутри своего муниципалитета)."""
        entry = self.get_object()
        if not services.can_transfer_teachers(request.user):
            raise exceptions.PermissionDenied(
                "Переводить педагогов может муниципальный координатор или специалист института."
            )
        body = TransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        school = School.objects.visible_to(request.user).filter(code=body.validated_data["school"]).first()
        if school is None:
            raise serializers.ValidationError({"school": ["Организации с таким кодом среди доступных вам нет."]})
        moved = services.roster_transfer(teacher=entry.teacher, period=entry.period, school=school, user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=moved.pk)).data)


class StaffingRowFilter(PeriodFilterMixin):
    school = django_filters.CharFilter(field_name="school__code", label="Код ОО")
    municipality = django_filters.CharFilter(field_name="school__municipality__code", label="Код муниципалитета")

    class Meta:
        model = StaffingRow
        fields = ["period", "school", "municipality"]


class StaffingRowSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="period.year", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True)

    class Meta:
        model = StaffingRow
        fields = [
            "id", "period", "school", "position", "positions_by_schedule", "actual_need", "vacant_positions",
            "vacant_posts",
        ]  # fmt: skip


class StaffingRowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Штатное расписание. Загрузка — через /api/v1/import-jobs/ (kind=staffing), как на странице ОО."""

    queryset = StaffingRow.objects.select_related("period", "school")
    serializer_class = StaffingRowSerializer
    filterset_class = StaffingRowFilter
    ordering = ("-period__year", "school__code", "position")


# ---------------------------------------------------------------------------
# Imports: upload, poll, read the error report, confirm
# ---------------------------------------------------------------------------


class ImportJobSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="period.year", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True, allow_null=True)
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    problem_count = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    warning = serializers.SerializerMethodField(help_text="Предупреждение, например, что очередь задач недоступна")

    class Meta:
        model = ImportJob
        fields = [
            "id", "kind", "period", "school", "user", "original_name", "replace", "status", "created_at",
            "applied_at", "summary", "problem_count", "progress", "warning",
        ]  # fmt: skip

    def get_warning(self, job: ImportJob) -> str | None:
        return self.context.get("warning")

    def get_problem_count(self, job: ImportJob) -> int:
        return len(job.problems)

    @extend_schema_field(
        inline_serializer(
            "ImportProgress",
            {"sheet": serializers.CharField(), "done": serializers.IntegerField(), "total": serializers.IntegerField()},
            allow_null=True,
        )
    )
    def get_progress(self, job: ImportJob):
        return jobs.import_progress(job.pk) if job.status in ("checking", "running") else None


class ImportUploadSerializer(serializers.Serializer):
    """Загрузка файла: пакет данных региона (kind=package) или штатное расписание ОО (kind=staffing, school — код ОО).

    Поля те же, что на страницах загрузки; файл проверяется, затем загрузку подтверждают (confirm).
    """

    kind = serializers.ChoiceField(choices=ImportKind.choices, default=ImportKind.PACKAGE)
    period = serializers.SlugRelatedField(
        slug_field="year",
        queryset=MonitoringPeriod.objects.open(),
        error_messages={
            "does_not_exist": "Период {value} закрыт или не существует: данные загружаются только в открытый период."
        },
    )
    school = serializers.SlugRelatedField(
        slug_field="code", queryset=School.objects.all(), required=False, allow_null=True
    )
    replace = serializers.BooleanField(default=False)
    file = serializers.FileField(max_length=255, allow_empty_file=False)

    default_error_messages = {"bad_suffix": "Нужен файл {suffixes}; загружен «{name}»."}

    def validate_school(self, school):
        # A code outside the caller's scope reads as unknown, like a page out of scope.
        if school is not None and not School.objects.visible_to(self.context["request"].user).filter(pk=school.pk):
            raise serializers.ValidationError("Организации с таким кодом нет.", code="does_not_exist")
        return school

    def validate(self, attrs):
        suffixes = STAFFING_SUFFIXES if attrs["kind"] == ImportKind.STAFFING else PACKAGE_SUFFIXES
        name = attrs["file"].name or ""
        if not name.lower().endswith(suffixes):
            raise serializers.ValidationError(
                {"file": self.error_messages["bad_suffix"].format(suffixes=", ".join(suffixes), name=name)}
            )
        if attrs["file"].size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(
                {"file": f"Файл слишком большой: можно загрузить не более {MAX_UPLOAD_BYTES // (1024 * 1024)} МБ."}
            )
        if attrs["kind"] == ImportKind.STAFFING and attrs.get("school") is None:
            raise serializers.ValidationError({"school": "Для штатного расписания укажите код ОО."})
        return attrs


class ImportProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField(allow_null=True, required=False)
    row = serializers.IntegerField(allow_null=True, required=False)
    column = serializers.CharField(allow_null=True, required=False)
    value = serializers.CharField(allow_null=True, required=False)
    message = serializers.CharField(allow_null=True, required=False)
    text = serializers.CharField(help_text="Сообщение целиком: где и что не так")


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Загрузки: пакет данных региона или штатное расписание ОО. Загрузка проверяется, затем подтверждается."""

    queryset = ImportJob.objects.select_related("period", "school", "user")
    serializer_class = ImportJobSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    ordering = ("-created_at",)
    filterset_class = None

    def get_serializer_class(self):
        return ImportUploadSerializer if self.action == "create" else ImportJobSerializer

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportJobSerializer})
    def create(self, request, *args, **kwargs):
        upload = ImportUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        # The same service as the upload pages: the file is kept and checked by a worker.
        # With the broker down the job is saved and sent again later (monitoring.shared.dispatch).
        with dispatch.watch() as queue, transaction.atomic():
            job = jobs.import_job_create(
                kind=data["kind"],
                period=data["period"],
                user=request.user,
                file=data["file"],
                replace=data["replace"],
                school=data.get("school"),
            )
        job.refresh_from_db()
        context = {"request": request} | ({"warning": dispatch.QUEUE_DOWN_MESSAGE} if queue.down else {})
        return Response(ImportJobSerializer(job, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Применить проверенную загрузку (тот же файл, что был проверен)."""
        job = self.get_object()
        if job.status == ImportStatus.CANCELLED:
            raise Conflict("Эта загрузка отменена; чтобы загрузить данные, загрузите файл снова.")
        if job.status in (ImportStatus.REFUSED, ImportStatus.CHECKING):
            raise Conflict(
                "Эта загрузка отклонена; исправьте файл и загрузите его снова."
                if job.status == ImportStatus.REFUSED
                else "Файл еще проверяется; подтвердите загрузку, когда проверка закончится."
            )
        # A school's upload that removes teachers is confirmed with remove_teachers=true (their names: the 409's text).
        removals = str(request.data.get("remove_teachers", "")).lower() in ("1", "true")
        try:
            with dispatch.watch() as queue, transaction.atomic():
                job = jobs.import_job_confirm(job=job, user=request.user, removals_acknowledged=removals)
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        job.refresh_from_db()
        context = {"request": request} | ({"warning": dispatch.QUEUE_DOWN_MESSAGE} if queue.down else {})
        return Response(ImportJobSerializer(job, context=context).data)

    @extend_schema(responses={200: ImportProblemSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        """Отчет об ошибках: лист, строка, столбец и сообщение для каждой ошибки."""
        job = self.get_object()
        keys = ("sheet", "row", "column", "value", "message")
        problems = jobs.job_messages(job=job, user=request.user)
        rows = [{key: p.get(key) for key in keys} | {"text": p.get("text", "")} for p in problems]
        return Response(ImportProblemSerializer(rows, many=True).data)
