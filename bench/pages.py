"""Benchmark the public pages on SQLite and on PostgreSQL, in process and under gunicorn (not a test).

    .venv/bin/python bench/pages.py [--repeat 30] [--seconds 5] [--rebuild]

In one run, on the ``berlinale`` demo (built first in each database if it is missing: BENCH_SQLITE_URL,
default sqlite:////tmp/festival-bench.sqlite3, and BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/festival_bench):

- for the programme page of the edition's busiest day (list and grid) and its printed programme (the PDF, fewer
  repeats: it takes about a second), a film page (the film with the most
  screenings), a section page (the largest section), the search page, the edition's home page, and the
  admin's readiness page of the edition (as a superuser, ``bench-programmer``, made if missing), the sitemap
  index and the fullest page of each sitemap part (issue #17: each within 10 times the film page): the
  number of queries and the median time of a request through Django's test Client, uncached (the page
  cache off, no conditional request), with production settings (DEBUG off), on each database;
- under gunicorn (2 workers, PostgreSQL): the requests per second of the busiest programme day beside
  /healthz, a trivial view on the same server, with the page cache off and on (Redis).

Issue #5's targets are printed as met or missed. ``--measure`` is the in-process half alone, on
DATABASE_URL.

``--editions N`` (issue #17) is another mode: the same pages, plus a person page, the editions archive and
the whole edition's programme.json, on the berlinale demo with one edition (BENCH_POSTGRES_URL) and with N
editions (BENCH_ARCHIVE_URL, default postgres://postgres@127.0.0.1:5432/festival_bench_<N>), each built on
first use with the same first day (bench/serving.py), so that the current edition is the same in both; then
one table side by side: query counts and median times, and their ratio per page; then whether the sitemap index
and each part's fullest page answer within 10 times the film page of the same run (issue #17).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

TARGETS = {"programme": (8, 15.0), "film": (12, 8.0), "search": (6, None), "readiness": (10, None)}
# Issue #17: the sitemap index and each part's fullest page, uncached, in at most this many times a film page's median.
SITEMAP_FILM_RATIO = 10
# Requests per sitemap page (there are some forty parts with 20 editions).
SITEMAP_REPEAT = 9
# Issue #13: the printed programme of the busiest day renders in at most this many times a film page's median.
PDF_FILM_RATIO = 10
PDF_REPEAT = 5


def machine_reference():
    """The median of five runs of ``sum(range(10**6))``, in ms: how fast this machine's core is right now."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        sum(range(1_000_000))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(client, url, repeat):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Read the count now: each later request resets the connection's query log.
    count = len(queries.captured_queries)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times = []
    cpu = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return count, statistics.median(times), min(times), statistics.median(cpu), len(response.content)


def sitemap_pages(client):
    """Issue #17: the sitemap index and, for each part it lists, the page of that part with the most entries, as
    rows of ``pages`` (kind ``sitemap-<part>``: the same part compares across databases)."""
    import xml.etree.ElementTree as ET
    from urllib.parse import urlsplit

    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own response
    paths = []
    for loc in index.iter(f"{namespace}loc"):
        address = urlsplit(loc.text)
        paths.append(f"{address.path}?{address.query}" if address.query else address.path)
    fullest = {}  # part: (entries, path) of its fullest page, in the index's order
    for path in paths:
        part = path.split("?")[0].removeprefix("/sitemap-").removesuffix(".xml")
        entries = client.get(path).content.count(b"<url>")
        if entries > fullest.get(part, (-1, None))[0]:
            fullest[part] = (entries, path)
    rows = [("sitemap", f"sitemap index ({len(paths)} pages of {len(fullest)} parts)", "/sitemap.xml")]
    for part, (entries, path) in fullest.items():
        rows.append((f"sitemap-{part}", f"sitemap {path.lstrip('/')} ({entries} entries)", path))
    return rows


def is_sitemap(kind):
    return kind == "sitemap" or kind.startswith("sitemap-")


