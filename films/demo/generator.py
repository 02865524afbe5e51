"""Build the demo edition: a made-up festival with films, people, venues, a schedule and awards.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so one seed always gives the same
database content. Records the demo owns have keys starting with ``demo-`` (films, people, companies,
venues, screens, festivals); sections, awards and screenings belong to the demo edition. The example film
(``we-will-not-fade-away``) is the project's own record, imported through the catalogue importer and left
alone by ``--replace``.
"""

import colorsys
import datetime
import itertools
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from ..cache import bump_publication_version
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
    JuryMember,
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
from . import images, words

FESTIVAL_KEY = "demo"
EDITION_KEY = "demo-2026"
PREFIX = "demo-"
EXAMPLE_FILM_KEY = "we-will-not-fade-away"
EXAMPLE_FILE = Path(__file__).with_name("we-will-not-fade-away.json")
EXAMPLE_SECTION = "panorama"
FIRST_DAY = datetime.date(2026, 2, 12)
DAYS = 11
TIMEZONE = "Europe/Berlin"
# Screenings start on a 5-minute grid from 10:00 to 23:30 local time.
EARLIEST_START = 10 * 60
LATEST_START = 23 * 60 + 30
QA_MINUTES = 20
TICKETS = "https://tickets.example.org/demo-2026/"


class DemoError(Exception):
    """The demo cannot be built into this database; the message says why and what to do."""


@dataclass(frozen=True)
class Size:
    venues: list
    sections: list
    features: int
    shorts: int
    # Share of films that get a poster, and of those the share that get a still as well.
    posters: float
    stills: float


SIZES = {
    "small": Size(
        venues=words.SCREENS_SMALL, sections=words.SMALL_SECTIONS, features=46, shorts=14, posters=1.0, stills=0.5
    ),
    "berlinale": Size(
        venues=words.SCREENS_LARGE,
        sections=[section["key"] for section in words.SECTIONS],
        features=330,
        shorts=120,
        posters=0.25,
        stills=0.2,
    ),
}


@dataclass
class Request:
    """A screening waiting for a place in the schedule."""

    films: list
    section: object
    audience: str
    minutes: int
    note: str = ""
    published: bool = True
    avoid_days: list = field(default_factory=list)


def site_languages():
    return [code for code, _name in settings.LANGUAGES]


def translated(name, texts):
    """Model keyword arguments for a translated field: one per site language, None where the text is missing."""
    return {f"{name}_{code}": texts.get(code) or None for code in site_languages()}


LATIN_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "đ": "d", "Đ": "D", "ı": "i", "æ": "ae", "þ": "th", "ð": "d"}
)


