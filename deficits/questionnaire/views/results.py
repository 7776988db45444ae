"""Results of a campaign for staff: the page, a cross-tabulation, free-text answers, exports.

Thin doors over deficits.questionnaire.results and .exports. Only the institute, the
ministry and municipal officials read results (a school head or a teacher gets "not
found"); what each sees is narrowed by the tallies' and responses' own scope.
"""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from deficits.models import Campaign, Invitation
from deficits.questionnaire import exports
from deficits.questionnaire import results as selectors
from monitoring.models.scoping import is_region_wide

TEXTS_ON_PAGE = 5
TEXTS_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(request, pk: int) -> Campaign:
    if not selectors.can_read_results(request.user):
        raise Http404("Страница недоступна.")
    campaign = get_object_or_404(Campaign.objects.select_related("edition__questionnaire", "period"), pk=pk)
    # A municipal official reads the campaigns that reached their municipality, as on the list.
    if not is_region_wide(request.user) and not Invitation.objects.visible_to(request.user).filter(
        campaign=campaign
    ).exists():
        raise Http404("Опрос не охватывал ваш муниципалитет.")
    return campaign


def _chart(distribution: selectors.Distribution) -> dict:
    return {
        "labels": [r.label for r in distribution.rows],
        "values": [r.share or 0 for r in distribution.rows],
        "label": "Доля респондентов, %",
    }


@login_required
@require_GET
def results_page(request, pk: int):
    """Coverage, each item's distribution (a chart and its table), score levels, free text, downloads."""
    campaign = _campaign(request, pk)
    user = request.user
    overview = selectors.overview(campaign=campaign, user=user)
    texts = []
    if not overview.suppressed and overview.total:
        for item in overview.text_items:
            if selectors.texts_withheld(campaign=campaign, user=user, item_name=item["name"]):
                texts.append({"item": item, "answers": [], "more": False, "reason": selectors.TEXTS_TOO_FEW})
                continue
            # The first few answers (one query each, at most TEXTS_ON_PAGE + 1 rows): the rest on their page.
            first = list(
                selectors.free_texts(campaign=campaign, user=user, item_name=item["name"])[: TEXTS_ON_PAGE + 1]
            )
            texts.append({"item": item, "answers": first[:TEXTS_ON_PAGE], "more": len(first) > TEXTS_ON_PAGE})
    context = {
        "campaign": campaign,
        "overview": overview,
        "coverage": selectors.coverage(campaign=campaign, user=user),
        "texts": texts,
        "dimensions": selectors.DIMENSIONS,
        "too_few": selectors.TOO_FEW,
        "item_too_few": selectors.ITEM_TOO_FEW,
        "min_group": selectors.MIN_GROUP,
        "charts": {d.name: _chart(d) for d in [*overview.distributions, *overview.scores]},
    }
    return render(request, "surveys/results/page.html", context)


@login_required
@require_GET
def results_crosstab(request, pk: int):
    """One item by municipality, school type or role: a fragment for the page (htmx), or a page of its own."""
    campaign = _campaign(request, pk)
    by = request.GET.get("by", "municipality")
    table = selectors.crosstab(campaign=campaign, user=request.user, item_name=request.GET.get("item", ""), by=by)
    if table is None:
        raise Http404("Такого вопроса или разреза нет.")
    context = {"campaign": campaign, "table": table, "too_few": selectors.TOO_FEW, "dimensions": selectors.DIMENSIONS}
    if request.headers.get("HX-Request"):
        return render(request, "surveys/results/crosstab.html", context)
    return render(request, "surveys/results/crosstab_page.html", context)


@login_required
@require_GET
def results_texts(request, pk: int, item: str):
    """Every answer to one text item, 50 a page, in a fixed order (the responses' keys)."""
    campaign = _campaign(request, pk)
    field = selectors.text_item(campaign.edition.definition, item)
    if field is None:
        raise Http404("Такого вопроса со свободным ответом нет.")
    reason = selectors.texts_withheld(campaign=campaign, user=request.user, item_name=item)
    page = None
    if reason is None:
        rows = selectors.free_texts(campaign=campaign, user=request.user, item_name=item)
        page = Paginator(rows, TEXTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "campaign": campaign,
        "item": field,
        "page": page,
        "suppressed": reason is not None,
        "reason": reason,
    }
    return render(request, "surveys/results/texts.html", context)


@login_required
@require_GET
def results_export(request, pk: int, fmt: str):
    """The responses the user sees as .xlsx or .csv (streamed; a workbook through a temporary file)."""
    campaign = _campaign(request, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Такого формата нет.")
    header, rows = exports.export_rows(campaign=campaign, user=request.user)
    name = f"survey-{campaign.pk}-responses.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # On disk past 8 MB (30,000 responses of 60 items make a workbook of ~9 MB).
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    exports.write_xlsx(header, rows, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
