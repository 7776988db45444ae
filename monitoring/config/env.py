"""The one strict way settings read the environment.

Every setting that may come from the environment goes through :func:`env`. A variable
that is not set yields the embedded default; a variable that is set but cannot be read
as the expected type stops the start with ``ImproperlyConfigured`` instead of being
silently taken as something else (``DEBUG=flase`` must not mean "off").
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
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


# ---------------------------------------------------------------------------
# SECRET_KEY: never a known one
# ---------------------------------------------------------------------------

# Keys published in this repository's history (the embedded default's fixed key until issue 14):
# anyone could sign a session, a CSRF token or a personal link with them.
PUBLISHED_SECRET_KEYS = frozenset({"dev-only-insecure-key-for-the-embedded-default-do-not-deploy"})
# Django's own deploy check (security.W009) asks for as much.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
_HOW = "Set SECRET_KEY to a random value, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` must not sign anything, or None when it may."""
    if key in PUBLISHED_SECRET_KEYS:
        return "it is the development key published in the portal's source code"
    if key.startswith("django-insecure-"):
        return "it is a placeholder of Django's startproject"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it is {len(key)} characters long, fewer than {SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"it has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different characters"
    return None


def secret_key(*, debug: bool, key_file: Path, environ: Mapping[str, str] | None = None) -> str:
    """The SECRET_KEY to run with; a known, empty or short one stops the start, DEBUG or not.

    With SECRET_KEY unset: production (DEBUG off) refuses to start; the embedded default
    (DEBUG on) uses a key of its own, generated on the first run and kept in ``key_file``
    (owner-only, out of git), so each checkout signs with a key nobody else has.
    """
    key = env("SECRET_KEY", default="", environ=environ)
    source = "SECRET_KEY"
    if not key:
        if not debug:
            raise ImproperlyConfigured(f"SECRET_KEY must be set when DEBUG is off. {_HOW}")
        key, source = _own_key(key_file), str(key_file)
    problem = secret_key_problem(key)
    if problem:
        remedy = _HOW if source == "SECRET_KEY" else f"Delete {key_file} to have a new one generated."
        raise ImproperlyConfigured(f"The secret key from {source} is refused: {problem}. {remedy}")
    return key


def _own_key(path: Path) -> str:
    """The key kept in ``path``, written first (owner-only) if there is none yet."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(f"Cannot read the generated secret key in {path}: {exc}. {_HOW}") from exc
    draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
        try:
            # A hard link never replaces a file: of two processes starting at once, the first
            # one's key is kept and both read it.
            os.link(draft, path)
        except FileExistsError:
            pass
        except OSError:
            # No hard links on this file system (some mounted volumes): a rename, which two
            # processes starting at the very same moment may race (the later key wins).
            if not path.exists():
                os.replace(draft, path)
        finally:
            draft.unlink(missing_ok=True)
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"Cannot keep a generated secret key in {path}: {exc}. {_HOW}") from exc
