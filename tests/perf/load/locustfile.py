"""The load scenario: people of every staff role (and a teacher) browsing the region demo.

Run by tests/perf/load/run_load.py (``make load``), which serves the portal and passes, in the
environment, LOAD_PLAN (JSON: per demo account the municipalities, schools and teachers it may
open, the indicator codes), LOAD_SUMMARY (where the figures go), LOAD_WARMUP and LOAD_DURATION
(seconds) and LOAD_GUNICORN_PID (whose workers' CPU is measured).

Who: 20 users by default, in the shares of the people who read the portal: institute analysts
and ministry officials (region-wide dashboards, drill-down to municipalities and schools),
municipal officials (their municipality), school heads (their school) and a teacher. Several
simulated people may share one demo account; each has its own session, opened through the real
login form (CSRF token, password check, redirect home).

What: a page, then a think time of 1-3 s (someone reading a dashboard or a list), then the next.
Every page must answer 200 without a redirect (a redirect to the login form would be a lost
session); anything else is a failure. Requests are named by page group so the figures come per
group, not per URL.

Production puts a TLS proxy in front of gunicorn: this client plays its part by sending
``X-Forwarded-Proto: https`` and the Referer an HTTPS form post carries, and by returning the
``Secure`` cookies over the loopback's plain HTTP (see ``keep_secure_cookies``).
"""

from __future__ import annotations

import json
import os
import random
import re

import gevent
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read()) if os.environ.get("LOAD_PLAN") else {"accounts": {}}
PASSWORD = "demo12345"
WARMUP = int(os.environ.get("LOAD_WARMUP", "20"))
DURATION = int(os.environ.get("LOAD_DURATION", "60"))
# Logins hash a password (PBKDF2) and happen once per user: the measured window opens only
# when every user is in (or after this long, if some never get in: their errors fail the run).
LOGIN_WAIT = 120
LOGGED_IN = 0
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
ERRORS: list[str] = []
WARMUP_SNAPSHOT: dict = {}
WARMUP_FAILURES = 0
CPU: dict[str, float] = {}


