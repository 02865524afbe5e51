"""Planning warnings: what a programmer may still decide to keep, but should know about. One module, the rules.

Unlike a clash in one screen (an error: ``Screening.clean`` refuses it), each warning names its reason and the
other screening, and the screening stays as it is. They show on the schedule board (marked blocks), on the
screening's form after saving, after a move on the board, and on the edition's readiness page.

- **guest**: a guest attends two screenings that overlap, or that leave less time between them than the
  travel between their venues (``TravelTime``, else ``settings.FESTIVAL_TRAVEL_MINUTES``);
- **print**: a film plays in more overlapping screenings than the festival has copies of it (``FilmCopy``;
  none recorded counts as one);
- **young**: a screening for a young audience (minimum age at or below ``FESTIVAL_YOUNG_AUDIENCE_AGE``) ends
  after ``FESTIVAL_YOUNG_AUDIENCE_ENDS_BY``, local time;
- **same-film**: a film plays twice in one section on one day;
- **competition**: a film in a competition has no screening before the competition's results are announced.

``edition_warnings`` reads the whole edition at once (``films/plan.py``: five queries, and the travel times
when a guest goes between venues), so a page that shows warnings keeps a constant number of queries.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from .models import TravelTime
from .models.festival import announcement_time
from .plan import EditionPlan


@dataclass(frozen=True)
class PlanningWarning:
    screening_id: int | None  # None: a film's warning with no screening to hang on (it has none).
    kind: str
    message: str
    other_id: int | None = None
    key: str = ""  # The screening's key, and its section, for pages that list warnings.
    section_id: int | None = None


def local(moment, tz):
    return timezone.localtime(moment, tz)


def when(item, tz):
    return f"{local(item.starts_at, tz):%Y-%m-%d %H:%M}–{local(item.ends_at, tz):%H:%M}"


def titles(item):
    return ", ".join(film.display_title for film in item.films) or "–"


def overlap(first, second):
    return first.starts_at < second.ends_at and second.starts_at < first.ends_at


def travel_times():
    return {
        frozenset((row["from_venue_id"], row["to_venue_id"])): row["minutes"]
        for row in TravelTime.objects.values("from_venue_id", "to_venue_id", "minutes")
    }


def guest_warnings(items, edition, tz):
    travel = None
    appearances = defaultdict(list)
    names = {}
    for item in items.values():
        for guest in item.guests:
            names[guest.person_id] = guest.person.name
            appearances[guest.person_id].append(item)
    for person, attended in appearances.items():
        attended.sort(key=lambda item: (item.starts_at, item.pk))
        for index, first in enumerate(attended):
            for second in attended[index + 1 :]:
                if first.venue_id is None or second.venue_id is None:
                    continue  # Online: no travel.
                gap = (second.starts_at - first.ends_at).total_seconds() / 60
                if first.venue_id == second.venue_id:
                    needed = 0
                else:
                    if travel is None:  # Read once, when a guest first goes from one venue to another.
                        travel = travel_times()
                    pair = frozenset((first.venue_id, second.venue_id))
                    needed = travel.get(pair, settings.FESTIVAL_TRAVEL_MINUTES)
                if gap >= needed:
                    continue
                for this, other in ((first, second), (second, first)):
                    if overlap(first, second):
                        reason = gettext("the two overlap")
                    else:
                        reason = gettext(
                            "that leaves %(gap)d minutes to travel between them, and the trip takes %(needed)d"
                        ) % {"gap": gap, "needed": needed}
                    yield PlanningWarning(
                        this.pk,
                        "guest",
                        gettext(
                            "Guest %(person)s also attends “%(other)s” (%(films)s) in %(place)s, %(when)s "
                            "(%(timezone)s): %(reason)s."
                        )
                        % {
                            "person": names[person],
                            "other": other.key,
                            "films": titles(other),
                            "place": other.place,
                            "when": when(other, tz),
                            "timezone": edition.timezone,
                            "reason": reason,
                        },
                        other.pk,
                    )


def print_warnings(items, edition, tz):
    by_film = defaultdict(list)
    films = {}
    for item in items.values():
        if item.venue_id is None:
            continue  # Online screenings stream a file, not a copy.
        for film in item.films:
            by_film[film.pk].append(item)
            films[film.pk] = film
    for film_id, playing in by_film.items():
        held = films[film_id].copies_held
        for item in playing:
            others = [other for other in playing if other.pk != item.pk and overlap(item, other)]
            if len(others) + 1 <= (held or 1):
                continue
            other = others[0]
            if held:
                have = ngettext(
                    "the festival has %(count)d copy of it", "the festival has %(count)d copies of it", held
                ) % {"count": held}
            else:
                have = gettext("no copy of it is recorded, so one is assumed")
            yield PlanningWarning(
                item.pk,
                "print",
                gettext(
                    "“%(film)s” plays at the same time in “%(other)s” in %(place)s, %(when)s (%(timezone)s), "
                    "and %(have)s."
                )
                % {
                    "film": films[film_id].display_title,
                    "other": other.key,
                    "place": other.place,
                    "when": when(other, tz),
                    "timezone": edition.timezone,
                    "have": have,
                },
                other.pk,
            )


def minimum_age(item):
    """The screening's own minimum age, else the highest of its films' (a film rated 14 makes it 14+)."""
    if item.minimum_age is not None:
        return item.minimum_age
    ages = [film.minimum_age for film in item.films if film.minimum_age is not None]
    return max(ages) if ages else None


def young_warnings(items, edition, tz):
    latest = datetime.time.fromisoformat(settings.FESTIVAL_YOUNG_AUDIENCE_ENDS_BY)
    for item in items.values():
        age = minimum_age(item)
        if age is None or age > settings.FESTIVAL_YOUNG_AUDIENCE_AGE:
            continue
        start, end = local(item.starts_at, tz), local(item.ends_at, tz)
        if end.date() == start.date() and end.time() <= latest:
            continue
        yield PlanningWarning(
            item.pk,
            "young",
            gettext(
                "This screening for ages %(age)d and up ends at %(end)s (%(timezone)s), after %(latest)s, "
                "the latest end for young audiences."
            )
            % {
                "age": age,
                "end": f"{end:%H:%M}",
                "timezone": edition.timezone,
                "latest": f"{latest:%H:%M}",
            },
        )


def same_film_warnings(items, edition, tz, sections):
    plays = defaultdict(list)
    for item in items.values():
        if item.section_id is None:
            continue
        for film in item.films:
            plays[item.section_id, film.pk, local(item.starts_at, tz).date()].append((item, film))
    for (section_id, _film, day), found in plays.items():
        for item, film in found:
            for other, _same in found:
                if other.pk == item.pk:
                    continue
                yield PlanningWarning(
                    item.pk,
                    "same-film",
                    gettext("“%(film)s” plays twice in %(section)s on %(day)s: also in “%(other)s”, %(when)s.")
                    % {
                        "film": film.display_title,
                        "section": sections[section_id],
                        "day": day.isoformat(),
                        "other": other.key,
                        "when": when(other, tz),
                    },
                    other.pk,
                )
                break


def competition_warnings(items, edition, tz, sections, selections):
    competitions = {pk: section for pk, section in sections.items() if section.competitive}
    if not competitions:
        return
    by_film = defaultdict(list)
    for item in items.values():
        for film in item.films:
            by_film[film.pk].append(item)
    for selection in selections:
        if selection.section_id not in competitions:
            continue
        section = competitions[selection.section_id]
        deadline = announcement_time(section.results_announced_at, edition)
        playing = by_film.get(selection.film_id, [])
        if any(item.starts_at < deadline for item in playing):
            continue
        message = gettext(
            "“%(film)s” competes in %(section)s, whose results are announced %(when)s (%(timezone)s), but none of "
            "its screenings is before then."
        ) % {
            "film": selection.film.display_title,
            "section": section,
            "when": f"{local(deadline, tz):%Y-%m-%d %H:%M}",
            "timezone": edition.timezone,
        }
        for item in playing or [None]:
            yield PlanningWarning(item.pk if item else None, "competition", message)


def edition_warnings(edition, plan=None):
    """Every planning warning of the edition (of ``plan``, when it is read already), in the rules' order."""
    plan = plan or EditionPlan.load(edition)
    tz = edition.tzinfo
    items = {item.pk: item for item in plan.scheduled()}
    found = [
        *guest_warnings(items, edition, tz),
        *print_warnings(items, edition, tz),
        *young_warnings(items, edition, tz),
        *same_film_warnings(items, edition, tz, plan.sections),
        *competition_warnings(items, edition, tz, plan.sections, plan.selections),
    ]
    return [
        replace(warning, key=items[warning.screening_id].key, section_id=items[warning.screening_id].section_id)
        if warning.screening_id
        else warning
        for warning in found
    ]


def by_screening(found):
    grouped = defaultdict(list)
    for warning in found:
        grouped[warning.screening_id].append(warning)
    return grouped


def screening_warnings(screening):
    """The warnings of one screening (after its form saved it, or a move on the board): the rules run over the
    part of the plan that can involve it (``EditionPlan.load(..., around=screening)``)."""
    edition = screening.edition
    plan = EditionPlan.load(edition, around=screening)
    return [warning for warning in edition_warnings(edition, plan) if warning.screening_id == screening.pk]
