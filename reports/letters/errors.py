"""What the letter services refuse with: a stale edit, a frozen letter, a tampered file."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError


class LetterEditConflict(ValidationError):
    """The draft was saved by someone else after this editor opened it."""

    def __init__(self):
        super().__init__(
            "Письмо изменили после того, как вы открыли его (другой пользователь или другая вкладка). "
            "Ваш текст ниже не сохранен: откройте письмо в новой вкладке, сравните и перенесите свои правки."
        )


class LetterApprovalStale(ValidationError):
    """The signatory approves a version other than the one they read (or a form without its revision)."""

    def __init__(self):
        super().__init__("Письмо изменилось после того, как вы его открыли: проверьте текст и согласуйте снова.")


class LetterFrozen(PermissionDenied):
    """An issued letter was about to change."""

    def __init__(self, message: str = "Письмо зарегистрировано и не может быть изменено; исправление — новым письмом."):
        super().__init__(message)


class LetterTampered(Exception):
    """The stored PDF no longer matches the hash recorded when the letter was issued."""
