"""Importing catalogue files: load, check everything, then write everything in one transaction or nothing.

Stage 1 checks each file against the JSON Schema (``schema.json``); stage 2 checks what a schema
cannot express (references between keys, ISO codes, dates, clashing screenings, images); then the
records are written inside one ``transaction.atomic()``, each new or changed row's ``full_clean()`` run
before it is written (new rows in bulk, see ``Importer.flush``). Any error anywhere rolls everything back
and raises ``CatalogueError`` listing them all.
"""

import datetime
import hashlib
import json
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from .. import codes
from ..cache import bump_publication_version
from ..images import validate_image_upload
from ..models import (
    Award,
    AwardResult,
    Company,
    CompanyAlias,
    CompanyCredit,
    Credit,
    Edition,
    Festival,
    FestivalHistoryAward,
    FestivalHistoryEntry,
    Film,
    FilmImage,
    FilmographyEntry,
    FilmTitle,
    Person,
    PersonAlias,
    Screen,
    Screening,
    ScreeningFilm,
    Section,
    Selection,
    Tag,
    Venue,
)
from ..search import refresh_film_search_text, refresh_person_search_text
from .errors import CatalogueError, path_string
from .schema import schema_errors

FORMAT = "festival-catalogue"
VERSION = 1
# A catalogue file larger than this is refused before it is read.
MAX_FILE_BYTES = 20 * 1024 * 1024
# An image fetched from a URL (only with fetch_images=True) may be at most this large.
MAX_FETCHED_IMAGE_BYTES = 15 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 20
CODE_FIELDS = {"country", "language", "timezone"}
DEFAULT_CHANGEOVER_MINUTES = Screen._meta.get_field("changeover_minutes").default
# Rows per INSERT statement of a bulk insert (SQLite allows 32,766 parameters per statement).
BULK_BATCH_SIZE = 500

# Model field -> field name in the format, where they differ (for full_clean messages).
FORMAT_FIELD_NAMES = {
    Film: {"aspect_ratio": "picture.aspect_ratio", "picture_format": "picture.format", "colour": "picture.colour"},
    Person: {"born_year": "born.year", "born_place": "born.place"},
    Screening: {"online_countries": "countries"},
}


@cache
def excluded_fields(model):
    """Fields ``full_clean`` leaves to stage 2 and the database: relations, and ISO codes (checked in stage 2)."""
    return tuple(field.name for field in model._meta.fields if field.is_relation or field.name in CODE_FIELDS)


def languages():
    return [code for code, _name in settings.LANGUAGES]


def translated_values(name, text):
    """``{"en": "x"}`` -> ``{"name_en": "x", "name_uk": None, ...}`` for every site language."""
    text = text or {}
    return {build_localized_fieldname(name, code): text.get(code) or None for code in languages()}


def _norm(value):
    return None if value == "" else value


