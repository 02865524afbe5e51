"""Shared fixtures: a small published edition to build tests on, and tiny in-memory images."""

import datetime
import io
import os
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from films.models import Edition, Festival, Film, Screen, Screening, ScreeningFilm, Section, Venue

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# scripts/mutation runs the tests once per mutant, in a fresh pytest session each time; migrating a new test database
# for each took 2 of a mutant's 4-6 seconds. It migrates one SQLite file once, with the code as it is, and names it
# here: each session then works on a copy of it (see ``django_db_setup`` below).
DATABASE_TEMPLATE = os.environ.get("FESTIVAL_TEST_DATABASE_TEMPLATE")

if DATABASE_TEMPLATE:

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_blocker, tmp_path_factory):
        """The test database: a copy of ``DATABASE_TEMPLATE``, migrated without its staff roles and SQLite triggers,
        which the code under test (perhaps a mutant) then makes as the migrations do (``films.roles.sync_roles``,
        ``films.db.install_sqlite_triggers``)."""
        import shutil

        from django.db import connection
        from django.db.migrations.loader import MigrationLoader

        from films.db import install_sqlite_triggers
        from films.roles import sync_roles

        copy = tmp_path_factory.mktemp("database") / "test.sqlite3"
        shutil.copyfile(DATABASE_TEMPLATE, copy)
        with django_db_blocker.unblock():
            connection.close()
            connection.settings_dict["NAME"] = str(copy)
            sync_roles(MigrationLoader(None, ignore_no_migrations=True).project_state().apps)
            install_sqlite_triggers()
        yield
        with django_db_blocker.unblock():
            connection.close()

    def commits(item):
        """Whether a test commits, and so empties the database after it (the staff groups included)."""
        marker = item.get_closest_marker("django_db")
        transaction = marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
        return bool(transaction) or not {"transactional_db", "live_server"}.isdisjoint(item.fixturenames)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(config, items):
        """The tests in the order they are named, those that commit last: mutmut names a mutant's tests fastest first,
        so that a test that kills it usually runs within its first second. pytest-django would move every test
        without a database, the fastest and most precise, behind all the others with one."""
        order = {name: index for index, name in enumerate(config.args)}
        items.sort(key=lambda item: (commits(item), order.get(item.nodeid, len(order))))


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Django's password hasher takes 0.3 s a password by design, and a third of the tests make a staff user: the
    tests hash with MD5 (Django's advice for tests; the hasher is not what they check)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with the caches empty: what an earlier test left there (a page, a calendar event's bytes)
    would answer in place of the code under test."""
    from django.core.cache import cache

    from films.cache import local_pages
    from films.calendar import local_fragments

    cache.clear()
    local_pages.clear()
    local_fragments.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def festival(db):
    return Festival.objects.create(
        key="idfa", name="International Documentary Film Festival Amsterdam", short_name="IDFA"
    )


@pytest.fixture
def edition(festival):
    return Edition.objects.create(
        festival=festival,
        key="idfa-2023",
        year=2023,
        name="IDFA 2023",
        start_date=datetime.date(2023, 11, 8),
        end_date=datetime.date(2023, 11, 19),
        timezone="Europe/Amsterdam",
        published=True,
    )


@pytest.fixture
def next_edition(festival):
    """The festival's next edition, IDFA 2024: a draft, being prepared."""
    return Edition.objects.create(
        festival=festival,
        key="idfa-2024",
        year=2024,
        name="IDFA 2024",
        start_date=datetime.date(2024, 11, 14),
        end_date=datetime.date(2024, 11, 24),
        timezone="Europe/Amsterdam",
    )


@pytest.fixture
def section(edition):
    return Section.objects.create(edition=edition, key="best-of-fests", name="Best of Fests", published=True)


@pytest.fixture
def venue(db):
    return Venue.objects.create(key="example-cinema", name="Example Cinema")


@pytest.fixture
def screen(venue):
    return Screen.objects.create(venue=venue, key="example-cinema-1", name="Example Cinema 1", capacity=220)


@pytest.fixture
def film(db):
    return Film.objects.create(
        key="we-will-not-fade-away",
        title="We Will Not Fade Away",
        original_title="Ми не згаснемо",
        original_title_latin="My ne zgasnemo",
        year=2023,
        runtime_minutes=100,
        published=True,
    )


def local(year, month, day, hour, minute=0, tz=AMSTERDAM):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz)


@pytest.fixture
def make_screening(edition, section, screen, film):
    """Create a screening of ``film`` (100 minutes) starting at ``starts_at`` unless told otherwise (``films=[]``: a
    screening whose films are not named yet)."""

    def make(starts_at, *, key=None, minutes=100, films=None, **fields):
        fields.setdefault("screen", screen)
        fields.setdefault("section", section)
        fields.setdefault("published", True)
        screening = Screening(
            edition=fields.pop("edition", edition),
            key=key or f"s-{starts_at:%m%d%H%M}",
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=minutes),
            **fields,
        )
        screening.save()
        for order, item in enumerate([film] if films is None else films):
            ScreeningFilm.objects.create(screening=screening, film=item, order=order)
        return screening

    return make


def saved_days_ago(days=3):
    """Date every screening's last save ``days`` back: as a programme stands before the week it plays, with no
    move or cancellation in the last 48 hours to look up (``changelog.recent_changes``)."""
    import time

    Screening.objects.update(version=int((time.time() - days * 24 * 60 * 60) * 1_000_000))


