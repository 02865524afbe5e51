"""The printed programme: an edition's published screenings as an A5 booklet in PDF (WeasyPrint).

``/<lang>/<edition>/programme.pdf`` with ``?day=YYYY-MM-DD`` or ``?section=<key>`` (or both; neither: the whole
edition). What is public is what the programme page shows: the rows come from ``screening_rows`` over
``Screening.objects.published()`` narrowed by ``filter_programme`` (published screenings in published sections;
a screening with a draft film is left out whole), plus one query for what a printed programme adds of each film
(original title, runtime) and one for its directors. No award results are printed, so their embargo holds.

The HTML comes from a template (``templates/films/programme_pdf.html``), the stylesheet from a static file
(``films/static/films/css/programme-pdf.css``). WeasyPrint fetches nothing from the network: its URL fetcher
serves our own static files and refuses everything else; the fonts are the system's (Debian's ``fonts-dejavu-core``
for Latin, Cyrillic and Greek, ``fonts-wqy-microhei`` for Chinese, Japanese and Korean), installed by scripts/setup.

WeasyPrint lays out and draws in Python, one to a few milliseconds per line of text (most of it per glyph): the
busiest day of a Berlinale-sized edition (97 screenings, 12 pages) takes about a second, the whole edition
(1,055 screenings, 109 pages) 10 to 15 seconds. The layout is kept plain (one block per line, no floats, flex
or tables, an inline element only to mark a fallback language); a built PDF is kept by the digest of what it prints
(``render_pdf``), so only a booklet whose content changed is built again, and it is served from the page cache
(``films/cache.py``) until the programme changes; ``films.views.programme_pdf`` redirects every other spelling
of a booklet's address to its one address, so that a query string cannot make it render again.
"""

import functools
import hashlib
import mimetypes
from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .access import guest_lines, marker_labels, wheelchair_text
from .models import Credit, Screening, ScreeningFilm, Selection
from .public import lean, title_reader, translated
from .queries import clock_text, day_text, film_columns, screening_rows, section_names
from .views.calendar import filter_programme

TEMPLATE = "films/programme_pdf.html"
STYLESHEET = "films/css/programme-pdf.css"
# The filters the printed programme takes from the query string (the programme page's own ``ProgrammeFilters``).
PDF_FILTERS = ("day", "section")
# The base URL the document is read against: not a real host. Only ``STATIC_URL`` paths under it are served
# (from our static files, by ``StaticFilesOnly``); anything else a document names is refused.
BASE_URL = "https://programme.invalid/"
CLOCK = "H:i"  # 24-hour times, whatever the language's TIME_FORMAT


class RefusedURL(ValueError):
    """A resource the printed programme may not fetch (anything that is not one of our static files)."""


def static_path(url):
    """The static file path (``films/css/x.css``) that ``url`` names under ``BASE_URL``, or None."""
    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        return None
    path = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
    if not path or ".." in path.split("/") or "\\" in path:
        return None
    return path


@functools.cache
def weasyprint():
    """WeasyPrint, imported on first use, here and nowhere else (``tests/test_code_rules.py``).

    Importing it turns on Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` for the whole process, so that a worker which
    had printed a booklet would then take a damaged image upload for a whole one (``films.images``): it is turned
    off again once WeasyPrint is loaded. (The booklet prints only our own static files, which are whole.)"""
    import weasyprint as module
    import weasyprint.urls  # The URL fetcher's module, loaded before the flag is reset.
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return module


@functools.cache
def url_fetcher():
    """WeasyPrint's URL fetcher for the programme: our static files, read from disk; nothing else, ever."""
    urls = weasyprint().urls

    class StaticFilesOnly(urls.URLFetcher):
        def fetch(self, url, headers=None):
            path = static_path(url)
            found = finders.find(path) if path else None
            if not found:
                raise RefusedURL(f"The printed programme fetches only its own static files, not {url[:200]}")
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return urls.URLFetcherResponse(url, Path(found).read_bytes(), headers={"Content-Type": content_type})

    return StaticFilesOnly()


