"""Debian's Varnish 7 in front of gunicorn with the project's VCL, docs/production/festival.vcl, tested for real.

    .venv/bin/python bench/varnish.py [--outage]   (needs varnishd, vmod xkey and wrk; about 25 s, with --outage
                                                    35 s more; only 127.0.0.1)

Not a test. Runs on DATABASE_URL (default festival_varnish, created if missing) with the berlinale demo there in
two editions (built if missing), and CACHE_URL (default redis://127.0.0.1:6379/11). Writes the VCL with its backend
port replaced and starts gunicorn (production settings, FESTIVAL_PURGE_URLS naming the Varnish) and varnishd (a
child process: ``varnishd -F -n <temporary folder> -a 127.0.0.1:<port> -s malloc,256m``) on the ports
VARNISH_BENCH_PORTS (default 8785,8786: gunicorn, Varnish). It shows, as met or missed with the evidence:

a. a hit does not reach gunicorn: the programme fetched REPEAT (20) times through Varnish is in gunicorn's access
   log once;
b. a save is visible through Varnish on the next request: a programmer logs into the admin through Varnish and
   saves a screening's note; the next GET of the edition's programme.json through Varnish shows the new note;
c. a save to one film leaves the other edition's pages in Varnish: after the programmer saves the tagline of a film
   screened only in the current edition, the earlier edition's programme is still a Varnish hit, while the film's
   page is a miss and shows the new tagline (the app purged the change's keys by xkey);
d. requests per second for the programme through Varnish and from gunicorn alone (its own page cache on), with wrk
   for SECONDS (5) each; target: through Varnish at least 5 times gunicorn alone;
and that a PURGE from 127.0.0.2 (the ACL is 127.0.0.1 and ::1) is refused.

With --outage, a second run with FESTIVAL_PAGE_CACHE_SECONDS=2 shows stale-if-error: a page Varnish cached is
left to go stale past its s-maxage and stale-while-revalidate (about 33 s), then PostgreSQL is stopped for a few
seconds (bench/db_outage_drill.py's PostgresStopped: at most 10 s, started again whatever happens); gunicorn
answers 503 for the page, Varnish serves its stale copy with 200. It stops the local PostgreSQL, which others use:
run it rarely.

It stops varnishd and gunicorn and removes its temporary files, even when it fails.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
from contextlib import ExitStack
from pathlib import Path

import serving
from serving import (
    EDITION,
    ROOT,
    FormReader,
    Gunicorn,
    Programmer,
    demo_screening,
    ensure_admin,
    ensure_demo,
    manage_shell,
    production_env,
    require_wrk,
    wrk,
)

VCL = ROOT / "docs" / "production" / "festival.vcl"
APP_PORT, VARNISH_PORT = (int(port) for port in os.environ.get("VARNISH_BENCH_PORTS", "8785,8786").split(","))
REPEAT = 20
SECONDS = int(os.environ.get("VARNISH_BENCH_SECONDS", "5"))
PROGRAMME = f"/en/{EDITION}/programme/?day=2026-02-14"
API = f"/api/v1/{EDITION}/programme.json"
# Part e's page, which nothing else here asks for: the app's cache holds no copy stored with a longer lifetime.
STALE_PAGE = f"/en/{EDITION}/programme/?day=2026-02-16"
# Part e waits at most this long for its page to be stale (its s-maxage plus stale-while-revalidate).
MAX_WAIT = 45
EARLIER = "demo-2025"
EARLIER_PROGRAMME = f"/en/{EARLIER}/programme/"
ADMIN_USER, ADMIN_PASSWORD = "varnish-admin", secrets.token_urlsafe(16)


def environment(page_cache_seconds):
    return production_env(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/festival_varnish"),
        CACHE_URL=os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/11"),
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
        FESTIVAL_PAGE_CACHE_SECONDS=page_cache_seconds,
        FESTIVAL_PURGE_URLS=f"http://127.0.0.1:{VARNISH_PORT}/",
    )


class Varnish:
    """``with Varnish(workdir) as base:`` runs varnishd with the project's VCL in front of gunicorn on APP_PORT,
    in the foreground as a child process, until the block ends."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.base = f"http://127.0.0.1:{VARNISH_PORT}"

    def __enter__(self):
        vcl, found = re.subn(r'\.port = "\d+";', f'.port = "{APP_PORT}";', VCL.read_text(), count=1)
        if not found:
            sys.exit(f"{VCL} names no backend port")
        # varnishd's worker runs as its own user (the jail): it must reach the working folder.
        os.chmod(self.workdir, 0o755)  # noqa: S103 - a benchmark's throwaway folder, no secrets
        vcl_file = self.workdir / "festival.vcl"
        vcl_file.write_text(vcl)
        self.log = self.workdir / "varnishd.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [
                    *("varnishd", "-F", "-n", str(self.workdir / "varnishd"), "-a", f"127.0.0.1:{VARNISH_PORT}"),
                    *("-T", "none", "-f", str(vcl_file), "-s", "malloc,256m"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for _ in range(100):
            if self.process.poll() is not None:
                break
            try:
                if serving.get(self.base, "/healthz")[0] == 200:
                    return self.base
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        sys.exit(f"varnishd did not start:\n{self.log.read_text()[-2000:]}")

    def __exit__(self, *exc):
        serving.stop(self.process)


def fetch(base, path):
    """``(status, X-Cache, headers, body)``; an error status is an answer too."""
    try:
        status, headers, body = serving.get(base, path)
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read().decode()
    return status, headers.get("X-Cache"), headers, body


def app_requests(log, path):
    """How many requests for ``path`` gunicorn's access log holds."""
    time.sleep(0.3)  # gunicorn writes the line once the answer is sent
    return log.read_text().count(f'"GET {path} HTTP/1.1"')


def hits_and_saves(varnish, log, screening_id, film):
    """Parts a, b and c: ``[(met, label, evidence)]``."""
    results = []
    answers = [fetch(varnish, PROGRAMME) for _ in range(REPEAT)]
    reached = app_requests(log, PROGRAMME)
    states = [state for _status, state, _headers, _body in answers]
    leaked = any("Surrogate-Key" in headers or "xkey" in headers for _status, _state, headers, _body in answers)
    results.append(
        (
            reached == 1 and all(status == 200 for status, *_ in answers) and not leaked,
            f"a. the programme fetched {REPEAT} times through Varnish reaches gunicorn once",
            f"in gunicorn's access log: {reached}; X-Cache: {states[0]}, then {states.count('HIT')} HIT; "
            f"Surrogate-Key or xkey shown to clients: {leaked}",
        )
    )
    film_key, film_id = film
    film_page = f"/en/films/{film_key}/"
    for path in (API, EARLIER_PROGRAMME, film_page):
        fetch(varnish, path)
    before = {path: fetch(varnish, path)[1] for path in (API, EARLIER_PROGRAMME, film_page)}
    programmer = Programmer(varnish, screening_id, ADMIN_USER, ADMIN_PASSWORD)
    programmer.login()
    note = f"Saved through Varnish at {time.time():.3f}"
    programmer.save(note)
    status, state, _headers, body = fetch(varnish, API)
    results.append(
        (
            status == 200 and note in body,
            "b. a screening saved in the admin (through Varnish): its new note is in the next programme.json",
            f"programme.json before the save: X-Cache {before[API]}; after: {status}, X-Cache {state}, "
            f"new note shown: {note in body}",
        )
    )
    tagline = f"Tagline saved through Varnish at {time.time():.3f}"
    save_film(programmer, film_id, tagline)
    earlier, after = fetch(varnish, EARLIER_PROGRAMME), fetch(varnish, film_page)
    results.append(
        (
            earlier[1] == "HIT" and after[1] == "MISS" and tagline in after[3],
            "c. after those saves the earlier edition's programme is still a Varnish hit; the saved film's page "
            "(a film of the current edition only) a miss, with its new tagline",
            f"{EARLIER_PROGRAMME}: {before[EARLIER_PROGRAMME]} before, {earlier[1]} after; {film_page}: "
            f"{before[film_page]} before, {after[1]} after, new tagline shown: {tagline in after[3]}",
        )
    )
    return results


def save_film(programmer, film_id, tagline):
    """Save the film's change form as the admin shows it, with a new English tagline."""
    url = f"{programmer.base}/admin/films/film/{film_id}/change/"
    reader = FormReader()
    reader.feed(programmer.opener.open(url, timeout=10).read().decode())
    fields = [(name, value) for name, value in reader.fields if name != "tagline_en"]
    fields += [("tagline_en", tagline), ("_continue", "Save and continue editing")]
    body = programmer.post(url, fields).read().decode()
    if "errornote" in body:
        errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)[:3]
        sys.exit(f"the film's save was refused: {errors}")


