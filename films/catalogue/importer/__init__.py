"""Importing catalogue files: load, check everything, then write everything in one transaction or nothing.

Stage 1 checks each file against the JSON Schema (``schema.json``); stage 2 checks what a schema
cannot express (references between keys, ISO codes, dates, clashing screenings, images); then the
records are written inside one ``transaction.atomic()``, each new or changed row's ``full_clean()`` run
before it is written (new rows in bulk, see ``Importer.flush``). Any error anywhere rolls everything back
and raises ``CatalogueError`` listing them all.

Imports merge: a field the file leaves out keeps its stored value, translated text merges language by
language (an explicit ``""`` clears one language), a child list is the file's where the file gives it.
Every field changed in an existing record is reported (``diff.FieldChange``) and the whole plan hashed
(``ImportReport.fingerprint``); given ``expected_fingerprint`` (the preview's), the import refuses with
``StalePreviewError`` and writes nothing when the plan it finds differs.

On PostgreSQL, an import that creates or changes more than ``FESTIVAL_ANALYZE_AFTER_RECORDS`` records gathers
the planner's statistics of the tables it wrote (``ANALYZE``) once it has committed: otherwise the next pages are
planned with the statistics of the tables before the import (seen taking 2.7 to 4.4 times as long).
"""

from collections import defaultdict
from functools import reduce
from operator import or_
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from reversion.models import Revision, Version

from ...cache import bump_publication_version
from ...history import FOLLOW, record_records
from ...models import (
    Award,
    Company,
    CompanyAlias,
    Edition,
    Festival,
    Film,
    Person,
    PersonAlias,
    Screen,
    Screening,
    Section,
    Tag,
    Venue,
)
from ..errors import CatalogueError, StalePreviewError
from ..schema import schema_errors
from .checks import CheckMixin
from .diff import FieldChange, documents_digest, field_changes, list_change, plan_fingerprint
from .images import ImageMixin
from .loading import (
    FORMAT,
    MAX_FILE_BYTES,
    MAX_FILE_MB,
    VERSION,
    header_errors,
    load_source,
    parse_catalogue_bytes,
    too_large_message,
)
from .report import ImportReport
from .values import (
    DEFAULT_CHANGEOVER_MINUTES,
    Item,
    apply_values,
    award_kind,
    given_translations,
    languages,
)
from .writing import WriteMixin
from .writing_editions import EditionWriteMixin
from .writing_films import FilmWriteMixin

__all__ = [
    "DEFAULT_CHANGEOVER_MINUTES",
    "FORMAT",
    "MAX_FILE_BYTES",
    "MAX_FILE_MB",
    "VERSION",
    "FieldChange",
    "ImportReport",
    "Importer",
    "Item",
    "Rollback",
    "apply_values",
    "award_kind",
    "given_translations",
    "header_errors",
    "import_catalogue",
    "languages",
    "load_source",
    "parse_catalogue_bytes",
    "too_large_message",
]


def import_catalogue(sources, *, dry_run=False, fetch_images=False, expected_fingerprint=None, user=None, names=None):
    """Import catalogue files (paths or parsed dicts) all or nothing; return an ImportReport.

    Raises CatalogueError listing every error found; then nothing has been written. With
    ``expected_fingerprint`` (a preview's ``report.fingerprint``) it raises StalePreviewError, writing
    nothing, unless the import would do exactly what that preview showed. What it creates or changes is kept
    in the records' history (a revision per record, with the rows it follows) by ``user``, commented with the
    files' names.
    """
    if isinstance(sources, (str, Path, dict)):
        sources = [sources]
    errors = []
    loaded = []
    several = len(sources) > 1
    names = names or ", ".join(Path(source).name for source in sources if not isinstance(source, dict))
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
        importer = Importer(
            loaded, dry_run=dry_run, fetch_images=fetch_images, expected_fingerprint=expected_fingerprint
        )
        importer.user = user
        importer.comment = _("Imported from a catalogue file: %(files)s") % {"files": names or "–"}
        return importer.run()


def gather_statistics(tables):
    """``ANALYZE`` ``tables`` (PostgreSQL): the planner's statistics of what an import wrote."""
    with connection.cursor() as cursor:
        quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
        cursor.execute(f"ANALYZE {quoted}")


class Rollback(Exception):
    pass


