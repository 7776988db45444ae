"""Notices to people in the portal and by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notice(models.Model):
    """A notice to a person in the portal (and by e-mail): a deadline, a finding, a letter, an overdue measure."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField("текст", max_length=1000)
    url = models.CharField("ссылка", max_length=500, blank=True)
    # What the notice is about, so a daily job never sends the same one twice.
    key = models.CharField("ключ", max_length=200)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)
    emailed = models.BooleanField("отправлено по почте", default=False)
    # Why this person got it, in words they can check: their role, the item, its deadline and the step.
    reason = models.CharField("почему", max_length=1000, blank=True)

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="notice_unique", violation_error_message="Такое уведомление уже было."
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]
