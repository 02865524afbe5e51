"""The public changelog of an edition: what changed in its published programme, read from the recorded history.

Never typed by hand: every entry comes from the versions django-reversion keeps of screenings and selections
(``films/history.py``), compared with the version before:

- a published screening **moved** (its start or its screen changed), or **cancelled**;
- a screening **added**: first published after the programme went public (after the edition's first published
  version, or, with no history of the edition, an hour after the first screenings were published);
- a film **added** to a published section (a selection made after the programme went public) or **withdrawn**
  from it (a selection that no longer exists).

Drafts never appear: a screening counts only in its published versions, in a published section of a published
edition; a screening's or selection's changes before the programme went public are its preparation, not news.

``recent_changes`` gives the programme and film pages their notes on screenings changed in the last 48 hours
("Moved from …", "Cancelled on …"): read from the same history, only for the screenings saved in that time (their
version, from the clock, says so without a query), in one query.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.db.models import IntegerField, JSONField, Min, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from reversion.models import Version

from .models import Film, Screen, Screening, ScreeningFilm, Section, Selection
from .models.versioned import saved_at

# Before this much time after the programme went public, a screening is part of its launch, not an addition.
LAUNCH_GRACE = datetime.timedelta(hours=1)
# How long a moved or cancelled screening carries a note saying so on the programme and film pages.
RECENT = datetime.timedelta(hours=48)
MOVED, CANCELLED, ADDED, FILM_ADDED, FILM_WITHDRAWN = "moved", "cancelled", "added", "film-added", "film-withdrawn"


@dataclass
class Change:
    moment: datetime.datetime  # When it was saved.
    kind: str
    uid: str  # Stable: the version it comes from.
    screening_id: int | None = None
    after: dict = field(default_factory=dict)  # {"starts_at", "screen"}: where the screening was put
    before: dict = field(default_factory=dict)  # the same, before a move
    section: Section | None = None
    film_id: int | None = None
    key: str = ""  # The screening's key
    films: list = field(default_factory=list)  # Film objects: the screening's, or the one added or withdrawn


def versions_of(model, ids):
    return (
        Version.objects.get_for_model(model)
        .filter(object_id__in=[str(pk) for pk in ids])
        .select_related("revision")
        .order_by("revision__date_created", "pk")
    )


def first_published(versions):
    for version in versions:
        if version.field_dict.get("published"):
            return version.revision.date_created
    return None


def edition_changes(edition, limit=None):
    """The edition's changes, newest first (at most ``limit``)."""
    sections = {section.pk: section for section in Section.objects.filter(edition=edition, published=True)}
    screenings = {
        screening.pk: screening
        for screening in Screening.objects.filter(edition=edition, section__in=list(sections)).select_related("section")
    }
    kept = versions_of(Screening, screenings)
    launch = first_published(Version.objects.get_for_object(edition).select_related("revision").order_by("pk"))
    if launch is None:  # No history of the edition: its screenings' first kept save.
        launch = kept.aggregate(first=Min("revision__date_created"))["first"]
    if launch is None:
        return []
    since = launch + LAUNCH_GRACE
    # Only the versions since the launch are news; each compared with the one before it, which may be older (the
    # last one kept before the launch): a screening unchanged since is not read at all.
    by_screening = {}
    for version in kept.filter(revision__date_created__gte=since):
        by_screening.setdefault(int(version.object_id), []).append(version)
    before = kept.filter(revision__date_created__lt=since, object_id__in=[str(pk) for pk in by_screening])
    for version in before:  # Oldest first: the last one before the launch stays in front.
        versions = by_screening[int(version.object_id)]
        if versions[0].revision.date_created >= since:
            versions.insert(0, version)
        elif version.revision.date_created >= versions[0].revision.date_created:
            versions[0] = version

    changes = []
    for pk, versions in by_screening.items():
        if not screenings[pk].published:
            continue  # A screening taken back to draft: none of its past shows.
        previous = None
        for version in versions:
            now = version.field_dict
            moment = version.revision.date_created
            if now.get("published") and moment >= since:
                kind = None
                if previous is None or not previous.get("published"):
                    kind = ADDED
                elif previous.get("status") != "cancelled" and now.get("status") == "cancelled":
                    kind = CANCELLED
                elif place(previous) != place(now):
                    kind = MOVED
                if kind:
                    change = Change(moment, kind, f"screening-{version.pk}", screening_id=pk, after=place(now))
                    if kind == MOVED:
                        change.before = place(previous)
                    changes.append(change)
            previous = now

    # Films added to or withdrawn from a published section, after the launch.
    current = set(Selection.objects.filter(section__in=list(sections)).values_list("pk", flat=True))
    recent = {}
    for version in (
        Version.objects.get_for_model(Selection)
        .filter(revision__date_created__gte=since)
        .select_related("revision")
        .order_by("revision__date_created", "pk")
    ):
        if version.field_dict.get("section_id") in sections:
            recent.setdefault(int(version.object_id), []).append(version)
    made_before = set(
        Version.objects.get_for_model(Selection)
        .filter(object_id__in=[str(pk) for pk in recent], revision__date_created__lt=since)
        .values_list("object_id", flat=True)
    )
    withdrawn = {}
    for pk, versions in recent.items():
        first, last = versions[0], versions[-1]
        section = sections[last.field_dict["section_id"]]
        if str(pk) not in made_before and (pk in current or len(versions) > 1):
            # Made after the launch (and, if gone since, kept before it went: its deletion or a later save).
            changes.append(
                Change(
                    first.revision.date_created,
                    FILM_ADDED,
                    f"selection-{first.pk}",
                    section=section,
                    film_id=first.field_dict["film_id"],
                )
            )
        if pk not in current:
            withdrawn[pk] = (last, section)
    if withdrawn:
        # A selection deleted in its film's form leaves no version of its own: it was withdrawn by the film's
        # first save after its last version (or by its own deletion, which the history keeps).
        film_saves = {}
        for version in versions_of(Film, {last.field_dict["film_id"] for last, _section in withdrawn.values()}):
            film_saves.setdefault(int(version.object_id), []).append(version.revision.date_created)
        for last, section in withdrawn.values():
            kept = last.revision.date_created
            later = [moment for moment in film_saves.get(last.field_dict["film_id"], []) if moment > kept]
            changes.append(
                Change(
                    min(later) if later else kept,
                    FILM_WITHDRAWN,
                    f"selection-{last.pk}",
                    section=section,
                    film_id=last.field_dict["film_id"],
                )
            )

    changes.sort(key=lambda change: (change.moment, change.uid), reverse=True)
    if limit is not None:
        changes = changes[:limit]
    describe(changes, screenings)
    return changes


