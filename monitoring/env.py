"""The one strict way settings read the environment.

Every setting that may come from the environment goes through :func:`env`. A variable
that is not set yields the embedded default; a variable that is set but cannot be read
as the expected type stops the start with ``ImproperlyConfigured`` instead of being
silently taken as something else (``DEBUG=flase`` must not mean "off").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_UNSET = object()


def _to_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"expected one of {sorted(_TRUE | _FALSE)}")


def _to_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _to_int(raw: str) -> int:
    return int(raw.strip())


def _to_str(raw: str) -> str:
    return raw


def _to_database(raw: str) -> dict[str, Any]:
    if not raw.strip().startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ValueError("expected postgres://… or sqlite:///path")
    config = dj_database_url.parse(raw.strip(), conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Persistent connections bring nothing to SQLite and keep files locked in tests.
        config["CONN_MAX_AGE"] = 0
    return config


CASTS: dict[str, Callable[[str], Any]] = {
    "bool": _to_bool,
    "list": _to_list,
    "int": _to_int,
    "str": _to_str,
    "database": _to_database,
}


def env(
    name: str,
    cast: str = "str",
    default: Any = _UNSET,
    *,
    environ: Mapping[str, str] | None = None,
) -> Any:
    """Return the variable ``name`` read as ``cast``, or ``default`` when it is unset.

    An empty value counts as unset, so ``VAR=`` in a compose file means "the default".
    Without a default, an unset variable is an error.
    """
    source = os.environ if environ is None else environ
    raw = source.get(name, "")
    if raw == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    try:
        return CASTS[cast](raw)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a valid {cast}: {exc}") from exc
