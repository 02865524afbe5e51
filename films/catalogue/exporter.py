"""Exporting the catalogue: the database as a document in the exchange format, deterministically ordered.

Empty optional fields are left out, as in the format's example. People and companies come in the order
the exported films first mention them (then the rest by key), films by key, editions by first day.
"""

import datetime

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from ..access import screening_marker_codes
from ..models import (
    Award,
    AwardResult,
    Company,
    Credit,
    Edition,
    FestivalHistoryEntry,
    Film,
    FilmographyEntry,
    Person,
    Screen,
    Screening,
    ScreeningFilm,
    ScreeningGuest,
    Section,
    Selection,
    Venue,
)
from .errors import CatalogueError
from .importer import DEFAULT_CHANGEOVER_MINUTES, FORMAT, VERSION, award_kind, languages

SOURCE = "Exported by the festival app"


def translated(instance, name):
    """``{"en": ..., "uk": ...}`` with the languages that have text, in the site's language order."""
    result = {}
    for code in languages():
        value = getattr(instance, build_localized_fieldname(name, code))
        if value:
            result[code] = value
    return result


def put(target, name, value):
    """Set ``target[name]`` unless ``value`` is empty (None, "", [] or {}); numbers and booleans always count."""
    if value is None or value in ("", [], {}):
        return
    target[name] = value


def moment(value, tz):
    return value.astimezone(tz).isoformat() if value else None


def export_catalogue(edition_keys=None, *, include_embargoed=False):
    """The catalogue as a dict in the exchange format; ``edition_keys`` limits it to those editions and their films.

    Award results not announced yet (``AwardResult.objects.announced``) are left out unless ``include_embargoed``
    (for staff backups and round trips).
    """
    with translation.override(settings.LANGUAGE_CODE):
        return Exporter(edition_keys, include_embargoed=include_embargoed).document()