def measure_pages(options):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "festival.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    # Uncached: the whole-page cache (films/cache.py) would answer every repeat from memory.
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    from films.models import Edition, Selection
    from films.queries import current_edition

    edition = Edition.objects.published().get(key=options.edition) if options.edition else current_edition()
    if edition is None:
        raise SystemExit("No published edition: load the demo first (manage.py make_demo_festival --size berlinale).")
    from serving import busiest_day_and_film

    busiest, on_busiest, film = busiest_day_and_film(edition)
    busiest_count = len(on_busiest)
    section = (
        Selection.objects.published()
        .filter(section__edition=edition)
        .values("section__key")
        .annotate(count=Count("id"))
        .order_by("-count")
        .first()
    )
    word = (film.title_en or film.original_title_latin or film.key).split()[0][:6]
    lang = options.language
    pages = [
        (
            "programme",
            f"programme, busiest day {busiest} ({busiest_count} screenings)",
            f"/{lang}/{edition.key}/programme/?day={busiest.isoformat()}",
        ),
        ("grid", f"programme grid, {busiest}", f"/{lang}/{edition.key}/programme/?day={busiest.isoformat()}&view=grid"),
        ("pdf", f"programme PDF, {busiest}", f"/{lang}/{edition.key}/programme.pdf?day={busiest.isoformat()}"),
        ("film", f"film {film.key}", f"/{lang}/films/{film.key}/"),
        (
            "section",
            f"section {section['section__key']} ({section['count']} films)",
            f"/{lang}/{edition.key}/sections/{section['section__key']}/",
        ),
        ("search", f"search {word!r}", f"/{lang}/search/?q={word}"),
        ("home", "edition home", f"/{lang}/"),
        ("schedule-xml", "schedule.xml, whole edition", f"/api/v1/{edition.key}/schedule.xml?lang={lang}"),
        ("schedule-json", "schedule.json, whole edition", f"/api/v1/{edition.key}/schedule.json?lang={lang}"),
        # Issue #13: its events' bytes are kept in the cache (films/calendar.py); the first request makes them.
        ("ics", "programme.ics, whole edition, events kept", f"/{lang}/{edition.key}/programme.ics"),
    ]
    from django.contrib.auth.models import User
    from django.urls import reverse

    # The admin's readiness page of the edition (issue #14: at most 10 queries), as a programmer sees it.
    staff, _created = User.objects.get_or_create(username="bench-programmer", defaults={"is_staff": True})
    if not staff.is_superuser:
        staff.is_superuser = True
        staff.save(update_fields=["is_superuser"])
    staff_client = Client()
    staff_client.force_login(staff)
    pages.append(("readiness", "admin: edition readiness", reverse("admin:films_edition_readiness", args=[edition.pk])))
    client = Client()
    pages += sitemap_pages(client)
    if getattr(options, "archive_pages", False):
        pages += archive_pages(edition, lang)
    rows = []
    for kind, label, url in pages:
        reference = machine_reference()
        repeat = options.repeat
        if kind == "pdf" or is_sitemap(kind):
            repeat = min(repeat, PDF_REPEAT if kind == "pdf" else SITEMAP_REPEAT)
        count, median, fastest, cpu, size = measure(staff_client if kind == "readiness" else client, url, repeat)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "url": url,
                "queries": count,
                "median": median,
                "min": fastest,
                "cpu": cpu,
                "kib": size / 1024,
                "reference": reference,
            }
        )
    print(json.dumps({"vendor": connection.vendor, "edition": edition.key, "rows": rows}))


def print_table(result, repeat):
    print(f"\n== {result['vendor']}, edition {result['edition']}: median of {repeat} uncached requests")
    print(f"{'page':58} {'queries':>7} {'median ms':>10} {'min ms':>7} {'cpu ms':>7} {'KiB':>6}")
    for row in result["rows"]:
        print(
            f"{row['label']:58} {row['queries']:7d} {row['median']:10.1f} {row['min']:7.1f} {row['cpu']:7.1f} "
            f"{row['kib']:6.1f}"
        )
    reference = statistics.median(row["reference"] for row in result["rows"])
    print(
        f"(machine: sum(range(10**6)) took {reference:.1f} ms before each page, median; 'cpu ms' is this "
        "process's CPU time per request, without the database server's own work)"
    )


def targets(results):
    met = []
    for result in results:
        for row in result["rows"]:
            queries, milliseconds = TARGETS.get(row["kind"], (None, None))
            if queries is not None:
                met.append((f"{result['vendor']}: {row['label']} in ≤ {queries} queries", row["queries"] <= queries))
            if milliseconds is not None:
                met.append(
                    (f"{result['vendor']}: {row['label']} median ≤ {milliseconds:g} ms", row["median"] <= milliseconds)
                )
        medians = {row["kind"]: row["median"] for row in result["rows"]}
        if "pdf" in medians and "film" in medians:
            ratio = medians["pdf"] / medians["film"]
            met.append(
                (
                    f"{result['vendor']}: programme PDF ≤ {PDF_FILM_RATIO}× a film page (issue #13): {ratio:.0f}×",
                    ratio <= PDF_FILM_RATIO,
                )
            )
    # Issue #13: the whole edition's calendar, its events' bytes kept (the page cache off), within 10 times a film page.
    for result in results:
        medians = {row["kind"]: row["median"] for row in result["rows"]}
        if "ics" in medians and "film" in medians:
            ratio = medians["ics"] / medians["film"]
            met.append((f"{result['vendor']}: programme.ics ≤ 10× a film page (issue #13): {ratio:.1f}×", ratio <= 10))
    for result in results:
        met += sitemap_targets(result)
    return met