def ascii_latin(text):
    """Latin text without diacritics ("Łukasz Wójcik" → "Lukasz Wojcik"), for keys and for the posters' font."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LATIN_FOLD))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).encode("ascii", "ignore").decode()


def keyify(text):
    """A key made from a Latin name or title ("Łukasz Wójcik" → "lukasz-wojcik")."""
    return slugify(ascii_latin(text).replace("'", "")) or "x"


UKRAINIAN_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
    "'": "",
    "’": "",
}


def ukrainian_latin(text):
    """Ukrainian in Latin letters after the national transliteration (simplified)."""
    out = []
    for char in text:
        latin = UKRAINIAN_LATIN.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper():
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)


class Builder:
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

    # Edition, sections, venues --------------------------------------------------------------------

    def make_edition(self):
        festival = Festival.objects.filter(key=FESTIVAL_KEY).first() or Festival.objects.create(
            key=FESTIVAL_KEY,
            short_name="Demo",
            city=words.CITY,
            country="DE",
            **translated(
                "name",
                {"en": "Festival Demo", "uk": "Фестиваль «Демо»", "pl": "Festiwal Demo", "de": "Festival Demo"},
            ),
        )
        self.edition = Edition.objects.create(
            festival=festival,
            key=EDITION_KEY,
            year=FIRST_DAY.year,
            start_date=self.days[0],
            end_date=self.days[-1],
            timezone=TIMEZONE,
            published=True,
            # The closing ceremony on the last evening but one; until then results are for staff only.
            results_announced_at=datetime.datetime.combine(self.days[-2], datetime.time(19), tzinfo=self.tz),
            **translated(
                "name",
                {
                    "en": "Festival Demo 2026",
                    "uk": "Фестиваль «Демо» 2026",
                    "pl": "Festiwal Demo 2026",
                    "de": "Festival Demo 2026",
                    "nl": "Festival Demo 2026",
                },
            ),
        )

    def make_sections(self):
        chosen = [section for section in words.SECTIONS if section["key"] in self.size.sections]
        self.section_specs = {}
        self.sections = []
        for order, spec in enumerate(chosen):
            section = Section(
                edition=self.edition,
                key=spec["key"],
                competitive=spec["competitive"],
                order=order,
                published=spec.get("published", True),
                **translated("name", spec["name"]),
                **translated("description", spec["description"]),
                **translated("jury_statement", spec.get("jury_statement", {})),
            )
            self.sections.append(section)
            self.section_specs[spec["key"]] = spec
        Section.objects.bulk_create(self.sections)
        self.section_by_key = {section.key: section for section in self.sections}

    def make_venues(self):
        rng = self.rng
        self.venues, self.screens = [], []
        for number in range(len(self.size.venues)):
            name = words.VENUE_NAMES[number]
            venue = Venue(
                key=self.unique_key("venue", PREFIX + keyify(name)),
                name=name,
                address=f"{rng.choice(words.STREETS)} {rng.randint(1, 120)}",
                city=words.CITY,
                **translated("accessibility", words.ACCESSIBILITY[number % len(words.ACCESSIBILITY)]),
            )
            self.venues.append(venue)
        Venue.objects.bulk_create(self.venues)
        for venue, screen_count in zip(self.venues, self.size.venues, strict=True):
            for order in range(screen_count):
                capacity = rng.choice([60, 90, 120, 180, 250, 400]) if order else rng.choice([300, 500, 800, 1200])
                name = venue.name if screen_count == 1 else f"{venue.name} {order + 1}"
                self.screens.append(
                    Screen(
                        venue=venue,
                        key=self.unique_key("screen", PREFIX + keyify(name)),
                        name=name,
                        capacity=capacity,
                        wheelchair_spaces=min(capacity, rng.choice([2, 4, 6])),
                        changeover_minutes=rng.choice([15, 15, 20, 30]),
                        order=order,
                    )
                )
        Screen.objects.bulk_create(self.screens)

    def make_tags(self):
        existing = {tag.key: tag for tag in Tag.objects.filter(key__in=[key for key, _names in words.TAGS])}
        new = [Tag(key=key, **translated("name", names)) for key, names in words.TAGS if key not in existing]
        Tag.objects.bulk_create(new)
        by_key = {**existing, **{tag.key: tag for tag in new}}
        self.tags = [by_key[key] for key, _names in words.TAGS]

    # Companies and people ---------------------------------------------------------------------------

    def make_companies(self):
        rng = self.rng
        films = self.size.features + self.size.shorts
        self.companies_by_country = {}
        companies, aliases = [], []
        cultures = list(words.CULTURES)
        for number in range(max(12, films // 3)):
            culture = words.CULTURES[cultures[number % len(cultures)]]
            country = rng.choice(culture["countries"])
            name = rng.choice(words.COMPANY_PATTERNS).format(w=rng.choice(words.COMPANY_WORDS))
            key = self.unique_key("company", PREFIX + keyify(name))
            if key != PREFIX + keyify(name):
                name = f"{name} {country}"
            company = Company(key=key, name=name, city=rng.choice(words.CITIES), country=country)
            companies.append(company)
        self.sales = [
            Company(key=self.unique_key("company", PREFIX + keyify(name)), name=name, city=city, country=country)
            for name, city, country in words.SALES_COMPANIES
        ]
        self.channels = [
            Company(key=self.unique_key("company", PREFIX + keyify(name)), name=name, city=city, country=country)
            for name, city, country in words.TV_CHANNELS
        ]
        Company.objects.bulk_create([*companies, *self.sales, *self.channels])
        for company in companies:
            self.companies_by_country.setdefault(company.country, []).append(company)
            if rng.random() < 0.1:
                aliases.append(CompanyAlias(company=company, name=f"{company.name} Ltd."))
        CompanyAlias.objects.bulk_create(aliases)
        self.companies = companies

    def person_name(self, culture):
        rng = self.rng
        given, family = rng.choice(culture["given"]), rng.choice(culture["family"])
        if isinstance(given, str):
            parts = (family, given) if culture.get("family_first") else (given, family)
            return " ".join(parts), None
        if culture.get("family_first"):
            native = (
                f"{family[0]}{given[0]}" if culture["language"] in ("ja", "zh", "ko") else f"{family[0]} {given[0]}"
            )
            latin = f"{family[1]} {given[1]}"
        else:
            native, latin = f"{given[0]} {family[0]}", f"{given[1]} {family[1]}"
        return native, latin

    def make_people(self):
        rng = self.rng
        films = self.size.features + self.size.shorts
        self.people_by_culture = {}
        self.latin_names = {}
        people, aliases = [], []
        culture_keys = list(words.CULTURES)
        weights = [words.CULTURE_WEIGHTS[key] for key in culture_keys]
        for _number in range(films * 3):
            culture_key = rng.choices(culture_keys, weights)[0]
            culture = words.CULTURES[culture_key]
            native, latin = self.person_name(culture)
            key = self.unique_key("person", PREFIX + keyify(latin or native))
            # Most people with a non-Latin name go by it and have the Latin spelling as an alias; some the other way.
            if latin and rng.random() < 0.3:
                name, alias = latin, native
            else:
                name, alias = native, latin
            bio = {}
            if rng.random() < 0.35:
                template = rng.choice(words.BIOS)
                city = rng.choice(words.CITIES)
                bio = {code: text.format(name=name, city=city) for code, text in template.items()}
            self.latin_names[key] = latin or native
            person = Person(
                key=key,
                name=name,
                born_year=rng.randint(1950, 2001) if rng.random() < 0.6 else None,
                born_place=f"{rng.choice(words.CITIES)}" if rng.random() < 0.3 else "",
                **translated("bio", bio),
            )
            people.append(person)
            self.people_by_culture.setdefault(culture_key, []).append(person)
            if alias:
                aliases.append((person, alias))
        Person.objects.bulk_create(people)
        PersonAlias.objects.bulk_create([PersonAlias(person=person, name=alias) for person, alias in aliases])
        refresh_person_search_text([person.pk for person in people])
        self.people = people

    def make_history_festivals(self):
        self.history_festivals = [
            Festival(key=PREFIX + key, city=city, country=country, **translated("name", {"en": name}))
            for key, name, city, country in words.HISTORY_FESTIVALS
        ]
        Festival.objects.bulk_create(self.history_festivals)

    # Films ----------------------------------------------------------------------------------------

    def compose_title(self, title_language):
        """Return ({site language: title}, original title, original in Latin) for a film in ``title_language``."""
        rng = self.rng
        site = words.LANGUAGES
        if title_language in site and rng.random() < 0.35:
            texts = dict(rng.choice(words.FULL_TITLES))
        else:
            columns = words.NOUN_COLUMNS
            first = dict(zip(columns, rng.choice(words.NOUNS), strict=True))
            if rng.random() < 0.3:
                texts = dict(first)
            else:
                second = dict(zip(columns, rng.choice(words.NOUNS), strict=True))
                while second["en"] == first["en"]:
                    second = dict(zip(columns, rng.choice(words.NOUNS), strict=True))
                texts = {}
                for language in ("en", "uk", "pl", "de", "nl", "fr", "es", "el", "ja", "zh"):
                    a, b = first[language], second[language]
                    if language in words.LOWER_SECOND:
                        b = "ij" + b[2:] if b.startswith("IJ") else b[0].lower() + b[1:]
                    conjunction = words.AND[language]
                    if language == "es" and b.lower().startswith(("i", "hi")) and not b.lower().startswith("hie"):
                        conjunction = "e"
                    texts[language] = f"{a}{conjunction}{b}" if language in ("ja", "zh") else f"{a} {conjunction} {b}"
                    if language in words.AND_LATIN:
                        texts[f"{language}_latin"] = f"{first[language + '_latin']} {words.AND_LATIN[language]} " + (
                            second[language + "_latin"].lower()
                        )
        if title_language in (None, "en"):
            return texts, "", ""
        original = texts[title_language]
        latin = ukrainian_latin(original) if title_language == "uk" else texts.get(f"{title_language}_latin", "")
        return texts, original, latin

    def film_plan(self):
        """Decide each film's section (features by section weight, shorts likewise) in a fixed order."""
        rng = self.rng
        feature_sections = [s for s in self.sections if self.section_specs[s.key]["kind"] == "features"]
        short_sections = [s for s in self.sections if self.section_specs[s.key]["kind"] == "shorts"]
        plan = []
        weights = [self.section_specs[s.key]["weight"] for s in feature_sections]
        for _number in range(self.size.features):
            plan.append((rng.choices(feature_sections, weights)[0], False))
        weights = [self.section_specs[s.key]["weight"] for s in short_sections]
        for _number in range(self.size.shorts):
            plan.append((rng.choices(short_sections, weights)[0], True))
        return plan

    def make_films(self):
        rng = self.rng
        culture_keys = list(words.CULTURES)
        culture_weights = [words.CULTURE_WEIGHTS[key] for key in culture_keys]
        self.films, self.film_info = [], {}
        titles, tag_links, used_titles = [], [], set()
        for section, short in self.film_plan():
            culture_key = rng.choices(culture_keys, culture_weights)[0]
            culture = words.CULTURES[culture_key]
            for _attempt in range(10):
                texts, original, latin = self.compose_title(culture["titles"])
                if texts["en"] not in used_titles:
                    break
            used_titles.add(texts["en"])
            display = {"en": texts["en"]}
            for code in words.LANGUAGES[1:]:
                if code in texts and (code == culture["titles"] or rng.random() < 0.8):
                    display[code] = texts[code]
            countries = [rng.choice(culture["countries"])]
            for _n in range(rng.choice([0, 0, 1, 1, 2])):
                country = rng.choice(words.COPRODUCERS)
                if country not in countries:
                    countries.append(country)
            spoken = [culture["language"]]
            if culture["language"] != "en" and rng.random() < 0.2:
                spoken.append("en")
            form, runtime, year, age = self.film_facts(section.key, short)
            synopsis = self.synopsis(culture_key)
            tagline = {}
            if rng.random() < 0.5:
                full = rng.choice(words.TAGLINES)
                tagline = {code: text for code, text in full.items() if code == "en" or rng.random() < 0.7}
            published = self.section_specs[section.key].get("published", True) and rng.random() > 0.03
            film = Film(
                key=self.unique_key("film", PREFIX + keyify(texts["en"])),
                original_title=original,
                original_title_latin=latin,
                year=year,
                runtime_minutes=runtime,
                countries=countries,
                spoken_languages=spoken,
                form=form,
                minimum_age=age,
                aspect_ratio=rng.choice(words.ASPECT_RATIOS),
                picture_format="35mm" if section.key == "retrospective" else rng.choice(words.PICTURE_FORMATS),
                colour=rng.choices(["colour", "black-and-white", "mixed"], [85, 10, 5])[0],
                published=published,
                **translated("title", display),
                **translated("tagline", tagline),
                **translated("synopsis", synopsis),
            )
            self.films.append(film)
            self.film_info[film.key] = {"section": section, "short": short, "culture": culture_key, "texts": texts}
        Film.objects.bulk_create(self.films)
        for film in self.films:
            info = self.film_info[film.key]
            texts = info["texts"]
            # Further titles: what the film is called in French, Spanish or Greek releases, where there is one.
            extra = [code for code in ("fr", "es", "el") if code in texts and texts[code] != film.original_title]
            if extra and rng.random() < 0.3:
                code = rng.choice(extra)
                titles.append(FilmTitle(film=film, title=texts[code], language=code, order=0))
            for tag in rng.sample(self.tags, rng.randint(1, 3)):
                tag_links.append(Film.tags.through(film_id=film.pk, tag_id=tag.pk))
        FilmTitle.objects.bulk_create(titles)
        refresh_film_search_text([film.pk for film in self.films])
        Film.tags.through.objects.bulk_create(tag_links)
        self.make_credits()
        self.make_history()

    def film_facts(self, section_key, short):
        rng = self.rng
        year = rng.choice([2025, 2025, 2025, 2026])
        age = rng.choice(words.AGES)
        if section_key == "retrospective":
            year = rng.randint(1955, 1999)
        if section_key in ("young-audiences", "shorts-for-kids"):
            age = rng.choice([0, 6, 8, 10, 12])
        if section_key == "after-dark":
            age = rng.choice([16, 18])
        if short:
            form = rng.choices(["fiction", "animation", "documentary", "experimental"], [40, 30, 20, 10])[0]
            if section_key == "expanded-cinema":
                form = "experimental"
            if section_key == "shorts-for-kids":
                form = "animation"
            return form, rng.randint(4, 29), year, age
        if section_key == "documentary-competition":
            form = "documentary"
        elif section_key == "forum":
            form = rng.choice(["experimental", "documentary", "hybrid"])
        else:
            form = rng.choices(["fiction", "documentary", "hybrid", "animation"], [75, 15, 5, 5])[0]
        runtime = rng.randint(62, 125) if form == "documentary" else rng.randint(75, 155)
        return form, runtime, year, age

    def synopsis(self, culture_key):
        rng = self.rng
        latin, cyrillic = rng.choice(words.CHARACTERS)
        parts = [
            rng.choice(words.SYNOPSIS_OPENINGS),
            rng.choice(words.SYNOPSIS_TURNS),
            rng.choice(words.SYNOPSIS_CLOSINGS),
        ]
        texts = {}
        for code in words.LANGUAGES:
            if code != "en" and rng.random() < 0.25:
                continue  # A translation the demo deliberately lacks.
            name = cyrillic if code == "uk" else latin
            texts[code] = " ".join(part[code].format(name=name) for part in parts)
        return texts

    def crew(self, culture_key, count=1):
        """``count`` people, most from the film's own culture."""
        rng = self.rng
        chosen = []
        while len(chosen) < count:
            pool = self.people_by_culture.get(culture_key) if rng.random() < 0.8 else None
            person = rng.choice(pool or self.people)
            if person not in chosen:
                chosen.append(person)
        return chosen

    def make_credits(self):
        rng = self.rng
        credits, company_credits, filmography = [], [], []
        self.credited = {}
        for film in self.films:
            info = self.film_info[film.key]
            culture = info["culture"]
            country = film.countries[0]
            production = rng.choice(self.companies_by_country.get(country) or self.companies)
            coproducers = [
                rng.choice(self.companies_by_country[c]) for c in film.countries[1:] if c in self.companies_by_country
            ]
            roles = [("director", self.crew(culture, rng.choice([1, 1, 1, 1, 2])), None)]
            directors = roles[0][1]
            writer = directors[:1] if rng.random() < 0.5 else self.crew(culture)
            roles += [
                ("screenplay", writer, None),
                ("cinematography", self.crew(culture), None),
                ("editing", self.crew(culture, rng.choice([1, 1, 2])), None),
            ]
            if rng.random() < 0.7:
                roles.append(("music", self.crew(culture), None))
            roles.append(("sound", self.crew(culture), None))
            if film.form == "fiction" and rng.random() < 0.6:
                roles.append(("production-design", self.crew(culture), None))
            roles.append(("producer", self.crew(culture, rng.choice([1, 2])), production))
            if coproducers:
                roles.append(("co-producer", self.crew(culture), coproducers[0]))
            if film.form in ("fiction", "hybrid") or (film.form == "animation" and rng.random() < 0.5):
                roles.append(("cast", self.crew(culture, rng.randint(2, 5)), None))
            order = 0
            film_credits = {}
            for role, people, company in roles:
                for person in people:
                    credits.append(Credit(film=film, role=role, person=person, company=company, order=order))
                    film_credits.setdefault(role, []).append(person)
                    order += 1
            self.credited[film.key] = film_credits
            company_roles = [("production", production), *[("co-production", c) for c in coproducers]]
            if rng.random() < 0.8:
                sales = rng.choice(self.sales)
                company_roles.append(("world-sales", sales))
                if rng.random() < 0.5:
                    company_roles.append(("screening-copy", sales))
            if rng.random() < 0.3:
                company_roles.append(("tv-channel", rng.choice(self.channels)))
            seen = []
            for order, (role, company) in enumerate(company_roles):
                if (role, company.key) not in seen:
                    seen.append((role, company.key))
                    company_credits.append(CompanyCredit(film=film, role=role, company=company, order=order))
            for director in directors:
                filmography.append(
                    FilmographyEntry(
                        person=director,
                        year=film.year,
                        title=film.original_title or film.title_en,
                        english_title=film.title_en if film.original_title else "",
                        film=film,
                        order=9,
                    )
                )
        Credit.objects.bulk_create(credits)
        CompanyCredit.objects.bulk_create(company_credits)
        FilmographyEntry.objects.bulk_create(filmography)

    def make_history(self):
        rng = self.rng
        self.world_premiered = set()
        entries, awards = [], []
        for film in self.films:
            if film.year < 2025 or rng.random() > 0.35:
                continue
            for order, festival in enumerate(rng.sample(self.history_festivals, rng.choice([1, 1, 2]))):
                premiere = ""
                if order == 0 and rng.random() < 0.6:
                    premiere = "world"
                    self.world_premiered.add(film.key)
                entry = FestivalHistoryEntry(
                    film=film,
                    festival=festival,
                    year=2025,
                    section=rng.choice(words.HISTORY_SECTIONS),
                    premiere=premiere,
                    order=order,
                )
                entries.append(entry)
                if rng.random() < 0.3:
                    directors = self.credited[film.key]["director"]
                    recipient = directors[0] if rng.random() < 0.4 else None
                    awards.append((entry, rng.choice(words.HISTORY_AWARDS), recipient))
        FestivalHistoryEntry.objects.bulk_create(entries)
        FestivalHistoryAward.objects.bulk_create(
            [FestivalHistoryAward(entry=entry, name=name, recipient=person) for entry, name, person in awards]
        )

    # Selections -----------------------------------------------------------------------------------

    def premiere(self, film, section):
        rng = self.rng
        if film.key in self.world_premiered or film.year < 2025:
            return rng.choice(["", "national", "european", "regional"]) if film.year >= 2025 else ""
        if section.competitive:
            return rng.choice(["world", "world", "international"])
        return rng.choice(["", "world", "international", "european", "national"])

    def make_selections(self):
        rng = self.rng
        self.selected = {section.key: [] for section in self.sections}
        for film in self.films:
            self.selected[self.film_info[film.key]["section"].key].append(film)
        if "special-screenings" in self.selected:
            # A few films are also shown as special screenings besides their own section.
            others = [
                f
                for f in self.films
                if not self.film_info[f.key]["short"]
                and self.film_info[f.key]["section"].key not in ("special-screenings", "works-in-progress")
            ]
            self.selected["special-screenings"] += rng.sample(others, max(1, len(others) // 40))
        if "online" in self.selected:
            candidates = [f for f in self.films if self.film_info[f.key]["section"].key not in ("works-in-progress",)]
            self.selected["online"] = rng.sample(candidates, max(4, len(candidates) // 10))
        if self.example_film and EXAMPLE_SECTION in self.selected:
            self.selected[EXAMPLE_SECTION].append(self.example_film)
        selections = []
        for section in self.sections:
            for order, film in enumerate(self.selected[section.key]):
                if film == self.example_film:
                    premiere = "national"
                elif section.key == "online":
                    premiere = ""
                else:
                    premiere = self.premiere(film, section)
                selections.append(Selection(section=section, film=film, premiere=premiere, order=order))
        Selection.objects.bulk_create(selections)

    # Images ---------------------------------------------------------------------------------------

    def colours(self):
        rng = self.rng
        hue = rng.random()
        top = colorsys.hsv_to_rgb(hue, 0.55, 0.85)
        bottom = colorsys.hsv_to_rgb((hue + rng.uniform(0.1, 0.3)) % 1, 0.8, 0.25)
        return tuple(round(c * 255) for c in top), tuple(round(c * 255) for c in bottom)

    def store_image(self, film, kind, order, upload, caption=None):
        stem = PurePath(upload.name).stem
        for name in (
            f"films/images/{upload.name}",
            f"films/thumbnails/{stem}-thumbnail.webp",
            f"films/display/{stem}-display.webp",
        ):
            default_storage.delete(name)  # Left over from an earlier run: keep the names the same every time.
        image = FilmImage(film=film, kind=kind, order=order, image=upload, **translated("caption", caption or {}))
        image.save()
        self.stored_files += [image.image.name, image.thumbnail.name, image.display.name]

    def make_images(self):
        rng = self.rng
        for film in self.films:
            if rng.random() >= self.size.posters:
                continue
            directors = self.credited[film.key]["director"]
            top, bottom = self.colours()
            # Pillow's default font has ASCII letters only: the poster credits the director's name in them.
            credit = f"A film by {ascii_latin(self.latin_names[directors[0].key])}"
            self.store_image(
                film,
                "poster",
                0,
                images.poster(f"{film.key}-poster.jpg", ascii_latin(film.title_en), credit, top, bottom),
            )
            if rng.random() < self.size.stills:
                top, bottom = self.colours()
                self.store_image(
                    film,
                    "still",
                    1,
                    images.still(f"{film.key}-still-1.jpg", ascii_latin(film.title_en), top, bottom),
                    caption={
                        "en": f"A still from {film.title_en}",
                        "de": f"Szenenbild aus {film.title_de or film.title_en}",
                    },
                )

    # Schedule -------------------------------------------------------------------------------------

    def requests(self):
        """Every screening to place, in a fixed order: per section, per film or shorts programme."""
        rng = self.rng
        requests = []
        for section in self.sections:
            kind = self.section_specs[section.key]["kind"]
            films = self.selected[section.key]
            draft = not section.published
            if kind == "online":
                continue
            if kind == "shorts":
                programmes, rest = [], list(films)
                while rest:
                    size = min(len(rest), rng.choice([4, 5, 6]))
                    if 0 < len(rest) - size < 3:
                        size = len(rest) if len(rest) <= 7 else len(rest) - 3
                    programmes.append(rest[:size])
                    rest = rest[size:]
                for programme in programmes:
                    minutes = sum(f.runtime_minutes for f in programme)
                    count = 3
                    if section.competitive:
                        requests.append(Request(programme, section, "press", minutes, note="press"))
                    requests += [Request(programme, section, "public", minutes) for _n in range(count)]
                continue
            for film in films:
                minutes = film.runtime_minutes
                if draft:
                    requests.append(Request([film], section, "industry", minutes, note="industry", published=False))
                    continue
                if section.competitive:
                    requests.append(Request([film], section, "press", minutes, note="press"))
                    count = 3
                elif film == self.example_film:
                    count = 2
                else:
                    count = rng.choices([1, 2, 3], [15, 45, 40])[0]
                for number in range(count):
                    note = ""
                    extra = 0
                    if number == 0 and rng.random() < 0.45:
                        note, extra = "qa", QA_MINUTES
                    elif rng.random() < 0.1:
                        note, extra = "intro", 5
                    requests.append(Request([film], section, "public", minutes + extra, note=note))
                if film != self.example_film and rng.random() < 0.12:
                    requests.append(Request([film], section, "industry", minutes, note="industry"))
        return requests

    def place(self, request, cursors, screen_days):
        """Find a screen and day for ``request``: random tries first, then the first free one in a fixed order."""
        rng = self.rng
        fits = []
        for _try in range(12):
            screen, day = rng.choice(screen_days)
            cursor = cursors[(screen.key, day)]
            if cursor > LATEST_START or day in request.avoid_days:
                continue
            if request.audience == "press" and cursor > 12 * 60:
                continue
            return screen, day
        start = rng.randrange(len(screen_days))
        for index in range(len(screen_days)):
            screen, day = screen_days[(start + index) % len(screen_days)]
            if cursors[(screen.key, day)] <= LATEST_START:
                fits.append((screen, day))
                break
        if not fits:
            raise DemoError("The demo's schedule does not fit in its screens; this is a bug in the generator.")
        return fits[0]

    def make_schedule(self):
        rng = self.rng
        requests = self.requests()
        rng.shuffle(requests)
        screen_days = [(screen, day) for screen in self.screens for day in self.days]
        cursors = {(screen.key, day): EARLIEST_START + 5 * rng.randint(0, 12) for screen, day in screen_days}
        film_days = {}
        placed = []
        for request in requests:
            key = tuple(f.key for f in request.films)
            request.avoid_days = film_days.get(key, [])
            screen, day = self.place(request, cursors, screen_days)
            film_days.setdefault(key, []).append(day)
            start = cursors[(screen.key, day)]
            starts_at = datetime.datetime.combine(day, datetime.time(start // 60, start % 60), tzinfo=self.tz)
            starts_at = starts_at.astimezone(datetime.UTC)
            ends_at = starts_at + datetime.timedelta(minutes=request.minutes)
            free = start + request.minutes + screen.changeover_minutes + rng.choice([0, 0, 5, 10, 15, 20, 30])
            cursors[(screen.key, day)] = -(-free // 5) * 5
            placed.append((request, screen, starts_at, ends_at))
        placed += self.online_screenings()
        placed.sort(key=lambda item: (item[2], item[1].key if item[1] else "", item[0].films[0].key))
        screenings, screening_films = [], []
        for number, (request, screen, starts_at, ends_at) in enumerate(placed, start=1):
            screening = self.screening(number, request, screen, starts_at, ends_at)
            screenings.append(screening)
            for order, film in enumerate(request.films):
                screening_films.append((screening, film, order))
        self.check_schedule(screenings)
        Screening.objects.bulk_create(screenings)
        ScreeningFilm.objects.bulk_create(
            [ScreeningFilm(screening=s, film=film, order=order) for s, film, order in screening_films]
        )
        self.screenings = screenings

    def online_screenings(self):
        rng = self.rng
        placed = []
        section = self.section_by_key.get("online")
        if not section:
            return placed
        for film in self.selected["online"]:
            day = rng.choice(self.days[:-2])
            starts_at = datetime.datetime.combine(day, datetime.time(18, 0), tzinfo=self.tz).astimezone(datetime.UTC)
            request = Request([film], section, "online", film.runtime_minutes, note="online")
            placed.append((request, None, starts_at, starts_at + datetime.timedelta(minutes=film.runtime_minutes)))
        return placed

    def screening(self, number, request, screen, starts_at, ends_at):
        rng = self.rng
        film = request.films[0]
        status = "scheduled"
        note = request.note
        if request.audience == "public":
            draw = rng.random()
            if draw < 0.03:
                status, note = "cancelled", "cancelled"
            elif draw < 0.12:
                status = "sold-out"
                if not note and rng.random() < 0.5:
                    note = "sold-out"
        spoken = film.spoken_languages
        subtitles = []
        if spoken and spoken[0] != "en":
            subtitles = ["en"] + (["de"] if rng.random() < 0.4 else [])
        elif rng.random() < 0.3:
            subtitles = ["de"]
        online = request.audience == "online"
        available_from = available_until = None
        countries = []
        if online:
            available_from = starts_at
            available_until = min(
                starts_at + datetime.timedelta(hours=48),
                datetime.datetime.combine(self.days[-1], datetime.time(23, 59), tzinfo=self.tz).astimezone(
                    datetime.UTC
                ),
            )
            countries = rng.choice([[], [], ["DE"], ["DE", "AT", "CH"], ["DE", "AT", "CH", "NL", "BE", "LU"]])
        key = f"s{number:04d}"
        published = request.published and request.section.published and rng.random() > 0.02
        return Screening(
            edition=self.edition,
            key=key,
            screen=screen,
            starts_at=starts_at,
            ends_at=ends_at,
            blocked_until=ends_at + datetime.timedelta(minutes=screen.changeover_minutes if screen else 0),
            section=request.section,
            audience=request.audience,
            status=status,
            subtitles=subtitles,
            ticket_url=TICKETS + key if request.audience in ("public", "online") else "",
            available_from=available_from,
            available_until=available_until,
            online_countries=countries,
            published=published,
            **translated("note", words.NOTES[note] if note else {}),
        )

    def check_schedule(self, screenings):
        """The model's rules, checked in Python before the rows go in: in the edition's days, no overlaps."""
        by_screen = {}
        for screening in screenings:
            day = screening.starts_at.astimezone(self.tz).date()
            if not self.days[0] <= day <= self.days[-1] or screening.ends_at <= screening.starts_at:
                raise DemoError(f"Screening {screening.key} falls outside the edition; this is a bug in the generator.")
            if screening.screen is not None and screening.status != "cancelled":
                by_screen.setdefault(screening.screen.key, []).append(screening)
        for items in by_screen.values():
            items.sort(key=lambda s: s.starts_at)
            for before, after in itertools.pairwise(items):
                if after.starts_at < before.blocked_until:
                    raise DemoError(f"Screenings {before.key} and {after.key} overlap; this is a bug in the generator.")

    # Awards ---------------------------------------------------------------------------------------

    def make_awards(self):
        rng = self.rng
        awards, results = [], []
        order = 0
        for section in self.sections:
            if not section.competitive:
                continue
            films = [f for f in self.selected[section.key] if f.published]
            winners = []
            for spec in words.AWARDS.get(section.key, []):
                award = Award(
                    edition=self.edition,
                    section=section,
                    key=spec["key"],
                    recipient="person" if spec.get("role") else "film",
                    order=order,
                    **translated("name", spec["name"]),
                )
                order += 1
                awards.append(award)
                role = spec.get("role")
                eligible = [f for f in films if not role or self.credited[f.key].get(role)]
                fresh = [f for f in eligible if f not in winners] or eligible
                if not fresh:
                    continue
                winner = rng.choice(fresh)
                winners.append(winner)
                picks = [(winner, "winner")]
                others = [f for f in eligible if f != winner]
                if others and rng.random() < 0.6:
                    picks.append((rng.choice(others), "special-mention"))
                for index, (film, kind) in enumerate(picks):
                    person = rng.choice(self.credited[film.key][role]) if role else None
                    citation = words.CITATIONS[3] if role == "cast" else rng.choice(words.CITATIONS[:3])
                    results.append(
                        AwardResult(
                            award=award,
                            film=film,
                            person=person,
                            kind=kind,
                            order=index,
                            **translated("citation", citation),
                        )
                    )
        Award.objects.bulk_create(awards)
        AwardResult.objects.bulk_create(results)
        self.awards = awards
        self.make_juries()

    def make_juries(self):
        """Three to five jurors per competition, the first presiding, none credited on a film they judge."""
        rng = self.rng
        members = []
        for section in self.sections:
            if not section.competitive:
                continue
            credited = {
                p.key for f in self.selected[section.key] for ps in self.credited.get(f.key, {}).values() for p in ps
            }
            candidates = [person for person in self.people if person.key not in credited]
            for order, person in enumerate(rng.sample(candidates, rng.randint(3, 5))):
                members.append(
                    JuryMember(
                        section=section, person=person, role="president" if order == 0 else "member", order=order
                    )
                )
        JuryMember.objects.bulk_create(members)


def build(size="small", seed=1, *, replace=False, log=print):
    """Build the demo edition; return the Edition. Raises DemoError with a message for the user."""
    return Builder(size, seed, replace=replace, log=log).build()
