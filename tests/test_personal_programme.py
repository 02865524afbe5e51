"""The personal programme: chosen screenings (from the address) listed by day, clashes flagged, a calendar link."""

import re

import pytest

from films.models import Film, Screen, Venue
from tests.conftest import local

URL = "/en/my-programme/"


@pytest.fixture
def chosen(make_screening, film):
    other_venue = Venue.objects.create(key="other-cinema", name="Other Cinema")
    other_screen = Screen.objects.create(venue=other_venue, key="other-1", name="Other 1")
    second = Film.objects.create(key="second-film", title="Second Film", published=True)
    make_screening(local(2023, 11, 12, 19, 15), key="a")  # 19:15–20:55
    make_screening(local(2023, 11, 12, 20, 30), key="b", screen=other_screen, films=[second], minutes=50)  # overlaps a
    make_screening(local(2023, 11, 12, 21, 30), key="c", minutes=60)  # after a's changeover, after b
    make_screening(local(2023, 11, 13, 10), key="d", status="cancelled")
    make_screening(local(2023, 11, 13, 10, 30), key="e", screen=other_screen)  # overlaps d, but d is cancelled
    make_screening(local(2023, 11, 13, 14), key="draft", published=False)


def screening_keys(html):
    return re.findall(r'<li class="screening[^"]*" data-screening="([^"]+)"[^>]*>', html)


def test_page_lists_chosen_screenings_by_day_in_time_order(client, chosen):
    response = client.get(f"{URL}?edition=idfa-2023&s=e,c,a,d")
    html = response.content.decode()
    assert response.status_code == 200
    assert screening_keys(html) == ["a", "c", "d", "e"]
    assert re.findall(r'<h2 id="day-([0-9-]+)">', html) == ["2023-11-12", "2023-11-13"]
    assert "4 screenings chosen." in html


def test_each_chosen_screening_carries_what_the_browser_remembers_of_it(client, chosen):
    """Its time, screen and status, compared on the next visit (personal-programme.js), and how it reads."""
    html = client.get(f"{URL}?edition=idfa-2023&s=a,b,d").content.decode()
    screen = Screen.objects.get(key="example-cinema-1").pk
    other = Screen.objects.get(key="other-1").pk
    assert re.findall(r'data-screening="([^"]+)" data-seen="([^"]+)" data-seen-text="([^"]+)"', html) == [
        (
            "a",
            f"2023-11-12T19:15:00+01:00|2023-11-12T20:55:00+01:00|{screen}|scheduled",
            "Sun 12 Nov, 19:15–20:55, Example Cinema 1, Example Cinema",
        ),
        (
            "b",
            f"2023-11-12T20:30:00+01:00|2023-11-12T21:20:00+01:00|{other}|scheduled",
            "Sun 12 Nov, 20:30–21:20, Other 1, Other Cinema",
        ),
        (
            "d",
            f"2023-11-13T10:00:00+01:00|2023-11-13T11:40:00+01:00|{screen}|cancelled",
            "Mon 13 Nov, 10:00–11:40, Example Cinema 1, Example Cinema",
        ),
    ]
    assert 'data-label-changed="Changed since your last visit. It was:"' in html
    assert '<p class="notice" data-personal-changed hidden>' in html


def test_page_flags_screenings_that_overlap_anywhere(client, chosen):
    html = client.get(f"{URL}?edition=idfa-2023&s=a,b,c").content.decode()
    clashing = re.findall(
        r'<li class="screening screening--scheduled screening--clash" data-screening="([^"]+)"[^>]*>', html
    )
    assert clashing == ["a", "b"]
    assert "2 screenings overlap another." in html
    assert "<strong>Clash:</strong> overlaps with 20:30–21:20 Second Film</p>" in html
    assert "<strong>Clash:</strong> overlaps with 19:15–20:55 We Will Not Fade Away</p>" in html


def test_cancelled_screenings_never_clash(client, chosen):
    html = client.get(f"{URL}?edition=idfa-2023&s=d,e").content.decode()
    assert "screening--clash" not in html
    assert "overlap another" not in html