def sitemap_targets(result):
    """Issue #17: the sitemap index and each part's fullest page, uncached, within ``SITEMAP_FILM_RATIO`` times a film
    page: ``(label, met)`` pairs."""
    film = next((row for row in result["rows"] if row["kind"] == "film"), None)
    met = []
    for row in result["rows"]:
        if film is not None and is_sitemap(row["kind"]):
            ratio = row["median"] / film["median"]
            label = f"{result['vendor']}: {row['label']} ≤ {SITEMAP_FILM_RATIO}× a film page (issue #17): {ratio:.1f}×"
            met.append((label, ratio <= SITEMAP_FILM_RATIO))
    return met


def serve_and_drive(database_url, programme_url, seconds):
    """The busiest programme day beside /healthz under gunicorn, page cache off and on: rows of results."""
    from serving import Gunicorn, get, production_env, wrk

    rows = []
    for label, cache in (
        ("uncached", {"FESTIVAL_PAGE_CACHE_SECONDS": 0}),
        (
            "cached",
            {
                "FESTIVAL_PAGE_CACHE_SECONDS": 300,
                "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/12"),
            },
        ),
    ):
        env = production_env(database_url, WEB_CONCURRENCY=2, **cache)
        with Gunicorn(env, int(os.environ.get("BENCH_PORT", "8774"))) as base:
            for path in ("/healthz", programme_url):
                get(base, path)  # warm up
            trivial = wrk(base + "/healthz", seconds)
            programme = wrk(base + programme_url, seconds)
        rows.append((label, trivial, programme))
    return rows


def archive_pages(edition, lang):
    """Issue #17: the pages an archive of editions weighs on, beside those every run measures: a person page
    (the person with the most credits in the edition, the same in every database built from the same seed),
    the editions archive and the whole edition's programme.json."""
    from django.db.models import Count

    from films.models import Person

    person = (
        Person.objects.filter(credits__film__selections__section__edition=edition, credits__film__published=True)
        .annotate(count=Count("credits", distinct=True))
        .order_by("-count", "key")
        .first()
    )
    return [
        ("person", f"person {person.key}", f"/{lang}/people/{person.key}/"),
        ("editions", "editions archive", f"/{lang}/editions/"),
        ("programme-json", "programme.json, whole edition", f"/api/v1/{edition.key}/programme.json"),
    ]


