"""Build the demo festival: a made-up current edition with films, people, venues, a schedule and awards, and
optionally an archive of earlier editions.

Everything is drawn from seeded ``random.Random`` generators in a fixed order, so one seed, size and start date
always give the same database content. Records the demo owns have keys starting with ``demo-`` (films, people,
companies, venues, screens, festivals, editions); sections, awards and screenings belong to a demo edition. The
example film (``we-will-not-fade-away``) is the project's own record, imported through the catalogue importer,
selected in the current edition and left alone by ``--replace``.

The current edition is built first, from ``random.Random(seed)``, so that it is the same whatever the number of
editions. Each earlier edition (``n`` years before) then draws from a generator of its own: new films with
their credits, selections, screenings, results and juries, and a pool of people of whom two thirds are new and
one third return from the editions built before it (directors among them return with a new film). Venues,
screens, companies and the other festivals are the same every year; each award keeps its key, so its page
lists every year's winner. Every film has a poster and a still, drawn with Pillow from a generator of their own:
the current edition's films (the example film among them) each their own, with its title; an earlier edition's
share a dozen of each drawn for it (pictures are the slowest part of the build).
"""

import datetime
import random
from zoneinfo import ZoneInfo

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from ..cache import bump_publication_version
from ..models import (
    Award,
    AwardResult,
    Company,
    CompanyCredit,
    Credit,
    Edition,
    Festival,
    FestivalHistoryAward,
    FestivalHistoryEntry,
    Film,
    FilmCopy,
    FilmImage,
    FilmographyEntry,
    FilmTitle,
    JuryMember,
    Person,
    PersonAlias,
    Screen,
    Screening,
    ScreeningFilm,
    ScreeningGuest,
    Section,
    Selection,
    Tag,
    Venue,
)
from . import words
from .awards import AwardsMixin
from .plan import (
    DAYS,
    EXAMPLE_FILE,
    EXAMPLE_FILM_KEY,
    FESTIVAL_KEY,
    PREFIX,
    SIZES,
    TIMEZONE,
    DemoError,
    Size,
    default_first_day,
    edition_key,
    years_before,
)
from .programme import ProgrammeMixin
from .records import RecordsMixin
from .schedule import Request, ScheduleMixin
from .text import ascii_latin, keyify, translated, ukrainian_latin

__all__ = [
    "EXAMPLE_FILM_KEY",
    "FESTIVAL_KEY",
    "PREFIX",
    "SIZES",
    "TIMEZONE",
    "Builder",
    "DemoError",
    "Request",
    "Size",
    "ascii_latin",
    "build",
    "demo_editions",
    "edition_key",
    "keyify",
    "translated",
    "ukrainian_latin",
]

# The earliest year an edition of the demo may have, and how far ahead of today its current edition may lie:
# its films' years must stay plausible (films/models/film.py).
EARLIEST_YEAR = 1960
# Where the example film's pictures drawn by the demo are stored (their names start with ``demo-``).
EXAMPLE_IMAGES = "films/images/"
YEARS_AHEAD = 4


def demo_editions():
    """The demo's editions in the database, newest first."""
    return Edition.objects.filter(festival__key=FESTIVAL_KEY, key__startswith=PREFIX).order_by("-start_date", "key")