def test_a_cancelled_screening_before_two_that_clash_leaves_their_clash_flagged(client, chosen, make_screening):
    make_screening(local(2023, 11, 12, 10), key="early", status="cancelled")
    html = client.get(f"{URL}?edition=idfa-2023&s=early,a,b").content.decode()
    assert re.findall(
        r'<li class="screening screening--scheduled screening--clash" data-screening="([^"]+)"', html
    ) == [
        "a",
        "b",
    ]
    assert "2 screenings overlap another." in html


def test_the_pages_own_link_names_the_chosen_screenings_found(client, chosen):
    html = client.get(f"{URL}?edition=idfa-2023&s=c,gone,a").content.decode()
    assert '<a href="/en/my-programme/?edition=idfa-2023&amp;s=c,a">Link to this programme</a>' in html


def test_page_links_the_calendar_of_the_chosen_published_screenings(client, chosen):
    html = client.get(f"{URL}?edition=idfa-2023&s=c,draft,a,gone").content.decode()
    assert '<a href="/en/idfa-2023/my-programme.ics?s=c,a" data-personal-ics>' in html
    assert '<p class="notice">No longer in the programme: draft, gone</p>' in html
    assert screening_keys(html) == ["a", "c"]


def test_each_listed_screening_has_a_hidden_toggle_for_the_script(client, chosen):
    html = client.get(f"{URL}?edition=idfa-2023&s=a").content.decode()
    assert (
        '<button type="button" class="personal-toggle" data-screening="a" data-edition="idfa-2023" '
        'data-label-add="Add to my programme" data-label-remove="Remove from my programme" aria-pressed="false" '
        "hidden>Add to my programme</button>"
    ) in html
    assert '<script src="/static/films/js/personal-programme.js" defer></script>' in html
    assert "<script>" not in html


def test_page_in_another_language_links_that_language(client, chosen):
    html = client.get("/uk/my-programme/?edition=idfa-2023&s=a").content.decode()
    assert '<a href="/uk/idfa-2023/my-programme.ics?s=a" data-personal-ics>' in html


def test_a_malformed_key_is_a_400_naming_it(client, chosen):
    response = client.get(f"{URL}?edition=idfa-2023&s=a,<b>")
    assert response.status_code == 400
    assert (
        '<p class="form-error" role="alert">“&lt;b&gt;” is not a screening key '
        "(lower-case letters, digits and single hyphens).</p>"
    ) in response.content.decode()


def test_an_unknown_or_draft_edition_is_not_found(client, chosen, edition):
    assert client.get(f"{URL}?edition=nope&s=a").status_code == 404
    edition.published = False
    edition.save()
    assert client.get(f"{URL}?edition=idfa-2023&s=a").status_code == 404


def test_without_an_edition_the_page_explains_and_offers_published_editions(client, chosen):
    html = client.get(URL).content.decode()
    assert (
        '<li data-edition="idfa-2023" hidden><a href="/en/my-programme/?edition=idfa-2023">IDFA 2023</a></li>' in html
    )
    assert "Marking screenings needs JavaScript." in html
    assert "data-personal-ics" not in html


def test_an_edition_without_a_choice_points_to_the_programme(client, chosen):
    html = client.get(f"{URL}?edition=idfa-2023").content.decode()
    assert "You have not marked any screenings in this edition yet." in html
    assert '<a href="/en/idfa-2023/programme/">Go to the programme</a>' in html


def test_page_query_count_does_not_grow_with_the_choice(client, chosen, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"{URL}?edition=idfa-2023&s=a")
    with CaptureQueriesContext(connection) as five:
        client.get(f"{URL}?edition=idfa-2023&s=a,b,c,d,e")
    assert len(one) == len(five)


def test_programme_and_film_pages_offer_the_toggle(client, chosen):
    programme = client.get("/en/idfa-2023/programme/?day=2023-11-12").content.decode()
    assert 'data-screening="a" data-edition="idfa-2023"' in programme
    assert '<script src="/static/films/js/personal-programme.js" defer></script>' in programme
    film = client.get("/en/films/we-will-not-fade-away/").content.decode()
    assert '<script src="/static/films/js/personal-programme.js" defer></script>' in film
