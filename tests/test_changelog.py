"""The public changelog of an edition and its Atom feed: generated from the recorded history, never from drafts,
never from what happened before the programme went public."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
import reversion
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision

from films.models import Screen, Screening, Selection

from .conftest import local

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def launched(edition, section, film, make_screening):
    """The programme went public two hours ago: the edition, its section and a screening, kept in the history."""
    screening = make_screening(local(2023, 11, 12, 14), key="wwnfa-1")
    Selection.objects.create(section=section, film=film)
    with reversion.create_revision():
        edition.save()
        screening.save()
        for selection in Selection.objects.all():
            selection.save()
    Revision.objects.update(date_created=timezone.now() - datetime.timedelta(hours=2))
    return screening


def move(client, screening, wall_time, screen=None):
    screening.refresh_from_db()
    response = client.post(
        reverse("admin:films_screening_move", args=[screening.pk]),
        {"screen": (screen or screening.screen).pk, "starts_at": wall_time, "version": screening.version},
    )
    assert response.status_code == 302


def entries(client, edition, language="en"):
    html = client.get(f"/{language}/{edition.key}/changes/").content.decode()
    return [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r'<li class="change [^"]+" id="[^"]+">(.*?)</li>', html, re.S)
    ]


def feed_titles(client, edition, language="en"):
    response = client.get(f"/{language}/{edition.key}/changes.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314  (the feed this project wrote)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


def test_a_moved_screening_shows_where_it_was_and_where_it_went(admin_client, client, edition, launched, venue):
    second = Screen.objects.create(venue=venue, key="example-cinema-2", name="Example Cinema 2", order=1)
    assert entries(client, edition) == []
    move(admin_client, launched, "2023-11-13T18:30", second)
    (line,) = entries(client, edition)
    assert line.endswith(
        "Moved: We Will Not Fade Away from Sun 12 Nov 14:00, Example Cinema 1, Example Cinema to "
        "Mon 13 Nov 18:30, Example Cinema 2, Example Cinema"
    )
    assert feed_titles(client, edition) == [
        "Moved: “We Will Not Fade Away”, from 2023-11-12 14:00, Example Cinema 1, Example Cinema to "
        "2023-11-13 18:30, Example Cinema 2, Example Cinema"
    ]


def test_every_move_is_listed_newest_first_with_a_cancellation(admin_client, client, edition, launched):
    move(admin_client, launched, "2023-11-12T16:00")
    move(admin_client, launched, "2023-11-12T18:00")
    admin_client.post(
        reverse("admin:films_screening_changelist"),
        {"action": "mark_cancelled", "_selected_action": [launched.pk]},
    )
    lines = entries(client, edition)
    assert [line.split(" ")[1] for line in lines] == ["Cancelled:", "Moved:", "Moved:"]
    assert lines[0].endswith("Cancelled: We Will Not Fade Away Sun 12 Nov 18:00, Example Cinema 1, Example Cinema")
    assert "from Sun 12 Nov 16:00, Example Cinema 1, Example Cinema to Sun 12 Nov 18:00" in lines[1]
    assert "from Sun 12 Nov 14:00, Example Cinema 1, Example Cinema to Sun 12 Nov 16:00" in lines[2]


def test_drafts_and_what_happened_before_the_programme_went_public_never_show(
    admin_client, client, edition, launched, make_screening
):
    draft = make_screening(local(2023, 11, 14, 10), key="draft", published=False)
    move(admin_client, draft, "2023-11-14T12:00")
    assert entries(client, edition) == []  # A draft moved: nothing.
    draft.refresh_from_db()
    draft.published = True
    with reversion.create_revision():
        draft.save()
    (line,) = entries(client, edition)  # Published now: added, at its time then.
    assert line.endswith("Added: We Will Not Fade Away Tue 14 Nov 12:00, Example Cinema 1, Example Cinema")


def test_films_added_to_and_withdrawn_from_a_section(admin_client, client, edition, section, launched):
    from films.models import Film

    other = Film.objects.create(key="another-film", title="Another Film", published=True)
    draft = Film.objects.create(key="draft-film", title="Draft Film", published=False)
    for film in (other, draft):
        with reversion.create_revision():
            Selection.objects.create(section=section, film=film)
    lines = entries(client, edition)
    assert [line.split(" ", 1)[1] for line in lines] == ["Added to Best of Fests: Another Film"]
    selection = Selection.objects.get(film=other)
    assert (
        admin_client.post(reverse("admin:films_selection_delete", args=[selection.pk]), {"post": "yes"}).status_code
        == 302
    )
    lines = entries(client, edition)
    assert [line.split(" ", 1)[1] for line in lines] == [
        "Withdrawn from Best of Fests: Another Film",
        "Added to Best of Fests: Another Film",
    ]


def test_the_changelog_speaks_the_pages_language(admin_client, client, edition, launched, film):
    film.title_uk = "Ми не згаснемо"
    film.save()
    move(admin_client, launched, "2023-11-12T16:00")
    (line,) = entries(client, edition, "uk")
    assert "Ми не згаснемо" in line
    html = client.get(f"/uk/{edition.key}/changes/").content.decode()
    assert f'href="/uk/{edition.key}/changes.atom"' in html


def test_an_unpublished_edition_has_no_changelog(client, edition, launched):
    Screening.objects.update(published=True)
    edition.published = False
    edition.save()
    assert client.get(f"/en/{edition.key}/changes/").status_code == 404
    assert client.get(f"/en/{edition.key}/changes.atom").status_code == 404


def changelog_queries(client, edition):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/en/{edition.key}/changes/").status_code == 200
    return len(queries)


def test_its_queries_do_not_grow_with_the_changes(admin_client, client, edition, launched, make_screening):
    move(admin_client, launched, "2023-11-12T16:00")
    few = changelog_queries(client, edition)
    for day in range(3):
        screening = make_screening(local(2023, 11, 15 + day, 10), key=f"more-{day}")
        with reversion.create_revision():
            screening.save()
        Revision.objects.filter(version__object_id=str(screening.pk)).update(
            date_created=timezone.now() - datetime.timedelta(hours=2)
        )
        move(admin_client, screening, f"2023-11-{15 + day}T12:00")
    assert len(entries(client, edition)) == 4
    many = changelog_queries(client, edition)
    # The edition, its sections, its screenings, their versions, the edition's versions, the sections' recent
    # selection versions, the screens named, the films in the screenings.
    assert few == many
