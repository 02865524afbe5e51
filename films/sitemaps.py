"""The sitemap: an index (``/sitemap.xml``) of parts (``/sitemap-<part>.xml``) that list every public page in
every site language, each with its hreflang alternates.

Parts, in the order the index lists them:

- ``static``: the home page and the archive of editions;
- per published edition, newest first, ``<edition>-programme`` (its programme, awards page, changes page and
  sections) and ``<edition>-films`` (the films it shows that no newer edition shows too: a film shown in
  several editions is listed once, with the newest of them);
- ``films``: published films that no published edition shows (in no section, no screening);
- ``people`` (credited on a published film), ``venues`` (with a published screening) and ``awards`` (each
  award's page across editions, once one of its results is public).

An empty part is left out of the index and its address answers 404.

Django's sitemap framework writes one ``<url>`` per page and language (``i18n``), lists the page's languages as
``<xhtml:link rel="alternate" hreflang>`` (``alternates``) and the default language's page as ``x-default``.
It cuts a part into pages of ``limit`` ``<url>`` entries (``?p=2``...; it pairs each item with each language
before paginating, so ``limit`` counts entries, not the site's pages) and the index lists every page of every
part.
Drafts never appear: every item list starts from the models' ``published()`` querysets (or their conditions, where
a film's own publication is checked once, by the query around), award pages from public (announced) results.

Speed: a part's page makes two queries (the published editions, then its items: keys only; the people's page three:
the editions, whether there is anyone, then only the page's own, in SQL, never counting them), the index nine, however
many items and editions (it reads the whole archive at once and decides in Python which edition lists each
film, by the rule of the films parts' own query; it counts the people without listing them); each a module-level
``films.queries.PageQuery``. An edition's films part reads that edition's films and checks each against
the newer editions (``not_shown_in``: anti-joins, film by film, not a pass over the archive). Each page's URL in
each language is made once, from one ``reverse()`` per route and language (``Locations``), and escaped once; a
page's ``<xhtml:link>`` alternates are written once for its entries (``Alternates``), and only the entries of the
page asked for are paired with their languages (``Entries``); a page holds at most ``URLS_PER_PAGE`` entries.

``lastmod``: the index says when each part last changed (``Part.get_latest_lastmod``; the ``<url>`` entries
carry none), read from the clock versions of the records its pages show (every save raises a record's
``version``, ``films.models.versioned.saved_at``) and the moments award results became public. People and
venues carry no version: their parts go by the films and editions they appear in. A record that leaves a part
(unpublished, deleted) moves no version left in it.
"""

import datetime
import functools
import re
from collections.abc import Sequence

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, F, Func, OuterRef, Q, Subquery
from django.http import Http404
from django.template.loader import get_template
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.views.decorators.http import require_safe

from .models import AwardResult, Credit, Edition, Film, Person, Screening, ScreeningFilm, Section, Selection, Venue
from .models.award import Award
from .models.festival import announcement_time
from .models.versioned import saved_at
from .public import language_codes, lean
from .queries import PageQuery, UrlPattern

# The most <url> entries (site pages × languages) on one page of a part. The protocol allows 50,000 and 50 MB; a
# smaller page keeps each answer quick (rendering costs about 0.06 ms an entry; an entry is under 1 KB).
URLS_PER_PAGE = 1_000

# The public routes the sitemap lists, with the names of their URL arguments, in order.
ROUTES = {
    "home": (),
    "editions": (),
    "programme": ("edition",),
    "awards": ("edition",),
    "changes": ("edition",),
    "section": ("edition", "section"),
    "film": ("film",),
    "person": ("person",),
    "venue": ("venue",),
    "award": ("award",),
}

# What ``<slug:...>`` matches (Django's slug converter). reverse() quotes none of these characters, so for such
# keys the URL is the reversed pattern with the key put in; any other key goes to reverse() itself.
PLAIN_KEY = re.compile(r"[-a-zA-Z0-9_]+")


class Locations:
    """The URL of a public page from its route and keys in a language, exactly as ``reverse()`` gives it.

    Each route is reversed once per language (``films.queries.UrlPattern``) and the keys are put in; a key that
    is not a plain slug is reversed in full, so the result is always ``reverse()``'s (held to it by
    ``tests/test_sitemap.py``, unusual keys included). One per request: the patterns include the script prefix.
    """

    def __init__(self):
        self.patterns = {}

    def __call__(self, language, route, *keys):
        pattern = self.patterns.get((language, route))
        if pattern is None:
            with translation.override(language):
                pattern = self.patterns[language, route] = UrlPattern(route, **dict.fromkeys(ROUTES[route]))
        for key in keys:
            if not PLAIN_KEY.fullmatch(key):
                with translation.override(language):
                    return reverse(route, kwargs=dict(zip(ROUTES[route], keys, strict=True)))
        return pattern(*keys)


