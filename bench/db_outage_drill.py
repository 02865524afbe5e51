"""Database outage drill: PostgreSQL stops for a few seconds under the running app, and comes back.

    .venv/bin/python bench/db_outage_drill.py        (about 20 seconds; only 127.0.0.1)

Not a test. It stops the local PostgreSQL cluster (version PG_CLUSTER_VERSION, default the first in
/etc/postgresql; cluster main) for a few seconds, at most OUTAGE_SECONDS (10): never run it where others depend on
PostgreSQL being up longer than that. The cluster is started again whatever happens (finally, on SIGTERM, and by a
timer once OUTAGE_SECONDS have passed).

Runs on DATABASE_URL (default festival_prod; the berlinale demo is built there if missing). Starts two gunicorn
instances (WEB_CONCURRENCY workers each, default 2): one with the page cache off (port 8771), one with it on and
Redis (port 8773, CACHE_URL, default redis://127.0.0.1:6379/10). On the cached one a programmer logs into the
admin, and a film page is fetched twice, so that it is in the cache. Then PostgreSQL stops, and the drill shows,
as met or missed:

- without the page cache, a page answers 503 with Retry-After and the plain 503 page, no stack trace;
- with it, the film page fetched before is still served, 200 from the app's cache (X-Page-Cache: hit), and the
  server logs nothing for it; a page not in the cache answers 503 with Retry-After;
- the admin answers 503: its login page, and /admin/ with the programmer's staff session;
- once PostgreSQL is back, both servers answer 200 again by themselves, without a restart; it prints how long
  after PostgreSQL accepted connections again each first answered 200 to a page that needs the database.
"""

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack

from serving import Gunicorn, Programmer, demo_screening, ensure_admin, ensure_demo, production_env

PORT_UNCACHED, PORT_CACHED = 8771, 8773
OUTAGE_SECONDS = 10
# Seconds the drill waits for the servers to answer 200 again once PostgreSQL is back.
RECOVERY_SECONDS = 20
# A query string no earlier run used: the pages are surely not in the shared cache yet (the view ignores it).
RUN = f"?drill={secrets.token_hex(4)}"
UNCACHED = f"/en/editions/{RUN}"
ADMIN_USER, ADMIN_PASSWORD = "drill-admin", secrets.token_urlsafe(16)
CLUSTER = [os.environ.get("PG_CLUSTER_VERSION") or sorted(os.listdir("/etc/postgresql"))[0], "main"]


def environment(page_cache_seconds, **overrides):
    return production_env(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/festival_prod"),
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
        FESTIVAL_PAGE_CACHE_SECONDS=page_cache_seconds,
        # As in production: the admin login lockout on.
        AXES_ENABLED="true",
        **overrides,
    )


