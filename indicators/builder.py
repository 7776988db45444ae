"""The indicator builder's pages: institute staff define declarative indicators in the browser. Thin doors.

Every action calls indicators.declarative.services / files; the lists the form offers come
from indicators.declarative.selectors. The definition travels as JSON in one hidden field
(static/js/indicator-builder.js writes it); a refused definition re-renders the form with
that JSON, so nothing typed is lost.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from indicators.declarative import files, selectors, services
from indicators.declarative.spec import DefinitionInvalid
from indicators.models import IndicatorCatalog, IndicatorKind, PeriodIndicator
from monitoring.models.scoping import can_write_region, require_staff_reader
from monitoring.shared import dispatch
from monitoring.shared.pages import requested_period

# A catalog file is at most this big (indicators.declarative.files refuses more, after reading it).
UPLOAD_LIMIT = files.MAX_BYTES


def _staff(request) -> None:
    # A teacher meets "not found", as on every staff page; other staff are refused (the builder is the institute's).
    require_staff_reader(request.user)
    if not can_write_region(request.user):
        raise PermissionDenied("Конструктор показателей — для сотрудников института.")


def _here(name: str, period, *args) -> str:
    return f"{reverse(name, args=args)}?period={period.year}"


def _definition_from(request) -> dict | None:
    """The posted definition (None when it is not a JSON object)."""
    try:
        data = json.loads(request.POST.get("definition", ""))
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _catalog_from(request) -> IndicatorCatalog | None:
    slug = request.POST.get("catalog", "")
    return IndicatorCatalog.objects.filter(slug=slug).first() if slug else None


def _form(
    request,
    period,
    *,
    definition: dict,
    errors=(),
    pi: PeriodIndicator | None = None,
    catalog="",
    status=200,
    revision: int | None = None,
):
    indicator = pi.indicator if pi is not None else None
    context = {
        # The version the editor was opened on; a refused save keeps the one it was sent with,
        # so a stale page stays stale until it is reloaded.
        "revision": revision if revision is not None else (indicator.revision if indicator is not None else ""),
        "period": period,
        "definition": definition,
        "errors": list(errors),
        "pi": pi,
        "indicator": indicator,
        "catalogs": selectors.catalogs(),
        "catalog": catalog if catalog is not None else "",
        "vocabulary": selectors.vocabulary_for_builder(),
        "history": selectors.history(indicator=indicator, period=period) if indicator is not None else [],
        "preview_url": _here("indicator-builder-preview", period),
    }
    return render(request, "indicators/builder/form.html", context, status=status)


@login_required
@require_GET
def index(request):
    _staff(request)
    period = requested_period(request)
    context = {
        "period": period,
        "indicators": selectors.in_period(period),
        "catalogs": selectors.catalogs(),
        "upload_limit_mb": UPLOAD_LIMIT // 1_000_000,
    }
    return render(request, "indicators/builder/index.html", context)


def _revision_from(request) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1  # a form without its version never overwrites: the save is refused as stale


def _save(request, period, *, pi: PeriodIndicator | None):
    data = _definition_from(request)
    catalog_slug = request.POST.get("catalog", "")
    revision = _revision_from(request) if pi is not None else None
    keep = data if data is not None else {}
    if data is None:
        errors = ["Определение не прочитано: включите JavaScript или обновите страницу и повторите."]
        return _form(request, period, definition=keep, errors=errors, pi=pi, catalog=catalog_slug, status=400)
    if pi is not None and data.get("code") != pi.indicator.code:
        errors = [f"Код: код показателя {pi.indicator.code} не меняется; чтобы задать другой, создайте новый."]
        return _form(request, period, definition=data, errors=errors, pi=pi, catalog=catalog_slug, status=400)
    try:
        with dispatch.watch() as queue:
            saved = services.definition_save(
                period=period,
                data=data,
                user=request.user,
                catalog=_catalog_from(request),
                create=pi is None,
                revision=revision,
            )
    except (DefinitionInvalid, services.DefinitionRefused) as exc:
        # A stale edit is a conflict (409); every other refusal is the definition's (400). Either way
        # the form comes back with everything typed and the revision it was sent with.
        errors = exc.errors if isinstance(exc, DefinitionInvalid) else [str(exc)]
        code = 409 if isinstance(exc, services.DefinitionStale) else 400
        return _form(
            request, period, definition=data, errors=errors, pi=pi, catalog=catalog_slug, status=code, revision=revision
        )
    message = f"Показатель {saved.indicator.code} сохранен в периоде {period.year}; расчет показателей запущен."
    messages.success(request, message)
    if queue.down:
        messages.warning(request, dispatch.QUEUE_DOWN_MESSAGE)
    return redirect(_here("indicator-builder-edit", period, saved.indicator.code))


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    _staff(request)
    period = requested_period(request)
    if request.method == "POST":
        return _save(request, period, pi=None)
    blank = {"direction": 1, "unit": "percent", "population": "teachers", "start": "school", "higher_is_better": True}
    return _form(request, period, definition=blank)


def _period_indicator(period, code: str) -> PeriodIndicator:
    pi = (
        PeriodIndicator.objects.filter(period=period, indicator__code=code, indicator__kind=IndicatorKind.DECLARATIVE)
        .select_related("indicator", "indicator__catalog")
        .first()
    )
    if pi is None:
        raise Http404(f"В периоде {period.year} нет показателя {code}, заданного институтом.")
    return pi


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, code: str):
    _staff(request)
    period = requested_period(request)
    pi = _period_indicator(period, code)
    if request.method == "POST":
        return _save(request, period, pi=pi)
    catalog = pi.indicator.catalog.slug if pi.indicator.catalog_id else ""
    return _form(request, period, definition=pi.spec, pi=pi, catalog=catalog)


@login_required
@require_POST
def remove(request, code: str):
    _staff(request)
    period = requested_period(request)
    try:
        services.definition_remove(period=period, code=code, user=request.user)
    except services.DefinitionRefused as exc:
        messages.error(request, str(exc))
        return redirect(_here("indicator-builder", period))
    messages.success(request, f"Показатель {code} убран из периода {period.year} вместе с его значениями.")
    return redirect(_here("indicator-builder", period))


@login_required
@require_POST
def preview(request):
    _staff(request)
    period = requested_period(request)
    data = _definition_from(request)
    if data is None:
        result = services.Preview(errors=["Определение не прочитано: обновите страницу и повторите."])
    else:
        result = services.preview(period=period, data=data, user=request.user)
    context = {"preview": result, "period": period, "unit": (data or {}).get("unit")}
    return render(request, "indicators/builder/preview.html", context, status=200 if not result.errors else 422)


@login_required
@require_POST
def adopt(request, slug: str):
    _staff(request)
    period = requested_period(request)
    catalog = get_object_or_404(IndicatorCatalog, slug=slug)
    try:
        with dispatch.watch() as queue:
            added = services.catalog_adopt(period=period, catalog=catalog, user=request.user)
    except (services.DefinitionRefused, DefinitionInvalid) as exc:
        messages.error(request, "; ".join(getattr(exc, "errors", [str(exc)])))
        return redirect(_here("indicator-builder", period))
    messages.success(request, f"Набор «{catalog.title}» принят в период {period.year}: показателей — {added}.")
    if queue.down:
        messages.warning(request, dispatch.QUEUE_DOWN_MESSAGE)
    return redirect(_here("indicator-builder", period))


def content_disposition(filename: str) -> str:
    """An attachment's header with a Russian file name (RFC 5987), and an ASCII fallback."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def catalog_file(catalog: IndicatorCatalog) -> HttpResponse:
    response = HttpResponse(files.catalog_dumps(catalog), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"показатели-{catalog.slug}.json")
    return response


@login_required
@require_GET
def export(request, slug: str):
    _staff(request)
    return catalog_file(get_object_or_404(IndicatorCatalog, slug=slug))


@login_required
@require_POST
def upload(request):
    _staff(request)
    period = requested_period(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Выберите файл набора показателей (.json).")
        return redirect(_here("indicator-builder", period))
    if upload.size > UPLOAD_LIMIT:
        messages.error(request, f"Файл больше {UPLOAD_LIMIT // 1_000_000} МБ: в наборе показателей столько не бывает.")
        return redirect(_here("indicator-builder", period))
    try:
        catalog = files.catalog_load(data=upload.read(), user=request.user, replace=request.POST.get("replace") == "on")
    except DefinitionInvalid as exc:
        context = {"period": period, "errors": exc.errors, "filename": upload.name}
        return render(request, "indicators/builder/refused.html", context, status=400)
    messages.success(
        request,
        f"Набор «{catalog.title}» загружен: показателей — {catalog.indicators.count()}. "
        f"Чтобы они считались в периоде {period.year}, примите набор в период.",
    )
    return redirect(_here("indicator-builder", period))