def place(data):
    """Where and when a screening's version puts it."""
    return {"starts_at": data.get("starts_at"), "screen": data.get("screen_id")}


def describe(changes, screenings):
    """Give each change its screening (key and films as they now are), the screens it names, its section and
    film: a query for the screens, one for the films."""
    screens = Screen.objects.select_related("venue").in_bulk(
        {where["screen"] for change in changes for where in (change.after, change.before) if where.get("screen")}
    )
    films_of = {}
    rows = ScreeningFilm.objects.filter(
        screening__in={change.screening_id for change in changes if change.screening_id}
    )
    for row in rows.select_related("film").order_by("order", "pk"):
        films_of.setdefault(row.screening_id, []).append(row.film)
    films = Film.objects.in_bulk({change.film_id for change in changes if change.film_id})
    for change in changes:
        for where in (change.after, change.before):
            if where:
                where["screen"] = screens.get(where["screen"])
        if change.screening_id:
            screening = screenings[change.screening_id]
            change.key = screening.key
            change.section = screening.section
            change.films = films_of.get(screening.pk, [])
        elif change.film_id in films:
            change.films = [films[change.film_id]]


@dataclass
class RecentChange:
    """A published screening's change in the last ``RECENT``: ``kind`` is MOVED or CANCELLED; ``moment`` when it
    was saved; for a move, where it was before (``starts_at``, ``screen`` and ``venue`` names, ``online``)."""

    kind: str
    moment: datetime.datetime
    starts_at: datetime.datetime | None = None
    screen: str = ""
    venue: str = ""
    online: bool = False


def recent_changes(screenings, now=None):
    """``{screening id: RecentChange}`` for the published screenings among ``screenings`` that moved (a new start
    or screen) or were cancelled in the last ``RECENT``, compared with what they were before it.

    ``screenings`` are ``(id, version, starts_at, screen_id, status)`` as they now are. Only those saved within the
    window (their version says when) are looked up: most pages make no query; the others one, which reads those
    screenings' kept versions with the screen and venue each names.
    """
    now = now or timezone.now()
    since = now - RECENT
    current = {}
    for pk, version, starts_at, screen_id, status in screenings:
        moment = saved_at(version or 0)
        if moment is not None and since <= moment <= now:
            current[pk] = (starts_at, screen_id, status)
    if not current:
        return {}
    screen = Screen.objects.filter(pk=OuterRef("old_screen"))
    versions = (
        Version.objects.get_for_model(Screening)
        .filter(object_id__in=[str(pk) for pk in current])
        .alias(data=Cast("serialized_data", JSONField()))
        .annotate(old_screen=Cast(KT("data__0__fields__screen"), IntegerField()))
        .annotate(
            screen_name=Subquery(screen.values("name")[:1]), venue_name=Subquery(screen.values("venue__name")[:1])
        )
        .order_by("revision__date_created", "pk")
        .values_list("object_id", "revision__date_created", "serialized_data", "screen_name", "venue_name")
    )
    before, changed_at = {}, {}
    for object_id, moment, data, screen_name, venue_name in versions:
        pk = int(object_id)
        if moment < since:  # Oldest first: what it was when the window opened is the last of these.
            before[pk] = (data, screen_name, venue_name)
        else:
            changed_at[pk] = moment
    changes = {}
    for pk, moment in changed_at.items():
        if pk not in before:
            continue  # Made within the window: an addition, not a change.
        data, screen_name, venue_name = before[pk]
        fields = json.loads(data)[0]["fields"]
        if not fields.get("published"):
            continue  # Published within the window: its earlier places were a draft's.
        starts_at, screen_id, status = current[pk]
        if status == Screening.Status.CANCELLED:
            if fields.get("status") != Screening.Status.CANCELLED:
                changes[pk] = RecentChange(CANCELLED, moment)
            continue
        old_start = parse_moment(fields.get("starts_at"))
        if old_start != starts_at or fields.get("screen") != screen_id:
            changes[pk] = RecentChange(
                MOVED,
                moment,
                starts_at=old_start,
                screen=screen_name or "",
                venue=venue_name or "",
                online=fields.get("screen") is None,
            )
    return changes


def parse_moment(value):
    """A moment as Django's JSON serializer keeps it (ISO 8601, ``Z`` for UTC), or None."""
    if not value:
        return None
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
