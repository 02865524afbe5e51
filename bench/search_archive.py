"""Benchmark the public search at archive scale: one edition against twenty (issue #17; not a test).

    .venv/bin/python bench/search_archive.py [--repeat 10] [--rounds 6] [--words house night] [--rebuild]

Two PostgreSQL databases (or any two DATABASE_URLs):

- BENCH_ONE_URL (default postgres://postgres@127.0.0.1:5432/festival_searchhelper_bench): the ``berlinale``
  demo, one edition;
- BENCH_TWENTY_URL (default ..._bench20): the same demo with 20 editions (``make_demo_festival --editions 20``:
  19 earlier ones a year apart, each with new films, some returning, and new people).

Each is built on first use (``--rebuild``: again; bench/serving.py's ``ensure_demo``). For each word: the
search page's query count, the number of films and people found, the median and fastest time of an uncached
request through Django's test Client and this process's CPU time per request (without the database server's),
with production settings, on each database, in rounds that alternate the databases (the machine's load
drifts); then the ratio twenty/one (issue #17: at most 1.5).
``--measure`` is the in-process half alone, on DATABASE_URL.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "festival.settings")
    import django

    django.setup()


def measure_search(options):
    setup_django()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from films.models import Edition, Film, Person

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0  # uncached: the page cache would answer every repeat
    client = Client()
    rows = []
    for word in options.words:
        url = f"/{options.language}/search/?q={word}"
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        # Read the count now: each later request resets the connection's query log.
        count = len(queries.captured_queries)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        html = response.content.decode()
        times, cpu = [], []
        for _ in range(options.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        rows.append(
            {
                "word": word,
                "queries": count,
                "times": times,
                "cpu": cpu,
                "matching_films": Film.objects.published().search(word).count(),
                "matching_people": Person.objects.search(word).count(),
                "film_links": len(re.findall(r'href="/[a-z]{2}/films/', html)),
                "kib": len(response.content) / 1024,
            }
        )
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "editions": Edition.objects.filter(published=True).count(),
                "films": Film.objects.count(),
                "people": Person.objects.count(),
                "rows": rows,
            }
        )
    )


def run(env, *arguments):
    output = subprocess.run(  # noqa: S603 - this interpreter, this script
        [sys.executable, __file__, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if output.returncode:
        sys.exit(output.stderr)
    return output.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="requests per word and round (default 10)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds, alternating the databases (default 6)")
    parser.add_argument("--words", nargs="+", default=["house", "night", "winter and", "maria"])
    parser.add_argument("--language", default="en")
    parser.add_argument("--rebuild", action="store_true", help="rebuild both databases' data first")
    parser.add_argument("--measure", action="store_true", help="only measure, on DATABASE_URL")
    options = parser.parse_args()
    if options.measure:
        measure_search(options)
        return
    from serving import ensure_demo, production_env

    default = "postgres://postgres@127.0.0.1:5432/festival_searchhelper_bench"
    databases = [
        ("one edition", os.environ.get("BENCH_ONE_URL", default), 1),
        ("twenty editions", os.environ.get("BENCH_TWENTY_URL", default + "20"), 20),
    ]
    envs = []
    for label, url, editions in databases:
        env = production_env(url, FESTIVAL_PAGE_CACHE_SECONDS=0)
        ensure_demo(env, rebuild=options.rebuild, editions=editions)
        envs.append((label, env))
    # The machine is shared and its load drifts: measure both databases in alternating rounds, so that each
    # sees the same weather, and pool each word's times over the rounds.
    arguments = ["--measure", "--repeat", str(options.repeat), "--language", options.language, "--words"]
    results = {}
    for number in range(options.rounds):
        for label, env in envs if number % 2 == 0 else envs[::-1]:
            result = json.loads(run(env, *arguments, *options.words).strip().splitlines()[-1])
            if label in results:
                for pooled, row in zip(results[label]["rows"], result["rows"], strict=True):
                    pooled["times"] += row["times"]
                    pooled["cpu"] += row["cpu"]
            else:
                results[label] = result
    for label, _env in envs:
        result = results[label]
        print(
            f"\n== {label} ({result['vendor']}): {result['editions']} published editions, {result['films']} films, "
            f"{result['people']} people; {options.rounds} rounds of {options.repeat} uncached requests"
        )
        header = f"{'word':14} {'queries':>7} {'films':>6} {'people':>7} {'links':>6} {'median ms':>10}"
        print(f"{header} {'min ms':>7} {'cpu ms':>7} {'KiB':>6}")
        for row in result["rows"]:
            row["median"], row["min"] = statistics.median(row["times"]), min(row["times"])
            row["cpu_median"] = statistics.median(row["cpu"])
            print(
                f"{row['word']:14} {row['queries']:7d} {row['matching_films']:6d} {row['matching_people']:7d} "
                f"{row['film_links']:6d} {row['median']:10.1f} {row['min']:7.1f} {row['cpu_median']:7.1f} "
                f"{row['kib']:6.1f}"
            )
    one, twenty = (results[label] for label, _env in envs)
    print(f"\n== twenty editions / one edition (issue #17: at most 1.5), {datetime.date.today()}")
    print(f"{'word':14} {'median':>6} {'min':>6}")
    for first, second in zip(one["rows"], twenty["rows"], strict=True):
        ratio, fastest = second["median"] / first["median"], second["min"] / first["min"]
        print(f"{first['word']:14} {ratio:6.2f} {fastest:6.2f}  {'met' if ratio <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