# Queries -----------------------------------------------------------------------------------------------

# A placeholder for the current moment in prepared queries (``PageQuery`` puts the real one in its place).
NOW = datetime.datetime(1901, 3, 4, 5, 6, 7, 89, tzinfo=datetime.UTC)


def public_in(edition):
    """``(selections, screenings)``: the public selections and screenings of ``edition`` (an id), what makes a film
    shown in it."""
    selections = lean(Selection.objects.published()).filter(section__edition=edition).order_by()
    screenings = lean(Screening.objects.published()).filter(edition=edition).order_by()
    return selections, screenings


def shown_in(edition):
    """The ids of the films with a public selection or a public screening in ``edition`` (an id), as a subquery: the
    union of that edition's selected and screened films, which the database reads through the edition's own
    sections and screenings."""
    selections, screenings = public_in(edition)
    screened = ScreeningFilm.objects.filter(screening__in=screenings.values("pk"))
    return selections.values("film").union(screened.order_by().values("film"))


def films_shown_in(edition):
    """``(key, version)`` of the published films ``edition`` (an id) shows, by key: ``shown_in`` read as joins from
    the edition's own selections and screenings to their films. ``pk__in=shown_in(...)`` would have the database
    hash every film of the archive to match a few hundred ids (at 20 editions, twice as long)."""
    selections, screenings = public_in(edition)
    # (A public screening's films are all published: the filter makes the join an inner one.)
    screened = screenings.filter(screening_films__film__published=True)
    return (
        selections.values_list("film__key", "film__version")
        .union(screened.values_list("screening_films__film__key", "screening_films__film__version"))
        .order_by("film__key")
    )


def not_shown_in(editions):
    """Filters for films with no public selection and no public screening in ``editions`` (a queryset of published
    editions), for published films.

    Two ``NOT EXISTS``, which the database turns into two anti-joins: for a few films, film by film through each
    film's own selections and screenings. Their disjunction, ``NOT (EXISTS ... OR EXISTS ...)``, cannot become a join:
    PostgreSQL then filters every film of the archive through both subqueries, and at 20 editions it estimates that
    plan so dear that it compiles it to machine code (JIT) on every request: more than a second.
    """
    film, editions = OuterRef("pk"), editions.values("pk")
    # (The film's own publication is the outer query's, the editions' their queryset's.)
    selections = Selection.objects.filter(film=film, section__published=True, section__edition__in=editions)
    screenings = lean(Screening.objects.published()).filter(screening_films__film=film, edition__in=editions)
    return ~Exists(selections), ~Exists(screenings)


def newer_editions(edition):
    """The published editions before ``edition`` (an id) in the order newest first (first day, then key)."""
    this = Edition.objects.filter(pk=edition)
    start, key = Subquery(this.values("start_date")), Subquery(this.values("key"))
    return Edition.objects.filter(Q(start_date__gt=start) | Q(start_date=start, key__lt=key), published=True)


def highest_version(queryset):
    """A subquery: the highest ``version`` in ``queryset``."""
    return Subquery(queryset.order_by("-version").values("version")[:1])


_editions = PageQuery(
    lambda: (
        lean(Edition.objects.filter(published=True)).order_by("-start_date", "key").values_list("id", "key", "version")
    )
)
_sections = PageQuery(
    lambda edition: (
        lean(Section.objects.filter(edition=edition, published=True)).order_by("order", "key").values_list("key")
    ),
)
# The films an edition lists: those it shows that no newer edition shows. The newest edition has no newer one to
# look at (the part knows from the editions it read first).
_newest_edition_films = PageQuery(films_shown_in)
_edition_films = PageQuery(
    lambda edition: (
        lean(Film.objects.published())
        .filter(pk__in=shown_in(edition))
        .filter(*not_shown_in(newer_editions(edition)))
        .order_by("key")
        .values_list("key", "version")
    ),
)
_unshown_films = PageQuery(
    lambda: (
        lean(Film.objects.published())
        .filter(*not_shown_in(Edition.objects.filter(published=True)))
        .order_by("key")
        .values_list("key", "version")
    )
)