@functools.cache
def stylesheet():
    """The print stylesheet, parsed once per process."""
    path = finders.find(STYLESHEET)
    return weasyprint().CSS(string=Path(path).read_text(encoding="utf-8"), base_url=BASE_URL, url_fetcher=url_fetcher())


# Built booklets, kept by what they print: the key is a digest of the document's HTML, its stylesheet and
# WeasyPrint's version, so a booklet is built again only when what it prints changes (a move on another day, a
# screening starting, any save elsewhere on the site leave it alone). Bump the number if ``render_pdf`` changes.
PDF_PREFIX = "festival:pdf:1:"
PDF_SECONDS = 7 * 24 * 60 * 60


def pdf_key(html):
    digest = hashlib.blake2b(digest_size=20)
    for part in (weasyprint().__version__, Path(finders.find(STYLESHEET)).read_text(encoding="utf-8"), html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return PDF_PREFIX + digest.hexdigest()


def render_pdf(html):
    """``html`` (the programme's document) as PDF bytes: from the cache when the same document was built before."""
    key = pdf_key(html)
    built = cache.get(key)
    if built is None:
        document = weasyprint().HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher())
        built = document.write_pdf(stylesheets=[stylesheet()])
        cache.set(key, built, PDF_SECONDS)
    return built


# What is printed ---------------------------------------------------------------------------------------------


def runtime_text(minutes):
    return ngettext("%(minutes)s min", "%(minutes)s min", minutes) % {"minutes": minutes}


def directors_text(names):
    return ngettext("Director: %(names)s", "Directors: %(names)s", len(names)) % {"names": ", ".join(names)}


def printed_films(screening_ids, section_of):
    """``{screening id: [film, ...]}`` in running order: each film's display title (a ``Text``) and a line of
    what else the programme prints of it (original title, directors, runtime, premiere): two queries.

    ``section_of`` is ``{screening id: section id}``; the premiere is the film's selection in that section.
    """
    if not screening_ids:
        return {}
    film_rows = (
        lean(ScreeningFilm.objects.filter(screening_id__in=screening_ids))
        .order_by("screening_id", "order", "id")
        .values_list(*film_columns(), "film_id", "film__runtime_minutes")
    )
    titles = title_reader()
    premieres = {value: str(label) for value, label in Selection.Premiere.choices}
    films = {}
    seen = {}
    for item_id, screening_id, _published, *values, selection_section, premiere, film_id, runtime in film_rows:
        if item_id not in seen:
            # values: the title columns, then original_title_latin, original_title, key (see title_columns()).
            seen[item_id] = {
                "film_id": film_id,
                "title": titles(values),
                "original": values[-2] or "",
                "runtime": runtime,
                "premiere": "",
            }
            films.setdefault(screening_id, []).append(seen[item_id])
        if premiere and selection_section is not None and selection_section == section_of.get(screening_id):
            seen[item_id]["premiere"] = premieres.get(premiere, "")
    directors = {}
    credits = (
        Credit.objects.filter(film_id__in={film["film_id"] for film in seen.values()}, role=Credit.Role.DIRECTOR)
        .order_by("film_id", "order", "id")
        .values_list("film_id", "person__name")
    )
    for film_id, name in credits:
        directors.setdefault(film_id, []).append(name)
    for film in seen.values():
        parts = []
        if film["original"] and film["original"] != film["title"].text:
            parts.append(film["original"])
        names = directors.get(film["film_id"])
        if names:
            parts.append(directors_text(names))
        if film["runtime"]:
            parts.append(runtime_text(film["runtime"]))
        if film["premiere"]:
            parts.append(film["premiere"])
        film["about"] = " · ".join(parts)
    return films


