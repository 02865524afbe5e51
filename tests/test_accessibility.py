"""Every public page type passes axe-core (WCAG 2.0, 2.1 and 2.2, A and AA, and axe's best practices) at a phone and
a desktop width, in headless Chromium (Debian's, via Playwright; issue #12).

The data is the small demo with an earlier edition, built once for this module from a fixed first day (so its
results are announced and its pages do not depend on the day the tests run) and removed after it; the pages are
served by a live server of the module's own (pytest-django's ``live_server`` would empty the database after each
test). axe-core comes from node_modules (``scripts/setup --dev`` installs it with npm from package-lock.json) and is
put into each page with ``page.add_script_tag``; the site's Content Security Policy allows no inline script, so the
browser context bypasses it (``bypass_csp``: the pages themselves run no inline script).

Without axe-core the module is skipped, except under CI (``CI`` set), where it is required: its tests fail.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test.utils import modify_settings, override_settings

from tests.conftest import open_page

# django_db: pytest-django sets up the test database only for tests that ask for it (each of these tests runs in a
# transaction of its own too, rolled back after it; the module's data is committed before).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
UNDER_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
if not AXE.is_file() and not UNDER_CI:
    pytest.skip(
        f"axe-core is not installed ({AXE.relative_to(AXE.parents[2])}): scripts/setup --dev installs it",
        allow_module_level=True,
    )

# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
START = "2026-02-12"  # The demo's first day: its results are announced, its images drawn.
EXAMPLE = "we-will-not-fade-away"
# Each public page type: its name, and its address in the demo (``demo`` below fills the keys in).
PAGES = {
    "home": "/en/",
    "editions": "/en/editions/",
    "programme": "/en/{edition}/programme/",
    "programme-grid": "/en/{edition}/programme/?view=grid",
    "section": "/en/{edition}/sections/{section}/",
    "film": "/en/films/{film}/",
    "film-uk": "/uk/films/{film}/",
    "film-example": f"/en/films/{EXAMPLE}/",
    "film-example-pl": f"/pl/films/{EXAMPLE}/",
    "person": "/en/people/{person}/",
    "venue": "/en/venues/{venue}/",
    "search": "/en/search/?q={query}",
    "awards": "/en/{edition}/awards/",
    "award": "/en/awards/{award}/",
    "changes": "/en/{edition}/changes/",
    "my-programme": "/en/my-programme/?edition={edition}&s={screenings}",
    "embed": "/en/{edition}/embed/programme/",
    "not-found": "/en/no-such-page/",
}

# axe's results, kept small: each violation's rule, impact, help and the elements it found.
RUN_AXE = """rules => axe.run(document, {runOnly: rules}).then(results => results.violations.map(violation => ({
    id: violation.id, impact: violation.impact, help: violation.help, helpUrl: violation.helpUrl,
    nodes: violation.nodes.map(node => ({target: node.target, html: node.html, summary: node.failureSummary})),
})))"""


@pytest.fixture(scope="module")
def axe():
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}; under CI it is required (scripts/setup --dev)", pytrace=False)
    return AXE


@pytest.fixture(scope="module")
def demo(browser, django_db_setup, django_db_blocker, tmp_path_factory):
    """The keys the pages' addresses need, of the small demo (two editions) built and committed for this module;
    the database is emptied again after it, as after any test that commits (pytest-django's ``transactional_db``).

    After ``browser``: once Playwright runs, the tests run in a context of its own, where Django keeps connections
    of their own; built there, the demo and the tests share one connection, closed at the end (left open, it would
    keep PostgreSQL from dropping the test database)."""
    from django.contrib.auth.models import Group, Permission
    from django.db import connections

    from films.models import Credit, Edition, Film, Screening, Venue
    from films.queries import current_edition

    media = tmp_path_factory.mktemp("accessibility-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        # The test database, empty: pytest-django creates it for the tests marked django_db (pytestmark above).
        if Edition.objects.exists():
            pytest.fail("The accessibility tests build their demo in an empty test database; this one is not.")
        # What the migrations put in it (the staff roles, films/roles.py), which ``flush`` below removes: made again
        # after it, for the tests that run later in the same database.
        roles = {
            group.name: list(group.permissions.values_list("content_type__app_label", "codename"))
            for group in Group.objects.all()
        }
        try:
            call_command(
                "make_demo_festival",
                "--start-date",
                START,
                "--editions",
                "2",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
            edition = current_edition()
            # A film with everything a film page shows: images, credits, an award, screenings.
            film = (
                Film.objects.filter(
                    published=True,
                    images__isnull=False,
                    credits__isnull=False,
                    award_results__award__edition=edition,
                    screenings__edition=edition,
                )
                .distinct()
                .order_by("key")
                .first()
            )
            director = Credit.objects.filter(film__key=EXAMPLE, role="director").order_by("order").first().person
            screenings = Screening.objects.filter(edition=edition, published=True).order_by("starts_at", "key")[:3]
            keys = {
                "edition": edition.key,
                "section": film.selections.filter(section__edition=edition).first().section.key,
                "film": film.key,
                "person": director.key,
                "venue": Venue.objects.order_by("key").first().key,
                "query": film.title_en.split()[-1],
                "award": film.award_results.filter(award__edition=edition).first().award.key,
                "screenings": ",".join(screening.key for screening in screenings),
            }
            yield {"media": media, "paths": {name: path.format(**keys) for name, path in PAGES.items()}}
        finally:
            # (flush sends post_migrate: the content types and permissions are made again, with new ids.)
            call_command("flush", interactive=False, verbosity=0)
            for name, permissions in roles.items():
                group = Group.objects.create(name=name)
                for app_label, codename in permissions:
                    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
            connections.close_all()


@pytest.fixture(scope="module")
def site(demo):
    """A live server of the module's own, on the module's data."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
        yield server
    server.stop()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, demo):
    """The demo's images (in place of the empty folder every other test gets)."""
    settings.MEDIA_ROOT = demo["media"]


def element(target):
    """An element's selector as axe gives it (a list: one selector for each frame or shadow root on the way)."""
    return " >>> ".join(target) if isinstance(target, list) else str(target)


def described(violations):
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        shown = "; ".join(element(node["target"]) for node in nodes[:3]) + (" …" if len(nodes) > 3 else "")
        lines.append(
            f"  {violation['id']} ({violation['impact']}, {len(nodes)} element{'s' * (len(nodes) != 1)}: {shown}): "
            f"{violation['help']} <{violation['helpUrl']}>"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_has_no_accessibility_violations(axe, browser, demo, site, name, width):
    path = demo["paths"][name]
    pages = open_page(browser, site, WIDTHS[width], bypass_csp=True)
    page = next(pages)
    try:
        response = page.goto(path)
        assert response.status == (404 if name == "not-found" else 200), path
        page.add_script_tag(path=axe)
        violations = page.evaluate(RUN_AXE, RULES)
    finally:
        next(pages, None)  # Closes the page; no JavaScript error may have occurred on it.
    assert violations == [], f"axe finds on {path} at {width} width ({WIDTHS[width]['width']} px):\n" + described(
        violations
    )