def compare_editions(options):
    """Issue #17: every page with one edition and with ``options.editions`` editions, side by side."""
    from serving import EDITION, ensure_demo, production_env

    one = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/festival_bench")
    many = os.environ.get("BENCH_ARCHIVE_URL", f"postgres://postgres@127.0.0.1:5432/festival_bench_{options.editions}")
    results = []
    for url, editions in ((one, 1), (many, options.editions)):
        # The page cache off; the calendar's event cache in each process's local memory, so that the two
        # databases' entries cannot meet in a shared cache.
        env = production_env(url, FESTIVAL_PAGE_CACHE_SECONDS=0)
        env.pop("CACHE_URL", None)
        ensure_demo(env, rebuild=options.rebuild, editions=editions)
        arguments = ["--measure", "--archive-pages", "--repeat", str(options.repeat), "--language", options.language]
        output = subprocess.run(  # noqa: S603 - this interpreter, this script
            [sys.executable, __file__, *arguments, "--edition", EDITION],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if output.returncode:
            sys.exit(output.stderr)
        results.append(json.loads(output.stdout.strip().splitlines()[-1]))
    first, second = ({row["kind"]: row for row in result["rows"]} for result in results)
    n = options.editions
    print(
        f"\n== PostgreSQL, edition {EDITION} with 1 and with {n} editions in the database: queries and median "
        f"of {options.repeat} uncached requests (ratio: {n} editions ÷ 1; 'per machine': each median divided by "
        "how long sum(range(10**6)) took just before that page, for a machine that other work slows unevenly)"
    )
    print(
        f"{'page':52} {'q 1':>5} {f'q {n}':>5} {'ms 1':>8} {f'ms {n}':>8} {'ratio':>6} {'per machine':>11} "
        f"{f'KiB {n}':>8}"
    )
    for kind, row in second.items():
        base = first.get(kind)
        if base is None:  # a part of an earlier edition: only in the archive
            print(
                f"{row['label'][:52]:52} {'-':>5} {row['queries']:5d} {'-':>8} {row['median']:8.1f} {'-':>6} "
                f"{'-':>11} {row['kib']:8.1f}"
            )
            continue
        ratio = row["median"] / base["median"]
        steady = ratio * base["reference"] / row["reference"]
        print(
            f"{row['label'][:52]:52} {base['queries']:5d} {row['queries']:5d} {base['median']:8.1f} "
            f"{row['median']:8.1f} {ratio:6.2f} {steady:11.2f} {row['kib']:8.1f}"
        )
    for editions, result in zip((1, n), results, strict=True):
        reference = statistics.median(row["reference"] for row in result["rows"])
        print(f"(machine, {editions} edition(s): sum(range(10**6)) took {reference:.1f} ms before each page, median)")
    print(f"\n== issue #17: the sitemap, uncached, ≤ {SITEMAP_FILM_RATIO}× the film page of the same run")
    for editions, result in zip((1, n), results, strict=True):
        for label, met in sitemap_targets(result):
            print(f"{'met    ' if met else 'MISSED '} {editions} edition(s): {label}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="requests per page in process (default 30)")
    parser.add_argument("--seconds", type=int, default=5, help="seconds of wrk per URL under gunicorn (default 5)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the demo in both databases first")
    parser.add_argument("--measure", action="store_true", help="only the in-process half, on DATABASE_URL")
    parser.add_argument("--edition", help="edition key (default: the current published edition)")
    parser.add_argument("--language", default="en")
    parser.add_argument(
        "--editions",
        type=int,
        metavar="N",
        help="compare every page with 1 and with N demo editions on PostgreSQL (issue #17), and only that",
    )
    parser.add_argument(
        "--archive-pages", action="store_true", help="with --measure: the person, editions, JSON pages too"
    )
    options = parser.parse_args()
    if options.measure:
        measure_pages(options)
        return
    if options.editions:
        compare_editions(options)
        return

    from serving import ensure_demo, production_env, require_wrk

    require_wrk()
    databases = [
        os.environ.get("BENCH_SQLITE_URL", "sqlite:////tmp/festival-bench.sqlite3"),
        os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/festival_bench"),
    ]
    results = []
    for url in databases:
        env = production_env(url, FESTIVAL_PAGE_CACHE_SECONDS=0)
        # A calendar keeps its events' bytes in the cache: a shared one, as in production (local memory holds 300).
        env.setdefault("CACHE_URL", os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/12"))
        ensure_demo(env, rebuild=options.rebuild)
        arguments = ["--measure", "--repeat", str(options.repeat), "--language", options.language]
        if options.edition:
            arguments += ["--edition", options.edition]
        output = subprocess.run(  # noqa: S603 - this interpreter, this script
            [sys.executable, __file__, *arguments], env=env, capture_output=True, text=True, check=False
        )
        if output.returncode:
            sys.exit(output.stderr)
        result = json.loads(output.stdout.strip().splitlines()[-1])
        results.append(result)
        print_table(result, options.repeat)

    programme_url = results[-1]["rows"][0]["url"]
    print(f"\n== gunicorn, 2 workers, PostgreSQL; wrk -t2 -c8 for {options.seconds} s per URL: {programme_url}")
    print(f"{'page cache':10} {'/healthz req/s':>15} {'programme req/s':>16} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7}")
    for label, trivial, programme in serve_and_drive(databases[-1], programme_url, options.seconds):
        print(
            f"{label:10} {trivial['rps']:15.0f} {programme['rps']:16.0f} {programme['rps'] / trivial['rps']:6.3f} "
            f"{programme['p50']:7.2f} {programme['p99']:7.2f}"
        )
        if trivial["errors"] or programme["errors"]:
            print(f"errors: /healthz {trivial['errors']}, programme {programme['errors']}")

    print("\n== targets (issues #5, #13, #17)")
    for label, met in targets(results):
        print(f"{'met    ' if met else 'MISSED '} {label}")


if __name__ == "__main__":
    main()
