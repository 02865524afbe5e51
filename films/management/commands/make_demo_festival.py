"""``manage.py make_demo_festival``: build the made-up demo edition, the same for the same seed."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from films.demo import SIZES, DemoError, build
from films.models import Award, Edition, Screen, Screening, Section, Venue


class Command(BaseCommand):
    help = (
        "Create the demo festival edition “demo-2026” with films, people, venues, screenings and awards. "
        "The same --seed always gives the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(SIZES), default="small", help="small (default) or berlinale.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices (default 1).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete an existing demo edition and the demo's own films, people, companies and venues first.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Build only when the database holds no edition at all (scripts/run's first start).",
        )

    def handle(self, *args, size, seed, replace, if_empty, **options):
        if if_empty and Edition.objects.exists():
            self.stdout.write("The database holds an edition already: no demo built.")
            return
        started = time.monotonic()
        try:
            edition = build(size, seed, replace=replace, log=lambda message: self.stderr.write(message))
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
