"""``manage.py make_demo_festival``: build the made-up demo festival, the same for the same seed and start date."""

import argparse
import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from films.demo import SIZES, TODAY_IS_DAY, DemoError, build, demo_editions
from films.models import Award, AwardResult, Edition, Screen, Screening, Section, Venue


def first_day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"“{value}” is not a date as YYYY-MM-DD.") from error


def edition_count(value):
    try:
        number = int(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"“{value}” is not a number.") from error
    if number < 1:
        raise argparse.ArgumentTypeError(f"at least 1 (the current edition), not {number}.")
    return number


class Command(BaseCommand):
    help = (
        "Create the demo festival: its current edition “demo-<year>” with films, people, venues, screenings and "
        "awards, and with --editions N also N−1 earlier editions, a year apart. By default the current edition is "
        f"placed so that today (in its time zone, Europe/Berlin) is its day {TODAY_IS_DAY}: it is running and its "
        "competition results, announced on its last evening but one, are still under embargo. The same --seed, "
        "--size and --start-date always give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(SIZES), default="small", help="small (default) or berlinale.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices (default 1).")
        parser.add_argument(
            "--start-date",
            type=first_day,
            metavar="YYYY-MM-DD",
            help=(
                "First day of the current edition (11 days long); its key and name follow its year. "
                f"Default: {TODAY_IS_DAY - 1} days before today in Europe/Berlin, so that today is its day "
                f"{TODAY_IS_DAY}."
            ),
        )
        parser.add_argument(
            "--editions",
            type=edition_count,
            default=1,
            metavar="N",
            help=(
                "Build the current edition and N−1 earlier ones, each a year before the next, with films, "
                "screenings and results of their own; people, companies and venues return across years and each "
                "award keeps its key (default 1)."
            ),
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the demo's existing editions and its own films, people, companies and venues first.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Build only when the database holds no edition at all (scripts/run's first start).",
        )

    def handle(self, *args, size, seed, start_date, editions, replace, if_empty, **options):
        if if_empty and Edition.objects.exists():
            self.stdout.write("The database holds an edition already: no demo built.")
            return
        started = time.monotonic()
        try:
            edition = build(
                size,
                seed,
                start_date=start_date,
                editions=editions,
                replace=replace,
                log=lambda message: self.stderr.write(message),
            )
        except DemoError as error:
            raise CommandError(str(error)) from error
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh tables have no planner statistics: gather them so the first pages plan well.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        films = Screening.films.through.objects.filter(screening__edition=edition).values("film").distinct().count()
        selected = Section.objects.filter(edition=edition).values("selections__film").distinct().count()
        screens = Screen.objects.filter(screenings__edition=edition).distinct().count()
        venues = Venue.objects.filter(screens__screenings__edition=edition).distinct().count()
        self.stdout.write(
            f"Demo edition {edition.key} ({size}, seed {seed}): {selected} films ({films} screened), "
            f"{Screening.objects.filter(edition=edition).count()} screenings, {screens} screens, {venues} venues, "
            f"{Section.objects.filter(edition=edition).count()} sections, "
            f"{Award.objects.filter(edition=edition).count()} awards; {elapsed:.1f} s."
        )
        announced = edition.results_announced_at.astimezone(edition.tzinfo)
        self.stdout.write(
            f"It runs from {edition.start_date.isoformat()} to {edition.end_date.isoformat()} ({edition.timezone}); "
            f"its results are announced on {announced:%Y-%m-%d at %H:%M}."
        )
        earlier = demo_editions().exclude(pk=edition.pk)
        if editions > 1:
            keys = list(earlier.values_list("key", flat=True))
            named = f"editions {keys[0]} to {keys[-1]} ({len(keys)})" if keys[1:] else f"edition {keys[0]}"
            self.stdout.write(
                f"Earlier {named}: "
                f"{Section.objects.filter(edition__in=earlier).values('selections__film').distinct().count()} films, "
                f"{Screening.objects.filter(edition__in=earlier).count()} screenings, "
                f"{AwardResult.objects.filter(award__edition__in=earlier, kind='winner').count()} winners."
            )
