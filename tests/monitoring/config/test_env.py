import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from monitoring.config.env import env

ROOT = Path(__file__).resolve().parents[3]


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
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='monitoring.config.settings'; django.setup();"
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


# -- SECRET_KEY: never a known one ---------------------------------------------------------------

PUBLISHED_KEY = "dev-only-insecure-key-for-the-embedded-default-do-not-deploy"
GOOD_KEY = "k" * 20 + "-a-long-random-production-secret-0123456789-xyz"


def test_the_embedded_default_generates_its_own_key_once_owner_only(tmp_path):
    from monitoring.config.env import secret_key

    key_file = tmp_path / ".secret_key"
    key = secret_key(debug=True, key_file=key_file, environ={})
    assert len(key) >= 50 and key != PUBLISHED_KEY
    assert key_file.read_text().strip() == key
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert secret_key(debug=True, key_file=key_file, environ={"SECRET_KEY": ""}) == key  # kept, not regenerated
    assert secret_key(debug=True, key_file=tmp_path / "other", environ={}) != key  # each checkout its own
    assert sorted(p.name for p in tmp_path.iterdir()) == [".secret_key", "other"]  # no draft left behind


def test_starts_at_the_same_moment_share_one_generated_key(tmp_path):
    import threading

    from monitoring.config.env import secret_key

    key_file, keys, barrier = tmp_path / ".secret_key", [], threading.Barrier(8)

    def start():
        barrier.wait()
        keys.append(secret_key(debug=True, key_file=key_file, environ={}))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and set(keys) == {key_file.read_text().strip()}


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    ("key", "why"),
    [
        (PUBLISHED_KEY, "development key published"),
        ("short-but-random-Xq9", "20 characters long, fewer than 50"),
        (" ", "1 characters long"),
        ("django-insecure-" + "x1y2z3" * 10, "placeholder of Django's startproject"),
        ("ab" * 40, "fewer than 5 different characters"),
    ],
)
def test_a_known_or_short_key_is_refused_debug_or_not(tmp_path, debug, key, why):
    from monitoring.config.env import secret_key

    with pytest.raises(ImproperlyConfigured, match=why) as refused:
        secret_key(debug=debug, key_file=tmp_path / ".secret_key", environ={"SECRET_KEY": key})
    assert "secrets.token_urlsafe(50)" in str(refused.value)
    assert not (tmp_path / ".secret_key").exists()


def test_production_without_a_key_is_refused_and_a_good_key_is_used(tmp_path):
    from monitoring.config.env import secret_key

    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set when DEBUG is off"):
        secret_key(debug=False, key_file=tmp_path / ".secret_key", environ={})
    assert secret_key(debug=False, key_file=tmp_path / ".secret_key", environ={"SECRET_KEY": GOOD_KEY}) == GOOD_KEY
    assert secret_key(debug=True, key_file=tmp_path / ".secret_key", environ={"SECRET_KEY": GOOD_KEY}) == GOOD_KEY
    assert not (tmp_path / ".secret_key").exists()  # a key of the environment writes no file


def test_a_spoiled_key_file_is_refused_with_what_to_do(tmp_path):
    from monitoring.config.env import secret_key

    key_file = tmp_path / ".secret_key"
    key_file.write_text(PUBLISHED_KEY + "\n")
    with pytest.raises(ImproperlyConfigured, match=f"from {key_file} is refused: it is the development key") as info:
        secret_key(debug=True, key_file=key_file, environ={})
    assert f"Delete {key_file}" in str(info.value)


def test_the_generated_key_is_out_of_git_and_out_of_images():
    assert "/.secret_key" in (ROOT / ".gitignore").read_text().splitlines()
    assert ".secret_key" in (ROOT / ".dockerignore").read_text().splitlines()


@pytest.mark.parametrize("debug", ["true", "false"])
def test_the_portal_does_not_start_with_the_published_key(debug):
    result = _manage(
        "check", extra_env={"DEBUG": debug, "SECRET_KEY": PUBLISHED_KEY, "ALLOWED_HOSTS": "portal.example.ru"}
    )
    assert result.returncode != 0
    assert "The secret key from SECRET_KEY is refused: it is the development key published" in result.stderr


def test_the_portal_does_not_start_with_a_short_key():
    result = _manage("check", extra_env={"DEBUG": "false", "SECRET_KEY": "collectstatic-only"})
    assert result.returncode != 0 and "fewer than 50" in result.stderr


def test_the_embedded_default_signs_with_the_checkouts_own_key():
    script = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = _manage("shell", "-c", script, extra_env={})
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key == (ROOT / ".secret_key").read_text().strip() and key != PUBLISHED_KEY


TWO_WRITERS = """
import django, os, threading, time
os.environ['DJANGO_SETTINGS_MODULE'] = 'monitoring.config.settings'
django.setup()
from django.db import connection, transaction
with connection.cursor() as c:
    c.execute('CREATE TABLE IF NOT EXISTS clicks (n integer)')
errors = []
def click():
    try:
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute('SELECT count(*) FROM clicks')  # read first, as a service does
                time.sleep(0.3)
                c.execute('INSERT INTO clicks VALUES (1)')
    except Exception as exc:
        errors.append(str(exc))
    finally:
        connection.close()
threads = [threading.Thread(target=click) for _ in range(2)]
[t.start() for t in threads]
[t.join() for t in threads]
with connection.cursor() as c:
    c.execute('SELECT count(*) FROM clicks')
    print(c.fetchone()[0], errors)
"""


def test_two_writers_on_the_embedded_default_queue_instead_of_failing(tmp_path):
    # The attack on the restructured portal: a double click on «Согласовать» answered 500
    # ("database is locked"): two transactions that read and then write deadlock in SQLite's
    # default mode, one of them failing at once. Writers now take the lock when they begin.
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'clicks.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-c", TWO_WRITERS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["2", "[]"], result.stdout + result.stderr
