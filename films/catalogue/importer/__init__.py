"""Importing catalogue files: load, check everything, then write everything in one transaction or nothing.

Stage 1 checks each file against the JSON Schema (``schema.json``); stage 2 checks what a schema
cannot express (references between keys, ISO codes, dates, clashing screenings, images); then the
records are written inside one ``transaction.atomic()``, each new or changed row's ``full_clean()`` run
before it is written (new rows in bulk, see ``Importer.flush``). Any error anywhere rolls everything back
and raises ``CatalogueError`` listing them all.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ...cache import bump_publication_version
from ...models import Company, CompanyAlias, Edition, Festival, Film, Person, PersonAlias, Screen, Section, Tag, Venue
from ..errors import CatalogueError
from ..schema import schema_errors
from .checks import CheckMixin
from .images import ImageMixin
from .loading import (
    FORMAT,
    MAX_FILE_BYTES,
    VERSION,
    header_errors,
    load_source,
    parse_catalogue_bytes,
    too_large_message,
)
from .report import ImportReport
from .values import DEFAULT_CHANGEOVER_MINUTES, Item, apply_values, award_kind, languages, translated_values
from .writing import WriteMixin
from .writing_editions import EditionWriteMixin
from .writing_films import FilmWriteMixin

__all__ = [
    "DEFAULT_CHANGEOVER_MINUTES",
    "FORMAT",
    "MAX_FILE_BYTES",
    "VERSION",
    "ImportReport",
    "Importer",
    "Item",
    "Rollback",
    "apply_values",
    "award_kind",
    "header_errors",
    "import_catalogue",
    "languages",
    "load_source",
    "parse_catalogue_bytes",
    "too_large_message",
    "translated_values",
]


def import_catalogue(sources, *, dry_run=False, fetch_images=False):
    """Import catalogue files (paths or parsed dicts) all or nothing; return an ImportReport.

    Raises CatalogueError listing every error found; then nothing has been written.
    """
    if isinstance(sources, (str, Path, dict)):
        sources = [sources]
    errors = []
    loaded = []
    several = len(sources) > 1
    for index, source in enumerate(sources):
        document, base_dir, label, load_errors = load_source(source)
        if load_errors:
            errors.extend(load_errors)
            continue
        prefix = f"{label or f'source {index + 1}'}: " if several else ""
        problems = header_errors(document, prefix) or [prefix + message for message in schema_errors(document)]
        if problems:
            errors.extend(problems)
            continue
        loaded.append((document, base_dir, prefix))
    if errors:
        raise CatalogueError(errors)
    with translation.override(settings.LANGUAGE_CODE):
        importer = Importer(loaded, dry_run=dry_run, fetch_images=fetch_images)
        return importer.run()


class Rollback(Exception):
    pass


class Importer(CheckMixin, ImageMixin, WriteMixin, FilmWriteMixin, EditionWriteMixin):
    def __init__(self, loaded, *, dry_run, fetch_images):
        self.dry_run = dry_run
        self.fetch_images = fetch_images
        self.errors = []
        self.report = ImportReport(dry_run=dry_run)
        self.stored_files = []
        self.people, self.companies, self.films, self.editions = {}, {}, {}, {}
        for document, base_dir, prefix in loaded:
            root = Item(document, (), prefix, base_dir)
            for name, target in (
                ("people", self.people),
                ("companies", self.companies),
                ("films", self.films),
                ("editions", self.editions),
            ):
                for item in root.children(name):
                    self.define(target, item)

    def error(self, path, message):
        self.errors.append(f"{path}: {message}")

    def define(self, target, item, key=None):
        key = key or item.get("key")
        if key in target:
            self.error(
                item.path("key"),
                _('key "%(key)s" is defined twice (also at %(other)s)')
                % {
                    "key": key,
                    "other": target[key].path(),
                },
            )
        else:
            target[key] = item

    # ------------------------------------------------------------------ run

    def run(self):
        self.load_existing()
        self.check()
        if self.errors:
            raise CatalogueError(self.errors)
        try:
            with transaction.atomic():
                self.write()
                if self.errors:
                    raise Rollback
                if self.dry_run:
                    transaction.set_rollback(True)
        except Rollback:
            self.discard_stored_files()
            raise CatalogueError(self.errors) from None
        except Exception:
            self.discard_stored_files()
            raise
        if not self.dry_run:
            # Bulk writes send no model signals: make every cached public page stale here.
            bump_publication_version()
        return self.report

    def discard_stored_files(self):
        for name in self.stored_files:
            default_storage.delete(name)

    # ------------------------------------------------------------------ existing records, in bulk

    def load_existing(self):
        person_keys, company_keys, film_keys, screen_keys = (
            set(self.people),
            set(self.companies),
            set(self.films),
            set(),
        )
        for film in self.films.values():
            for credit in film.get("credits") or []:
                person_keys.add(credit["person"])
                if "company" in credit:
                    company_keys.add(credit["company"])
            company_keys.update(credit["company"] for credit in film.get("company_credits") or [])
            for entry in film.get("festival_history") or []:
                person_keys.update(award["recipient"] for award in entry.get("awards") or [] if "recipient" in award)
        for person in self.people.values():
            film_keys.update(entry["film"] for entry in person.get("filmography") or [] if "film" in entry)
        for edition in self.editions.values():
            for section in edition.get("sections") or []:
                film_keys.update(selection["film"] for selection in section.get("selections") or [])
            for screening in edition.get("screenings") or []:
                film_keys.update(screening["films"])
                if "screen" in screening:
                    screen_keys.add(screening["screen"])
            for award in edition.get("awards") or []:
                for winner in award.get("winners") or []:
                    film_keys.add(winner["film"])
                    if "person" in winner:
                        person_keys.add(winner["person"])
            for venue in edition.get("venues") or []:
                screen_keys.update(screen["key"] for screen in venue.get("screens") or [])
        self.db_people = Person.objects.in_bulk(person_keys, field_name="key")
        self.db_companies = Company.objects.in_bulk(company_keys, field_name="key")
        self.db_films = Film.objects.in_bulk(film_keys, field_name="key")
        self.db_editions = Edition.objects.select_related("festival").in_bulk(self.editions, field_name="key")
        festival_keys = {edition["festival"]["key"] for edition in self.editions.values()}
        self.db_festivals = Festival.objects.in_bulk(festival_keys, field_name="key")
        venue_keys = {venue["key"] for edition in self.editions.values() for venue in edition.get("venues") or []}
        self.db_venues = Venue.objects.in_bulk(venue_keys, field_name="key")
        self.db_screens = Screen.objects.select_related("venue").in_bulk(screen_keys, field_name="key")
        self.db_sections = {
            (section.edition.key, section.key): section
            for section in Section.objects.filter(edition__key__in=self.editions).select_related("edition")
        }
        tag_keys = {tag["key"] for film in self.films.values() for tag in film.get("tags") or []}
        self.db_tags = Tag.objects.in_bulk(tag_keys, field_name="key")
        self.match_aliases()

    def match_aliases(self):
        """A new key whose name or alias is an existing record's name or alias is that record."""
        self.alias_targets = {}
        for items, model, alias_model, existing, label in (
            (self.people, Person, PersonAlias, self.db_people, "person"),
            (self.companies, Company, CompanyAlias, self.db_companies, "company"),
        ):
            new = {key: item for key, item in items.items() if key not in existing}
            spellings = {name for item in new.values() for name in [item["name"], *(item.get("aliases") or [])]}
            if not spellings:
                continue
            by_spelling = {}
            for record in model.objects.filter(name__in=spellings).order_by("pk"):
                by_spelling.setdefault(record.name, record)
            for alias in alias_model.objects.filter(name__in=spellings).select_related(label).order_by("pk"):
                by_spelling.setdefault(alias.name, getattr(alias, label))
            for key, item in new.items():
                for spelling in [item["name"], *(item.get("aliases") or [])]:
                    if spelling in by_spelling:
                        record = by_spelling[spelling]
                        existing[key] = record
                        self.alias_targets[(label, key)] = record
                        self.report.aliases_matched.append((spelling, record.key))
                        break
