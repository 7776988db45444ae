"""API access for other systems: the tokens they sign in with."""

from __future__ import annotations

from django.db import models
from knox.models import AbstractAuthToken

from monitoring.models.people import User


class ApiToken(AbstractAuthToken):
    """A token another system signs in with; it acts as its user, so its role and scope are that user's.

    django-rest-knox keeps only the token's hash (``digest``) and its first characters
    (``token_key``) for the lookup; the token itself is shown once, when it is made.
    """

    name = models.CharField("назначение", max_length=200)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кем выпущен"
    )
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True)

    class Meta:
        verbose_name = "токен API"
        verbose_name_plural = "токены API"
        ordering = ["-created", "token_key"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"