def credited_people():
    """People credited on at least one published film."""
    return lean(Person.objects.filter(Exists(Credit.objects.filter(person=OuterRef("pk"), film__published=True))))


_people = PageQuery(lambda: credited_people().order_by("key").values_list("key"))
# One page's (a part page shows some 200 of them), in the same order.
_people_page = PageQuery(lambda start, stop: credited_people().order_by("key").values_list("key")[start:stop])
# How many (the index counts them): one row, as Django's documentation counts in a subquery (a Func, not an
# aggregate, so that nothing is grouped).
_people_count = PageQuery(
    lambda: credited_people().order_by().annotate(count=Func(F("pk"), function="COUNT")).values_list("count")
)
_venues = PageQuery(
    lambda: (
        lean(Venue.objects.filter(Exists(lean(Screening.objects.published()).filter(screen__venue=OuterRef("pk")))))
        .order_by("key")
        .values_list("key")
    )
)
_awards = PageQuery(
    lambda now: (
        lean(AwardResult.objects.public(now))
        .filter(award__section__published=True)
        .order_by("award__key")
        .values_list("award__key")
        .distinct()
    ),
)
# For ``lastmod``: each published edition's version and the highest of its sections', screenings' and awards'.
_edition_versions = PageQuery(
    lambda: (
        lean(Edition.objects.filter(published=True))
        .annotate(
            sections_version=highest_version(Section.objects.filter(edition=OuterRef("pk"))),
            screenings_version=highest_version(Screening.objects.filter(edition=OuterRef("pk"))),
            awards_version=highest_version(Award.objects.filter(edition=OuterRef("pk"))),
        )
        .values_list("id", "version", "sections_version", "screenings_version", "awards_version")
    )
)
# ... and the published competitions with results, with what their announcement time depends on.
_competitions = PageQuery(
    lambda: (
        lean(Section.objects.published())
        .filter(pk__in=AwardResult.objects.values("award__section"))
        .values_list(
            "edition_id",
            "results_announced_at",
            "edition__results_announced_at",
            "edition__end_date",
            "edition__timezone",
        )
    )
)

# The index reads the whole archive at once (a constant number of queries however many editions): every published
# edition's sections, every published film, and where each is shown (as the parts' own queries decide, in Python).
_all_sections = PageQuery(
    lambda: lean(Section.objects.published()).order_by("edition_id", "order", "key").values_list("edition_id", "key")
)
# (In no particular order: the index counts them.)
_all_films = PageQuery(lambda: lean(Film.objects.published()).order_by().values_list("id", "key", "version"))
# Each (film, edition) with a public selection or screening of that film in that edition, once: the selections of
# published sections of published editions, whatever the film (the films not published are not in ``_all_films``,
# so nothing is decided for them), and the films of public screenings.
_shown_films = PageQuery(
    lambda: (
        lean(Selection.objects.filter(section__published=True, section__edition__published=True))
        .order_by()
        .values_list("film_id", "section__edition_id")
        .union(
            lean(Screening.objects.published())
            .filter(screening_films__isnull=False)
            .order_by()
            .values_list("screening_films__film_id", "edition_id")
        )
    )
)


def latest(versions, moments=()):
    """The latest of the times read from clock ``versions`` (ints or None) and the aware datetimes ``moments``,
    to the second; None when there is none."""
    # The clock only goes forward: the highest version is the latest save (read once, not once a version).
    highest = max(filter(None, versions), default=None)
    times = [moment for moment in (highest and saved_at(highest), *moments) if moment is not None]
    return max(times).replace(microsecond=0) if times else None


# Parts -------------------------------------------------------------------------------------------------


