import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from monitoring.env import env

ROOT = Path(__file__).resolve().parents[2]


def test_unset_variable_gives_default():
    assert env("X", "bool", default=True, environ={}) is True
    assert env("X", "list", default=["a"], environ={"X": ""}) == ["a"]


def test_unset_variable_without_default_is_an_error():
    with pytest.raises(ImproperlyConfigured, match="X is required"):
        env("X", environ={})


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("Yes", True), ("off", False), ("0", False)]
)
def test_bool_forms(raw, expected):
    assert env("DEBUG", "bool", default=None, environ={"DEBUG": raw}) is expected


def test_misspelt_bool_is_refused_not_taken_as_false():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env("DEBUG", "bool", default=True, environ={"DEBUG": "flase"})


def test_list_and_int():
    assert env("H", "list", environ={"H": "a.ru, b.ru,,"}) == ["a.ru", "b.ru"]
    assert env("N", "int", environ={"N": " 42 "}) == 42
    with pytest.raises(ImproperlyConfigured):
        env("N", "int", environ={"N": "сорок"})


def test_database_url_forms():
    pg = env("DATABASE_URL", "database", environ={"DATABASE_URL": "postgres://u:p@db.local:5433/portal"})
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["HOST"], pg["PORT"], pg["NAME"], pg["USER"]) == ("db.local", 5433, "portal", "u")
    lite = env("DATABASE_URL", "database", environ={"DATABASE_URL": "sqlite:////tmp/other.sqlite3"})
    assert lite["ENGINE"] == "django.db.backends.sqlite3"
    assert lite["NAME"] == "/tmp/other.sqlite3"
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env("DATABASE_URL", "database", environ={"DATABASE_URL": "mysql://x/y"})


def _manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    environ.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        extra_env={
            "DEBUG": "false",
            "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-0123456789-xyz",
            "ALLOWED_HOSTS": "portal.example.ru",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", extra_env={"DEBUG": "false", "ALLOWED_HOSTS": "portal.example.ru"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_embedded_default_uses_sqlite_and_eager_celery():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='monitoring.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "True"], result.stderr
