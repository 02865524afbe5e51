"""The demo's films: titles, facts, credits, festival history, selections and images."""

import colorsys
import random
from pathlib import PurePath

from django.core.files.storage import default_storage

from ..images import QUICK_ENCODINGS, RENDITIONS_FOLDER, rendition_widths, store_renditions
from ..models import (
    CompanyCredit,
    Credit,
    FestivalHistoryAward,
    FestivalHistoryEntry,
    Film,
    FilmImage,
    FilmographyEntry,
    FilmTitle,
    Selection,
)
from ..search import film_search_text, film_title_fields
from . import images, words
from .plan import EXAMPLE_SECTION, PREFIX
from .text import ascii_latin, keyify, translated, ukrainian_latin

# In an earlier edition, the share of films whose director is one of another year's, back with a new film.
RETURNING_DIRECTORS = 0.12
# The posters drawn for an earlier edition, which its films share; the stills drawn for the demo, which every film
# but the example film shares.
ARCHIVE_POSTERS = 12
STILLS = 24


class ProgrammeMixin:
    """The films of the demo edition and what is known about them."""

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
        for film in self.films:
            info = self.film_info[film.key]
            texts = info["texts"]
            # Further titles: what the film is called in French, Spanish or Greek releases, where there is one.
            extra = [code for code in ("fr", "es", "el") if code in texts and texts[code] != film.original_title]
            further = []
            if extra and rng.random() < 0.3:
                code = rng.choice(extra)
                further.append((texts[code], code))
            # What films.search.refresh_film_search_text would write, without a second pass over the rows.
            film.search_text = film_search_text(
                {field: getattr(film, field) for field in film_title_fields()}, [title for title, _code in further]
            )
            titles += [(film, title, code) for title, code in further]
            tag_links.append((film, rng.sample(self.tags, rng.randint(1, 3))))
        Film.objects.bulk_create(self.films)
        FilmTitle.objects.bulk_create(
            [FilmTitle(film=film, title=title, language=code, order=0) for film, title, code in titles]
        )
        Film.tags.through.objects.bulk_create(
            [Film.tags.through(film_id=film.pk, tag_id=tag.pk) for film, tags in tag_links for tag in tags]
        )
        self.make_credits()
        self.make_history()

    def film_facts(self, section_key, short):
        rng = self.rng
        year = rng.choice([self.year - 1, self.year - 1, self.year - 1, self.year])
        age = rng.choice(words.AGES)
        if section_key == "retrospective":
            year = rng.randint(self.year - 71, self.year - 27)
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
        # Directors of the editions built before (the current one is built first), old enough for this year.
        returning = [p for p in self.directors if not self.current and (p.born_year or 0) <= self.year - 25]
        for film in self.films:
            info = self.film_info[film.key]
            culture = info["culture"]
            country = film.countries[0]
            production = rng.choice(self.companies_by_country.get(country) or self.companies)
            coproducers = [
                rng.choice(self.companies_by_country[c]) for c in film.countries[1:] if c in self.companies_by_country
            ]
            directors = self.crew(culture, rng.choice([1, 1, 1, 1, 2]))
            if returning and rng.random() < RETURNING_DIRECTORS:
                directors = [rng.choice(returning)]  # A director of another year, back with a new film.
            roles = [("director", directors, None)]
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
                self.directors.setdefault(director, None)
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
            if film.year < self.year - 1 or rng.random() > 0.35:
                continue
            for order, festival in enumerate(rng.sample(self.history_festivals, rng.choice([1, 1, 2]))):
                premiere = ""
                if order == 0 and rng.random() < 0.6:
                    premiere = "world"
                    self.world_premiered.add(film.key)
                entry = FestivalHistoryEntry(
                    film=film,
                    festival=festival,
                    year=self.year - 1,
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
        if film.key in self.world_premiered or film.year < self.year - 1:
            return rng.choice(["", "national", "european", "regional"]) if film.year >= self.year - 1 else ""
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
        if self.current and self.example_film and EXAMPLE_SECTION in self.selected:
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

    @staticmethod
    def colours(rng):
        hue = rng.random()
        top = colorsys.hsv_to_rgb(hue, 0.55, 0.85)
        bottom = colorsys.hsv_to_rgb((hue + rng.uniform(0.1, 0.3)) % 1, 0.8, 0.25)
        return tuple(round(c * 255) for c in top), tuple(round(c * 255) for c in bottom)

    def store_picture(self, picture, name):
        """Store ``picture`` (drawn by ``images``) as ``films/images/<name>`` (a JPEG) with its renditions; return
        the files' fields of a FilmImage that shows it."""
        stem = PurePath(name).stem
        for leftover in (
            f"films/images/{name}",
            *(
                f"{RENDITIONS_FOLDER}/{stem}-{width}.{extension}"
                for width in rendition_widths(picture.width)
                for _format, extension, _options in QUICK_ENCODINGS.values()
            ),
        ):
            default_storage.delete(leftover)  # Left over from an earlier run: keep the names the same every time.
        image = FilmImage()
        image.image.save(name, images.jpeg(picture, name), save=False)
        store_renditions(image, picture=picture, quick=True)
        self.stored_files += image.stored_names()
        return {
            "image": image.image.name,
            "width": image.width,
            "height": image.height,
            "renditions": image.renditions,
            "thumbnail": image.thumbnail.name,
            "display": image.display.name,
        }

    def make_images(self):
        """Every film of the edition gets a poster and a still, drawn with Pillow from a generator of their own (so
        the rest of the demo is the same whatever they are). Each film of the current edition has a poster of its
        own, with its title; an earlier edition's films share a dozen drawn for it, with the edition's name. The
        stills, landscapes without words, come from a set drawn once for the current edition, except the example
        film's own. (Pictures are the slowest part of the build: a few hundred ms a dozen.)"""
        if self.current:
            self.draw_as_before()
        rng = random.Random(f"{self.seed}-{self.years}-images")  # noqa: S311  (demo data)
        if self.current:
            self.still_pool = [
                self.store_picture(self.draw_still(rng, ""), f"{PREFIX}still-{number}.jpg") for number in range(STILLS)
            ]
        rows = []

        def add(film, poster, still):
            rows.append(FilmImage(film=film, kind="poster", order=0, **poster))
            caption = {"en": f"A still from {film.title_en}", "de": f"Szenenbild aus {film.title_de or film.title_en}"}
            rows.append(FilmImage(film=film, kind="still", order=1, **still, **translated("caption", caption)))

        if self.current:
            for film in self.films:
                director = self.latin_names[self.credited[film.key]["director"][0].key]
                add(film, self.draw_poster(rng, film, director), rng.choice(self.still_pool))
            film = self.example_film
            if film and not film.images.exists():
                director = film.credits.filter(role="director").values_list("person__name", flat=True).first()
                title = ascii_latin(film.title_en)
                still = self.store_picture(self.draw_still(rng, title), f"{PREFIX}{film.key}-still-1.jpg")
                add(film, self.draw_poster(rng, film, director or ""), still)
        else:
            name = ascii_latin(self.edition.name_en)
            posters = [
                self.store_picture(
                    images.poster(name, "", *self.colours(rng)), f"{self.edition.key}-poster-{number}.jpg"
                )
                for number in range(ARCHIVE_POSTERS)
            ]
            for film in self.films:
                add(film, rng.choice(posters), rng.choice(self.still_pool))
        FilmImage.objects.bulk_create(rows)

    def draw_as_before(self):
        """The draws the main generator made for the current edition's images before they had a generator of their
        own (``Size.posters`` and ``Size.stills``), made still: the schedule and awards drawn after them, and so
        the rest of a seed's demo, stay the same."""
        rng = self.rng
        for _film in self.films:
            if rng.random() >= self.size.posters:
                continue
            self.colours(rng)
            if rng.random() < self.size.stills:
                self.colours(rng)

    def draw_poster(self, rng, film, director):
        """``film``'s own poster, stored (``demo-…-poster.jpg``): its title, and its director's name in the credit."""
        stem = film.key if film.key.startswith(PREFIX) else f"{PREFIX}{film.key}"
        # Pillow's default font has ASCII letters only: the poster credits the director's name in them.
        credit = f"A film by {ascii_latin(director)}"
        return self.store_picture(
            images.poster(ascii_latin(film.title_en), credit, *self.colours(rng)), f"{stem}-poster.jpg"
        )

    def draw_still(self, rng, title):
        top, bottom = self.colours(rng)
        return images.still(title, top, bottom, horizon=rng.uniform(0.55, 0.75), sun=rng.uniform(0.15, 0.85))
