"""Benchmark the public search at archive scale: one edition against twenty (issue #17; not a test).

    .venv/bin/python bench/search_archive.py [--repeat 10] [--rounds 6] [--words house night] [--rebuild]

Two PostgreSQL databases (or any two DATABASE_URLs):

- BENCH_ONE_URL (default postgres://postgres@127.0.0.1:5432/festival_searchhelper_bench): the ``berlinale``
  demo, one edition;
- BENCH_TWENTY_URL (default ..._bench20): the same demo plus 19 earlier published editions
  (``archive-2007`` ... ``archive-2025``), each with the demo's sections and as many films with new titles
  drawn from the demo's vocabulary (so namesakes across years, as in a real archive) and as many new people.

Each is built on first use (``--rebuild``: again). For each word: the search page's query count, the number
of films and people found, the median and fastest time of an uncached request through Django's test Client
and this process's CPU time per request (without the database server's), with production settings, on each
database, in rounds that alternate the databases (the machine's load drifts); then the ratio twenty/one
(issue #17: at most 1.5).
``--measure`` is the in-process half alone, on DATABASE_URL; ``--grow N`` adds N archive editions there.
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

ARCHIVE_EDITIONS = 19


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "festival.settings")
    import django

    django.setup()


def grow(count):
    """Add ``count`` published editions before the demo's, each with the demo's sections, films and people anew."""
    setup_django()
    from django.db import connection, transaction
    from serving import EDITION as EDITION_KEY  # The demo as ensure_demo builds it.

    from films.demo import words
    from films.demo.generator import Builder
    from films.demo.text import keyify, translated
    from films.models import Edition, Film, Person, PersonAlias, Section, Selection
    from films.search import film_search_text, joined

    demo = Edition.objects.get(key=EDITION_KEY)
    sections = list(Section.objects.filter(edition=demo).order_by("order", "key"))
    selections = list(
        Selection.objects.filter(section__edition=demo).select_related("film").order_by("section_id", "order", "id")
    )
    people_count = Person.objects.filter(key__startswith="demo-").count()
    culture_keys = list(words.CULTURES)
    weights = [words.CULTURE_WEIGHTS[key] for key in culture_keys]
    site = [code for code in words.LANGUAGES if code in ("en", "uk", "pl", "de", "nl")]
    existing = set(Edition.objects.filter(key__startswith="archive-").values_list("year", flat=True))
    years = [year for year in range(demo.year - 1, demo.year - 1 - count - len(existing), -1) if year not in existing]
    for year in years[:count]:
        builder = Builder("berlinale", seed=year, log=lambda message: None)
        rng = builder.rng
        with transaction.atomic():
            edition = Edition.objects.create(
                festival=demo.festival,
                key=f"archive-{year}",
                year=year,
                start_date=demo.start_date.replace(year=year),
                end_date=demo.end_date.replace(year=year),
                timezone=demo.timezone,
                published=True,
                **translated("name", {"en": f"Demo Festival {year}"}),
            )
            copies = {}
            for section in sections:
                copy = Section(
                    edition=edition,
                    key=section.key,
                    order=section.order,
                    competitive=section.competitive,
                    published=section.published,
                    **{f"name_{code}": getattr(section, f"name_{code}") for code in site},
                )
                copies[section.pk] = copy
            Section.objects.bulk_create(copies.values())
            films, used = {}, set()
            for selection in selections:
                if selection.film_id in films:
                    continue
                culture = words.CULTURES[rng.choices(culture_keys, weights)[0]]
                for _attempt in range(10):
                    texts, original, latin = builder.compose_title(culture["titles"])
                    if texts["en"] not in used:
                        break
                used.add(texts["en"])
                display = {"en": texts["en"], **{c: texts[c] for c in site[1:] if c in texts and rng.random() < 0.8}}
                fields = {**translated("title", display), "original_title": original, "original_title_latin": latin}
                films[selection.film_id] = Film(
                    key=builder.unique_key("film", f"{keyify(texts['en'])}-{year}"),
                    year=year - rng.choice([0, 0, 1, 1, 2, 5, 30]),
                    runtime_minutes=selection.film.runtime_minutes,
                    published=selection.film.published,
                    search_text=film_search_text(fields, []),
                    **fields,
                )
            Film.objects.bulk_create(films.values())
            Selection.objects.bulk_create(
                Selection(section=copies[selection.section_id], film=films[selection.film_id], order=selection.order)
                for selection in selections
            )
            people, aliases = [], []
            for _number in range(people_count):
                native, latin = builder.person_name(words.CULTURES[rng.choices(culture_keys, weights)[0]])
                person = Person(key=builder.unique_key("person", f"{keyify(latin or native)}-{year}"), name=native)
                person.search_text = joined([native, latin] if latin else [native])
                people.append(person)
                if latin:
                    aliases.append((person, latin))
            Person.objects.bulk_create(people)
            PersonAlias.objects.bulk_create(PersonAlias(person=person, name=alias) for person, alias in aliases)
        print(f"{edition.key}: {len(films)} films, {len(selections)} selections, {len(people)} people", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


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
    parser.add_argument("--grow", type=int, metavar="N", help="only add N archive editions, on DATABASE_URL")
    options = parser.parse_args()
    if options.grow:
        grow(options.grow)
        return
    if options.measure:
        measure_search(options)
        return
    from serving import ensure_demo, manage_shell, production_env

    default = "postgres://postgres@127.0.0.1:5432/festival_searchhelper_bench"
    databases = [
        ("one edition", os.environ.get("BENCH_ONE_URL", default)),
        ("twenty editions", os.environ.get("BENCH_TWENTY_URL", default + "20")),
    ]
    envs = []
    for label, url in databases:
        env = production_env(url, FESTIVAL_PAGE_CACHE_SECONDS=0)
        ensure_demo(env, rebuild=options.rebuild)
        if label.startswith("twenty"):
            code = "from films.models import Edition; print(Edition.objects.filter(key__startswith='archive-').count())"
            present = int(manage_shell(env, code))
            if options.rebuild and present:
                sys.exit("--rebuild: drop the twenty-edition database first (its archive editions stay otherwise)")
            if present < ARCHIVE_EDITIONS:
                print(run(env, "--grow", str(ARCHIVE_EDITIONS - present)).strip())
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
