"""Build the demo edition: a made-up festival with films, people, venues, a schedule and awards.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so one seed always gives the same
database content. Records the demo owns have keys starting with ``demo-`` (films, people, companies,
venues, screens, festivals); sections, awards and screenings belong to the demo edition. The example film
(``we-will-not-fade-away``) is the project's own record, imported through the catalogue importer and left
alone by ``--replace``.
"""

import datetime
import random
from zoneinfo import ZoneInfo

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError

from ..cache import bump_publication_version
from ..models import (
    Award,
    AwardResult,
    Company,
    Edition,
    Festival,
    Film,
    FilmImage,
    Person,
    Screen,
    Screening,
    Section,
    Selection,
    Tag,
    Venue,
)
from . import words
from .awards import AwardsMixin
from .plan import (
    DAYS,
    EDITION_KEY,
    EXAMPLE_FILE,
    EXAMPLE_FILM_KEY,
    FESTIVAL_KEY,
    FIRST_DAY,
    PREFIX,
    SIZES,
    TIMEZONE,
    DemoError,
    Size,
)
from .programme import ProgrammeMixin
from .records import RecordsMixin
from .schedule import Request, ScheduleMixin
from .text import ascii_latin, keyify, translated, ukrainian_latin

__all__ = [
    "EDITION_KEY",
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
    "keyify",
    "translated",
    "ukrainian_latin",
]


class Builder(RecordsMixin, ProgrammeMixin, ScheduleMixin, AwardsMixin):
    def __init__(self, size="small", seed=1, *, replace=False, log=print):
        if size not in SIZES:
            raise DemoError(f"Unknown size “{size}”; choose one of: {', '.join(SIZES)}.")
        self.size_name = size
        self.size = SIZES[size]
        self.seed = seed
        self.replace = replace
        self.log = log
        self.rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not secrets)
        self.tz = ZoneInfo(TIMEZONE)
        self.days = [FIRST_DAY + datetime.timedelta(days=n) for n in range(DAYS)]
        self.stored_files = []
        self.used_keys = {}

    # Entry point ----------------------------------------------------------------------------------

    def build(self):
        try:
            with transaction.atomic():
                existing = self.existing_records()
                if existing and not self.replace:
                    raise DemoError(
                        f"This database already has the demo ({existing}); nothing was changed. "
                        "Run with --replace to delete the demo edition and the demo's own films, people, "
                        "companies and venues and build it anew."
                    )
                if existing:
                    self.remove_demo()
                self.example_film = self.import_example()
                self.make_edition()
                self.make_sections()
                self.make_venues()
                self.make_tags()
                self.make_companies()
                self.make_people()
                self.make_history_festivals()
                self.make_films()
                self.make_selections()
                self.make_images()
                self.make_schedule()
                self.make_guests_and_access()
                self.make_awards()
        except BaseException:
            for name in self.stored_files:
                default_storage.delete(name)
            raise
        # Bulk writes send no model signals: make every cached public page stale here.
        bump_publication_version()
        return self.edition

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
        if Edition.objects.filter(key=EDITION_KEY).exists():
            return f"the edition “{EDITION_KEY}”"
        for model in (Film, Person, Company, Venue, Screen, Festival):
            key = model.objects.filter(key__startswith=PREFIX).values_list("key", flat=True).order_by("key").first()
            if key:
                return f"{model._meta.verbose_name} “{key}”"
        if Festival.objects.filter(key=FESTIVAL_KEY).exists():
            return f"the festival “{FESTIVAL_KEY}”"
        return ""

    def remove_demo(self):
        """Delete the demo edition and every record the demo owns; the example film stays."""
        edition = Edition.objects.filter(key=EDITION_KEY).first()
        if edition:
            AwardResult.objects.filter(award__edition=edition).delete()
            Award.objects.filter(edition=edition).delete()
            Screening.objects.filter(edition=edition).delete()
            Selection.objects.filter(section__edition=edition).delete()
            Section.objects.filter(edition=edition).delete()
            edition.delete()
        demo_films = Film.objects.filter(key__startswith=PREFIX)
        for image in FilmImage.objects.filter(film__in=demo_films):
            for file in (image.image, image.thumbnail, image.display):
                if file:
                    file.storage.delete(file.name)
        try:
            demo_films.delete()
            Person.objects.filter(key__startswith=PREFIX).delete()
            Company.objects.filter(key__startswith=PREFIX).delete()
            Screen.objects.filter(key__startswith=PREFIX).delete()
            Venue.objects.filter(key__startswith=PREFIX).delete()
            Festival.objects.filter(key__startswith=PREFIX).delete()
            Festival.objects.filter(key=FESTIVAL_KEY, editions__isnull=True).delete()
        except ProtectedError as error:
            blocking = sorted(str(obj) for obj in error.protected_objects)[:5]
            raise DemoError(
                "The demo's records are used outside the demo edition, so --replace cannot delete them: "
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


def build(size="small", seed=1, *, replace=False, log=print):
    """Build the demo edition; return the Edition. Raises DemoError with a message for the user."""
    return Builder(size, seed, replace=replace, log=log).build()
