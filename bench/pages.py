"""Benchmark the public pages on whatever DATABASE_URL points at (not a test).

Load the demo first, e.g.::

    DATABASE_URL=sqlite:////tmp/festival-pages.sqlite3 DEBUG=true .venv/bin/python manage.py migrate
    DATABASE_URL=... DEBUG=true .venv/bin/python manage.py make_demo_festival --size berlinale
    DATABASE_URL=... DEBUG=true .venv/bin/python bench/pages.py [--repeat 30] [--edition KEY]

Reports, for the programme page of the edition's busiest day, a film page (the film with
the most screenings), a section page (the largest section) and the search page: the
number of queries and the median in-process time of a request through Django's test
Client (uncached: the page cache is turned off; no conditional request).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "festival.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

IDLE_REFERENCE = 17.5  # ms for sum(range(10**6)) on an idle core of this machine


def machine_reference():
    """The median of five runs of ``sum(range(10**6))``, in ms: how busy the machine is right now."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        sum(range(1_000_000))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(client, url, repeat):
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--edition", help="edition key (default: the current published edition)")
    parser.add_argument("--language", default="en")
    options = parser.parse_args()

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    # Uncached: the whole-page cache (films/cache.py) would answer every repeat from memory.
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    from films.models import Edition, Film, Screening, Selection
    from films.queries import current_edition

    edition = Edition.objects.published().get(key=options.edition) if options.edition else current_edition()
    if edition is None:
        raise SystemExit("No published edition: load the demo first (manage.py make_demo_festival --size berlinale).")
    published = Screening.objects.published().filter(edition=edition)
    days = {}
    for screening in published.only("starts_at"):
        day = edition.local_date(screening.starts_at)
        days[day] = days.get(day, 0) + 1
    if not days:
        raise SystemExit(f"{edition.key} has no published screenings.")
    busiest, busiest_count = max(days.items(), key=lambda item: item[1])
    film = (
        Film.objects.published()
        .filter(screening_films__screening__in=published)
        .annotate(count=Count("screening_films"))
        .order_by("-count", "key")
        .first()
    )
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
            f"programme, busiest day {busiest} ({busiest_count} screenings)",
            f"/{lang}/{edition.key}/programme/?day={busiest.isoformat()}",
        ),
        (f"programme grid, {busiest}", f"/{lang}/{edition.key}/programme/?day={busiest.isoformat()}&view=grid"),
        (f"film {film.key}", f"/{lang}/films/{film.key}/"),
        (
            f"section {section['section__key']} ({section['count']} films)",
            f"/{lang}/{edition.key}/sections/{section['section__key']}/",
        ),
        (f"search {word!r}", f"/{lang}/search/?q={word}"),
        ("edition home", f"/{lang}/"),
    ]
    client = Client()
    references = []
    print(
        f"database: {connection.vendor} ({settings.DATABASES['default']['NAME']}), edition {edition.key}, "
        f"median of {options.repeat} requests"
    )
    print(f"{'page':60} {'queries':>7} {'median ms':>10} {'min ms':>7} {'cpu ms':>7} {'idle est':>8} {'KiB':>7}")
    for label, url in pages:
        reference = machine_reference()
        references.append(reference)
        count, median, fastest, cpu, size = measure(client, url, options.repeat)
        estimate = median * IDLE_REFERENCE / max(reference, IDLE_REFERENCE)
        print(f"{label:60} {count:7d} {median:10.1f} {fastest:7.1f} {cpu:7.1f} {estimate:8.1f} {size / 1024:7.1f}")
    print(
        f"machine reference: sum(range(10**6)) took {statistics.median(references):.1f} ms (median of the runs "
        f"before each page; about {IDLE_REFERENCE:.1f} ms on an idle core). 'idle est' scales each median by "
        f"{IDLE_REFERENCE:.1f} / that page's reference: a rough estimate for a loaded machine, not a measurement. "
        "'cpu ms' is this process's CPU time per request (median): less sensitive to load, but without "
        "PostgreSQL's own work."
    )


if __name__ == "__main__":
    main()
