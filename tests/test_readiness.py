"""The readiness page of an edition: what each section lacks before it goes public, counted and linked to
exactly the records to fix, by language and by section, for programmers (curators: their sections)."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from films.models import Award, Credit, Film, FilmImage, JuryMember, Person, Screening, Section, Selection
from films.roles import AWARDS_STAFF, PROGRAMMERS, TRANSLATORS

from .conftest import local
from .staff import member


@pytest.fixture
def programmer(db):
    return member("paula", PROGRAMMERS)


@pytest.fixture
def festival_week(edition, section, make_screening, film):
    """Best of Fests: the example film (complete but for its tagline in nl) and a bare short, each screened.
    Competition: one film, one award, no jury."""
    alisa = Person.objects.create(key="alisa-kovalenko", name="Alisa Kovalenko")
    for field, value in {"title": "Ми не згаснемо", "synopsis": "Синопсис.", "tagline": "Гасло."}.items():
        setattr(film, f"{field}_uk", value)
    for code in ("en", "pl", "de", "nl"):
        film.__dict__.update({f"synopsis_{code}": "Synopsis.", f"title_{code}": film.title_en})
        film.__dict__.update({f"tagline_{code}": "Tagline." if code != "nl" else ""})
    film.save()
    Credit.objects.create(film=film, person=alisa, role="director")
    FilmImage.objects.create(film=film, kind="still", source_url="https://example.org/still.jpg")
    Selection.objects.create(section=section, film=film, premiere="national")
    short = Film.objects.create(key="short", title="A Short", runtime_minutes=12)
    Selection.objects.create(section=section, film=short)
    make_screening(local(2023, 11, 12, 10), key="complete", subtitles=["en"], ticket_url="https://tickets.example/1")
    make_screening(local(2023, 11, 12, 14), key="bare", films=[short], published=False)
    make_screening(local(2023, 11, 13, 10), key="online", audience="online", screen=None, subtitles=["en"])
    competition = Section.objects.create(edition=edition, key="competition", name="Competition", order=1)
    Selection.objects.create(section=competition, film=film, premiere="world")
    Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    return {"film": film, "short": short, "competition": competition}


def url(edition, **query):
    base = reverse("admin:films_edition_readiness", args=[edition.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def gaps_by_section(html):
    """``{section name: ["label (language): count", ...]}`` as the page lists them."""
    found = {}
    for name, body in re.findall(r'<h2 id="section-[^"]+">([^<]+)</h2>(.*?)</section>', html, re.S):
        found[name] = [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", body, re.S)]
    return found


def test_each_section_lists_what_it_lacks(programmer, edition, festival_week):
    response = programmer.get(url(edition))
    assert response.status_code == 200
    assert gaps_by_section(response.content.decode()) == {
        "Best of Fests": [
            "Films without a title (Ukrainian): 1",
            "Films without a title (Polish): 1",
            "Films without a title (German): 1",
            "Films without a title (Dutch): 1",
            "Films without a synopsis (English): 1",
            "Films without a synopsis (Ukrainian): 1",
            "Films without a synopsis (Polish): 1",
            "Films without a synopsis (German): 1",
            "Films without a synopsis (Dutch): 1",
            "Films without a tagline (English): 1",
            "Films without a tagline (Ukrainian): 1",
            "Films without a tagline (Polish): 1",
            "Films without a tagline (German): 1",
            "Films without a tagline (Dutch): 2",
            "Films without an image: 1",
            "Films without a director credit: 1",
            "Selections without a premiere status: 1",
            "Screenings without subtitles listed: 1",
            "Screenings without a ticket link: 1",  # Not the online one.
            "Screenings still unpublished: 1",
        ],
        "Competition": ["Films without a tagline (Dutch): 1", "Awards without a jury: 1"],
    }


def test_each_count_links_to_exactly_the_records_to_fix(programmer, admin_client, edition, festival_week):
    html = programmer.get(url(edition)).content.decode()
    links = {
        re.sub(r"<[^>]+>", "", text).strip(): href.replace("&amp;", "&")
        for href, text in re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', html, re.S)
    }
    short, film = festival_week["short"], festival_week["film"]
    bare = Screening.objects.get(key="bare")
    award = Award.objects.get()
    assert links["Films without an image: 1"] == f"/admin/films/film/?id__in={short.pk}"
    assert links["Films without a tagline (Dutch): 2"] == f"/admin/films/film/?id__in={film.pk}%2C{short.pk}"
    assert links["Screenings still unpublished: 1"] == f"/admin/films/screening/?id__in={bare.pk}"
    competition = festival_week["competition"]
    assert links["Awards without a jury: 1"] == f"/admin/films/award/?section__in={competition.pk}"
    awards = admin_client.get(links["Awards without a jury: 1"])  # (The awards staff's list.)
    assert [a.key for a in awards.context["cl"].result_list] == [award.key]
    listed = programmer.get(links["Films without a tagline (Dutch): 2"])
    assert sorted(film.key for film in listed.context["cl"].result_list) == ["short", "we-will-not-fade-away"]


def test_a_language_and_a_section_narrow_the_page(programmer, edition, festival_week):
    html = programmer.get(url(edition, language="nl", section="competition")).content.decode()
    assert gaps_by_section(html) == {"Competition": ["Films without a tagline (Dutch): 1", "Awards without a jury: 1"]}
    assert '<option value="nl" selected>Dutch</option>' in html
    assert '<option value="competition" selected>Competition</option>' in html


def test_a_superusers_page_takes_eight_queries(admin_client, edition, festival_week):
    assert page_queries(admin_client, edition) == 8


def test_a_filled_gap_leaves_the_list(programmer, edition, festival_week):
    competition = festival_week["competition"]
    JuryMember.objects.create(section=competition, person=Person.objects.get(), role="president")
    film = festival_week["film"]
    film.tagline_nl = "Slogan."
    film.save()
    html = programmer.get(url(edition, section="competition")).content.decode()
    assert gaps_by_section(html) == {"Competition": []}
    assert "Ready: nothing is missing." in html


def test_a_curator_sees_only_their_sections(db, edition, festival_week):
    carla = member("carla", PROGRAMMERS)
    festival_week["competition"].curators.add(User.objects.get(username="carla"))
    html = carla.get(url(edition)).content.decode()
    assert list(gaps_by_section(html)) == ["Competition"]
    assert list(gaps_by_section(carla.get(url(edition, section="best-of-fests")).content.decode())) == ["Competition"]


@pytest.mark.parametrize("group", [TRANSLATORS, AWARDS_STAFF])
def test_translators_and_awards_staff_do_not_see_it(db, edition, group):
    assert member("someone", group).get(url(edition)).status_code == 403


def test_the_edition_form_links_to_it(programmer, edition):
    html = programmer.get(reverse("admin:films_edition_change", args=[edition.pk])).content.decode()
    assert f'href="{url(edition)}"' in html


def page_queries(client, edition):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(edition)).status_code == 200
    return len(queries)


def test_its_queries_do_not_grow_with_the_edition(programmer, edition, festival_week, make_screening):
    few = page_queries(programmer, edition)
    for index in range(8):
        film = Film.objects.create(key=f"film-{index}", title=f"Film {index}")
        section = Section.objects.create(edition=edition, key=f"section-{index}", name=f"Section {index}")
        Selection.objects.create(section=section, film=film)
        Award.objects.create(edition=edition, section=section, key=f"award-{index}", name=f"Award {index}")
        make_screening(local(2023, 11, 9 + index, 20), key=f"more-{index}", films=[film], section=section)
    many = page_queries(programmer, edition)
    # Session, user, the user's and groups' permissions, curated sections, the edition, and its plan
    # (films/plan.py: sections, selections, screenings, their films, their guests). A superuser: 8.
    assert few == many == 11
