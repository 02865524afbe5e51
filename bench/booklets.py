"""The printed programme of the busiest day after a change, with and without booklets built ahead (issue #13).

    .venv/bin/python bench/booklets.py [--rounds 3]

On the berlinale demo in PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/festival_bench,
built on first use), with Redis as the shared cache (database 13, emptied first) and the page cache and the
export cache off, so that every request reads the programme and renders its HTML (what "uncached" means in
bench/pages.py):

1. without the watcher, one screening of the busiest day is made to end a minute earlier, then the day's English PDF
   is requested twice: the first request after the change lays the booklet out with WeasyPrint, the second finds
   it by its digest;
2. with ``manage.py prebuild_booklets --watch --edition KEY --language en --settle 1`` running beside (the
   bench edition has ended: without ``--edition`` it is not watched), after its first round,
   the same change ``--rounds`` times: how long the watcher takes to have the booklet built after the save, and
   then the first request's time.

Each request's time is compared with the median of a film page's (the film with the most screenings), as
bench/pages.py does: issue #13 asks for the busiest day's PDF within 10 times. The screening ends as before
afterwards, but its history keeps the changes: for 48 hours the programme of that day shows it as changed (one
more query there in bench/pages.py).
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import serving  # noqa: E402 - after the path above

CACHE_URL = "redis://127.0.0.1:6379/13"
TARGET_RATIO = 10


def timed(client, url):
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="changes made with the watcher running (default 3)")
    options = parser.parse_args()

    url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/festival_bench")
    env = serving.production_env(url, CACHE_URL=CACHE_URL, FESTIVAL_PAGE_CACHE_SECONDS=0, FESTIVAL_EXPORT_CACHE="false")
    serving.ensure_demo(env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "festival.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from films.models import Edition

    cache.clear()
    edition = Edition.objects.published().get(key=serving.EDITION)
    busiest, on_busiest, film = serving.busiest_day_and_film(edition)
    chosen = on_busiest[len(on_busiest) // 2]
    client = Client()
    pdf_url = f"/en/{edition.key}/programme.pdf?day={busiest.isoformat()}"
    film_url = f"/en/films/{film.key}/"
    for _ in range(3):
        client.get(film_url)
    film_ms = statistics.median(timed(client, film_url) for _ in range(15))
    print(f"Busiest day {busiest}, {len(on_busiest)} screenings ({pdf_url})")
    print(f"Film page {film_url}: median {film_ms:.1f} ms")

    original_end = chosen.ends_at

    def change():
        """End the chosen screening a minute earlier: the booklet prints its end, so each change is a new document
        (and an earlier end cannot clash with the next screening on its screen)."""
        chosen.ends_at -= datetime.timedelta(minutes=1)
        chosen.save()

    def report(label, milliseconds):
        ratio = milliseconds / film_ms
        verdict = "met" if ratio <= TARGET_RATIO else "missed"
        print(f"  {label:58} {milliseconds:8.1f} ms  {ratio:5.1f}× film page ({verdict}, ≤ {TARGET_RATIO}×)")

    print("\nWithout the watcher:")
    timed(client, pdf_url)  # Built once, so that the change below is what makes it stale.
    change()
    report("first request after the change (WeasyPrint)", timed(client, pdf_url))
    report("second request (found by its digest)", timed(client, pdf_url))

    print(f"\nWith prebuild_booklets --watch beside ({options.rounds} changes):")
    command = ["prebuild_booklets", "--watch", "--edition", edition.key, "--language", "en", "--settle", "1"]
    watcher = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "manage.py", *command],
        cwd=BENCH.parent,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        watcher.stdout.readline()  # "Watching …"
        start = time.perf_counter()
        print(f"  first round: {watcher.stdout.readline().strip()} ({time.perf_counter() - start:.1f} s)")
        for _ in range(options.rounds):
            change()
            saved = time.perf_counter()
            line = watcher.stdout.readline().strip()
            ready = time.perf_counter() - saved
            print(f"  after the change: {line} ({ready:.1f} s after the save, 1 s of it settling)")
            report("first request after the change", timed(client, pdf_url))
    finally:
        serving.stop(watcher)
    chosen.ends_at = original_end  # As the demo made it.
    chosen.save()


if __name__ == "__main__":
    main()
