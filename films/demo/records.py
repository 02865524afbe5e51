"""The demo's editions, sections, venues and screens, tags, companies, people and other festivals."""

import datetime

from ..models import Company, CompanyAlias, Edition, Festival, Person, PersonAlias, Screen, Section, Tag, Venue
from ..search import joined
from . import words
from .plan import FESTIVAL_KEY, PREFIX, TIMEZONE, edition_key
from .text import keyify, translated

EDITION_NAME = {"en": "Festival Demo {year}", "uk": "Фестиваль «Демо» {year}", "pl": "Festiwal Demo {year}"}
EDITION_NAME |= {"de": "Festival Demo {year}", "nl": "Festival Demo {year}"}


class RecordsMixin:
    """The demo's records that films and screenings refer to."""

    # Edition, sections, venues --------------------------------------------------------------------

    def make_festival(self):
        self.festival = Festival.objects.filter(key=FESTIVAL_KEY).first() or Festival.objects.create(
            key=FESTIVAL_KEY,
            short_name="Demo",
            city=words.CITY,
            country="DE",
            **translated(
                "name",
                {"en": "Festival Demo", "uk": "Фестиваль «Демо»", "pl": "Festiwal Demo", "de": "Festival Demo"},
            ),
        )

    def make_edition_record(self):
        """The edition of ``self.year`` on ``self.days``, published; its key and name follow its year."""
        self.edition = Edition.objects.create(
            festival=self.festival,
            key=edition_key(self.year),
            year=self.year,
            start_date=self.days[0],
            end_date=self.days[-1],
            timezone=TIMEZONE,
            published=True,
            # The closing ceremony on the last evening but one; until then results are for staff only.
            results_announced_at=datetime.datetime.combine(self.days[-2], datetime.time(19), tzinfo=self.tz),
            **translated("name", {code: name.format(year=self.year) for code, name in EDITION_NAME.items()}),
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

    def make_people(self, count, year):
        """``count`` new people, born in time to work on a film of ``year``: the pool (``self.people``) that the
        films, juries and guests of the next edition built draw from."""
        rng = self.rng
        self.people_by_culture = {}
        people, aliases = [], []
        culture_keys = list(words.CULTURES)
        weights = [words.CULTURE_WEIGHTS[key] for key in culture_keys]
        for _number in range(count):
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
                born_year=rng.randint(year - 76, year - 25) if rng.random() < 0.6 else None,
                born_place=f"{rng.choice(words.CITIES)}" if rng.random() < 0.3 else "",
                # What films.search.refresh_person_search_text would write, without a second pass over the rows.
                search_text=joined([name, alias] if alias else [name]),
                **translated("bio", bio),
            )
            people.append(person)
            self.people_by_culture.setdefault(culture_key, []).append(person)
            self.culture_of[key] = culture_key
            if alias:
                aliases.append((person, alias))
        Person.objects.bulk_create(people)
        PersonAlias.objects.bulk_create([PersonAlias(person=person, name=alias) for person, alias in aliases])
        self.people = people
        self.all_people += people

    def make_history_festivals(self):
        self.history_festivals = [
            Festival(key=PREFIX + key, city=city, country=country, **translated("name", {"en": name}))
            for key, name, city, country in words.HISTORY_FESTIVALS
        ]
        Festival.objects.bulk_create(self.history_festivals)
