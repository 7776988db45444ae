"""Schemathesis against the live API: every operation, signed in with tokens, on the real stack.

Sets up a fresh database with the small demo region, serves the portal under gunicorn
with production settings, issues tokens through the same command staff would use, and
runs schemathesis over the live schema for each token. Fails on any server error or any
response that breaks the schema. Run by .ci/run; needs PostgreSQL and Redis:

    .venv/bin/python tests/fuzz/run_schemathesis.py [--examples 20]

Redis (DB 11) is used as the broker with no worker, so computations and import checks
started by the fuzzer are queued, not run: the fuzzing exercises the API, not the engine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
BIN = Path(PY).parent
PORT = 8104
DB = "portal_schema"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/11"

# Who signs in: the institute (writes everywhere), a school's system and a teacher's app.
TOKENS = [
    ("analyst", ["--role", "analyst"]),
    ("school_head", ["--role", "school_head", "--school", "{school}"]),
    ("teacher", ["--role", "teacher", "--teacher", "{teacher}"]),
]
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def log(message: str) -> None:
    print(f"[schemathesis] {message}", flush=True)


def run(*args: str, env: dict, capture: bool = False) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, check=True, text=True, capture_output=capture)
    # The last line: `manage.py shell` may print a note on its automatic imports first.
    return result.stdout.strip().splitlines()[-1] if capture else ""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20, help="examples per operation and token")
    parser.add_argument("--seed", type=int, default=20261123)
    options = parser.parse_args()

    media = Path(tempfile.mkdtemp(prefix="schemathesis-media-"))
    env = os.environ | {
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": REDIS,
        "DEBUG": "false",
        "SECRET_KEY": "schemathesis-run-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(media / "static"),
        # The fuzzer sends many requests a second from one address.
        "API_THROTTLE": "off",
    }
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {DB}"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {DB}"], check=True)
    subprocess.run([str(BIN / "python"), "-c", f"import redis; redis.Redis.from_url('{REDIS}').flushdb()"], check=True)
    log("migrate and seed the small demo region")
    run(PY, "manage.py", "migrate", "--noinput", "-v0", env=env)
    run(PY, "manage.py", "seed_demo", "--size", "small", env=env)
    run(PY, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    school = run(PY, "manage.py", "shell", "-c",
                 "from monitoring.models import User; print(User.objects.get(username='head').school.code)",
                 env=env, capture=True)  # fmt: skip
    teacher = run(PY, "manage.py", "shell", "-c",
                  "from monitoring.models import User; print(User.objects.get(username='teacher').teacher.code)",
                  env=env, capture=True)  # fmt: skip

    server = subprocess.Popen(
        # No limit on the request line: the fuzzer repeats query parameters into URLs of many
        # kilobytes, which gunicorn would refuse with its own HTML page before the portal
        # sees them; the length limit is the web server's business, the fuzzing the portal's.
        [str(BIN / "gunicorn"), "monitoring.config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2", "--timeout", "120",
         "--limit-request-line", "0"],
        cwd=ROOT,
        env=env,
    )
    failed = []
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        for label, args in TOKENS:
            args = [a.format(school=school, teacher=teacher) for a in args]
            secret = run(PY, "manage.py", "issue_api_token", "--name", f"schemathesis {label}", "--by", "analyst",
                         *args, env=env, capture=True)  # fmt: skip
            log(f"token of a {label}: every operation, {options.examples} examples each")
            started = time.monotonic()
            code = subprocess.run(
                [
                    str(BIN / "schemathesis"), "run", f"http://127.0.0.1:{PORT}/api/v1/schema/",
                    "--header", f"Authorization: Token {secret}",
                    "--checks", CHECKS,
                    "--max-examples", str(options.examples),
                    "--seed", str(options.seed),
                    # One worker thread: with two, Hypothesis in both threads parsed a module's source
                    # with ``ast`` at once (to describe a lambda), and CPython 3.11 keeps the AST
                    # constructor's depth count per interpreter, not per thread, so the run ended in
                    # «SystemError: AST constructor recursion depth mismatch» in one run of three
                    # (POST /declarative-indicators/), every generated case having passed.
                    "--workers", "1",
                    "--request-timeout", "60",
                    "--no-color",
                ],
                cwd=ROOT,
                env=env,
            ).returncode  # fmt: skip
            log(f"token of a {label}: exit {code} in {time.monotonic() - started:.0f} s")
            if code:
                failed.append(label)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(media, ignore_errors=True)
    if failed:
        log("FAILED for: " + ", ".join(failed))
        return 1
    log("passed: no server error, every response matches the schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
