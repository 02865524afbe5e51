"""What the benchmark scripts share: the demo database, gunicorn started as production runs it, and wrk.

Not a test. Used by the scripts in bench/; everything stays on 127.0.0.1.
"""

import html.parser
import http.cookiejar
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
EDITION = "demo-2026"
# The benchmarks' demo starts on a fixed day (make_demo_festival places it around today otherwise), so that runs
# on different days measure the same data: EDITION and the days the scripts request belong to it.
START_DATE = "2026-02-12"


def production_env(database_url, **overrides):
    """The environment of a production process (no DEBUG) on ``database_url``, plus ``overrides``."""
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        # Plain HTTP on 127.0.0.1: cookies marked Secure would not be sent back.
        SECURE_COOKIES="false",
        # The load comes from one address; a few failed admin logins must not lock it out.
        AXES_ENABLED="false",
        # No booklet watcher beside gunicorn (its first round would build every booklet during the measurements);
        # bench/booklets.py measures it.
        FESTIVAL_PREBUILD_BOOKLETS="false",
    )
    env.update({name: str(value) for name, value in overrides.items()})
    return env


def manage(env, *arguments):
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{result.stderr}")
    return result.stdout


def manage_shell(env, code):
    """Run ``code`` in ``manage.py shell`` and return the last line it printed."""
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def create_postgres_database(url):
    import psycopg
    from psycopg import sql

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def ensure_demo(env, rebuild=False, editions=1):
    """Migrate the database and build the berlinale demo there (``editions`` editions, the current one EDITION
    from START_DATE) unless it is there already (or ``rebuild``)."""
    if env["DATABASE_URL"].startswith("postgres"):
        create_postgres_database(env["DATABASE_URL"])
    manage(env, "migrate", "--verbosity", "0")
    present = manage_shell(
        env,
        "from films.demo import demo_editions; d = demo_editions(); "
        f"print(d.filter(key='{EDITION}').exists() and d.count() == {editions})",
    )
    if rebuild or present != "True":
        arguments = ["--size", "berlinale", "--replace", "--start-date", START_DATE, "--editions", str(editions)]
        print(manage(env, "make_demo_festival", *arguments).strip())
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


def busiest_day_and_film(edition):
    """What the benches measure of ``edition`` (Django set up): its day with the most published screenings, with
    those screenings by start, and the published film screened most often (then by key)."""
    from django.db.models import Count

    from films.models import Film, Screening

    published = Screening.objects.published().filter(edition=edition).order_by("starts_at", "pk")
    days = {}
    for screening in published:
        days.setdefault(edition.local_date(screening.starts_at), []).append(screening)
    if not days:
        raise SystemExit(f"{edition.key} has no published screenings.")
    busiest, screenings = max(days.items(), key=lambda item: len(item[1]))
    film = (
        Film.objects.published()
        .filter(screening_films__screening__in=published)
        .annotate(count=Count("screening_films"))
        .order_by("-count", "key")
        .first()
    )
    return busiest, screenings, film


def ensure_admin(env, username, password):
    """A superuser ``username`` with ``password`` (created or reset), for the scripts that log into the admin."""
    manage_shell(
        env,
        "from django.contrib.auth import get_user_model; U = get_user_model(); "
        f"u = U.objects.filter(username='{username}').first() or U(username='{username}', is_staff=True, "
        "is_superuser=True); "
        f"u.set_password('{password}'); u.save(); print('ok')",
    )


def demo_screening(env):
    """The first published screening of EDITION with a published film: ``(film key, screening id)``."""
    found = manage_shell(
        env,
        f"from films.models import Screening; s = Screening.objects.filter(edition__key='{EDITION}', published=True, "
        "films__published=True).order_by('starts_at').first(); print(s.films.first().key, s.pk)",
    )
    film_key, screening_id = found.split()
    return film_key, screening_id


def get(base, path, headers=None):
    request = urllib.request.Request(base + path, headers=headers or {})  # noqa: S310 - 127.0.0.1 only
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, response.headers, response.read().decode()


