"""What DRF's settings name for every endpoint: filtering, paging and JSON errors.

Kept free of rest_framework.views imports, which read these settings when first imported;
the base viewset and permissions are in monitoring.shared.viewsets.
"""

from __future__ import annotations

import inspect
import math
import re

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, parsers
from rest_framework.pagination import PageNumberPagination


class FilterBackend(DjangoFilterBackend):
    """The HTML lists' FilterSets, given the user where they offer choices from the user's scope."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and "user" in inspect.signature(filterset_class.__init__).parameters:
            kwargs["user"] = request.user
        return kwargs


class Conflict(exceptions.APIException):
    """The request is valid but the object's state does not allow it (a refused import confirmed, …)."""

    status_code = 409
    default_detail = "Действие невозможно в текущем состоянии объекта."
    default_code = "conflict"


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = "Нет такой страницы: {message}"
    page_query_description = "Номер страницы (с 1)."
    page_size_query_description = "Строк на странице (по умолчанию 50, не больше 500)."


def exception_handler(exc, context):
    """Every API error as ``{"code": machine code, "detail": Russian message[, "errors": by field]}``."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        # A service that looks up what the request names (an item of a letter, a row) and
        # finds nothing: "not found", as the pages answer (monitoring.shared.security.NotFoundMiddleware).
        exc = exceptions.NotFound("Не найдено или недоступно.")
    elif isinstance(exc, exceptions.Throttled):
        exc = _throttled(exc.wait)
    elif isinstance(exc, exceptions.ParseError):
        # The parser's own text is English and quotes the parser's internals.
        exc = exceptions.ParseError("Тело запроса не разобрано: проверьте, что это корректный JSON или форма.")
    # Imported here: rest_framework.views reads these settings when it is first imported.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": "Данные не прошли проверку: " + _first_message(exc.detail),
            "errors": exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail},
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", None) or "error"
        response.data = {"code": code, "detail": str(detail)}
    # Messages may quote the bad value; a lone surrogate from a JSON escape cannot be encoded as UTF-8.
    response.data = _encodable(response.data)
    return response


def _encodable(data):
    """``data`` with lone surrogates in its texts replaced by U+FFFD, so the error body always renders."""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _SURROGATE.search(data) else data
    if isinstance(data, dict):
        return {_encodable(k): _encodable(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_encodable(v) for v in data]
    return data


_SURROGATE = re.compile("[\ud800-\udfff]")


def _throttled(wait) -> exceptions.Throttled:
    """429 in Russian (DRF's own message is half English); Retry-After still comes from ``wait``."""
    seconds = math.ceil(wait) if wait is not None else None
    text = "Слишком много запросов." + (f" Повторите через {seconds} с." if seconds else " Повторите позже.")
    throttled = exceptions.Throttled(detail=text, code="throttled")
    throttled.wait = seconds
    return throttled


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def not_found(request, exception=None):
    """404: under /api/ in the API's error format, elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": "Адрес API не найден."}, status=404)
    return defaults.page_not_found(request, exception)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested deeper than Python recurses refused like any bad JSON.

    ``[[[[…]]]]`` 5,000 deep made json.loads raise RecursionError, which is no ValueError: a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON nested too deep") from exc  # worded by exception_handler


def bad_request(request, exception=None):
    """400: under /api/ in the API's error format, elsewhere a page that says what was wrong (in Russian)."""
    # The portal's own refusals are worded in Russian for the user; Django's (an admin lookup, a
    # host header) are English internals and stay unsaid.
    said = str(exception) if exception is not None else ""
    detail = said if re.search("[А-Яа-яЁё]", said) else "Запрос составлен неверно."
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "detail": detail}, status=400)
    return render(request, "400.html", {"detail": detail}, status=400)


def permission_denied(request, exception=None):
    """403: under /api/ in the API's error format, elsewhere a page with the portal's own (Russian) reason."""
    said = str(exception) if exception is not None else ""
    detail = said if re.search("[А-Яа-яЁё]", said) else "У вас нет прав на это действие."
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "permission_denied", "detail": detail}, status=403)
    return render(request, "403.html", {"detail": detail}, status=403)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": "Внутренняя ошибка сервера."}, status=500)
    return defaults.server_error(request)
