"""Sign-in of other systems by token (kept apart from monitoring.shared.api: DRF's settings import it early)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication

# A token's last use is written at most this often: a system polling every second
# should not turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's hashed tokens, noting when each was last used (shown on the token page)."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token sign-in (knox's own extension does not match subclasses)."""

    target_class = "monitoring.shared.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Токен, выпущенный специалистом института, с префиксом «Token »: `Token 1a2b…`",
        }
