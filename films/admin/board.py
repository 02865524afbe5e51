"""The schedule board: one day of one edition, screens as columns and time as rows.

The board is a CSS grid rendered on the server. Row 1 holds the screens' names; after it, each grid row
is five minutes of the day (at most 288 rows). A screening is placed with classes from
``films/static/films/admin/board.css``: ``c-N`` (grid column N), ``r-N`` (starting grid row N) and
``span-N`` (N rows tall), so the page needs neither inline styles nor JavaScript.

Planning warnings (``films/warnings.py``: a guest in two places, one print in two screens, ...) mark their
blocks, which say why. A day's board also holds the screenings that began the day before and still hold
their screen (a late show running past midnight, or its changeover): drawn from the top of the day, and
checked for clashes.
"""

import datetime
import math
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from ..models import Edition, Screen, Screening
from ..plan import EditionPlan
from ..roles import may_change_structure
from ..warnings import by_screening, edition_warnings

ROW_MINUTES = 5
DAY_ROWS = 24 * 60 // ROW_MINUTES  # 288
FIRST_SLOT_ROW = 2  # Row 1 is the header.
MAX_COLUMNS = 100  # board.css defines c-1 … c-100.
MAX_LANES = 3  # Clashing screenings in one screen are offset in up to three lanes.
LAST_MOVE = "films-board-last-move"  # The session's record of the person's last move (films/admin/moves.py).


def board_url(edition, day=None, venue=None):
    query = {"edition": edition.key}
    if day:
        query["day"] = day.isoformat()
    if venue:
        query["venue"] = venue
    return f"{reverse('admin:films_screening_board')}?{urlencode(query)}"


def choose_edition(request, editions, notices):
    key = request.GET.get("edition")
    if key:
        for edition in editions:
            if edition.key == key:
                return edition
        notices.append(gettext("There is no edition with the key “%(key)s”.") % {"key": key})
    return editions[0] if editions else None


def choose_venue(request, venues, notices):
    """The venue ``?venue=`` names among the edition's, or None for all of them."""
    key = request.GET.get("venue")
    if not key:
        return None
    for venue in venues:
        if venue.key == key:
            return venue
    notices.append(gettext("No screening of this edition is at a venue with the key “%(key)s”.") % {"key": key[:100]})
    return None


def choose_day(request, edition, notices):
    days = list(edition.days())
    value = request.GET.get("day")
    if value:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            notices.append(gettext("“%(value)s” is not a day; give it as YYYY-MM-DD.") % {"value": value})
        else:
            if day in days:
                return day, days
            notices.append(
                gettext("%(edition)s runs from %(start)s to %(end)s; %(day)s is not one of its days.")
                % {"edition": edition, "start": days[0], "end": days[-1], "day": day}
            )
    today = timezone.localtime(timezone.now(), edition.tzinfo).date()
    return (today if today in days else days[0]), days


def wall_minutes(moment, day, tz):
    """Minutes from the start of ``day`` to ``moment`` by the clock on the wall in ``tz``."""
    local = timezone.localtime(moment, tz)
    return (local.date() - day).days * 24 * 60 + local.hour * 60 + local.minute


def mark_clashes(screenings):
    """Set ``clash_with`` (keys of the screenings it overlaps, changeover included) and ``lane`` on each of
    ``screenings``, in start order (``films.plan.EditionPlan``): an earlier one overlaps a later one when it still
    holds the screen as the later one starts."""
    by_screen = defaultdict(list)
    for screening in screenings:
        screening.clash_with = []
        screening.lane = 0
        if screening.screen_id and screening.status != Screening.Status.CANCELLED:
            by_screen[screening.screen_id].append(screening)
    for group in by_screen.values():
        for index, later in enumerate(group):
            for earlier in group[:index]:
                if later.starts_at < earlier.blocked_until:
                    earlier.clash_with.append(later.key)
                    later.clash_with.append(earlier.key)
                    later.lane = min(max(later.lane, earlier.lane + 1), MAX_LANES)


