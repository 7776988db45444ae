"""Security plumbing the settings name: headers Django does not set itself, and the client address for axes.

The rules live in monitoring/config/settings.py (CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY, AXES_*);
this module only applies them.
"""

from __future__ import annotations

import ipaddress
import re

from axes.helpers import get_client_username
from django.conf import settings
from django.core.exceptions import BadRequest, ImproperlyConfigured, ObjectDoesNotExist
from django.http import Http404, JsonResponse
from django.shortcuts import render

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ControlCharactersMiddleware:
    """An address with a control character (NUL, a line break…) names nothing: "not found".

    No code, id or token of the portal contains one, and PostgreSQL refuses a NUL in a
    query outright: without this a `/schools/%00/` reached the database as a server error.
    The 404 comes from the project's handler (JSON under /api/).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL.search(request.path_info):
            raise Http404("Страница не найдена.")
        # A NUL in a query parameter (a search term, a filter) is no one's input either, and
        # PostgreSQL refuses it in any query: a bad request at every door, not a server error
        # in whichever search box forgot to refuse it (the admin's autocomplete did).
        bad = [key for key, values in request.GET.lists() if "\x00" in key or any("\x00" in v for v in values)]
        if bad:
            if request.path_info.startswith("/api/"):  # the API's error format, naming the parameters
                return JsonResponse(
                    {
                        "code": "invalid",
                        "detail": "Данные не прошли проверку: недопустимый символ в параметрах адреса.",
                        "errors": {key.replace("\x00", "\\0"): ["Недопустимый символ (NUL)."] for key in bad},
                    },
                    status=400,
                )
            raise BadRequest("Недопустимый символ в параметрах адреса.")
        return self.get_response(request)


class NotFoundMiddleware:
    """A lookup that finds nothing, escaping a view, is "not found", never a server error.

    Services look up what the request names (``letter.items.get(pk=…)``, a row by its code);
    a stale page or a hand-made address naming a row that is gone must get the 404 page,
    not a 500 (POST /letters/1/items/999999/move/ did).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ObjectDoesNotExist):
            raise Http404("Запись не найдена.") from exception
        return None


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` from settings.PERMISSIONS_POLICY ({feature: [allowed origins]}).

    The portal uses no camera, microphone, geolocation, payment or USB: every such feature is
    switched off for the page and for anything it could frame, so an injected script or an
    embedded third-party page cannot ask the browser for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def _networks(entries) -> list:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an address or a network") from exc
    return networks


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """The address a failed login is counted against (settings.AXES_CLIENT_IP_CALLABLE).

    X-Forwarded-For is whatever the client typed, unless the request came from one of
    settings.TRUSTED_PROXIES (the production proxy, whose address is configured, not
    guessed): then the header's entries are read from the right — the ones our proxies
    appended — and the first address that is not a trusted proxy is the client's. A request
    straight from the network (a published port, a proxy not listed) counts by its socket
    address, so a new header per attempt buys an attacker nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(getattr(settings, "TRUSTED_PROXIES", ()))
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # garbage where our proxy writes an address: count the proxy's
    return remote


def lockout_response(request, original_response=None, credentials=None):
    """The login page saying why and for how long (settings.AXES_LOCKOUT_CALLABLE), with 429."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = {"minutes": minutes, "username": get_client_username(request, credentials) or ""}
    return render(request, "registration/locked_out.html", context, status=429)


class MethodNotAllowedPage:
    """A page asked for with a method its door does not take gets a Russian page, not an empty 405.

    A form's door takes POST only; an address opened by hand, a bookmark, or the login page's
    ``next`` after a session ran out (the form posted to the login redirect) asks it with GET.
    Django's ``require_POST`` answers an empty body; here the person reads what happened and where
    to go on. The status stays 405 and the ``Allow`` header is kept; the API keeps its JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