def place_text(row):
    """Where a row's screening is: "Venue, Screen", the screen alone when its name starts with the venue's
    ("Delphi Lux 1"), "Online" without a screen."""
    if not row["venue"]:
        return _("Online")
    if row["screen"].startswith(row["venue"]):
        return row["screen"]
    return f"{row['venue']}, {row['screen']}" if row["screen"] else row["venue"]


def printed_rows(screenings, edition, sections):
    """The programme's rows (``screening_rows``) of ``screenings``, with what the printed programme adds:
    ``when`` (24-hour start–end in the edition's time zone, and the place), ``printed_films`` and ``notes``
    (audience, subtitles, access markers, guests) as plain text; the template escapes it."""
    rows = screening_rows(screenings, edition, sections)
    section_of = {row["id"]: row["section"]["id"] if row["section"] else None for row in rows}
    films = printed_films(list(section_of), section_of)
    language = translation.get_language()
    subtitles_label = _("Subtitles:")
    labels = marker_labels()  # as access.access_texts() gives them, translated once for all rows
    for row in rows:
        starts, ends = row["starts_at"], row["ends_at"]
        start = clock_text(language, CLOCK, starts.hour, starts.minute)
        end = clock_text(language, CLOCK, ends.hour, ends.minute)
        row["when"] = f"{start}–{end} · {place_text(row)}"
        row["printed_films"] = films.get(row["id"], [])
        notes = []
        if row["audience_label"] and (row["venue"] or row["audience"] != Screening.Audience.ONLINE):
            notes.append(row["audience_label"])  # not "Online" twice
        if row["subtitles"]:
            notes.append(f"{subtitles_label} {row['subtitles']}")
        notes.extend(labels[code] for code in row["access"])
        if row["wheelchair_spaces"]:
            notes.append(wheelchair_text(row["wheelchair_spaces"]))
        notes.extend(guest_lines(row["guests"]))
        row["notes"] = " · ".join(notes)
    return rows


def day_heading(day):
    language = translation.get_language()
    return _("%(weekday)s, %(date)s") % {
        "weekday": day_text(language, "l", day),
        "date": date_format(day, "DATE_FORMAT"),
    }


def programme_document(edition, chosen):
    """The template's context: the edition, what the booklet covers, and its days with their rows.

    ``chosen`` holds the cleaned ``day`` and ``section`` (either may be missing); ``edition`` comes with its
    festival (``select_related``).
    """
    sections = section_names(edition)
    screenings = filter_programme(Screening.objects.published().filter(edition=edition), edition, chosen)
    rows = printed_rows(screenings.order_by("starts_at", "id"), edition, sections)
    days = [
        {"date": day, "heading": day_heading(day), "rows": list(group)}
        for day, group in groupby(rows, key=lambda row: row["starts_at"].date())
    ]
    section = next((item for item in sections.values() if item["key"] == chosen.get("section")), None)
    return {
        "edition": edition,
        "edition_name": translated(edition, "name"),
        "festival_name": translated(edition.festival, "name"),
        "section": section,
        "day_heading": day_heading(chosen["day"]) if chosen.get("day") else "",
        "dates": f"{date_format(edition.start_date, 'DATE_FORMAT')} – {date_format(edition.end_date, 'DATE_FORMAT')}",
        "days": days,
    }


def programme_html(edition, chosen):
    """The HTML WeasyPrint makes the PDF from (a string): the template rendered in the active language."""
    return render_to_string(TEMPLATE, programme_document(edition, chosen))


def pdf_filename(edition, chosen):
    """``<edition>-<section>-<day>.pdf`` with the parts chosen; ``<edition>-programme.pdf`` for the whole edition.

    Keys are ``[a-z0-9-]`` and the day is ISO, so the name needs no quoting.
    """
    parts = [edition.key]
    if chosen.get("section"):
        parts.append(chosen["section"])
    if chosen.get("day"):
        parts.append(chosen["day"].isoformat())
    if len(parts) == 1:
        parts.append("programme")
    return "-".join(parts) + ".pdf"
