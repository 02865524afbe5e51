"""The demo's schedule: every screening placed in a screen and a day without overlaps."""

import datetime
import itertools
import random
from dataclasses import dataclass, field

from ..models import Credit, Screen, Screening, ScreeningFilm, ScreeningGuest
from . import words
from .plan import EARLIEST_START, LATEST_START, QA_MINUTES, DemoError, tickets_url
from .text import translated


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


class ScheduleMixin:
    """Placing the demo's screenings, then checking the model's rules before inserting them."""

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
        self.screenings = screenings
        self.films_by_screening = {}
        for screening, film, _order in screening_films:
            self.films_by_screening.setdefault(screening.key, []).append(film)
        guests = self.guests_and_access()
        Screening.objects.bulk_create(screenings)
        ScreeningFilm.objects.bulk_create(
            [ScreeningFilm(screening=s, film=film, order=order) for s, film, order in screening_films]
        )
        ScreeningGuest.objects.bulk_create(
            [ScreeningGuest(screening=screening, **fields) for screening, fields in guests]
        )
        if self.current:
            # The screens are the same every year: their step-free access is drawn once, here.
            for step_free in (True, False):
                Screen.objects.filter(pk__in=[s.pk for s in self.screens if s.step_free == step_free]).update(
                    step_free=step_free
                )

    def first_directors(self):
        """The first credited director of each screened film, by film pk."""
        directors = {}
        for films in self.films_by_screening.values():
            for film in films:
                if film.key in self.credited:
                    directors[film.pk] = self.credited[film.key]["director"][0].pk
                elif film.pk not in directors:  # The example film, imported with its credits.
                    credit = Credit.objects.filter(film=film, role="director").order_by("order", "pk").first()
                    directors[film.pk] = credit.person_id if credit else None
        return {film: person for film, person in directors.items() if person is not None}

    def guests_and_access(self):
        """Directors at the screenings with a Q&A or an introduction, one of them booked into two places at once
        (a planning warning to find on the board), and access markers on some public screenings (set on the
        screenings before they are inserted); the guests are returned as (screening, fields) to insert after.

        Drawn from a random generator of their own, so that the rest of the demo stays as it was."""
        suffix = f"-{self.years}-years-before" if self.years else ""
        rng = random.Random(f"{self.seed}-guests{suffix}")  # noqa: S311  (reproducible demo data, not secrets)
        directors = self.first_directors()
        guests = []
        hosted = []
        for screening in self.screenings:
            note = screening.demo_note
            director = directors.get(self.films_by_screening[screening.key][0].pk)
            if note in ("qa", "intro") and director and screening.status != "cancelled":
                guests.append((screening, {"person_id": director, "intro": note == "intro", "qa": note == "qa"}))
                hosted.append((screening, director))
            if screening.audience == "public" and screening.status != "cancelled":
                screening.audio_description = rng.random() < 0.08
                screening.captions = rng.random() < 0.1
                screening.sign_language = rng.random() < 0.03
                screening.relaxed = rng.random() < 0.04
        # The deliberate double booking: a director with a Q&A also introduces a film elsewhere at the same time.
        booked = {(screening.key, director) for screening, director in hosted}
        for screening, director in sorted(hosted, key=lambda pair: pair[0].key):
            other = next(
                (
                    candidate
                    for candidate in self.screenings
                    if candidate.screen is not None
                    and screening.screen is not None
                    and candidate.screen.venue_id != screening.screen.venue_id
                    and candidate.status != "cancelled"
                    and candidate.audience == "public"
                    and candidate.starts_at < screening.ends_at
                    and screening.starts_at < candidate.ends_at
                    and (candidate.key, director) not in booked
                ),
                None,
            )
            if other is not None:
                guests.append((other, {"person_id": director, "intro": True}))
                break
        if self.current:
            for screen in self.screens:
                screen.step_free = rng.random() < 0.85
        return guests

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
        screening = Screening(
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
            ticket_url=tickets_url(self.edition.key) + key if request.audience in ("public", "online") else "",
            available_from=available_from,
            available_until=available_until,
            online_countries=countries,
            published=published,
            **translated("note", words.NOTES[note] if note else {}),
        )
        screening.demo_note = note  # For its guests (make_guests_and_access).
        return screening

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