class Portal(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self) -> None:
        self.client.headers.update(PROXY_HEADERS)
        self.plan = PLAN["accounts"][self.username]
        global LOGGED_IN
        try:
            self.login()
        finally:
            # Counted even when the login failed (the failure fails the run): the warm-up waits for all.
            LOGGED_IN += 1

    def login(self) -> None:
        page = self.client.get("/login/", name="login form")
        self.keep_secure_cookies()
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not match:
            ERRORS.append(f"{self.username}: no CSRF token on the login form ({page.status_code})")
            return
        with self.client.post(
            "/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)},
            headers={"Referer": f"https://{self.host.split('://', 1)[1]}/login/"},
            allow_redirects=False,
            name="login post",
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/login/" in response.headers.get("Location", ""):
                response.failure(f"{self.username}: login answered {response.status_code}")
                ERRORS.append(f"{self.username}: login answered {response.status_code}")
            else:
                response.success()
        self.keep_secure_cookies()
        self.static_once()

    def keep_secure_cookies(self) -> None:
        """Send the Secure cookies (csrftoken, sessionid) back over the loopback's plain HTTP.

        A browser gets them over HTTPS from the proxy; requests would keep them to itself over
        http://, and it merges the session's cookies into a fresh jar per request, so a cookie
        policy cannot say otherwise: the flag is cleared on the client's copy instead.
        """
        for cookie in self.client.cookies:
            cookie.secure = False

    def static_once(self) -> None:
        """A browser fetches the stylesheets and scripts once, then keeps them (hashed names)."""
        home = self.page("/", "home")
        if home is None:
            return
        for path in sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', home)))[:10]:
            self.page(path, "static (once per user)")

    def page(self, path: str, group: str) -> str | None:
        with self.client.get(path, name=group, allow_redirects=False, catch_response=True) as response:
            if "Set-Cookie" in response.headers:
                self.keep_secure_cookies()
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                message = f"{self.username} {path}: {response.status_code} {where}".strip()
                response.failure(message)
                if len(ERRORS) < 200:
                    ERRORS.append(message)
                return None
            return response.text

    # Pages; each role's tasks below pick among them with weights.

    def overview(self) -> None:
        self.page("/indicators/", "dashboard: overview")

    def direction(self) -> None:
        self.page(f"/indicators/directions/{random.choice(PLAN['directions'])}/", "dashboard: direction")

    def indicator(self) -> None:
        self.page(f"/indicators/{random.choice(PLAN['indicators'])}/", "dashboard: indicator")

    def municipality_list(self) -> None:
        self.page("/municipalities/", "municipality list")

    def municipality_detail(self) -> None:
        self.page(f"/municipalities/{random.choice(self.plan['municipalities'])}/", "municipality detail")

    def school_list(self) -> None:
        pages = max(1, len(self.plan["schools"]) // 50)
        choice = random.random()
        if choice < 0.5 or pages == 1:
            self.page("/schools/", "school list")
        elif choice < 0.75:
            self.page(f"/schools/?page={random.randint(2, pages)}", "school list")
        else:
            self.page(f"/schools/?municipality={random.choice(self.plan['municipality_pks'])}", "school list")

    def school_detail(self) -> None:
        code = self.plan["school"] or random.choice(self.plan["schools"])
        self.page(f"/schools/{code}/", "school detail")

    def teacher_list(self) -> None:
        if random.random() < 0.6:
            self.page("/teachers/", "teacher list")
        else:
            self.page(f"/teachers/?page={random.randint(2, 20)}", "teacher list")

    def teacher_detail(self) -> None:
        code = self.plan["teacher"] or random.choice(self.plan["teachers"])
        self.page(f"/teachers/{code}/", "teacher detail")

    def results(self) -> None:
        choice = random.random()
        if self.plan["school"] or choice < 0.4:
            self.page("/diagnostics/results/", "diagnostics results")
        elif choice < 0.7 and len(self.plan["municipalities"]) > 1:
            self.page(
                f"/diagnostics/results/?municipality={random.choice(self.plan['municipalities'])}",
                "diagnostics results",
            )
        else:
            self.page(f"/diagnostics/results/?school={random.choice(self.plan['schools'])}", "diagnostics results")

    def routes(self) -> None:
        self.page("/routes/", "routes list")

    def letters(self) -> None:
        self.page("/letters/", "letters list")

    def home(self) -> None:
        self.page("/", "home")


class RegionReader(Portal):
    """Institute analysts and ministry officials: the region's dashboards, then drill-down."""

    abstract = True

    @task(3)
    def t_overview(self):
        self.overview()

    @task(4)
    def t_direction(self):
        self.direction()

    @task(3)
    def t_indicator(self):
        self.indicator()

    @task(1)
    def t_municipality_list(self):
        self.municipality_list()

    @task(2)
    def t_municipality_detail(self):
        self.municipality_detail()

    @task(2)
    def t_school_list(self):
        self.school_list()

    @task(3)
    def t_school_detail(self):
        self.school_detail()

    @task(1)
    def t_teacher_list(self):
        self.teacher_list()

    @task(2)
    def t_results(self):
        self.results()

    @task(1)
    def t_routes(self):
        self.routes()

    @task(1)
    def t_letters(self):
        self.letters()

    @task(1)
    def t_home(self):
        self.home()


class Analyst(RegionReader):
    username = "analyst"
    fixed_count = 5


class Ministry(RegionReader):
    username = "ministry"
    fixed_count = 4


class Municipal(RegionReader):
    """A municipal official: the same pages, narrowed to Volgograd by the portal's scoping."""

    username = "municipal"
    fixed_count = 4


class Head(Portal):
    """A school head: their school's dashboards, staff, diagnostics and routes."""

    abstract = True

    @task(2)
    def t_overview(self):
        self.overview()

    @task(2)
    def t_direction(self):
        self.direction()

    @task(2)
    def t_indicator(self):
        self.indicator()

    @task(3)
    def t_school_detail(self):
        self.school_detail()

    @task(2)
    def t_teacher_list(self):
        self.page("/teachers/", "teacher list")

    @task(1)
    def t_teacher_detail(self):
        self.teacher_detail()

    @task(2)
    def t_results(self):
        self.results()

    @task(2)
    def t_routes(self):
        self.routes()

    @task(1)
    def t_letters(self):
        self.letters()

    @task(1)
    def t_home(self):
        self.home()


class HeadVolgograd(Head):
    username = "head"
    fixed_count = 3


class HeadVolzhsky(Head):
    username = "head2"
    fixed_count = 2


class Teacher(Portal):
    """A teacher: their diagnostics, their route, their card."""

    username = "teacher"
    fixed_count = 2

    @task(2)
    def t_home(self):
        self.home()

    @task(2)
    def t_diagnostics(self):
        self.page("/diagnostics/", "my diagnostics")

    @task(2)
    def t_routes(self):
        self.routes()

    @task(1)
    def t_card(self):
        self.teacher_detail()


# ---------------------------------------------------------------------------
# Warm-up and figures
# ---------------------------------------------------------------------------


def _server_processes() -> dict[int, tuple[str, float]]:
    """pid -> (gunicorn | postgres, CPU seconds so far) of the portal's workers and its database backends.

    Read from /proc (same machine): the gunicorn workers are the children of the master started
    by run_load.py; PostgreSQL names each backend after its database in the process title.
    """
    master = int(os.environ.get("LOAD_GUNICORN_PID", "0"))
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            title = open(f"/proc/{entry}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        kind = "gunicorn" if master and int(stat[1]) == master else None
        if title.startswith("postgres: ") and " portal_load " in title:
            kind = "postgres"
        if kind:
            found[int(entry)] = (kind, (int(stat[11]) + int(stat[12])) / tick)  # utime + stime
    return found


def _sample_server_cpu(seconds: float) -> dict[str, float]:
    """CPU seconds the server spent during the next ``seconds``, sampled each second.

    The machine is shared, so response times grow with everyone else's load; the CPU the server
    spends per request does not, and is what a fix changes. Backends come and go (connections
    live 60 s): a new one counts whole, one that ends loses at most its last second.
    """
    totals = {"gunicorn": 0.0, "postgres": 0.0}
    previous = _server_processes()
    elapsed = 0.0
    while elapsed < seconds:
        gevent.sleep(1)
        elapsed += 1
        current = _server_processes()
        for pid, (kind, used) in current.items():
            before = previous.get(pid, (kind, 0.0))[1]
            totals[kind] += max(0.0, used - before)
        previous = current
    return totals


def _figures(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50": entry.get_response_time_percentile(0.50) or 0,
        "p95": entry.get_response_time_percentile(0.95) or 0,
        "p99": entry.get_response_time_percentile(0.99) or 0,
        "max": entry.max_response_time or 0,
    }


@events.test_start.add_listener
def _schedule_measurement(environment, **kwargs) -> None:
    """Warm up, drop the warm-up's figures, measure DURATION seconds, stop the run."""

    def measure() -> None:
        global WARMUP_FAILURES
        gevent.sleep(WARMUP)
        users = environment.parsed_options.num_users if environment.parsed_options else 0
        waited = 0.0
        while LOGGED_IN < users and waited < LOGIN_WAIT:
            gevent.sleep(0.5)
            waited += 0.5
        stats = environment.runner.stats
        # Logins and the static files happen once per user, in the warm-up: kept for the report only.
        for entry in stats.entries.values():
            WARMUP_SNAPSHOT[entry.name] = _figures(entry)
        WARMUP_FAILURES = stats.total.num_failures
        stats.reset_all()
        CPU.update(_sample_server_cpu(DURATION))
        environment.runner.quit()

    gevent.spawn(measure)


@events.quitting.add_listener
def _summary(environment, **kwargs) -> None:
    stats = environment.runner.stats
    total = stats.total
    measured = (total.last_request_timestamp or total.start_time) - total.start_time
    summary = {
        "warmup_seconds": WARMUP,
        "measured_seconds": measured,
        "groups": {entry.name: _figures(entry) for entry in stats.entries.values()},
        "total": {**_figures(total), "rps": total.num_requests / measured if measured > 0 else 0.0},
        "warmup": WARMUP_SNAPSHOT,
        "warmup_failures": WARMUP_FAILURES,
        "errors": ERRORS,
        "server_cpu": CPU,
    }
    if os.environ.get("LOAD_SUMMARY"):
        with open(os.environ["LOAD_SUMMARY"], "w") as out:
            json.dump(summary, out)