class Builder(RecordsMixin, ProgrammeMixin, ScheduleMixin, AwardsMixin):
    def __init__(self, size="small", seed=1, *, start_date=None, editions=1, replace=False, log=print):
        if size not in SIZES:
            raise DemoError(f"Unknown size “{size}”; choose one of: {', '.join(SIZES)}.")
        if editions < 1:
            raise DemoError(f"The demo has at least one edition, not {editions}.")
        self.first_day = start_date or default_first_day()
        latest = timezone.localdate().year + YEARS_AHEAD
        if self.first_day.year > latest or self.first_day.year - (editions - 1) < EARLIEST_YEAR:
            raise DemoError(
                f"The demo's editions must lie in the years {EARLIEST_YEAR} to {latest}, for its films' years to be "
                f"plausible; a first day of {self.first_day.isoformat()} with {editions} edition(s) asks for "
                f"{self.first_day.year - (editions - 1)} to {self.first_day.year}."
            )
        self.size_name = size
        self.size = SIZES[size]
        self.seed = seed
        self.edition_count = editions
        self.replace = replace
        self.log = log
        self.rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not secrets)
        self.tz = ZoneInfo(TIMEZONE)
        self.stored_files = []
        self.used_keys = {}
        self.editions = []
        self.all_people = []
        self.culture_of = {}
        self.latin_names = {}
        self.directors = {}  # Everyone who directed a film in an edition built so far, in the order first seen.

    # Entry point ----------------------------------------------------------------------------------

    def build(self):
        try:
            with transaction.atomic():
                existing = self.existing_records()
                if existing and not self.replace:
                    raise DemoError(
                        f"This database already has the demo ({existing}); nothing was changed. "
                        "Run with --replace to delete the demo's editions and its own films, people, "
                        "companies and venues and build it anew."
                    )
                if existing:
                    self.remove_demo()
                self.example_film = self.import_example()
                self.make_festival()
                self.make_venues()
                self.make_tags()
                self.make_companies()
                films = self.size.features + self.size.shorts
                self.make_people(films * 3, self.first_day.year)
                self.make_history_festivals()
                self.make_edition(0)
                for years in range(1, self.edition_count):
                    # Each earlier edition from a generator of its own: the current one stays as it is.
                    self.rng = random.Random(f"{self.seed}-{years}-years-before")  # noqa: S311  (demo data)
                    year = years_before(self.first_day, years).year
                    returning = self.returning_people(films, year)
                    self.make_people(films * 2, year)
                    self.people = [*self.people, *returning]
                    for person in returning:
                        self.people_by_culture.setdefault(self.culture_of[person.key], []).append(person)
                    self.make_edition(years)
                    self.log(f"Earlier edition {self.edition.key} built ({years} of {self.edition_count - 1}).")
        except BaseException:
            for name in self.stored_files:
                default_storage.delete(name)
            raise
        # Bulk writes send no model signals: make every cached public page stale here.
        bump_publication_version()
        return self.editions[0]

    def make_edition(self, years):
        """The edition ``years`` years before the current one (0: the current one), with everything in it."""
        first_day = years_before(self.first_day, years)
        self.current = years == 0
        self.years = years
        self.days = [first_day + datetime.timedelta(days=n) for n in range(DAYS)]
        self.year = first_day.year
        self.make_edition_record()
        self.make_sections()
        self.make_films()
        self.make_selections()
        self.make_images()
        self.make_schedule()
        self.make_awards()
        self.editions.append(self.edition)

    def returning_people(self, films, year):
        """``films`` people of the editions built so far who come back for the edition of ``year`` (old enough)."""
        eligible = [p for p in self.all_people if p.born_year is None or p.born_year <= year - 25]
        return self.rng.sample(eligible, min(films, len(eligible)))

    def unique_key(self, kind, base):
        used = self.used_keys.setdefault(kind, {})
        key = base
        number = 1
        while key in used:
            number += 1
            key = f"{base}-{number}"
        used[key] = True
        return key

    # Existing data --------------------------------------------------------------------------------

    def existing_records(self):
        """Describe demo records already in the database, or return "" when there are none."""
        keys = list(demo_editions().values_list("key", flat=True))
        if len(keys) == 1:
            return f"the edition “{keys[0]}”"
        if keys:
            return f"the editions “{keys[0]}” to “{keys[-1]}”"
        for model in (Film, Person, Company, Venue, Screen, Festival):
            key = model.objects.filter(key__startswith=PREFIX).values_list("key", flat=True).order_by("key").first()
            if key:
                return f"{model._meta.verbose_name} “{key}”"
        if Festival.objects.filter(key=FESTIVAL_KEY).exists():
            return f"the festival “{FESTIVAL_KEY}”"
        return ""

    def remove_demo(self):
        """Delete the demo's editions and every record the demo owns; the example film stays.

        The rows of the demo's editions, and those that hang off the demo's own films and people only, go in one
        DELETE per table without per-row signals (every films model has a receiver, so the ORM would fetch and
        signal each of an archive's hundreds of thousands of rows; the build bumps the publication version once
        at its end). The films, people, companies and venues themselves go through the ORM, which refuses,
        through their protected relations, to delete any that is used outside the demo."""
        editions = list(demo_editions().values_list("pk", flat=True))
        films = Film.objects.filter(key__startswith=PREFIX)
        people = Person.objects.filter(key__startswith=PREFIX)
        # The demo's images: its films' and those it drew for the example film (named ``demo-…``); an earlier
        # edition's films share theirs, so each file goes once.
        images = FilmImage.objects.filter(
            Q(film__in=films) | Q(film__key=EXAMPLE_FILM_KEY, image__startswith=f"{EXAMPLE_IMAGES}{PREFIX}")
        )
        for name in {name for image in images for name in image.stored_names()}:
            default_storage.delete(name)
        FilmImage.objects.filter(film__key=EXAMPLE_FILM_KEY, image__startswith=f"{EXAMPLE_IMAGES}{PREFIX}").delete()
        for rows in (
            AwardResult.objects.filter(award__edition__in=editions),
            Award.objects.filter(edition__in=editions),
            JuryMember.objects.filter(section__edition__in=editions),
            ScreeningGuest.objects.filter(screening__edition__in=editions),
            ScreeningFilm.objects.filter(screening__edition__in=editions),
            Screening.objects.filter(edition__in=editions),
            Selection.objects.filter(section__edition__in=editions),
            Section.curators.through.objects.filter(section__edition__in=editions),
            Section.objects.filter(edition__in=editions),
            Edition.objects.filter(pk__in=editions),
            Film.tags.through.objects.filter(film__in=films),
            FilmTitle.objects.filter(film__in=films),
            FilmImage.objects.filter(film__in=films),
            FilmCopy.objects.filter(film__in=films),
            FestivalHistoryAward.objects.filter(entry__film__in=films),
            FestivalHistoryEntry.objects.filter(film__in=films),
            CompanyCredit.objects.filter(film__in=films),
            Credit.objects.filter(film__in=films),
            PersonAlias.objects.filter(person__in=people),
            FilmographyEntry.objects.filter(person__in=people),
        ):
            rows._raw_delete(rows.db)  # What the ORM's collector does for rows without signals or dependants.
        try:
            films.delete()
            people.delete()
            Company.objects.filter(key__startswith=PREFIX).delete()
            Screen.objects.filter(key__startswith=PREFIX).delete()
            Venue.objects.filter(key__startswith=PREFIX).delete()
            Festival.objects.filter(key__startswith=PREFIX).delete()
            Festival.objects.filter(key=FESTIVAL_KEY, editions__isnull=True).delete()
        except ProtectedError as error:
            blocking = sorted(str(obj) for obj in error.protected_objects)[:5]
            raise DemoError(
                "The demo's records are used outside the demo's editions, so --replace cannot delete them: "
                + "; ".join(blocking)
            ) from error
        Tag.objects.filter(key__in=[key for key, _names in words.TAGS], films__isnull=True).delete()

    # The example film -----------------------------------------------------------------------------

    def import_example(self):
        try:
            from ..catalogue import CatalogueError, import_catalogue
        except ImportError:
            self.log("films.catalogue is not available: the example film was not imported.")
        else:
            try:
                import_catalogue([EXAMPLE_FILE])
            except CatalogueError as error:
                raise DemoError(
                    f"The example film {EXAMPLE_FILE.name} could not be imported: " + "; ".join(map(str, error.errors))
                ) from error
        return Film.objects.filter(key=EXAMPLE_FILM_KEY).first()


def build(size="small", seed=1, *, start_date=None, editions=1, replace=False, log=print):
    """Build the demo's current edition starting on ``start_date`` (default: ``plan.default_first_day()``) and
    ``editions`` − 1 earlier ones; return the current Edition. Raises DemoError with a message for the user."""
    return Builder(size, seed, start_date=start_date, editions=editions, replace=replace, log=log).build()