class Exporter:
    def __init__(self, edition_keys, *, include_embargoed=False):
        self.edition_keys = None if edition_keys is None else list(edition_keys)
        self.include_embargoed = include_embargoed

    def award_results(self):
        results = AwardResult.objects.all() if self.include_embargoed else AwardResult.objects.announced(timezone.now())
        return results.order_by("order", "id")

    def document(self):
        editions = self.load_editions()
        films = self.load_films(editions)
        self.film_keys = {film.pk: film.key for film in films}
        self.runtimes = {film.pk: film.runtime_minutes for film in films}
        people, companies = self.load_people_and_companies(films, editions)
        self.person_keys = {person.pk: person.key for person in people}
        self.company_keys = {company.pk: company.key for company in companies}
        document = {"format": FORMAT, "version": VERSION, "source": SOURCE}
        if self.edition_keys is not None:
            document["source"] = f"{SOURCE}: {', '.join(sorted(self.edition_keys))}"
        document["people"] = [self.person(person) for person in people]
        document["companies"] = [self.company(company) for company in companies]
        document["films"] = [self.film(film) for film in films]
        venues = self.venues_by_edition(editions)
        document["editions"] = [self.edition(edition, venues[edition.pk]) for edition in editions]
        return document

    # ------------------------------------------------------------------ loading

    def load_editions(self):
        editions = Edition.objects.select_related("festival").order_by("start_date", "key")
        if self.edition_keys is not None:
            editions = editions.filter(key__in=self.edition_keys)
        editions = list(
            editions.prefetch_related(
                Prefetch("sections", Section.objects.order_by("order", "key")),
                Prefetch("sections__selections", Selection.objects.order_by("order", "id")),
                Prefetch(
                    "screenings", Screening.objects.select_related("screen", "section").order_by("starts_at", "key")
                ),
                Prefetch("screenings__screening_films", ScreeningFilm.objects.order_by("order", "id")),
                Prefetch("screenings__guests", ScreeningGuest.objects.order_by("order", "id")),
                Prefetch("awards", Award.objects.select_related("section").order_by("order", "key")),
                Prefetch("awards__results", self.award_results()),
            )
        )
        if self.edition_keys is not None:
            missing = sorted(set(self.edition_keys) - {edition.key for edition in editions})
            if missing:
                raise CatalogueError([_('unknown edition "%(key)s"') % {"key": key} for key in missing])
        return editions

    def load_films(self, editions):
        films = Film.objects.order_by("key")
        if self.edition_keys is not None:
            ids = set()
            for edition in editions:
                for section in edition.sections.all():
                    ids.update(selection.film_id for selection in section.selections.all())
                for screening in edition.screenings.all():
                    ids.update(item.film_id for item in screening.screening_films.all())
                for award in edition.awards.all():
                    ids.update(result.film_id for result in award.results.all())
            films = films.filter(pk__in=ids)
        return list(
            films.prefetch_related(
                "other_titles",
                "credits",
                "company_credits",
                "tags",
                Prefetch(
                    "festival_history",
                    FestivalHistoryEntry.objects.select_related("festival").order_by("order", "year", "id"),
                ),
                "festival_history__awards",
                "images",
            )
        )

    def load_people_and_companies(self, films, editions):
        person_order, company_order = [], []
        for film in films:
            for credit in film.credits.all():
                person_order.append(credit.person_id)
                if credit.company_id:
                    company_order.append(credit.company_id)
            company_order.extend(credit.company_id for credit in film.company_credits.all())
            for entry in film.festival_history.all():
                person_order.extend(award.recipient_id for award in entry.awards.all() if award.recipient_id)
        for edition in editions:
            for award in edition.awards.all():
                person_order.extend(result.person_id for result in award.results.all() if result.person_id)
        for edition in editions:
            for screening in edition.screenings.all():
                person_order.extend(guest.person_id for guest in screening.guests.all())
        people = Person.objects.prefetch_related(
            "aliases", Prefetch("filmography", FilmographyEntry.objects.order_by("order", "year", "id"))
        )
        companies = Company.objects.prefetch_related("aliases")
        if self.edition_keys is not None:
            people = people.filter(pk__in=person_order)
            companies = companies.filter(pk__in=company_order)
        return self.ordered(people, person_order), self.ordered(companies, company_order)

    @staticmethod
    def ordered(queryset, first_ids):
        """Records in the order of ``first_ids`` (first mention wins), the rest by key."""
        rank = {}
        for pk in first_ids:
            rank.setdefault(pk, len(rank))
        return sorted(queryset, key=lambda record: (rank.get(record.pk, len(rank)), record.key))

    def venues_by_edition(self, editions):
        """Each edition lists the venues its screenings use; venues nobody uses go with the last edition."""
        venues = {
            venue.pk: venue
            for venue in Venue.objects.prefetch_related(Prefetch("screens", Screen.objects.order_by("order", "key")))
        }
        result = {edition.pk: [] for edition in editions}
        used = set()
        for edition in editions:
            ids = []
            for screening in edition.screenings.all():
                if screening.screen_id and screening.screen.venue_id not in ids:
                    ids.append(screening.screen.venue_id)
            used.update(ids)
            result[edition.pk] = sorted((venues[pk] for pk in ids), key=lambda venue: venue.key)
        if editions and self.edition_keys is None:
            unused = [venue for pk, venue in venues.items() if pk not in used]
            last = editions[-1].pk
            result[last] = sorted([*result[last], *unused], key=lambda venue: venue.key)
        return result

    # ------------------------------------------------------------------ records

    def person(self, person):
        data = {"key": person.key, "name": person.name}
        put(data, "aliases", sorted(alias.name for alias in person.aliases.all()))
        born = {}
        put(born, "year", person.born_year)
        put(born, "place", person.born_place)
        put(data, "born", born)
        put(data, "bio", translated(person, "bio"))
        filmography = []
        for entry in person.filmography.all():
            item = {}
            put(item, "year", entry.year)
            item["title"] = entry.title
            put(item, "english_title", entry.english_title)
            put(item, "film", self.film_keys.get(entry.film_id))
            filmography.append(item)
        put(data, "filmography", filmography)
        if person.photo:
            data["photo"] = person.photo.url
        elif person.photo_source_url:
            data["photo"] = person.photo_source_url
        return data

    def company(self, company):
        data = {"key": company.key, "name": company.name}
        put(data, "city", company.city)
        put(data, "country", company.country)
        put(data, "aliases", sorted(alias.name for alias in company.aliases.all()))
        return data

    def film(self, film):
        data = {"key": film.key, "title": translated(film, "title")}
        put(data, "original_title", film.original_title)
        put(data, "original_title_latin", film.original_title_latin)
        put(
            data, "other_titles", [{"title": item.title, "language": item.language} for item in film.other_titles.all()]
        )
        put(data, "year", film.year)
        put(data, "runtime_minutes", film.runtime_minutes)
        put(data, "countries", list(film.countries))
        put(data, "spoken_languages", list(film.spoken_languages))
        put(data, "form", film.form)
        tags = sorted(film.tags.all(), key=lambda tag: tag.key)
        put(data, "tags", [{"key": tag.key, "name": translated(tag, "name")} for tag in tags])
        put(data, "tagline", translated(film, "tagline"))
        put(data, "synopsis", translated(film, "synopsis"))
        put(data, "minimum_age", film.minimum_age)
        picture = {}
        put(picture, "aspect_ratio", film.aspect_ratio)
        put(picture, "format", film.picture_format)
        put(picture, "colour", film.colour)
        put(data, "picture", picture)
        put(data, "credits", [self.credit(credit) for credit in film.credits.all()])
        put(
            data,
            "company_credits",
            [
                {"role": credit.role, "company": self.company_keys[credit.company_id]}
                for credit in film.company_credits.all()
            ],
        )
        put(data, "festival_history", [self.history(entry) for entry in film.festival_history.all()])
        put(data, "images", [self.image(image) for image in film.images.all()])
        data["published"] = film.published
        return data

    def credit(self, credit: Credit):
        data = {"role": credit.role, "person": self.person_keys[credit.person_id]}
        if credit.company_id:
            data["company"] = self.company_keys[credit.company_id]
        return data

    def history(self, entry):
        festival = entry.festival
        name = getattr(festival, build_localized_fieldname("name", settings.LANGUAGE_CODE)) or next(
            iter(translated(festival, "name").values()), festival.key
        )
        data = {"festival": name, "year": entry.year}
        put(data, "section", entry.section)
        put(data, "premiere", entry.premiere)
        awards = []
        for award in entry.awards.all():
            item = {"name": award.name}
            if award.recipient_id:
                item["recipient"] = self.person_keys[award.recipient_id]
            awards.append(item)
        put(data, "awards", awards)
        return data

    def image(self, image):
        data = {"kind": image.kind, "src": image.image.url if image.image else image.source_url}
        put(data, "caption", translated(image, "caption"))
        put(data, "photographer", image.photographer)
        return data

    def edition(self, edition, venues):
        festival = edition.festival
        festival_data = {"key": festival.key, "name": translated(festival, "name")}
        put(festival_data, "short_name", festival.short_name)
        put(festival_data, "city", festival.city)
        put(festival_data, "country", festival.country)
        data = {
            "key": edition.key,
            "festival": festival_data,
            "year": edition.year,
            "name": translated(edition, "name"),
            "start_date": edition.start_date.isoformat(),
            "end_date": edition.end_date.isoformat(),
            "timezone": edition.timezone,
            "sections": [self.section(section, edition.tzinfo) for section in edition.sections.all()],
            "venues": [self.venue(venue) for venue in venues],
            "screenings": [self.screening(screening, edition.tzinfo) for screening in edition.screenings.all()],
            "awards": [self.award(award) for award in edition.awards.all()],
        }
        put(data, "results_announced_at", moment(edition.results_announced_at, edition.tzinfo))
        data["published"] = edition.published
        return data

    def section(self, section, tz):
        data = {"key": section.key, "name": translated(section, "name")}
        put(data, "description", translated(section, "description"))
        data["competitive"] = section.competitive
        selections = []
        for selection in section.selections.all():
            item = {"film": self.film_keys[selection.film_id]}
            put(item, "premiere", selection.premiere)
            selections.append(item)
        put(data, "selections", selections)
        put(data, "results_announced_at", moment(section.results_announced_at, tz))
        data["published"] = section.published
        return data

    def venue(self, venue):
        data = {"key": venue.key, "name": venue.name}
        put(data, "address", venue.address)
        screens = []
        for screen in venue.screens.all():
            item = {"key": screen.key, "name": screen.name}
            put(item, "capacity", screen.capacity)
            put(item, "wheelchair_spaces", screen.wheelchair_spaces)
            if screen.step_free:
                item["step_free"] = True
            if screen.changeover_minutes != DEFAULT_CHANGEOVER_MINUTES:
                item["changeover_minutes"] = screen.changeover_minutes
            screens.append(item)
        put(data, "screens", screens)
        return data

    def screening(self, screening, tz):
        film_ids = [item.film_id for item in screening.screening_films.all()]
        data = {"key": screening.key}
        if screening.screen_id:
            data["screen"] = screening.screen.key
        data["starts_at"] = moment(screening.starts_at, tz)
        runtimes = [self.runtimes.get(pk) for pk in film_ids]
        default_end = (
            screening.starts_at + datetime.timedelta(minutes=sum(runtimes))
            if film_ids and None not in runtimes
            else None
        )
        if screening.ends_at != default_end:
            data["ends_at"] = moment(screening.ends_at, tz)
        data["films"] = [self.film_keys[pk] for pk in film_ids]
        if screening.section_id:
            data["section"] = screening.section.key
        data["audience"] = screening.audience
        put(data, "subtitles", list(screening.subtitles))
        put(data, "ticket_url", screening.ticket_url)
        data["status"] = screening.status
        put(data, "note", translated(screening, "note"))
        put(data, "available_from", moment(screening.available_from, tz))
        put(data, "available_until", moment(screening.available_until, tz))
        put(data, "countries", list(screening.online_countries))
        put(data, "minimum_age", screening.minimum_age)
        put(data, "access", screening_marker_codes(screening))
        put(
            data,
            "guests",
            [
                {"person": self.person_keys[guest.person_id], "intro": guest.intro, "qa": guest.qa}
                for guest in screening.guests.all()
            ],
        )
        data["published"] = screening.published
        return data

    def award(self, award):
        data = {"key": award.key, "section": award.section.key, "name": translated(award, "name")}
        winners = []
        for result in award.results.all():
            item = {"film": self.film_keys[result.film_id]}
            if result.person_id:
                item["person"] = self.person_keys[result.person_id]
            item["kind"] = result.kind
            put(item, "citation", translated(result, "citation"))
            winners.append(item)
        put(data, "winners", winners)
        inferred = award_kind(data)
        if award.recipient != inferred["recipient"]:
            data["recipient"] = award.recipient
        if award.ex_aequo != inferred["ex_aequo"]:
            data["ex_aequo"] = award.ex_aequo
        return data
