"""What a submitted response does beyond being counted, by questionnaire: one registry to read.

``ON_SUBMIT`` maps a questionnaire's code to functions called with the response inside
the submission's transaction (the school's digital-environment self-assessment, for
one, stores the school's four 0–4 scores of the period). Entries are added by
``register`` at import of the module that defines them (``deficits.questionnaire.shipped``).
"""

from __future__ import annotations

from collections.abc import Callable

from deficits.models import Response

ON_SUBMIT: dict[str, list[Callable[..., None]]] = {}


def register(code: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def add(function: Callable[..., None]) -> Callable[..., None]:
        ON_SUBMIT.setdefault(code, []).append(function)
        return function

    return add


def response_submitted(*, response: Response) -> None:
    """Run the questionnaire's hooks for a response just submitted (inside its transaction)."""
    for function in ON_SUBMIT.get(response.edition.questionnaire.code, ()):
        function(response=response)