def fetch(base, path, opener=None):
    """``(status, headers, body)`` of GET ``base + path``; an error status is an answer, not an exception."""
    try:
        with (opener or urllib.request.build_opener()).open(base + path, timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def unavailable(answer):
    """The 503 page as it should be: Retry-After, the plain page, no stack trace."""
    status, headers, body = answer
    return (
        status == 503
        and headers.get("Retry-After") == "30"
        and "temporarily unavailable" in body
        and ("Traceback" not in body)
    )


def describe(answer):
    status, headers, body = answer
    parts = [str(status)]
    if headers.get("X-Page-Cache"):
        parts.append(f"X-Page-Cache: {headers['X-Page-Cache']}")
    if headers.get("Retry-After"):
        parts.append(f"Retry-After: {headers['Retry-After']}")
    if status == 503:
        parts.append("the 503 page" if "temporarily unavailable" in body else "NOT the 503 page")
        parts.append(f"{body.count('Traceback')} tracebacks")
    return ", ".join(parts)


def pg_ctlcluster(action, *options):
    subprocess.run(  # noqa: S603 - fixed arguments
        ["pg_ctlcluster", "--skip-systemctl-redirect", *CLUSTER, action, *options],  # noqa: S607
        check=action == "stop",
        timeout=60,
    )


class PostgresStopped:
    """``with PostgresStopped() as outage:`` stops the local cluster for the block; it is started again when the
    block ends, whatever happens, or by a timer after OUTAGE_SECONDS. ``outage.back`` is when it accepts
    connections again (``pg_ctl start`` waits for that)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stopped = False
        self.back = None

    def start(self):
        with self.lock:
            if self.stopped:
                pg_ctlcluster("start")
                self.back = time.monotonic()
                self.stopped = False

    def __enter__(self):
        self.stopped = True
        self.began = time.monotonic()
        self.timer = threading.Timer(OUTAGE_SECONDS, self.start)
        self.timer.start()
        try:
            pg_ctlcluster("stop", "-m", "fast")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        self.timer.cancel()
        self.start()


def log_since(log, offset=0):
    """What the server wrote to ``log`` from byte ``offset`` on."""
    with open(log.name, encoding="utf-8", errors="replace") as reader:
        reader.seek(offset)
        return reader.read()


def recover(base, path, opener=None):
    """Ask for ``path`` until it answers 200: ``(seconds, answers before the 200)``."""
    started, answers = time.monotonic(), []
    while time.monotonic() - started < RECOVERY_SECONDS:
        status = fetch(base, path, opener)[0]
        if status == 200:
            return time.monotonic() - started, answers
        answers.append(status)
        time.sleep(0.05)
    return None, answers


def main():
    # SIGTERM ends the drill through the finally blocks (PostgreSQL started, gunicorn stopped), as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    started = time.monotonic()
    uncached_env = environment(0)
    cached_env = environment(300, CACHE_URL=os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/10"))
    ensure_demo(cached_env)
    ensure_admin(cached_env, ADMIN_USER, ADMIN_PASSWORD)
    film, screening_id = demo_screening(cached_env)
    cached_page = f"/en/films/{film}/{RUN}"
    with ExitStack() as stack:
        logs = [stack.enter_context(tempfile.NamedTemporaryFile("w+", suffix=".log")) for _ in range(2)]
        plain = stack.enter_context(Gunicorn(uncached_env, PORT_UNCACHED, log=logs[0]))
        cached = stack.enter_context(Gunicorn(cached_env, PORT_CACHED, log=logs[1]))
        programmer = Programmer(cached, screening_id, ADMIN_USER, ADMIN_PASSWORD)
        programmer.login()
        admin = programmer.opener
        before = {
            "page cache off": fetch(plain, UNCACHED),
            "page cache on, first fetch": fetch(cached, cached_page),
            "page cache on, second fetch": fetch(cached, cached_page),
            "admin, staff session": fetch(cached, "/admin/", admin),
        }
        # Every worker holds a persistent connection now.
        for _ in range(4):
            fetch(plain, UNCACHED)
            fetch(cached, "/admin/", admin)
        print("== before the outage")
        for label, answer in before.items():
            print(f"{label}: {describe(answer)}")
        ready = all(answer[0] == 200 for answer in before.values()) and [
            before[f"page cache on, {which} fetch"][1].get("X-Page-Cache") for which in ("first", "second")
        ] == ["miss", "hit"]
        if not ready:
            sys.exit("Not as expected before the outage: PostgreSQL is not stopped.")

        with PostgresStopped() as outage:
            during = {"page cache off": fetch(plain, UNCACHED)}
            offset = os.path.getsize(logs[1].name)
            hits = [fetch(cached, cached_page) for _ in range(6)]
            hit_log = log_since(logs[1], offset)
            during["page cache on, not cached"] = fetch(cached, UNCACHED)
            during["admin login page"] = fetch(cached, "/admin/login/")
            during["admin, staff session"] = fetch(cached, "/admin/", admin)
        down = outage.back - outage.began
        print(f"\n== PostgreSQL stopped for {down:.1f} s")
        print(
            f"page cache on, the page fetched before, 6 times: {', '.join(sorted({describe(hit) for hit in hits}))}; "
            f"the server logged {len(hit_log.splitlines())} lines meanwhile{':' if hit_log else ''}"
        )
        if hit_log:
            print(hit_log[-3000:])
        for label, answer in during.items():
            print(f"{label}: {describe(answer)}")

        print("\n== PostgreSQL back (no restart of gunicorn)")
        recovery = {
            "page cache off": recover(plain, UNCACHED),
            "page cache on": recover(cached, UNCACHED),
            "admin, staff session": recover(cached, "/admin/", admin),
        }
        for label, (seconds, answers) in recovery.items():
            when = f"after {seconds * 1000:.0f} ms" if seconds is not None else f"NOT within {RECOVERY_SECONDS} s"
            print(f"{label}: first 200 {when} (answers before it: {answers or 'none'})")
        after = [fetch(plain, UNCACHED) for _ in range(4)] + [fetch(cached, "/admin/", admin) for _ in range(4)]
        print(f"then, 4 requests to each: {' '.join(str(answer[0]) for answer in after)}")
        server_logs = [log_since(log) for log in logs]
    print(f"took {time.monotonic() - started:.0f} s")

    targets = [
        ("before: 200s, the film page stored (miss, then hit)", ready),
        # The timer starts it OUTAGE_SECONDS after the stop began; starting takes a second or two.
        (f"PostgreSQL back within about {OUTAGE_SECONDS} s", down <= OUTAGE_SECONDS + 2),
        ("page cache off: 503 with Retry-After, the plain page", unavailable(during["page cache off"])),
        (
            "page cache on: the page fetched before is served, 200 from the cache, nothing logged",
            all(hit[0] == 200 and hit[1].get("X-Page-Cache") == "hit" for hit in hits) and not hit_log,
        ),
        (
            "page cache on: a page not cached answers 503 with Retry-After",
            unavailable(during["page cache on, not cached"]),
        ),
        ("the admin login page answers 503", unavailable(during["admin login page"])),
        ("the admin with a staff session answers 503", unavailable(during["admin, staff session"])),
        (
            "recovered by itself once PostgreSQL is back, every request after it 200",
            all(seconds is not None for seconds, _answers in recovery.values())
            and all(answer[0] == 200 for answer in after),
        ),
    ]
    print("\n== targets (issue #15, faults)")
    for label, met in targets:
        print(f"{'met    ' if met else 'MISSED '} {label}")
    if not all(met for _label, met in targets):
        for name, text in zip(("page cache off", "page cache on"), server_logs, strict=True):
            print(f"\n== the server's log, {name} (last lines)\n" + "\n".join(text.splitlines()[-40:]))
        sys.exit(1)


if __name__ == "__main__":
    main()
