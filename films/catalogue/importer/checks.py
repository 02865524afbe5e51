"""Stage 2 of an import: what a JSON Schema cannot express (references, codes, dates, clashes)."""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from ... import codes
from ...models import Screening
from .values import DEFAULT_CHANGEOVER_MINUTES, Item


class CheckMixin:
    """Stage 2: semantic checks of everything loaded, before anything is written."""

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

    def check_required_text(self, item, name):
        """A name or title needs its text in the site's default language: an empty string may not clear it."""
        if (item.get(name) or {}).get(settings.LANGUAGE_CODE) == "":
            self.error(
                item.path(name),
                _('the text in "%(code)s" is required; an empty string cannot clear it')
                % {"code": settings.LANGUAGE_CODE},
            )

    def check_duplicates(self, items, describe, message):
        seen = {}
        for item in items:
            identity = describe(item)
            if identity in seen:
                self.error(item.path(), message % {"other": seen[identity].path()})
            else:
                seen[identity] = item

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
            self.check_required_text(film, "title")
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
                self.check_required_text(tag, "name")
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
        """A film's runtime after the import: the file's, else (left out) the stored one."""
        if key in self.films and "runtime_minutes" in self.films[key].data:
            return self.films[key]["runtime_minutes"]
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
        self.check_required_text(festival, "name")
        self.check_required_text(edition, "name")
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
            self.check_required_text(section, "name")
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
            # What the file leaves out, a screening already in the database keeps.
            stored = self.db_screenings.get((edition_key, screening["key"]))
            screen_key = screening.get("screen")
            if screen_key is None and stored is not None and stored.screen is not None:
                screen_key = stored.screen.key
            audience = screening.get("audience", stored.audience if stored else Screening.Audience.PUBLIC)
            status = screening.get("status", stored.status if stored else Screening.Status.SCHEDULED)
            if screen_key is not None and screen_key not in self.all_screens and screen_key not in self.db_screens:
                self.unknown(screening.path("screen"), _("screen"), screen_key)
                screen_key = None
            if screen_key is None and audience != "online" and "screen" not in screening.data:
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
            self.check_code_list(screening, "access", lambda path, code: None)  # codes: the schema's enum
            self.check_guests(screening)
            starts_at = self.parse_moment(screening, "starts_at")
            ends_at = self.parse_moment(screening, "ends_at")
            available = self.parse_moment(screening, "available_from"), self.parse_moment(screening, "available_until")
            if all(available) and available[1] <= available[0]:
                self.error(screening.path("available_until"), _("the online window must close after it opens"))
            if starts_at is None:
                continue
            if ends_at is None and "ends_at" not in screening.data and stored is not None:
                # Left out: a stored screening keeps its length (and its end, when it does not move).
                ends_at = starts_at + (stored.ends_at - stored.starts_at)
            elif ends_at is None and "ends_at" not in screening.data:
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
            if screen_key and status != Screening.Status.CANCELLED:
                screening.tz = tz
                self.planned[screen_key].append(screening)

    def check_guests(self, screening):
        for guest in screening.children("guests"):
            if not self.known_person(guest["person"]):
                self.unknown(guest.path("person"), _("person"), guest["person"])
            if not (guest.get("intro") or guest.get("qa")):
                self.error(
                    guest.path(), _("a guest attends for an introduction, a Q&A or both: set intro or qa to true")
                )
        self.check_duplicates(
            screening.children("guests"),
            lambda item: self.person_identity(item["person"]),
            _("the same person is already a guest at %(other)s"),
        )

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
            "changeover": changeover // datetime.timedelta(minutes=1),
        }

    def check_awards(self, edition_key, edition, sections):
        keys = {}
        for award in edition.children("awards"):
            self.define(keys, award)
            self.check_required_text(award, "name")
            section_key = award["section"]
            if section_key in sections:
                stored = self.db_sections.get((edition_key, section_key))
                competitive = sections[section_key].get("competitive", stored.competitive if stored else False)
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