def current_film(env):
    """A published film screened in EDITION and in no other edition: ``(key, id)``."""
    found = manage_shell(
        env,
        "from films.models import Film; f = Film.objects.filter(published=True, "
        f"screenings__edition__key='{EDITION}').exclude(screenings__edition__key='{EARLIER}')"
        f".exclude(selections__section__edition__key='{EARLIER}').order_by('key').first(); print(f.key, f.pk)",
    )
    key, film_id = found.split()
    return key, film_id


def purge_refused():
    """A PURGE from 127.0.0.2, an address outside the VCL's ACL: ``[(met, label, evidence)]``."""
    connection = http.client.HTTPConnection("127.0.0.1", VARNISH_PORT, timeout=10, source_address=("127.0.0.2", 0))
    try:
        connection.request("PURGE", "/", headers={"xkey-purge": "all"})
        status = connection.getresponse().status
    finally:
        connection.close()
    after = fetch(f"http://127.0.0.1:{VARNISH_PORT}", EARLIER_PROGRAMME)[1]
    return [
        (
            status == 403 and after == "HIT",
            "a PURGE from 127.0.0.2 (the ACL is 127.0.0.1 and ::1) is refused, nothing purged",
            f"answered {status}; the earlier programme then: {after}",
        )
    ]


def throughput(varnish, app):
    """Part d: the programme through Varnish and from gunicorn alone, asked for as a browser does, gzip accepted
    (``serving.wrk``): each side sends its stored gzip copy. (Without it Varnish gunzips its copy on every request:
    about 5,000 req/s here, 2.3 times gunicorn.)"""
    through = wrk(varnish + PROGRAMME, SECONDS)
    alone = wrk(app + PROGRAMME, SECONDS)
    for label, row in (("through Varnish", through), ("gunicorn alone", alone)):
        print(
            f"   programme {label:<16} {row['rps']:>8.0f} req/s  p50 {row['p50']:>6.2f} ms  p99 {row['p99']:>6.2f} ms"
            f"  {row['requests']:>7} requests  {row['errors']} errors"
        )
    ratio = through["rps"] / alone["rps"]
    return [
        (
            ratio >= 5 and not through["errors"] and not alone["errors"],
            "d. the programme through Varnish at least 5 × gunicorn alone (wrk, 8 connections)",
            f"{through['rps']:.0f} vs {alone['rps']:.0f} req/s: {ratio:.1f} ×; errors {through['errors']}, "
            f"{alone['errors']}",
        )
    ]


