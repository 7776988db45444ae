"""Security plumbing the settings name: headers Django does not set itself, and the client address for axes.

The rules live in monitoring/settings.py (CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY, AXES_*);
this module only applies them.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404
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
        return self.get_response(request)


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


def client_ip(request) -> str:
    """The address a failed login is counted against (settings.AXES_CLIENT_IP_CALLABLE).

    Behind the production proxy (the one SECURE_PROXY_SSL_HEADER already trusts for the
    scheme) every request comes from the proxy's own address, so the address the proxy
    appended last to X-Forwarded-For is the client's. Without a trusted proxy the header
    is the client's to forge and only the socket address counts.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return remote


def lockout_response(request, original_response=None, credentials=None):
    """The login page saying why and for how long (settings.AXES_LOCKOUT_CALLABLE), with 429."""
    from axes.helpers import get_client_username

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = {"minutes": minutes, "username": get_client_username(request, credentials) or ""}
    return render(request, "registration/locked_out.html", context, status=429)