class Importer(CheckMixin, ImageMixin, WriteMixin, FilmWriteMixin, EditionWriteMixin):
    def __init__(self, loaded, *, dry_run, fetch_images, expected_fingerprint=None):
        self.dry_run = dry_run
        self.fetch_images = fetch_images
        self.expected_fingerprint = expected_fingerprint
        # A confirmation locks the records it reads (PostgreSQL) so that none changes between its check and its
        # writes; SQLite has no row locks, but a transaction there cannot write over a commit made after it read.
        self.lock = expected_fingerprint is not None
        self.errors = []
        self.report = ImportReport(dry_run=dry_run)
        self.stored_files = []
        self.people, self.companies, self.films, self.editions = {}, {}, {}, {}
        self.digest = documents_digest([document for document, _base_dir, _prefix in loaded])
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
        try:
            with transaction.atomic():
                # Read, check and write in one transaction: what a confirmation compares is what it writes over.
                self.load_existing()
                self.check()
                if self.errors:
                    raise Rollback
                self.write()
                if self.errors:
                    raise Rollback
                self.report.fingerprint = plan_fingerprint(self.report, self.digest)
                if self.expected_fingerprint is not None and self.report.fingerprint != self.expected_fingerprint:
                    raise StalePreviewError([self.stale_message()])
                if self.dry_run:
                    transaction.set_rollback(True)
                else:
                    self.record_history()
        except Rollback:
            self.discard_stored_files()
            raise CatalogueError(self.errors) from None
        except Exception:
            self.discard_stored_files()
            raise
        if self.dry_run:
            # Rolled back: the files a dry run stored belong to no row.
            self.discard_stored_files()
        else:
            # Bulk writes send no model signals: make every cached public page stale here.
            bump_publication_version()
            written = sum(created + updated for _label, created, updated, _unchanged in self.report.counts())
            if connection.vendor == "postgresql" and written > settings.FESTIVAL_ANALYZE_AFTER_RECORDS:
                tables = self.written_tables()
                # Once committed (at once here, or when a caller's own transaction commits).
                transaction.on_commit(lambda: gather_statistics(tables))
        return self.report

    def written_tables(self):
        """The tables of the records the import created or changed, of the rows they hold (credits, titles,
        screenings' films...) and of their history."""
        models = {Version, Revision}
        pending = [
            model
            for label, model in self.HISTORY_KINDS.items()
            if self.report.created.get(label) or self.report.updated.get(label)
        ]
        while pending:
            model = pending.pop()
            if model in models:
                continue
            models.add(model)
            pending.extend(model._meta.get_field(name).related_model for name in FOLLOW.get(model, ()))
            # A record's version holds its plain many-to-many lists (a film's tags), whose tables it writes too.
            pending.extend(
                field.remote_field.through
                for field in model._meta.many_to_many
                if field.remote_field.through._meta.auto_created
            )
        return sorted(model._meta.db_table for model in models)

    # Kinds of record in the report, and how their keys ("edition/key" for an edition's) find them.
    HISTORY_KINDS = {
        "festival": Festival,
        "edition": Edition,
        "section": Section,
        "venue": Venue,
        "screen": Screen,
        "tag": Tag,
        "film": Film,
        "person": Person,
        "company": Company,
        "screening": Screening,
        "award": Award,
    }

    def record_history(self):
        """One revision of every record the import created or changed, with the rows each follows."""
        records = {}
        for label, model in self.HISTORY_KINDS.items():
            keys = [*self.report.created.get(label, []), *self.report.updated.get(label, [])]
            if not keys:
                continue
            if "/" not in keys[0]:
                records[model] = model.objects.filter(key__in=keys)
                continue
            by_edition = defaultdict(list)
            for key in keys:
                edition_key, _slash, own_key = key.partition("/")
                by_edition[edition_key].append(own_key)
            records[model] = model.objects.filter(
                reduce(or_, (Q(edition__key=edition, key__in=own) for edition, own in by_edition.items()))
            )
        record_records(records, getattr(self, "user", None), getattr(self, "comment", ""))

    @staticmethod
    def stale_message():
        return _(
            "The database has changed since this import was previewed, so it would no longer do what the preview "
            "showed; nothing was written. Preview the file again and check the changes before importing."
        )

    def record_changes(self, kind, key, instance, changes, created=False, tz=None):
        """Add the field changes of an existing record (``apply_values``' result) to the report."""
        if changes and not created:
            self.report.changes.extend(field_changes(kind, key, instance, changes, tz=tz))
        return bool(changes)

    def record_list_change(self, kind, key, field, old, new, created=False):
        """Add a replaced child list (readable items, old and new) of an existing record to the report."""
        if not created:
            self.report.changes.append(list_change(kind, key, field, old, new))

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
                person_keys.update(guest["person"] for guest in screening.get("guests") or [])
                if "screen" in screening:
                    screen_keys.add(screening["screen"])
            for award in edition.get("awards") or []:
                for winner in award.get("winners") or []:
                    film_keys.add(winner["film"])
                    if "person" in winner:
                        person_keys.add(winner["person"])
            for venue in edition.get("venues") or []:
                screen_keys.update(screen["key"] for screen in venue.get("screens") or [])
        self.db_people = self.objects(Person).in_bulk(person_keys, field_name="key")
        self.db_companies = self.objects(Company).in_bulk(company_keys, field_name="key")
        self.db_films = self.objects(Film).in_bulk(film_keys, field_name="key")
        self.db_editions = self.objects(Edition).select_related("festival").in_bulk(self.editions, field_name="key")
        festival_keys = {edition["festival"]["key"] for edition in self.editions.values()}
        self.db_festivals = self.objects(Festival).in_bulk(festival_keys, field_name="key")
        venue_keys = {venue["key"] for edition in self.editions.values() for venue in edition.get("venues") or []}
        self.db_venues = self.objects(Venue).in_bulk(venue_keys, field_name="key")
        self.db_screens = self.objects(Screen).select_related("venue").in_bulk(screen_keys, field_name="key")
        self.db_sections = {
            (section.edition.key, section.key): section
            for section in self.objects(Section).filter(edition__key__in=self.editions).select_related("edition")
        }
        # The screenings of the file's editions, with what a screening the file updates keeps (its screen,
        # section, times) and what the preview shows of it.
        self.db_screenings = {}
        for screening in (
            self.objects(Screening)
            .filter(edition__key__in=self.editions)
            .select_related("edition", "screen", "section")
        ):
            self.db_screenings[(screening.edition.key, screening.key)] = screening
            if screening.screen is not None:
                self.db_screens.setdefault(screening.screen.key, screening.screen)
        tag_keys = {tag["key"] for film in self.films.values() for tag in film.get("tags") or []}
        self.db_tags = self.objects(Tag).in_bulk(tag_keys, field_name="key")
        self.match_aliases()

    def objects(self, model):
        """The model's rows as the import reads them: locked for the transaction when confirming a preview."""
        if self.lock:
            return model.objects.select_for_update(of=("self",))
        return model.objects.all()

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