def outage(tmp):
    """Part e: stale-if-error while PostgreSQL is stopped."""
    from db_outage_drill import OUTAGE_SECONDS, PostgresStopped

    env = environment(2)
    workdir = tmp / "outage"
    workdir.mkdir()
    with ExitStack() as stack:
        app = stack.enter_context(Gunicorn(env, APP_PORT, log=stack.enter_context(open(workdir / "gunicorn.log", "w"))))
        varnish = stack.enter_context(Varnish(workdir))
        status, state, headers, body = fetch(varnish, STALE_PAGE)
        control = headers.get("Cache-Control", "")
        seconds = {name: int(value) for name, value in re.findall(r"([a-z-]+)=(\d+)", control)}
        if status != 200 or "stale-if-error" not in seconds:
            return [(False, "e. stale-if-error", f"the page answered {status}, Cache-Control: {control!r}")]
        wait = seconds.get("s-maxage", 0) + seconds.get("stale-while-revalidate", 0) + 1
        if wait > MAX_WAIT:
            return [(False, "e. stale-if-error", f"the page would be stale in {wait} s: Cache-Control: {control}")]
        print(f"   {STALE_PAGE}: {status} {state}, Cache-Control: {control}; waiting {wait} s until it is stale")
        time.sleep(wait)
        with PostgresStopped() as stopped:
            direct = fetch(app, STALE_PAGE)
            through = fetch(varnish, STALE_PAGE)
        down = (stopped.back or time.monotonic()) - stopped.began
        after = fetch(varnish, STALE_PAGE)
    age = through[2].get("Age")
    return [
        (
            direct[0] == 503 and through[0] == 200 and through[3] == body and after[:2] == (200, "MISS"),
            "e. PostgreSQL stopped: gunicorn answers 503, Varnish its stale copy (stale-if-error); then the app's",
            f"gunicorn: {direct[0]}; through Varnish: {through[0]}, X-Cache {through[1]}, Age {age} s, "
            f"the page cached before: {through[3] == body}; after the outage: {after[0]}, X-Cache {after[1]}",
        ),
        (down <= OUTAGE_SECONDS + 2, f"e. PostgreSQL down at most {OUTAGE_SECONDS} s", f"{down:.1f} s"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outage", action="store_true", help="also stop PostgreSQL a few seconds (stale-if-error)")
    options = parser.parse_args()
    require_wrk()
    if not shutil.which("varnishd"):
        sys.exit("varnishd is not installed: scripts/setup --dev installs it (Debian's varnish, varnish-modules).")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # so that the cleanup below runs
    started = time.monotonic()
    env = environment(300)
    ensure_demo(env, editions=2)
    ensure_admin(env, ADMIN_USER, ADMIN_PASSWORD)
    _film_key, screening_id = demo_screening(env)
    film = current_film(env)
    version = subprocess.run(["varnishd", "-V"], capture_output=True, text=True).stderr.split("\n")[0]  # noqa: S607
    print(f"{version}; gunicorn on {APP_PORT}, Varnish on {VARNISH_PORT}")
    with tempfile.TemporaryDirectory(prefix="festival-varnish-") as name, ExitStack() as stack:
        tmp = Path(name)
        gunicorn = Gunicorn(env, APP_PORT, log=stack.enter_context(open(tmp / "gunicorn.log", "w")))
        log = tmp / "access.log"
        gunicorn.env["GUNICORN_ACCESS_LOG"] = str(log)
        app = stack.enter_context(gunicorn)
        varnish = stack.enter_context(Varnish(tmp))
        results = hits_and_saves(varnish, log, screening_id, film) + purge_refused()
        results += throughput(varnish, app)
        stack.close()
        if options.outage:
            results += outage(tmp)
    print(f"\n== targets (issue #15), in {time.monotonic() - started:.0f} s")
    for met, label, evidence in results:
        print(f"{'met    ' if met else 'MISSED '} {label}\n        {evidence}")
    sys.exit(0 if all(met for met, *_ in results) else 1)


if __name__ == "__main__":
    main()