def apply_values(instance, values):
    """Set ``values`` on ``instance``; return the names of the fields whose value changed."""
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if field.is_relation:
            current, wanted = getattr(instance, field.attname), value.pk if value is not None else None
        else:
            current, wanted = getattr(instance, name), value
        if _norm(current) != _norm(wanted):
            setattr(instance, name, value)
            changed.append(name)
    return changed


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do)."""

    dry_run: bool = False
    created: dict = field(default_factory=lambda: defaultdict(list))
    updated: dict = field(default_factory=lambda: defaultdict(list))
    unchanged: dict = field(default_factory=lambda: defaultdict(list))
    aliases_matched: list = field(default_factory=list)
    images_not_fetched: list = field(default_factory=list)

    def note(self, kind, label, key):
        {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}[kind][label].append(key)

    def counts(self):
        labels = sorted({*self.created, *self.updated, *self.unchanged})
        return [
            (
                label,
                len(self.created.get(label, [])),
                len(self.updated.get(label, [])),
                len(self.unchanged.get(label, [])),
            )
            for label in labels
        ]

    @property
    def changed_nothing(self):
        return not any(self.created.values()) and not any(self.updated.values())

    def summary(self):
        lines = [_("Dry run: nothing was written.") if self.dry_run else _("Import complete.")]
        for label, created, updated, unchanged in self.counts():
            lines.append(
                _("%(label)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
                % {"label": label, "created": created, "updated": updated, "unchanged": unchanged}
            )
        for spelling, key in self.aliases_matched:
            lines.append(_("“%(spelling)s” matched the existing record “%(key)s”") % {"spelling": spelling, "key": key})
        for path, src in self.images_not_fetched:
            lines.append(
                _("%(path)s: image %(src)s was not fetched (remote images are recorded only)")
                % {
                    "path": path,
                    "src": src,
                }
            )
        return "\n".join(lines)


@dataclass
class Item:
    """One object of a file, with where it is (for messages) and the directory image paths are relative to."""

    data: dict
    parts: tuple
    prefix: str = ""
    base_dir: Path | None = None

    def path(self, *more):
        return self.prefix + path_string((*self.parts, *more))

    def child(self, *more):
        value = self.data
        for part in more:
            value = value[part]
        return Item(value, (*self.parts, *more), self.prefix, self.base_dir)

    def children(self, name):
        return [self.child(name, index) for index in range(len(self.data.get(name) or []))]

    def get(self, name, default=None):
        return self.data.get(name, default)

    def __getitem__(self, name):
        return self.data[name]


# --------------------------------------------------------------------------- loading


def parse_catalogue_bytes(data, label):
    """Parse a file's bytes; return ``(document, errors)``. The size limit is checked before parsing."""
    if len(data) > MAX_FILE_BYTES:
        return None, [too_large_message(label, len(data))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [
            _("%(label)s: the file is not UTF-8 text (byte %(position)s)")
            % {
                "label": label,
                "position": error.start,
            }
        ]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as error:
        return None, [
            _("%(label)s: malformed JSON at line %(line)s, column %(column)s: %(problem)s")
            % {"label": label, "line": error.lineno, "column": error.colno, "problem": error.msg}
        ]


def too_large_message(label, size):
    return _("%(label)s: the file is %(size)s MB; catalogue files may be at most %(max)s MB") % {
        "label": label,
        "size": round(size / 1_048_576, 1),
        "max": round(MAX_FILE_BYTES / 1_048_576, 1),
    }


def load_source(source):
    """Return ``(document, base_dir, label, errors)`` for a path or an already-parsed dict."""
    if isinstance(source, dict):
        return source, None, None, []
    path = Path(source)
    label = path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        return (
            None,
            None,
            label,
            [
                _("%(label)s: cannot read the file (%(problem)s)")
                % {
                    "label": label,
                    "problem": error.strerror,
                }
            ],
        )
    if size > MAX_FILE_BYTES:
        return None, None, label, [too_large_message(label, size)]
    document, errors = parse_catalogue_bytes(path.read_bytes(), label)
    return document, path.resolve().parent, label, errors


def header_errors(document, prefix):
    """Wrong format or version stops the file here: nothing else in it can be trusted."""
    if not isinstance(document, dict):
        return [prefix + _("(document): a catalogue is a JSON object")]
    if document.get("format") != FORMAT:
        return [
            prefix
            + _('format: this is not a festival catalogue (expected "%(expected)s", found %(found)s)')
            % {"expected": FORMAT, "found": json.dumps(document.get("format"), ensure_ascii=False)}
        ]
    if document.get("version") != VERSION:
        return [
            prefix
            + _("version: this site reads version %(expected)s of the catalogue format, not %(found)s")
            % {"expected": VERSION, "found": json.dumps(document.get("version"), ensure_ascii=False)}
        ]
    return []


# --------------------------------------------------------------------------- the import


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


def award_kind(data):
    """An award's ``recipient`` and ``ex_aequo``: as given, else as its winners show (a person named: a person award;
    more than one winner: ex aequo)."""
    winners = data.get("winners") or []
    return {
        "recipient": data.get("recipient", "person" if any("person" in winner for winner in winners) else "film"),
        "ex_aequo": data.get("ex_aequo", sum(1 for winner in winners if winner.get("kind", "winner") == "winner") > 1),
    }


class Rollback(Exception):
    pass


class Importer:
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

    # ------------------------------------------------------------------ stage 2: semantic checks

    def check(self):
        self.planned = defaultdict(list)
        self.screening_times = {}
        self.all_venues, self.all_screens = {}, {}
        self.check_people()
        self.check_companies()
        self.check_films()
        for key, edition in self.editions.items():
            self.check_edition(key, edition)
        self.check_clashes()

    def known_person(self, key):
        return key in self.people or key in self.db_people

    def known_company(self, key):
        return key in self.companies or key in self.db_companies

    def known_film(self, key):
        return key in self.films or key in self.db_films

    def unknown(self, path, kind, key):
        self.error(
            path,
            _('unknown %(kind)s "%(key)s": it is neither in the file nor in the database')
            % {
                "kind": kind,
                "key": key,
            },
        )

    def check_country(self, path, code):
        if code not in codes.country_codes():
            self.error(path, _('unknown country code "%(code)s"') % {"code": code})

    def check_language(self, path, code):
        if code not in codes.language_codes():
            self.error(path, _('unknown language code "%(code)s"') % {"code": code})

    def check_code_list(self, item, name, check):
        values = item.get(name) or []
        for index, code in enumerate(values):
            check(item.path(name, index), code)
            if code in values[:index]:
                self.error(item.path(name, index), _('"%(code)s" is listed twice') % {"code": code})

    def check_duplicates(self, items, describe, message):
        seen = {}
        for item in items:
            identity = describe(item)
            if identity in seen:
                self.error(item.path(), message % {"other": seen[identity].path()})
            else:
                seen[identity] = item

    def check_image(self, item, name):
        """Read and check a local image now, so that a bad one stops the import before anything is written."""
        src = item[name]
        path = item.path(name)
        if src.startswith(("http://", "https://")):
            if not self.fetch_images:
                return {"remote": src}
            content = self.fetch(path, src)
            label = Path(src.split("?", 1)[0]).name or "image"
        elif src.startswith(settings.MEDIA_URL) and default_storage.exists(src[len(settings.MEDIA_URL) :]):
            stored = src[len(settings.MEDIA_URL) :]
            with default_storage.open(stored) as handle:
                content = handle.read()
            return {"stored": stored, "hash": hashlib.sha256(content).hexdigest()}
        else:
            if item.base_dir is None:
                self.error(path, _("a relative image path needs a catalogue file to be relative to"))
                return None
            file_path = item.base_dir / src
            if not file_path.is_file():
                self.error(path, _('no image file "%(src)s" next to the catalogue') % {"src": src})
                return None
            content = file_path.read_bytes()
            label = file_path.name
        if content is None:
            return None
        upload = ContentFile(content, name=label)
        try:
            validate_image_upload(upload)
        except ValidationError as error:
            for message in error.messages:
                self.error(path, message)
            return None
        return {"content": content, "name": label, "hash": hashlib.sha256(content).hexdigest()}

    def fetch(self, path, src):
        try:
            with urllib.request.urlopen(src, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 (http/https only)
                content = response.read(MAX_FETCHED_IMAGE_BYTES + 1)
        except (OSError, ValueError) as error:
            self.error(path, _("could not fetch %(src)s: %(problem)s") % {"src": src, "problem": error})
            return None
        if len(content) > MAX_FETCHED_IMAGE_BYTES:
            self.error(
                path,
                _("the image at %(src)s is larger than %(max)s MB")
                % {
                    "src": src,
                    "max": MAX_FETCHED_IMAGE_BYTES // 1_048_576,
                },
            )
            return None
        return content

    def check_people(self):
        self.person_photos = {}
        for key, person in self.people.items():
            for entry in person.children("filmography"):
                if "film" in entry.data and not self.known_film(entry["film"]):
                    self.unknown(entry.path("film"), _("film"), entry["film"])
            if "photo" in person.data:
                self.person_photos[key] = self.check_image(person, "photo")

    def check_companies(self):
        for company in self.companies.values():
            if "country" in company.data:
                self.check_country(company.path("country"), company["country"])

    def check_films(self):
        self.film_images = {}
        tags = {}
        for key, film in self.films.items():
            self.check_code_list(film, "countries", self.check_country)
            self.check_code_list(film, "spoken_languages", self.check_language)
            for title in film.children("other_titles"):
                self.check_language(title.path("language"), title["language"])
            self.check_duplicates(
                film.children("other_titles"),
                lambda item: (item["title"], item["language"]),
                _("the same title in the same language is already at %(other)s"),
            )
            for credit in film.children("credits"):
                if not self.known_person(credit["person"]):
                    self.unknown(credit.path("person"), _("person"), credit["person"])
                if "company" in credit.data and not self.known_company(credit["company"]):
                    self.unknown(credit.path("company"), _("company"), credit["company"])
            self.check_duplicates(
                film.children("credits"),
                lambda item: (item["role"], self.person_identity(item["person"])),
                _("the same person in the same role is already credited at %(other)s"),
            )
            for credit in film.children("company_credits"):
                if not self.known_company(credit["company"]):
                    self.unknown(credit.path("company"), _("company"), credit["company"])
            self.check_duplicates(
                film.children("company_credits"),
                lambda item: (item["role"], self.company_identity(item["company"])),
                _("the same company in the same role is already credited at %(other)s"),
            )
            for tag in film.children("tags"):
                if tag["key"] in tags and tags[tag["key"]].data != tag.data:
                    self.error(
                        tag.path("name"),
                        _('tag "%(key)s" is named differently at %(other)s')
                        % {
                            "key": tag["key"],
                            "other": tags[tag["key"]].path(),
                        },
                    )
                tags.setdefault(tag["key"], tag)
            self.check_duplicates(
                film.children("tags"), lambda item: item["key"], _("the same tag is already at %(other)s")
            )
            for entry in film.children("festival_history"):
                for award in entry.children("awards"):
                    if "recipient" in award.data and not self.known_person(award["recipient"]):
                        self.unknown(award.path("recipient"), _("person"), award["recipient"])
            if "images" in film.data:
                self.film_images[key] = [self.check_image(image, "src") for image in film.children("images")]
        self.tags = tags

    def person_identity(self, key):
        record = self.db_people.get(key)
        return ("db", record.pk) if record else ("file", key)

    def company_identity(self, key):
        record = self.db_companies.get(key)
        return ("db", record.pk) if record else ("file", key)

    def parse_date(self, item, name):
        try:
            return datetime.date.fromisoformat(item[name])
        except ValueError:
            self.error(item.path(name), _('"%(value)s" is not a date') % {"value": item[name]})
            return None

    def parse_moment(self, item, name):
        if name not in item.data:
            return None
        try:
            return datetime.datetime.fromisoformat(item[name].replace("Z", "+00:00"))
        except ValueError:
            self.error(item.path(name), _('"%(value)s" is not a moment') % {"value": item[name]})
            return None

    def film_runtime(self, key):
        if key in self.films:
            return self.films[key].get("runtime_minutes")
        film = self.db_films.get(key)
        return film.runtime_minutes if film else None

    def film_person_keys(self, film_key):
        """Keys of the people credited on a film, as they will be after the import."""
        if film_key in self.films and "credits" in self.films[film_key].data:
            return {self.person_identity(credit["person"]) for credit in self.films[film_key]["credits"]}
        film = self.db_films.get(film_key)
        if film is None:
            return set()
        return {("db", pk) for pk in film.credits.values_list("person_id", flat=True)}

    def check_edition(self, key, edition):
        festival = edition.child("festival")
        if "country" in festival.data:
            self.check_country(festival.path("country"), festival["country"])
        tz = None
        if edition["timezone"] not in codes.timezone_names():
            self.error(edition.path("timezone"), _('unknown time zone "%(name)s"') % {"name": edition["timezone"]})
        else:
            tz = ZoneInfo(edition["timezone"])
        start, end = self.parse_date(edition, "start_date"), self.parse_date(edition, "end_date")
        if start and end and end < start:
            self.error(
                edition.path("end_date"),
                _("the last day (%(end)s) is before the first day (%(start)s)")
                % {
                    "end": end,
                    "start": start,
                },
            )
        self.parse_moment(edition, "results_announced_at")
        sections = {}
        for section in edition.children("sections"):
            self.define(sections, section)
            self.parse_moment(section, "results_announced_at")
            for selection in section.children("selections"):
                if not self.known_film(selection["film"]):
                    self.unknown(selection.path("film"), _("film"), selection["film"])
            self.check_duplicates(
                section.children("selections"),
                lambda item: item["film"],
                _("the film is already selected in this section at %(other)s"),
            )
        screens = self.check_venues(edition)
        self.check_screenings(key, edition, sections, screens, tz, start, end)
        self.check_awards(key, edition, sections)

    def check_venues(self, edition):
        screens = {}
        for venue in edition.children("venues"):
            other = self.all_venues.get(venue["key"])
            if other is not None and other.data != venue.data:
                self.error(
                    venue.path(),
                    _('venue "%(key)s" is described differently at %(other)s')
                    % {
                        "key": venue["key"],
                        "other": other.path(),
                    },
                )
            elif other is None:
                self.all_venues[venue["key"]] = venue
                for screen in venue.children("screens"):
                    self.define(self.all_screens, screen)
            for screen in venue.children("screens"):
                screens[screen["key"]] = screen
        return screens

    def changeover(self, screen_key):
        screen = self.all_screens.get(screen_key)
        if screen is not None:
            if "changeover_minutes" in screen.data:
                return screen["changeover_minutes"]
            if screen_key not in self.db_screens:
                return DEFAULT_CHANGEOVER_MINUTES
        return self.db_screens[screen_key].changeover_minutes

    def check_screenings(self, edition_key, edition, sections, screens, tz, start, end):
        keys = {}
        for screening in edition.children("screenings"):
            self.define(keys, screening)
            screen_key = screening.get("screen")
            if screen_key is not None and screen_key not in self.all_screens and screen_key not in self.db_screens:
                self.unknown(screening.path("screen"), _("screen"), screen_key)
                screen_key = None
            if screen_key is None and screening.get("audience") != "online" and "screen" not in screening.data:
                self.error(screening.path("screen"), _("only online screenings may have no screen"))
            section_key = screening.get("section")
            if section_key and section_key not in sections and (edition_key, section_key) not in self.db_sections:
                self.unknown(screening.path("section"), _("section"), section_key)
            for index, film_key in enumerate(screening["films"]):
                if not self.known_film(film_key):
                    self.unknown(screening.path("films", index), _("film"), film_key)
                elif film_key in screening["films"][:index]:
                    self.error(screening.path("films", index), _('film "%(key)s" is listed twice') % {"key": film_key})
            self.check_code_list(screening, "subtitles", self.check_language)
            self.check_code_list(screening, "countries", self.check_country)
            starts_at = self.parse_moment(screening, "starts_at")
            ends_at = self.parse_moment(screening, "ends_at")
            available = self.parse_moment(screening, "available_from"), self.parse_moment(screening, "available_until")
            if all(available) and available[1] <= available[0]:
                self.error(screening.path("available_until"), _("the online window must close after it opens"))
            if starts_at is None:
                continue
            if ends_at is None and "ends_at" not in screening.data:
                runtimes = [self.film_runtime(film_key) for film_key in screening["films"]]
                if any(runtime is None for runtime in runtimes):
                    self.error(
                        screening.path("ends_at"),
                        _("required when a film has no runtime to add up"),
                    )
                    continue
                ends_at = starts_at + datetime.timedelta(minutes=sum(runtimes))
            if ends_at is None:
                continue
            screening.starts_at, screening.ends_at = starts_at, ends_at
            self.screening_times[screening.path()] = (starts_at, ends_at)
            if ends_at <= starts_at:
                self.error(
                    screening.path("ends_at"),
                    _("the screening ends (%(end)s) before it starts (%(start)s)")
                    % {
                        "end": screening["ends_at"],
                        "start": screening["starts_at"],
                    },
                )
                continue
            if tz and start and end:
                local_day = starts_at.astimezone(tz).date()
                if not start <= local_day <= end:
                    self.error(
                        screening.path("starts_at"),
                        _(
                            "the screening starts on %(day)s (%(timezone)s), outside %(edition)s, "
                            "which runs from %(start)s to %(end)s"
                        )
                        % {
                            "day": local_day.isoformat(),
                            "timezone": edition["timezone"],
                            "edition": edition["key"],
                            "start": start.isoformat(),
                            "end": end.isoformat(),
                        },
                    )
            if screen_key and screening.get("status") != "cancelled":
                screening.tz = tz
                self.planned[screen_key].append(screening)

    def check_clashes(self):
        """Screenings in one screen may not overlap, changeover included: within the files and with the database."""
        planned = self.planned
        if not planned:
            return
        earliest = min(item.starts_at for items in planned.values() for item in items)
        latest = max(item.ends_at for items in planned.values() for item in items)
        margin = datetime.timedelta(hours=6)
        replaced = {
            (edition_key, screening["key"])
            for edition_key, edition in self.editions.items()
            for screening in edition.get("screenings") or []
        }
        existing = defaultdict(list)
        query = (
            Screening.objects.filter(
                screen__key__in=planned, starts_at__lt=latest + margin, blocked_until__gt=earliest - margin
            )
            .exclude(status=Screening.Status.CANCELLED)
            .values_list("screen__key", "edition__key", "key", "starts_at", "ends_at")
        )
        for screen_key, edition_key, key, starts_at, ends_at in query:
            if (edition_key, key) not in replaced:
                existing[screen_key].append((starts_at, ends_at, (edition_key, key)))
        for screen_key, items in planned.items():
            changeover = datetime.timedelta(minutes=self.changeover(screen_key))
            rows = [(item.starts_at, item.ends_at, item) for item in items] + existing[screen_key]
            rows.sort(key=lambda row: (row[0], row[1]))
            active = None
            for row in rows:
                if active and row[0] < active[1] + changeover:
                    mine, other = (row, active) if isinstance(row[2], Item) else (active, row)
                    if isinstance(mine[2], Item):
                        self.error(
                            mine[2].path("starts_at"), self.clash_message(other, screen_key, changeover, mine[2].tz)
                        )
                if active is None or row[1] > active[1]:
                    active = row

    def clash_message(self, other, screen_key, changeover, tz):
        starts_at, ends_at, who = other
        if isinstance(who, Item):
            who = _('screening "%(key)s" (%(path)s)') % {"key": who["key"], "path": who.path()}
        else:
            who = _('screening "%(key)s" of edition "%(edition)s" in the database') % {
                "key": who[1],
                "edition": who[0],
            }
        tz = tz or datetime.UTC
        return _(
            'overlaps %(who)s in screen "%(screen)s", which runs %(start)s–%(end)s; '
            "the screen needs %(changeover)s minutes between screenings"
        ) % {
            "who": who,
            "screen": screen_key,
            "start": starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "end": ends_at.astimezone(tz).strftime("%H:%M"),
            "changeover": int(changeover.total_seconds() // 60),
        }

    def check_awards(self, edition_key, edition, sections):
        keys = {}
        for award in edition.children("awards"):
            self.define(keys, award)
            section_key = award["section"]
            if section_key in sections:
                competitive = sections[section_key].get("competitive", False)
                if "selections" in sections[section_key].data:
                    selected = {item["film"] for item in sections[section_key]["selections"]}
                else:
                    db_section = self.db_sections.get((edition_key, section_key))
                    selected = set(db_section.selections.values_list("film__key", flat=True)) if db_section else set()
            elif (edition_key, section_key) in self.db_sections:
                db_section = self.db_sections[(edition_key, section_key)]
                competitive = db_section.competitive
                selected = set(db_section.selections.values_list("film__key", flat=True))
            else:
                self.unknown(award.path("section"), _("section"), section_key)
                continue
            if not competitive:
                self.error(
                    award.path("section"),
                    _('section "%(key)s" is not competitive; awards belong to a competitive section')
                    % {"key": section_key},
                )
            for winner in award.children("winners"):
                film_key = winner["film"]
                if not self.known_film(film_key):
                    self.unknown(winner.path("film"), _("film"), film_key)
                    continue
                if film_key not in selected:
                    self.error(
                        winner.path("film"),
                        _('film "%(film)s" is not selected in section "%(section)s", so it cannot win "%(award)s"')
                        % {"film": film_key, "section": section_key, "award": award["key"]},
                    )
                if "person" in winner.data:
                    if not self.known_person(winner["person"]):
                        self.unknown(winner.path("person"), _("person"), winner["person"])
                    elif self.person_identity(winner["person"]) not in self.film_person_keys(film_key):
                        self.error(
                            winner.path("person"),
                            _('person "%(person)s" is not credited on film "%(film)s"')
                            % {
                                "person": winner["person"],
                                "film": film_key,
                            },
                        )
            self.check_duplicates(
                award.children("winners"),
                lambda item: (item["film"], item.get("person")),
                _("the same result is already at %(other)s"),
            )

    # ------------------------------------------------------------------ writing

    def clean_and_save(self, instance, item, label=None, key=None, changed=True, created=False, **clean):
        """Run the model's own rules, then save (when nothing has failed yet); report messages at the item's path."""
        if not self.check_row(instance, item, changed=changed or created, **clean):
            return False
        if (changed or created) and not self.errors:
            instance.save()
        if label:
            self.report.note("created" if created else "updated" if changed else "unchanged", label, key)
        return True

    def check_row(self, instance, item, changed=True, **clean):
        """The model's own rules (``full_clean``) for a row about to be written; report messages at the item's path.

        A row that is neither new nor changed is not written, so it is not checked either.
        """
        if not changed:
            return True
        # Keys were looked up in bulk (a key found is updated, so a key created is new), repeated keys and
        # children are stage-2 errors, every check constraint of these models has a clean() or schema rule
        # saying the same with a better message, and related records were just saved: so the per-row
        # queries of unique, constraint and foreign-key validation would only repeat what is known.
        # The database still enforces all of them.
        clean.setdefault("validate_unique", False)
        clean.setdefault("validate_constraints", False)
        # Country, language and time-zone codes were checked in stage 2 (films.codes); the fields' choices
        # would sort every country by its name again for each row.
        clean.setdefault("exclude", excluded_fields(type(instance)))
        if isinstance(instance, Screening):
            # Stage 2 checked every screening against the file and the database in one query; the model's
            # own check would ask again, one query per screening. The database constraint still holds.
            instance.check_clash = lambda: None
        try:
            instance.full_clean(**clean)
        except ValidationError as error:
            names = FORMAT_FIELD_NAMES.get(type(instance), {})
            for name, messages in error.message_dict.items():
                path = (
                    item.path()
                    if name == "__all__"
                    else item.path(
                        names.get(name, name.rsplit("_", 1)[0] if self.is_translation(instance, name) else name)
                    )
                )
                for message in messages:
                    self.error(path, message)
            return False
        return True

    def insert(self, model, rows):
        """Insert new rows (already checked) in one statement per batch; nothing once an error has been found."""
        if rows and not self.errors:
            model.objects.bulk_create(rows, batch_size=BULK_BATCH_SIZE)

    @staticmethod
    def is_translation(instance, name):
        from modeltranslation.translator import NotRegistered, translator

        try:
            options = translator.get_options_for_model(type(instance))
        except NotRegistered:
            return False
        return any(name.startswith(f"{base}_") for base in options.all_fields)

    def note(self, label, key, created, changed):
        self.report.note("created" if created else "updated" if changed else "unchanged", label, key)

    def write(self):
        self.pending = {}
        self.companies_written = self.write_companies()
        self.people_written = self.write_people()
        self.tags_written = self.write_tags()
        self.festivals_written = self.write_festivals()
        self.films_written = self.write_films()
        self.write_filmographies()
        for key, edition in self.editions.items():
            self.write_edition(key, edition)
        # Bulk writes bypass save(): bring the search column of what the file touched up to date.
        refresh_person_search_text([person.pk for person in self.people_written.values()])
        refresh_film_search_text([film.pk for film in self.films_written.values()])

    def write_aliases(self, record, item, names, alias_model, owner):
        """Queue the spellings ``record`` does not have yet as aliases; return whether there were any."""
        known = {record.name, *(alias.name for alias in record._aliases)}
        rows = []
        for name in names:
            if name not in known:
                known.add(name)
                rows.append(alias_model(name=name, **{owner: record}))
        where = item.child("aliases") if "aliases" in item.data else item
        self.bulk_create(alias_model, rows, [where] * len(rows))
        return bool(rows)

    def write_companies(self):
        written = {}
        existing_aliases = defaultdict(list)
        for alias in CompanyAlias.objects.filter(company__in=list(self.db_companies.values())):
            existing_aliases[alias.company_id].append(alias)
        new, aliases, notes = [], [], []
        for key, item in self.companies.items():
            existing = self.db_companies.get(key)
            matched = self.alias_targets.get(("company", key))
            if matched is not None:
                values = {}
                for name in ("city", "country"):
                    if item.get(name) and not getattr(matched, name):
                        values[name] = item[name]
                spellings = [item["name"], *(item.get("aliases") or [])]
            else:
                values = {
                    "key": key,
                    "name": item["name"],
                    "city": item.get("city", ""),
                    "country": item.get("country", ""),
                }
                spellings = item.get("aliases") or []
            created = existing is None
            instance = existing if existing is not None else Company()
            instance._aliases = existing_aliases.get(instance.pk, [])
            changed = bool(apply_values(instance, values)) or created
            if not self.write_record(instance, item, created, changed, new):
                continue
            aliases.append((instance, item, spellings))
            written[key] = instance
            notes.append((instance.key, created, changed))
        self.insert(Company, new)
        for (key, created, changed), (instance, item, spellings) in zip(notes, aliases, strict=True):
            alias_changed = self.write_aliases(instance, item, spellings, CompanyAlias, "company")
            self.note("company", key, created, changed or alias_changed)
        self.flush()
        return written

    def write_record(self, instance, item, created, changed, new):
        """Check a record; a new one is queued in ``new`` for one bulk insert, a changed one saved now."""
        if not self.check_row(instance, item, changed=changed):
            return False
        if created:
            new.append(instance)
        elif changed and not self.errors:
            instance.save()
        return True

    def write_people(self):
        written = {}
        existing_aliases = defaultdict(list)
        for alias in PersonAlias.objects.filter(person__in=list(self.db_people.values())):
            existing_aliases[alias.person_id].append(alias)
        new, aliases, notes = [], [], []
        for key, item in self.people.items():
            existing = self.db_people.get(key)
            matched = self.alias_targets.get(("person", key))
            born = item.get("born") or {}
            values = {
                "key": key,
                "name": item["name"],
                "born_year": born.get("year"),
                "born_place": born.get("place", ""),
                **translated_values("bio", item.get("bio")),
            }
            spellings = item.get("aliases") or []
            if matched is not None:
                # Another spelling of someone we know: fill their gaps, never overwrite them.
                values = {name: value for name, value in values.items() if value and not getattr(matched, name)}
                values.pop("key", None)
                values.pop("name", None)
                spellings = [item["name"], *spellings]
            created = existing is None
            instance = existing if existing is not None else Person()
            instance._aliases = existing_aliases.get(instance.pk, [])
            changed = bool(apply_values(instance, values)) or created
            photo = self.person_photos.get(key)
            if photo and "remote" in photo:
                # Recorded, not fetched: the file says the portrait is there (someone matched by an alias
                # keeps a portrait they have).
                self.report.images_not_fetched.append((item.path("photo"), photo["remote"]))
                if matched is None or not (instance.photo or instance.photo_source_url):
                    changed = (
                        bool(apply_values(instance, {"photo": "", "photo_source_url": photo["remote"]})) or changed
                    )
            elif photo and not self.same_stored_file(instance.photo, photo):
                self.attach_file(instance, "photo", photo)
                instance.photo_source_url = ""
                changed = True
            elif photo and instance.photo_source_url:
                instance.photo_source_url = ""
                changed = True
            if not self.write_record(instance, item, created, changed, new):
                continue
            aliases.append((instance, item, spellings))
            written[key] = instance
            notes.append((instance.key, created, changed))
        self.insert(Person, new)
        for (key, created, changed), (instance, item, spellings) in zip(notes, aliases, strict=True):
            alias_changed = self.write_aliases(instance, item, spellings, PersonAlias, "person")
            self.note("person", key, created, changed or alias_changed)
        self.flush()
        return written

    def same_stored_file(self, file_field, image):
        if not file_field:
            return False
        if "stored" in image:
            return file_field.name == image["stored"]
        try:
            with default_storage.open(file_field.name) as handle:
                return hashlib.sha256(handle.read()).hexdigest() == image["hash"]
        except OSError:
            return False

    def attach_file(self, instance, name, image):
        if "stored" in image:
            setattr(instance, name, image["stored"])
            return
        upload = ContentFile(image["content"], name=image["name"])
        getattr(instance, name).save(image["name"], upload, save=False)
        self.stored_files.append(getattr(instance, name).name)

    def write_tags(self):
        written = {}
        for key, tag in self.tags.items():
            existing = self.db_tags.get(key)
            instance = existing if existing is not None else Tag()
            changed = bool(apply_values(instance, {"key": key, **translated_values("name", tag["name"])}))
            if self.clean_and_save(instance, tag, "tag", key, changed=changed, created=existing is None):
                written[key] = instance
        return written

    def write_festivals(self):
        written = {}
        for edition in self.editions.values():
            item = edition.child("festival")
            key = item["key"]
            if key in written:
                continue
            existing = self.db_festivals.get(key)
            instance = existing if existing is not None else Festival()
            values = {
                "key": key,
                **translated_values("name", item["name"]),
                "short_name": item.get("short_name", ""),
                "city": item.get("city", ""),
                "country": item.get("country", ""),
            }
            changed = bool(apply_values(instance, values))
            if self.clean_and_save(instance, item, "festival", key, changed=changed, created=existing is None):
                written[key] = instance
        return written

    def history_festivals(self):
        """Festivals named in films' histories: found by name (any language) or slug key, else created."""
        names = {entry["festival"] for film in self.films.values() for entry in film.get("festival_history") or []}
        if not names:
            return {}
        condition = Q(key__in={self.festival_slug(name) for name in names})
        for code in languages():
            condition |= Q(**{f"{build_localized_fieldname('name', code)}__in": names})
        found = {}
        candidates = list(Festival.objects.filter(condition).order_by("pk"))
        for name in sorted(names):
            for festival in candidates:
                if name in {getattr(festival, build_localized_fieldname("name", code)) for code in languages()}:
                    found[name] = festival
                    break
            else:
                slug = self.festival_slug(name)
                match = next((festival for festival in candidates if festival.key == slug), None)
                if match is None:
                    match = Festival(key=slug, **{build_localized_fieldname("name", settings.LANGUAGE_CODE): name})
                    if self.clean_and_save(match, Item({}, ("festival_history",)), "festival", slug, created=True):
                        candidates.append(match)
                    else:
                        continue
                found[name] = match
        return found

    @staticmethod
    def festival_slug(name):
        slug = slugify(name)[:100].strip("-")
        return slug or "festival-" + hashlib.sha1(name.encode()).hexdigest()[:10]  # noqa: S324 (a name, not a secret)

    def person(self, key):
        return self.people_written.get(key) or self.db_people.get(key)

    def company(self, key):
        return self.companies_written.get(key) or self.db_companies.get(key)

    def film(self, key):
        return self.films_written.get(key) or self.db_films.get(key)

    def write_films(self):
        written = {}
        history_festivals = self.history_festivals()
        existing_films = [film for key, film in self.db_films.items() if key in self.films]
        children = self.existing_film_children(existing_films)
        new, checked = [], []
        for key, item in self.films.items():
            existing = self.db_films.get(key)
            picture = item.get("picture") or {}
            values = {
                "key": key,
                **translated_values("title", item["title"]),
                "original_title": item.get("original_title", ""),
                "original_title_latin": item.get("original_title_latin", ""),
                "year": item.get("year"),
                "runtime_minutes": item.get("runtime_minutes"),
                "countries": item.get("countries") or [],
                "spoken_languages": item.get("spoken_languages") or [],
                "form": item.get("form", ""),
                **translated_values("tagline", item.get("tagline")),
                **translated_values("synopsis", item.get("synopsis")),
                "minimum_age": item.get("minimum_age"),
                "aspect_ratio": picture.get("aspect_ratio", ""),
                "picture_format": picture.get("format", ""),
                "colour": picture.get("colour", ""),
            }
            if "published" in item.data:
                values["published"] = item["published"]
            created = existing is None
            instance = existing if existing is not None else Film(published=False)
            changed = bool(apply_values(instance, values)) or created
            if not self.write_record(instance, item, created, changed, new):
                continue
            written[key] = instance
            checked.append((key, item, instance, created, changed))
        self.insert(Film, new)
        for key, item, instance, created, changed in checked:
            old = children.get(instance.pk, {})
            child_changed = False
            for name, build, replace in (
                ("other_titles", self.want_titles, self.replace_titles),
                ("credits", self.want_credits, self.replace_credits),
                ("company_credits", self.want_company_credits, self.replace_company_credits),
                ("tags", self.want_tags, self.replace_tags),
                ("festival_history", lambda item: self.want_history(item, history_festivals), self.replace_history),
                ("images", lambda item, key=key: self.want_images(key, item), self.replace_images),
            ):
                if name not in item.data:
                    continue
                wanted = build(item)
                if wanted is None:
                    continue
                if created or wanted != old.get(name, ()):
                    replace(instance, item, wanted, created)
                    child_changed = True
            self.note("film", key, created, changed or child_changed)
        self.flush()
        return written

    def existing_film_children(self, films):
        """The child lists of films being updated, in the same shape as ``want_*`` builds them (a few queries)."""
        result = defaultdict(lambda: defaultdict(list))
        if not films:
            return result
        ids = [film.pk for film in films]
        for row in FilmTitle.objects.filter(film_id__in=ids).order_by("film_id", "order", "id"):
            result[row.film_id]["other_titles"].append((row.title, row.language))
        for row in Credit.objects.filter(film_id__in=ids).order_by("film_id", "order", "id"):
            result[row.film_id]["credits"].append((row.role, row.person_id, row.company_id))
        for row in CompanyCredit.objects.filter(film_id__in=ids).order_by("film_id", "order", "id"):
            result[row.film_id]["company_credits"].append((row.role, row.company_id))
        for film_id, tag_id in Film.tags.through.objects.filter(film_id__in=ids).values_list("film_id", "tag_id"):
            result[film_id]["tags"].append(tag_id)
        awards = defaultdict(list)
        for row in FestivalHistoryAward.objects.filter(entry__film_id__in=ids).order_by("entry_id", "order", "id"):
            awards[row.entry_id].append((row.name, row.recipient_id))
        for row in FestivalHistoryEntry.objects.filter(film_id__in=ids).order_by("film_id", "order", "year", "id"):
            result[row.film_id]["festival_history"].append(
                (row.festival_id, row.year, row.section, row.premiere, tuple(awards[row.pk]))
            )
        for row in FilmImage.objects.filter(film_id__in=ids).order_by("film_id", "order", "id"):
            result[row.film_id]["images"].append(self.image_identity(row))
        for values in result.values():
            for name in list(values):
                values[name] = sorted(values[name]) if name == "tags" else tuple(values[name])
        return result

    def image_identity(self, row):
        digest = None
        if row.image:
            try:
                with row.image.open("rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            except OSError:
                digest = "unreadable"
        captions = tuple(getattr(row, build_localized_fieldname("caption", code)) or None for code in languages())
        return (row.kind, digest, row.source_url, captions, row.photographer)

    def want_titles(self, item):
        return tuple((title["title"], title["language"]) for title in item["other_titles"])

    def replace_titles(self, film, item, wanted, created):
        if not created:
            film.other_titles.all().delete()
        rows = [
            FilmTitle(film=film, title=title, language=language, order=index)
            for index, (title, language) in enumerate(wanted)
        ]
        self.bulk_create(FilmTitle, rows, item.children("other_titles"))

    def want_credits(self, item):
        wanted = []
        for credit in item["credits"]:
            company = self.company(credit["company"]).pk if "company" in credit else None
            wanted.append((credit["role"], self.person(credit["person"]).pk, company))
        return tuple(wanted)

    def replace_credits(self, film, item, wanted, created):
        if not created:
            film.credits.all().delete()
        rows = [
            Credit(film=film, role=role, person_id=person, company_id=company, order=index)
            for index, (role, person, company) in enumerate(wanted)
        ]
        self.bulk_create(Credit, rows, item.children("credits"))

    def want_company_credits(self, item):
        return tuple((credit["role"], self.company(credit["company"]).pk) for credit in item["company_credits"])

    def replace_company_credits(self, film, item, wanted, created):
        if not created:
            film.company_credits.all().delete()
        rows = [
            CompanyCredit(film=film, role=role, company_id=company, order=index)
            for index, (role, company) in enumerate(wanted)
        ]
        self.bulk_create(CompanyCredit, rows, item.children("company_credits"))

    def want_tags(self, item):
        return sorted(self.tags_written[tag["key"]].pk for tag in item["tags"])

    def replace_tags(self, film, item, wanted, created):
        through = Film.tags.through
        if not created:
            through.objects.filter(film_id=film.pk).delete()
        rows = [through(film=film, tag_id=tag) for tag in wanted]
        self.bulk_create(through, rows, item.children("tags"))

    def want_history(self, item, festivals):
        wanted = []
        for entry in item["festival_history"]:
            festival = festivals.get(entry["festival"])
            awards = tuple(
                (award["name"], self.person(award["recipient"]).pk if "recipient" in award else None)
                for award in entry.get("awards") or []
            )
            wanted.append(
                (
                    festival.pk if festival else None,
                    entry["year"],
                    entry.get("section", ""),
                    entry.get("premiere", ""),
                    awards,
                )
            )
        return tuple(wanted)

    def replace_history(self, film, item, wanted, created):
        if not created:
            film.festival_history.all().delete()
        awards = []
        award_items = []
        for index, ((festival, year, section, premiere, entry_awards), entry_item) in enumerate(
            zip(wanted, item.children("festival_history"), strict=True)
        ):
            entry = FestivalHistoryEntry(
                film=film, festival_id=festival, year=year, section=section, premiere=premiere, order=index
            )
            self.bulk_create(FestivalHistoryEntry, [entry], [entry_item])
            for order, ((name, recipient), award_item) in enumerate(
                zip(entry_awards, entry_item.children("awards"), strict=True)
            ):
                awards.append(FestivalHistoryAward(entry=entry, name=name, recipient_id=recipient, order=order))
                award_items.append(award_item)
        self.bulk_create(FestivalHistoryAward, awards, award_items)

    def want_images(self, key, item):
        """The film's images as ``image_identity`` describes them: an unfetched URL by its address."""
        wanted = []
        for image, image_item in zip(self.film_images.get(key, []), item.children("images"), strict=True):
            if image is None:
                return None
            if "remote" in image:
                self.report.images_not_fetched.append((image_item.path("src"), image["remote"]))
            captions = tuple(translated_values("caption", image_item.get("caption")).values())
            wanted.append(
                (
                    image_item["kind"],
                    image.get("hash"),
                    image.get("remote", ""),
                    captions,
                    image_item.get("photographer", ""),
                )
            )
        return tuple(wanted)

    def replace_images(self, film, item, wanted, created):
        if not created:
            film.images.all().delete()
        rows = []
        for order, (image, image_item) in enumerate(
            zip(self.film_images.get(film.key, []), item.children("images"), strict=True)
        ):
            row = FilmImage(
                film=film,
                kind=image_item["kind"],
                photographer=image_item.get("photographer", ""),
                order=order,
                **translated_values("caption", image_item.get("caption")),
            )
            if "remote" in image:
                row.source_url = image["remote"]
            elif "stored" in image:
                row.image = image["stored"]
            else:
                row.image = ContentFile(image["content"], name=image["name"])
            rows.append(row)
        self.bulk_create(FilmImage, rows, item.children("images"))

    def bulk_create(self, model, rows, items, **clean):
        """Check new rows now; queue them for ``flush()``, which inserts each model's rows together."""
        queue = self.pending.setdefault(model, [])
        for row, item in zip(rows, items, strict=True):
            if self.check_row(row, item, **clean):
                queue.append(row)

    def flush(self):
        """Insert the queued rows, model by model in the order first queued (parents before their children)."""
        pending, self.pending = self.pending, {}
        for model, rows in pending.items():
            if model is FilmImage:
                # One by one: saving a new image file derives its sizes, thumbnail and display rendition.
                for row in rows if not self.errors else []:
                    committed = not row.image or getattr(row.image, "_committed", True)
                    row.save()
                    if not committed:
                        self.stored_files.extend(
                            name for name in (row.image.name, row.thumbnail.name, row.display.name)
                        )
            else:
                self.insert(model, rows)

    def write_filmographies(self):
        people = {
            key: self.people_written[key]
            for key, item in self.people.items()
            if "filmography" in item.data and key in self.people_written
        }
        if not people:
            return
        old = defaultdict(list)
        for row in FilmographyEntry.objects.filter(person__in=list(people.values())).order_by(
            "person_id", "order", "year", "id"
        ):
            old[row.person_id].append((row.year, row.title, row.english_title, row.film_id))
        for key, person in people.items():
            item = self.people[key]
            wanted = [
                (
                    entry.get("year"),
                    entry["title"],
                    entry.get("english_title", ""),
                    self.film(entry["film"]).pk if "film" in entry else None,
                )
                for entry in item["filmography"]
            ]
            if wanted == old.get(person.pk, []):
                continue
            person.filmography.all().delete()
            rows = [
                FilmographyEntry(
                    person=person, year=year, title=title, english_title=english, film_id=film, order=index
                )
                for index, (year, title, english, film) in enumerate(wanted)
            ]
            self.bulk_create(FilmographyEntry, rows, item.children("filmography"))
            self.mark_updated("person", person.key)
        self.flush()

    def mark_updated(self, label, key):
        if key in self.report.unchanged.get(label, []):
            self.report.unchanged[label].remove(key)
            self.report.updated[label].append(key)

    # ------------------------------------------------------------------ editions

    def write_edition(self, key, item):
        festival = self.festivals_written.get(item["festival"]["key"])
        if festival is None:
            return
        existing = self.db_editions.get(key)
        values = {
            "festival": festival,
            "key": key,
            "year": item["year"],
            **translated_values("name", item["name"]),
            "start_date": datetime.date.fromisoformat(item["start_date"]),
            "end_date": datetime.date.fromisoformat(item["end_date"]),
            "timezone": item["timezone"],
        }
        if "published" in item.data:
            values["published"] = item["published"]
        if "results_announced_at" in item.data:
            values["results_announced_at"] = self.parse_moment(item, "results_announced_at")
        created = existing is None
        edition = existing if existing is not None else Edition(published=False)
        changed = bool(apply_values(edition, values)) or created
        if not self.clean_and_save(edition, item, "edition", key, changed=changed, created=created):
            return
        sections = self.write_sections(edition, item)
        screens = self.write_venues(item)
        self.write_screenings(edition, item, sections, screens)
        self.write_awards(edition, item, sections)

    def write_sections(self, edition, item):
        sections = {section.key: section for section in edition.sections.all()} if edition.pk else {}
        old_selections = defaultdict(list)
        for row in Selection.objects.filter(section__edition=edition).order_by("section_id", "order", "id"):
            old_selections[row.section_id].append((row.film_id, row.premiere))
        for index, section_item in enumerate(item.children("sections")):
            key = section_item["key"]
            existing = sections.get(key)
            values = {
                "edition": edition,
                "key": key,
                **translated_values("name", section_item["name"]),
                **translated_values("description", section_item.get("description")),
                "competitive": section_item.get("competitive", False),
                "order": index,
            }
            if "published" in section_item.data:
                values["published"] = section_item["published"]
            if "results_announced_at" in section_item.data:
                values["results_announced_at"] = self.parse_moment(section_item, "results_announced_at")
            created = existing is None
            section = existing if existing is not None else Section(published=False)
            changed = bool(apply_values(section, values)) or created
            if not self.clean_and_save(section, section_item, changed=changed):
                continue
            sections[key] = section
            if "selections" in section_item.data:
                wanted = [
                    (self.film(selection["film"]).pk, selection.get("premiere", ""))
                    for selection in section_item["selections"]
                ]
                if wanted != old_selections.get(section.pk, []):
                    if not created:
                        section.selections.all().delete()
                    rows = [
                        Selection(section=section, film_id=film, premiere=premiere, order=order)
                        for order, (film, premiere) in enumerate(wanted)
                    ]
                    self.bulk_create(Selection, rows, section_item.children("selections"))
                    changed = True
            self.note("section", f"{edition.key}/{key}", created, changed)
        self.flush()
        return sections

    def write_venues(self, item):
        screens = {}
        for venue_item in item.children("venues"):
            key = venue_item["key"]
            if key in getattr(self, "venues_written", {}):
                venue = self.venues_written[key]
                screens.update({screen.key: screen for screen in self.screens_written_for[key]})
                continue
            existing = self.db_venues.get(key)
            venue = existing if existing is not None else Venue()
            changed = bool(
                apply_values(venue, {"key": key, "name": venue_item["name"], "address": venue_item.get("address", "")})
            )
            if not self.clean_and_save(venue, venue_item, "venue", key, changed=changed, created=existing is None):
                continue
            self.venues_written = getattr(self, "venues_written", {})
            self.screens_written_for = getattr(self, "screens_written_for", {})
            self.venues_written[key] = venue
            self.screens_written_for[key] = []
            for order, screen_item in enumerate(venue_item.children("screens")):
                screen_key = screen_item["key"]
                existing = self.db_screens.get(screen_key)
                screen = existing if existing is not None else Screen()
                values = {
                    "venue": venue,
                    "key": screen_key,
                    "name": screen_item["name"],
                    "capacity": screen_item.get("capacity"),
                    "wheelchair_spaces": screen_item.get("wheelchair_spaces", 0),
                    "order": order,
                }
                if "changeover_minutes" in screen_item.data or existing is None:
                    values["changeover_minutes"] = screen_item.get("changeover_minutes", DEFAULT_CHANGEOVER_MINUTES)
                changed = bool(apply_values(screen, values))
                if self.clean_and_save(
                    screen, screen_item, "screen", screen_key, changed=changed, created=existing is None
                ):
                    screens[screen_key] = screen
                    self.screens_written_for[key].append(screen)
        return screens

    def write_screenings(self, edition, item, sections, screens):
        existing = {screening.key: screening for screening in edition.screenings.all()} if edition.pk else {}
        old_films = defaultdict(list)
        for screening_id, film_id in (
            ScreeningFilm.objects.filter(screening__edition=edition)
            .order_by("screening_id", "order", "id")
            .values_list("screening_id", "film_id")
        ):
            old_films[screening_id].append(film_id)
        screen_cache = {}
        new, checked = [], []
        for screening_item in item.children("screenings"):
            key = screening_item["key"]
            screening = existing.get(key)
            screen_key = screening_item.get("screen")
            screen = None
            if screen_key:
                screen = screens.get(screen_key) or self.screens_by_key(screen_key, screen_cache)
            section_key = screening_item.get("section")
            section = sections.get(section_key) if section_key else None
            values = {
                "edition": edition,
                "key": key,
                "screen": screen,
                "starts_at": self.screening_times[screening_item.path()][0],
                "ends_at": self.screening_times[screening_item.path()][1],
                "section": section,
                "audience": screening_item.get("audience", Screening.Audience.PUBLIC),
                "status": screening_item.get("status", Screening.Status.SCHEDULED),
                "subtitles": screening_item.get("subtitles") or [],
                "ticket_url": screening_item.get("ticket_url", ""),
                **translated_values("note", screening_item.get("note")),
                "available_from": self.parse_moment(screening_item, "available_from"),
                "available_until": self.parse_moment(screening_item, "available_until"),
                "online_countries": screening_item.get("countries") or [],
            }
            if "published" in screening_item.data:
                values["published"] = screening_item["published"]
            created = screening is None
            if created:
                screening = Screening(published=False)
            changed = bool(apply_values(screening, values)) or created
            # Same values; assigning the objects spares clean() a query for each.
            screening.edition, screening.screen, screening.section = edition, screen, section
            if created:
                # What Screening.save() sets, which a bulk insert does not call.
                screening.blocked_until = screening.compute_blocked_until()
            if not self.write_record(screening, screening_item, created, changed, new):
                continue
            checked.append((key, screening_item, screening, created, changed))
        self.insert(Screening, new)
        for key, screening_item, screening, created, changed in checked:
            wanted = [self.film(film_key).pk for film_key in screening_item["films"]]
            if created or wanted != old_films.get(screening.pk, []):
                if not created:
                    screening.screening_films.all().delete()
                rows = [
                    ScreeningFilm(screening=screening, film_id=film, order=order) for order, film in enumerate(wanted)
                ]
                self.bulk_create(
                    ScreeningFilm, rows, [screening_item.child("films", index) for index in range(len(wanted))]
                )
                changed = True
            self.note("screening", f"{edition.key}/{key}", created, changed)
        self.flush()

    def screens_by_key(self, key, cache):
        if key not in cache:
            cache[key] = self.db_screens.get(key) or Screen.objects.get(key=key)
        return cache[key]

    def write_awards(self, edition, item, sections):
        existing = {award.key: award for award in edition.awards.all()} if edition.pk else {}
        old_results = defaultdict(list)
        for row in AwardResult.objects.filter(award__edition=edition).order_by("award_id", "order", "id"):
            old_results[row.award_id].append(
                (
                    row.film_id,
                    row.person_id,
                    row.kind,
                    *(getattr(row, build_localized_fieldname("citation", code)) or None for code in languages()),
                )
            )
        for order, award_item in enumerate(item.children("awards")):
            key = award_item["key"]
            award = existing.get(key)
            created = award is None
            if created:
                award = Award()
            values = {
                "edition": edition,
                "section": sections.get(award_item["section"]),
                "key": key,
                **translated_values("name", award_item["name"]),
                "order": order,
                **award_kind(award_item.data),
            }
            changed = bool(apply_values(award, values)) or created
            if not self.clean_and_save(award, award_item, changed=changed):
                continue
            wanted = []
            for winner in award_item.get("winners") or []:
                wanted.append(
                    (
                        self.film(winner["film"]).pk,
                        self.person(winner["person"]).pk if "person" in winner else None,
                        winner.get("kind", "winner"),
                        *translated_values("citation", winner.get("citation")).values(),
                    )
                )
            if "winners" in award_item.data and wanted != old_results.get(award.pk, []):
                if not created:
                    award.results.all().delete()
                codes_list = languages()
                rows = [
                    AwardResult(
                        award=award,
                        film_id=film,
                        person_id=person,
                        kind=kind,
                        order=index,
                        **{
                            build_localized_fieldname("citation", code): text
                            for code, text in zip(codes_list, citations, strict=True)
                        },
                    )
                    for index, (film, person, kind, *citations) in enumerate(wanted)
                ]
                self.bulk_create(AwardResult, rows, award_item.children("winners"))
                changed = True
            self.note("award", f"{edition.key}/{key}", created, changed)
        self.flush()