def stop(process, timeout=15):
    """Stop a child process: SIGTERM, then SIGKILL if it has not ended after ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


class Gunicorn:
    """``with Gunicorn(env, port) as base:`` runs the app as scripts/serve does, until the block ends.

    Its log goes to ``log`` (an open file) if given, else to this script's output."""

    def __init__(self, env, port, log=None):
        self.log = log
        self.env = {
            **env,
            "PORT": str(port),
            "BIND_HOST": "127.0.0.1",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py", "festival.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        for _ in range(150):
            try:
                if get(self.base, "/healthz")[0] == 200:
                    return self.base
            except OSError:
                time.sleep(0.1)
        self.process.terminate()
        sys.exit("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


class FormReader(html.parser.HTMLParser):
    """The fields of the admin change form, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.fields, self.in_form, self.select, self.textarea = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file", "image"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.in_form = False


class Programmer(threading.Thread):
    """Logs into the admin at ``base`` and, run as a thread, saves one screening's change form every ``interval``
    seconds with a new note; ``save(note)`` saves once."""

    def __init__(self, base, screening_id, username, password, interval=1.0):
        super().__init__(daemon=True)
        self.base, self.username, self.password, self.interval = base, username, password, interval
        self.url = f"{base}/admin/films/screening/{screening_id}/change/"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.stop = threading.Event()
        self.saves, self.failures, self.last_note = 0, [], None

    def csrf(self):
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def post(self, url, fields):
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(url, data=data, headers={"Referer": url, "X-CSRFToken": self.csrf()})  # noqa: S310
        return self.opener.open(request, timeout=10)

    def attempt_login(self, password):
        """Submit the admin login form with ``password``: ``(status, logged in, page)``; a refusal is no exception."""
        url = f"{self.base}/admin/login/?next=/admin/"
        self.opener.open(url, timeout=10).read()  # sets the CSRF cookie
        fields = {"username": self.username, "password": password, "csrfmiddlewaretoken": self.csrf()}
        try:
            page = self.post(url, fields)
        except urllib.error.HTTPError as error:
            return error.code, False, error.read().decode()
        return page.status, "/admin/login/" not in page.geturl(), page.read().decode()

    def login(self):
        status, logged_in, _page = self.attempt_login(self.password)
        if not logged_in:
            raise RuntimeError(f"admin login failed ({status})")

    def save(self, note):
        reader = FormReader()
        reader.feed(self.opener.open(self.url, timeout=10).read().decode())
        fields = [(name, value) for name, value in reader.fields if name != "note_en"]
        fields.append(("note_en", note))
        fields.append(("_continue", "Save and continue editing"))
        response = self.post(self.url, fields)
        body = response.read().decode()
        if "errornote" in body or response.status != 200:
            errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)[:3]
            raise RuntimeError(f"save refused: {errors}")
        self.last_note = note
        self.saves += 1

    def run(self):
        try:
            self.login()
        except Exception as error:
            self.failures.append(f"login: {error}")
            return
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                self.save(f"Load-test save {time.time():.3f}")
            except Exception as error:
                self.failures.append(str(error))
            self.stop.wait(max(0, self.interval - (time.monotonic() - started)))


def require_wrk():
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: scripts/setup --dev installs it (Debian package wrk).")


# Sent by wrk, as every browser does: the page cache and Varnish then send their stored gzip copy.
BROWSER_HEADERS = ("Accept-Encoding: gzip, deflate, br",)


def wrk(url, seconds, *, connections=8, script=None, headers=BROWSER_HEADERS):
    """Drive ``url`` for ``seconds`` with wrk: requests/s, p50 and p99 in ms, requests, errors (and 304 share).
    ``headers``: request headers to send, as ``"Name: value"`` strings (by default a browser's gzip)."""
    arguments = ["-s", str(script)] if script else []
    for header in headers:
        arguments += ["-H", header]
    result = subprocess.run(  # noqa: S603
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *arguments, url],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    )
    out = result.stdout

    def ms(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    answers = re.search(r"conditional answers: 304 (\d+), 200 (\d+), other (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "requests": requests,
        "errors": errors,
        "not_modified": int(answers.group(1)) / max(1, requests) if answers else None,
    }