# Django's engine writes a quote as &quot; and an apostrophe as &#x27;, Jinja2's (the programme's rows, see
# films/views/rows.py) as &#34; and &#39;: the same characters. Tests that compare escaped markup read both alike.
ENTITY_SPELLINGS = {"&#34;": "&quot;", "&#39;": "&#x27;"}


def one_spelling(html):
    """``html`` with every quote and apostrophe entity spelled as Django's engine spells it."""
    for other, django in ENTITY_SPELLINGS.items():
        html = html.replace(other, django)
    return html


def tiny_image(fmt="PNG", size=(8, 6), name=None, color=(200, 30, 30)):
    """An image file held in memory, as an upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    extension = {"JPEG": "jpg"}.get(fmt, fmt.lower())
    return SimpleUploadedFile(name or f"image.{extension}", buffer.getvalue(), content_type=f"image/{extension}")


@pytest.fixture
def catalogue_film(film, edition, section, make_screening):
    """The example film with what its catalogue entry has: titles, credits, companies, tags, history, a screening."""
    from films.models import (
        Company,
        CompanyCredit,
        Credit,
        FestivalHistoryAward,
        FestivalHistoryEntry,
        FilmographyEntry,
        FilmTitle,
        Person,
        PersonAlias,
        Selection,
        Tag,
    )

    film.title_uk = "Ми не згаснемо"
    film.countries = ["UA", "FR", "PL"]
    film.spoken_languages = ["uk"]
    film.form = "documentary"
    film.tagline = "Five teenagers on the front line dream of the Himalayas."
    film.synopsis = "In the Donbas, five teenagers prepare for an expedition."
    film.minimum_age = 12
    film.aspect_ratio = "1.85:1"
    film.picture_format = "DCP"
    film.colour = "colour"
    film.save()
    FilmTitle.objects.create(film=film, title="Expedition 49", language="en", order=0)
    FilmTitle.objects.create(film=film, title="Експедиція 49", language="uk", order=1)
    alisa = Person.objects.create(
        key="alisa-kovalenko",
        name="Alisa Kovalenko",
        born_year=1987,
        born_place="Zaporizhzhia, Ukraine",
        bio="Born in Zaporizhzhia.",
    )
    valery = Person.objects.create(key="valery-kalmykov", name="Valery Kalmykov")
    katarzyna = Person.objects.create(key="katarzyna-kuczynska", name="Katarzyna Kuczyńska")
    mariia = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    PersonAlias.objects.create(person=mariia, name="Maria Nesterenko")
    trueman = Company.objects.create(key="trueman-production", name="Trueman Production", country="UA")
    haka = Company.objects.create(key="haka-films", name="HAKA Films", country="PL")
    Credit.objects.create(film=film, role="producer", person=valery, company=trueman, order=0)
    Credit.objects.create(film=film, role="director", person=alisa, order=0)
    Credit.objects.create(film=film, role="editing", person=katarzyna, order=0)
    Credit.objects.create(film=film, role="sound", person=mariia, order=0)
    CompanyCredit.objects.create(film=film, role="co-production", company=haka, order=1)
    CompanyCredit.objects.create(film=film, role="production", company=trueman, order=0)
    FilmographyEntry.objects.create(
        person=alisa, year=2015, title="Alisa w krainie wojny", english_title="Alisa in Warland", order=0
    )
    FilmographyEntry.objects.create(
        person=alisa, year=2023, title="My ne zgasnemo", english_title="We Will Not Fade Away", film=film, order=1
    )
    tag = Tag.objects.create(key="war", name="War")
    film.tags.add(tag)
    Selection.objects.create(section=section, film=film, premiere="national", order=0)
    berlinale = Festival.objects.create(
        key="berlinale", name="Berlin International Film Festival", short_name="Berlinale"
    )
    entry = FestivalHistoryEntry.objects.create(
        film=film, festival=berlinale, year=2023, section="Generation 14plus", premiere="world", order=0
    )
    FestivalHistoryAward.objects.create(entry=entry, name="Special mention", recipient=alisa, order=0)
    # 19:15 in Amsterdam is 18:15 UTC in November.
    make_screening(local(2023, 11, 12, 19, 15), key="wwnfa-1", subtitles=["en"], ticket_url="https://tickets.example/1")
    return film


@pytest.fixture(autouse=True)
def _english_by_default():
    """Start every test in the default language: a request to /uk/... leaves Ukrainian active in the thread,
    and a model saved afterwards would put ``title`` in ``title_uk``."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


def announce(edition, moment=datetime.datetime(2023, 11, 18, 20, 0, tzinfo=datetime.UTC)):
    """Make the edition's award results public (they are embargoed until announced)."""
    edition.results_announced_at = moment
    edition.save()


# The browser (tests/test_browser.py and the browser tests of other features): Debian's Chromium through
# Playwright, never ``playwright install``; ``page`` at a phone and a desktop width.
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or scripts/setup --dev)")
    # Playwright's sync API keeps an event loop running in this thread; Django would then refuse the
    # test's own (synchronous) database work, which is safe here: the live server runs in its own thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def open_page(browser, live_server, viewport, **options):
    """A page of a new browser context at ``viewport`` (a name in VIEWPORTS, or ``{"width": …, "height": …}``),
    ``options`` passed to the context (``bypass_csp=True``, …); on leaving, no JavaScript error may have occurred."""
    size = VIEWPORTS[viewport] if isinstance(viewport, str) else viewport
    context = browser.new_context(viewport=size, base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def page(request, browser, live_server):
    yield from open_page(browser, live_server, request.param)