class Entries(Sequence):
    """A part's ``<url>`` entries as Django's sitemap pairs them to paginate: ``(item, language)`` for each item and
    each of the site's languages, in that order; each pair made only when a page asks for it (a page holds
    ``limit`` of them), and only the items of that page read (``window(start, stop)``: the items from ``start`` to
    ``stop``; the people of a large archive are some hundred thousand pairs). The index counts the pages of a
    part, it does not list it: ``count`` is the number of items."""

    def __init__(self, window, count, languages):
        self.window, self.count_, self.languages = window, count, languages

    def __len__(self):
        return self.count_ * len(self.languages)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return pairs(self.window, self.languages, range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        item, language = divmod(index, len(self.languages))
        return self.window(item, item + 1)[0], self.languages[language]


def pairs(window, languages, numbers):
    """The entries numbered ``numbers`` (a range), ``(item, language)``, with their items read at once from
    ``window``; those past the last item are left out."""
    if not numbers:
        return []
    first, last = numbers[0] // len(languages), numbers[-1] // len(languages)
    items = window(first, last + 1)
    return [
        (items[number // len(languages) - first], languages[number % len(languages)])
        for number in numbers
        if number // len(languages) - first < len(items)
    ]


class Alternates(list):
    """The ``alternates`` of one site page (Django's list of ``{"location", "lang_code"}``), which its ``<url>``
    entries (one a language) share, and their ``<xhtml:link>`` elements as ``templates/films/sitemap_alternates.xml``
    writes them (``xml``, for ``templates/films/sitemap.xml``): rendered once for the entries, not once an entry
    (that took most of a sitemap page's time)."""

    @functools.cached_property
    def xml(self):
        return get_template("films/sitemap_alternates.xml").render({"alternates": self})


class Archive:
    """What the parts of one request share: the published editions (newest first) and the URL builder.

    For the index (``whole``), also the items of every part read for the whole archive at once, the latest
    versions by edition and the announcement moments (for ``lastmod``), each read once.
    """

    def __init__(self, whole=False):
        self.now = timezone.now()
        self.locations = Locations()
        self.languages = language_codes()
        self.editions = _editions()
        self.whole = whole

    def parts(self):
        """Every part, by name, in the index's order (empty ones included)."""
        parts = {"static": StaticPart(self)}
        for edition_id, key, _version in self.editions:
            parts[f"{key}-programme"] = ProgrammePart(self, edition_id, key)
            parts[f"{key}-films"] = EditionFilmsPart(self, edition_id)
        parts.update(films=UnshownFilmsPart(self), people=PeoplePart(self), venues=VenuesPart(self))
        parts.update(awards=AwardsPart(self))
        return parts

    @functools.cached_property
    def edition_versions(self):
        """``{edition id: (its version, its sections', screenings' and awards' highest)}``."""
        return {row[0]: row[1:] for row in _edition_versions()}

    def all_edition_versions(self):
        return [version for versions in self.edition_versions.values() for version in versions]

    @functools.cached_property
    def announcements(self):
        """``{edition id: [the moments, up to now, at which its competitions' results became public]}``."""
        moments, editions = {}, {}
        for edition, own, edition_time, end, zone in _competitions():
            # (One model instance an edition, not one a competition: making one costs modeltranslation's work.)
            if edition not in editions:
                editions[edition] = Edition(results_announced_at=edition_time, end_date=end, timezone=zone)
            moment = announcement_time(own, editions[edition])
            if moment <= self.now:
                moments.setdefault(edition, []).append(moment)
        return moments

    @functools.cached_property
    def sections(self):
        """``{edition id: [its published sections' keys, in programme order]}``."""
        sections = {}
        for edition, key in _all_sections():
            sections.setdefault(edition, []).append(key)
        return sections

    @functools.cached_property
    def films(self):
        """``{edition id, or None for no edition: [(key, version) of the published films it lists]}``: each film
        with the newest edition that shows it (``_edition_films`` and ``_unshown_films`` for the whole archive; in
        no particular order)."""
        rank = {edition: number for number, (edition, _key, _version) in enumerate(self.editions)}
        newest = {}  # film id: the rank of the newest edition that shows it
        for film, edition in _shown_films():
            number = rank.get(edition)
            if number is not None and number < newest.get(film, len(rank)):
                newest[film] = number
        by_rank = [edition for edition, _key, _version in self.editions] + [None]
        films = {}
        for film, key, version in _all_films():
            films.setdefault(by_rank[newest.get(film, -1)], []).append((key, version))
        return films

    @functools.cached_property
    def people_count(self):
        ((count,),) = _people_count()
        return count

    def films_version(self):
        return max((version for films in self.films.values() for _key, version in films), default=None)


class Part(Sitemap):
    """One part of the sitemap. Items are ``(route, *keys)`` tuples, from one query (``query``)."""

    i18n = True
    alternates = True
    x_default = True
    limit = URLS_PER_PAGE
    route = None

    def __init__(self, archive):
        self.archive = archive
        self.item_list = None
        self.item_versions = []

    def query(self):
        """``(prepared query, *arguments)``: the query whose ``(key,)`` rows are this part's keys."""
        raise NotImplementedError

    def keys(self):
        """The items (one query)."""
        query, *arguments = self.query()
        return [(self.route, key) for (key,) in query(*arguments)]

    def whole_archive_keys(self):
        """The items as ``keys()`` lists them, from what the archive read at once for the index."""
        return self.keys()

    def items(self):
        # Django asks for the items more than once (each use of ``paginator``): read them once.
        if self.item_list is None:
            self.item_list = self.whole_archive_keys() if self.archive.whole else self.keys()
        return self.item_list

    def count(self):
        """How many items (for the index, with ``get_latest_lastmod()``, all it needs of a part)."""
        return len(self.items())

    def window(self, start, stop):
        """The items from ``start`` to ``stop`` (what one page of entries shows)."""
        return self.items()[start:stop]

    def keyed(self, rows):
        """Items from ``(key, version)`` rows; the versions are kept for ``versions()``."""
        route = self.route
        self.item_versions.extend(version for _key, version in rows)
        return [(route, key) for key, _version in rows]

    def get_languages_for_item(self, item):
        # Every page in every language; read the setting once a request.
        return self.archive.languages

    @property
    def paginator(self):
        """Django's paginator of the part's ``<url>`` entries (the index counts its pages), over ``Entries``: Django's
        own pairs every item with every language in a list, at each use."""
        return Paginator(Entries(self.window, self.count(), self.archive.languages), self.limit)

    def location(self, item):
        return self.archive.locations(translation.get_language(), *item)

    def get_urls(self, page=1, site=None, protocol=None):
        """The ``<url>`` entries of one page: what Django's ``Sitemap.get_urls`` makes of ``location()`` (held to it
        by ``tests/test_sitemap.py``), except that ``x-default`` is the default language's page, made without
        its per-entry work: each page's URL in each language is made (and escaped for the XML) once, not once
        per entry and alternate under ``translation.override``.

        Django strips the language prefix for ``x-default`` (right for ``prefix_default_language=False``);
        here every page has a prefix, so the unprefixed address would not exist.

        The entries of one page share its alternates (``Alternates``: the template writes them once a page, not
        once an entry).
        """
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        locate = self.archive.locations
        codes = {"x-default": escape("x-default")}
        urls = []
        alternates_of = {}
        by_language_of = {}
        for item, language in self.page_entries(page):
            alternates = alternates_of.get(item)
            if alternates is None:
                languages = self.get_languages_for_item(item)
                by_language = by_language_of[item] = {code: escape(base + locate(code, *item)) for code in languages}
                alternates = alternates_of[item] = Alternates(
                    {"location": location, "lang_code": codes.get(code) or codes.setdefault(code, escape(code))}
                    for code, location in by_language.items()
                )
                if settings.LANGUAGE_CODE in by_language:
                    default = by_language[settings.LANGUAGE_CODE]
                    alternates.append({"location": default, "lang_code": codes["x-default"]})
            urls.append(
                {
                    "item": (item, language),
                    "location": by_language_of[item][language],
                    "lastmod": None,
                    "changefreq": None,
                    "priority": "",
                    "alternates": alternates,
                }
            )
        return urls

    def page_entries(self, page):
        """The ``(item, language)`` entries of page number ``page`` (``limit`` a page, as ``paginator`` cuts them),
        read through ``window`` without counting the part; ``EmptyPage`` or ``PageNotAnInteger`` (Django's sitemap
        view answers 404) if there is no such page."""
        try:
            number = int(page)
        except (TypeError, ValueError):
            raise PageNotAnInteger(page) from None
        if number < 1:
            raise EmptyPage(page)
        start = (number - 1) * self.limit
        entries = pairs(self.window, self.archive.languages, range(start, start + self.limit))
        if not entries:
            raise EmptyPage(page)
        return entries

    def exists(self):
        """Whether the part has any item (the view answers 404 for an empty part)."""
        return bool(self.window(0, 1))

    def versions(self):
        """The clock versions (or None) of the records this part's pages show."""
        return []

    def moments(self):
        """Moments at which this part's pages changed without a save (award results becoming public)."""
        return []

    def get_latest_lastmod(self):
        """When this part's content last changed, as far as the records' clocks tell: the index's ``<lastmod>``."""
        return latest(self.versions(), self.moments())


class StaticPart(Part):
    """The home page and the archive of editions. Changed: an edition or anything in one saved."""

    def keys(self):
        return [("home",), ("editions",)]

    def versions(self):
        return self.archive.all_edition_versions()


class ProgrammePart(Part):
    """An edition's programme, awards page, changes page and sections.

    Changed: the edition, one of its sections, screenings or awards saved (drafts too: a withdrawal is a save),
    or one of its competitions' results announced.
    """

    def __init__(self, archive, edition, key):
        super().__init__(archive)
        self.edition, self.key = edition, key

    def keys(self, sections=None):
        key = self.key
        if sections is None:
            sections = [section for (section,) in _sections(self.edition)]
        return [("programme", key), ("awards", key), ("changes", key), *(("section", key, s) for s in sections)]

    def whole_archive_keys(self):
        return self.keys(self.archive.sections.get(self.edition, []))

    def versions(self):
        return self.archive.edition_versions.get(self.edition, ())

    def moments(self):
        return self.archive.announcements.get(self.edition, ())


class EditionFilmsPart(Part):
    """The published films an edition shows (in a section or a screening) that no newer edition shows.

    Changed: one of the films saved, or the edition or anything in it (its screenings show on film pages).
    """

    route = "film"

    def __init__(self, archive, edition):
        super().__init__(archive)
        self.edition = edition

    def keys(self):
        newest = self.archive.editions[0][0] == self.edition
        return self.keyed((_newest_edition_films if newest else _edition_films)(self.edition))

    def whole_archive_keys(self):
        return self.keyed(self.archive.films.get(self.edition, []))

    def versions(self):
        self.items()
        return [*self.item_versions, *self.archive.edition_versions.get(self.edition, ())]


class UnshownFilmsPart(Part):
    """Published films that no published edition shows (imported for the archive, say). Changed: one saved."""

    route = "film"

    def keys(self):
        return self.keyed(_unshown_films())

    def whole_archive_keys(self):
        return self.keyed(self.archive.films.get(None, []))

    def versions(self):
        self.items()
        return self.item_versions


class PeoplePart(Part):
    """People credited on at least one published film.

    Changed: a published film, or an edition or anything in one, saved (people carry no version of their own).
    """

    route = "person"

    def query(self):
        return (_people,)

    def count(self):
        if self.item_list is None:
            # Counted, not listed (17,801 people in 20 Berlinale-sized editions): the index needs only how many,
            # a page only its own (``window``).
            return self.archive.people_count
        return super().count()

    def window(self, start, stop):
        # Only the page's own (the count reads every credit of the archive; a page, some 200 people).
        if self.item_list is None:
            return [(self.route, key) for (key,) in _people_page(start, stop)]
        return super().window(start, stop)

    def versions(self):
        return [self.archive.films_version(), *self.archive.all_edition_versions()]


class VenuesPart(Part):
    """Venues with at least one published screening.

    Changed: an edition or anything in one (its screenings) saved (venues carry no version of their own).
    """

    route = "venue"

    def query(self):
        return (_venues,)

    def versions(self):
        return self.archive.all_edition_versions()


class AwardsPart(Part):
    """The page of each award across editions (by key), once any of its results is public (the embargo).

    Changed: an award, or an edition or anything in one, saved, or a competition's results announced.
    """

    route = "award"

    def query(self):
        return (_awards, self.archive.now)

    def versions(self):
        return self.archive.all_edition_versions()

    def moments(self):
        return [moment for moments in self.archive.announcements.values() for moment in moments]


# Views -------------------------------------------------------------------------------------------------


@require_safe
def index(request):
    """``/sitemap.xml``: the index of the parts (each page of each) with when each part last changed."""
    archive = Archive(whole=True)
    parts = archive.parts()
    return sitemap_views.index(
        request,
        sitemaps={name: found for name, found in parts.items() if found.count()},
        template_name="films/sitemap_index.xml",
        sitemap_url_name="sitemap-part",
    )


@require_safe
def part(request, section):
    """``/sitemap-<part>.xml`` (``?p=2``...): one page of one part; an unknown or empty part is 404."""
    found = Archive().parts().get(section)
    if found is None or not found.exists():
        raise Http404("No such sitemap.")
    return sitemap_views.sitemap(request, sitemaps={section: found}, section=section, template_name="films/sitemap.xml")


# Included at the site root by festival/urls.py: ``path("", include("films.sitemaps"))``.
urlpatterns = [
    path("sitemap.xml", index, name="sitemap"),
    path("sitemap-<slug:section>.xml", part, name="sitemap-part"),
]