def build_grid(screenings, screens, day, tz):
    columns = [
        {"label": screen.name, "venue": screen.venue.name, "column": 2 + index, "screen": screen.pk}
        for index, screen in enumerate(screens)
    ]
    column_of = {screen.pk: 2 + index for index, screen in enumerate(screens)}
    if any(screening.screen_id is None for screening in screenings):
        columns.append({"label": gettext("Online"), "venue": "", "column": 2 + len(screens)})
    online_column = 2 + len(screens)
    if not screenings:
        return columns, [], [], 0  # pragma: no mutate - an empty day draws no grid to start anywhere
    times = [(wall_minutes(s.starts_at, day, tz), wall_minutes(s.blocked_until, day, tz)) for s in screenings]
    # A screening that began the evening before is drawn from the top of the day (00:00).
    window_start = max(0, min(start for start, _end in times) // 60 * 60)
    window_end = min(math.ceil(max(end for _start, end in times) / 60) * 60, window_start + 24 * 60)

    def clamp(minute):
        return min(max(minute, window_start), window_end)

    def row(minute):
        return FIRST_SLOT_ROW + (clamp(minute) - window_start) // ROW_MINUTES

    def span(start, end):
        return max(1, min(math.ceil((clamp(end) - clamp(start)) / ROW_MINUTES), DAY_ROWS))

    hours = []
    for minute in range(window_start, window_end, 60):
        hours.append({"label": f"{minute // 60 % 24:02d}:00", "row": row(minute), "span": min(12, DAY_ROWS)})
    blocks = []
    for screening, (start, blocked) in zip(screenings, times, strict=True):
        end = wall_minutes(screening.ends_at, day, tz)
        classes = ["screening", f"status-{screening.status}"]
        if start < 0:
            classes.append("continued")  # Began the day before.
        if screening.clash_with:
            classes += ["clash", f"lane-{screening.lane}"]
        if getattr(screening, "warnings", None):
            classes.append("warned")
        column = column_of.get(screening.screen_id, online_column)
        block = {
            "screening": screening,
            "url": reverse("admin:films_screening_change", args=[screening.pk]),
            "move_url": reverse("admin:films_screening_move", args=[screening.pk]),
            "classes": " ".join(classes),
            "column": min(column, MAX_COLUMNS),
            "row": row(start),
            "span": span(start, end),
            "starts": timezone.localtime(screening.starts_at, tz).strftime("%H:%M"),
            "ends": timezone.localtime(screening.ends_at, tz).strftime("%H:%M"),
            "films": screening.film_titles,
            "changeover": {"row": row(end), "span": span(end, blocked)} if blocked > end and end < window_end else None,
            "continued": start < 0,
        }
        blocks.append(block)
    return columns, hours, blocks, window_start


def last_move(request, edition):
    """The person's last move, if it can be undone on this edition's board: ``{"screening", "text"}``."""
    last = request.session.get(LAST_MOVE)
    if not last:
        return None
    screening = Screening.objects.filter(pk=last["screening"], edition=edition).only("key").first()
    return {"key": screening.key, "text": last["text"]} if screening else None


def board_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    notices = []
    editions = list(Edition.objects.order_by("-start_date", "key"))
    edition = choose_edition(request, editions, notices)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": gettext("Schedule board"),
        "editions": editions,
        "edition": edition,
        "notices": notices,
        "has_add_permission": model_admin.has_add_permission(request),
    }
    if edition is not None:
        day, days = choose_day(request, edition, notices)
        tz = edition.tzinfo
        day_start, day_end = edition.day_bounds(day)
        # The edition's plan, read once (films/plan.py): the day's screenings come from it, and the planning
        # warnings read all of it. The day's screenings, and those that began earlier and still hold their
        # screen (changeover included) when the day begins: drawn from the top, and checked for clashes.
        plan = EditionPlan.load(edition)
        items = [item for item in plan.items.values() if item.starts_at < day_end and item.blocked_until > day_start]
        screenings = [item.screening for item in items]
        for item in items:
            item.screening.film_titles = [film.display_title for film in item.films]
        screens = list(
            Screen.objects.filter(pk__in=Screening.objects.filter(edition=edition).values("screen_id")).select_related(
                "venue"
            )
        )
        # A festival with sixty screens plans one venue at a time: ``?venue=<key>`` narrows the board to its screens.
        venues = sorted({screen.venue.key: screen.venue for screen in screens}.values(), key=lambda venue: venue.name)
        venue = choose_venue(request, venues, notices)
        if venue is not None:
            screens = [screen for screen in screens if screen.venue_id == venue.pk]
            shown = {screen.pk for screen in screens}
            screenings = [screening for screening in screenings if screening.screen_id in shown]
        mark_clashes(screenings)
        warned = by_screening(edition_warnings(edition, plan))
        for screening in screenings:
            screening.warnings = warned.get(screening.pk, [])  # pragma: no mutate - None reads as none too
        columns, hours, blocks, window_start = build_grid(screenings, screens, day, tz)
        # (Only the results' models have a structure permission of their own: any other name reads alike.)
        moves_screenings = may_change_structure(request.user, "screening")  # pragma: no mutate
        index = days.index(day)
        venue_key = venue.key if venue is not None else None
        context.update(
            {
                "title": gettext("Schedule board: %(edition)s, %(day)s") % {"edition": edition, "day": day},
                "day": day,
                "days": [{"day": d, "url": board_url(edition, d, venue_key), "current": d == day} for d in days],
                "previous_url": board_url(edition, days[index - 1], venue_key) if index > 0 else None,
                "next_url": board_url(edition, days[index + 1], venue_key) if index + 1 < len(days) else None,
                "venues": venues,
                "venue": venue,
                "timezone_name": edition.timezone,
                "columns": columns,
                "hours": hours,
                "blocks": blocks,
                "clash_count": sum(1 for block in blocks if block["screening"].clash_with),
                "warning_count": sum(1 for block in blocks if block["screening"].warnings),
                # Where a dropped block lands: the first row's minute of the day, five minutes a row.
                "window_start": window_start,
                "row_minutes": ROW_MINUTES,
                "can_move": model_admin.has_change_permission(request) and moves_screenings,
                "last_move": last_move(request, edition),
            }
        )
    request.current_app = model_admin.admin_site.name  # pragma: no mutate - the one admin site reverses alike
    return TemplateResponse(request, "admin/films/screening/board.html", context)
