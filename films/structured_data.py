"""schema.org structured data (JSON-LD) for film pages: the film as a ``Movie``, its screenings as events.

Search engines read it from ``<script type="application/ld+json">``. The film page passes what it has read for
itself: its published screenings only, so drafts never show up here either.
"""

import json

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .calendar import film_url
from .codes import country_name
from .models import Screening
from .public import film_title

SCHEMA = "https://schema.org"


def iso_duration(minutes):
    """``100`` → ``"PT100M"`` (ISO 8601 duration, as schema.org's ``duration`` expects)."""
    return f"PT{int(minutes)}M"


def alternate_names(film, name, other_titles):
    names = []
    for title in (film.original_title, film.original_title_latin, *(item.title for item in other_titles)):
        if title and title != name and title not in names:
            names.append(title)
    return names


def location_name(row):
    if row["online"]:
        return gettext("Online")
    venue, screen = row["venue"], row["screen"]
    return venue if screen == venue else f"{venue}, {screen}"


def place(row):
    if row["online"]:
        return {"@type": "VirtualLocation", "name": location_name(row)}
    address = {"@type": "PostalAddress"}
    if row["address"]:
        address["streetAddress"] = row["address"]
    if row["city"]:
        address["addressLocality"] = row["city"]
    location = {"@type": "Place", "name": location_name(row)}
    if len(address) > 1:
        location["address"] = address
    return location


def screening_event(row, movie_id):
    """A ``ScreeningEvent`` from one of ``film_jsonld``'s ``events``."""
    cancelled = row["status"] == Screening.Status.CANCELLED
    online = row["online"]
    event = {
        "@type": "ScreeningEvent",
        "name": row["summary"],
        "startDate": row["starts"].isoformat(),
        "endDate": row["ends"].isoformat(),
        "eventStatus": f"{SCHEMA}/{'EventCancelled' if cancelled else 'EventScheduled'}",
        "eventAttendanceMode": f"{SCHEMA}/{'OnlineEventAttendanceMode' if online else 'OfflineEventAttendanceMode'}",
        "location": place(row),
        "workPresented": {"@id": movie_id},
    }
    if row["subtitles"]:
        event["subtitleLanguage"] = list(row["subtitles"])
    if row["status"] == Screening.Status.SOLD_OUT:
        event["offers"] = {"@type": "Offer", "availability": f"{SCHEMA}/SoldOut"}
        if row["ticket_url"]:
            event["offers"]["url"] = row["ticket_url"]
    elif row["ticket_url"] and not cancelled:
        event["offers"] = {"@type": "Offer", "url": row["ticket_url"], "availability": f"{SCHEMA}/InStock"}
    return event


def film_jsonld(film, request, *, directors, other_titles, image_url, events, awards=()):
    """The film as a schema.org ``Movie`` and its published screenings as screening events, from what the film page
    has read already (no query of its own): ``directors`` (people), ``other_titles`` (further titles, with
    ``title``), ``image_url`` (the poster, relative or absolute; None for none), ``events`` (one dict a screening:
    ``summary``, ``starts`` and ``ends`` in the edition's zone, ``status``, ``venue``, ``screen``, ``address``,
    ``city``, ``online``, ``subtitles``, ``ticket_url``) and ``awards``, the film's public award results as text
    ("Best Film, IDFA 2023"): embargoed results must not be passed. Text is in the active language.
    """
    url = film_url(request, film)
    movie_id = f"{url}#film"
    name = str(film_title(film))
    movie = {"@type": "Movie", "@id": movie_id, "name": name, "url": url}
    alternates = alternate_names(film, name, other_titles)
    if alternates:
        movie["alternateName"] = alternates
    if film.year:
        movie["dateCreated"] = str(film.year)
    if film.runtime_minutes:
        movie["duration"] = iso_duration(film.runtime_minutes)
    if film.countries:
        movie["countryOfOrigin"] = [{"@type": "Country", "name": country_name(code)} for code in film.countries]
    if film.spoken_languages:
        movie["inLanguage"] = list(film.spoken_languages)
    if directors:
        movie["director"] = [
            {
                "@type": "Person",
                "name": person.name,
                "url": request.build_absolute_uri(reverse("person", kwargs={"person": person.key})),
            }
            for person in directors
        ]
    if film.form:
        movie["genre"] = str(film.get_form_display())
    if film.minimum_age is not None:
        movie["typicalAgeRange"] = f"{film.minimum_age}-"
    if image_url:
        movie["image"] = request.build_absolute_uri(image_url)
    synopsis = film.synopsis or film.tagline
    if synopsis:
        movie["description"] = synopsis
    if awards:
        movie["award"] = list(awards)
    return {"@context": SCHEMA, "@graph": [movie, *(screening_event(row, movie_id) for row in events)]}


def ld_json(data):
    """``data`` as JSON safe to put inside ``<script type="application/ld+json">`` (``<``, ``>``, ``&`` escaped)."""
    # The characters that could end the <script> element or start a comment or entity inside it, as Django's
    # json_script escapes them: "</script>" in a title stays text. Three replace() calls: str.translate() with
    # a dict looks up every character in Python (0.7 ms of a film page).
    return mark_safe(  # noqa: S308 - the three characters that matter inside <script> are escaped
        json.dumps(data, ensure_ascii=False).replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    )


def ld_json_script(data):
    return format_html('<script type="application/ld+json">{}</script>', ld_json(data))
