"""What changed in an edition's published programme: a page grouped by day, and the same as an Atom feed."""

from django.contrib.syndication.views import Feed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from ...changelog import ADDED, CANCELLED, FILM_ADDED, MOVED, edition_changes
from ...plan import place_of
from ...public import film_title, translated
from .common import public_page, published_edition

FEED_ITEMS = 50


def when(moment, edition):
    return timezone.localtime(moment, edition.tzinfo) if moment else None


def entry(change, edition):
    """A change as the page and the feed show it: what happened, to which films, when and where."""
    films = [film for film in change.films if film.published]
    return {
        "kind": change.kind,
        "uid": change.uid,
        "moment": when(change.moment, edition),
        "key": change.key,
        "films": [{"title": film_title(film), "url": reverse("film", args=[film.key])} for film in films],
        "section": translated(change.section, "name") if change.section else "",
        "starts_at": when(change.after.get("starts_at"), edition),
        "place": place_of(change.after.get("screen")) if change.after else "",
        "was_at": when(change.before.get("starts_at"), edition),
        "was_place": place_of(change.before.get("screen")) if change.before else "",
        "page": reverse("changes", args=[edition.key]),
    }


def summary(item):
    """The entry as one plain sentence (the feed's titles)."""
    titles = ", ".join(f"“{film['title']}”" for film in item["films"]) or item["key"]
    at = item["starts_at"].strftime("%Y-%m-%d %H:%M") if item["starts_at"] else ""
    if item["kind"] == MOVED:
        return gettext("Moved: %(films)s, from %(was_at)s, %(was_place)s to %(at)s, %(place)s") % {
            "films": titles,
            "was_at": item["was_at"].strftime("%Y-%m-%d %H:%M"),
            "was_place": item["was_place"],
            "at": at,
            "place": item["place"],
        }
    if item["kind"] == CANCELLED:
        return gettext("Cancelled: %(films)s, %(at)s, %(place)s") % {"films": titles, "at": at, "place": item["place"]}
    if item["kind"] == ADDED:
        return gettext("Added: %(films)s, %(at)s, %(place)s") % {"films": titles, "at": at, "place": item["place"]}
    if item["kind"] == FILM_ADDED:
        return gettext("Added to %(section)s: %(films)s") % {"section": item["section"], "films": titles}
    return gettext("Withdrawn from %(section)s: %(films)s") % {"section": item["section"], "films": titles}


def published_changes(edition, limit=None):
    """The entries of the edition's changes that name a published film (a draft never shows)."""
    items = [entry(change, edition) for change in edition_changes(edition, limit)]
    return [item for item in items if item["films"]]


@public_page
def changes(request, edition):
    edition = published_edition(edition)
    days = []
    for item in published_changes(edition):
        day = item["moment"].date()
        if not days or days[-1]["day"] != day:
            days.append({"day": day, "changes": []})
        days[-1]["changes"].append(item)
    return render(request, "films/changes.html", {"edition": edition, "nav_edition": edition, "days": days})


class ChangesFeed(Feed):
    """The edition's changes as Atom (``/<lang>/<edition>/changes.atom``): newest first, one entry a change."""

    feed_type = Atom1Feed

    def get_object(self, request, edition):
        return published_edition(edition)

    def title(self, edition):
        return gettext("Programme changes: %(edition)s") % {"edition": translated(edition, "name")}

    def link(self, edition):
        return reverse("changes", args=[edition.key])

    def subtitle(self, edition):
        return gettext("Screenings moved, cancelled or added, and films added to or withdrawn from sections.")

    def items(self, edition):
        return published_changes(edition, FEED_ITEMS)

    def item_title(self, item):
        return summary(item)

    def item_description(self, item):
        return summary(item)

    def item_link(self, item):
        return f"{item['page']}#{item['uid']}"

    def item_guid(self, item):
        return item["uid"]

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item["moment"]

    def item_updateddate(self, item):
        return item["moment"]
