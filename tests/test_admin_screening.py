"""Screenings in the admin: times in the edition's time zone, computed end times, clashes, bulk status changes."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from films.models import Film, Screen, Screening

from .conftest import local

UTC = datetime.UTC


def screening_form(edition, screen, section, films=(), **fields):
    data = {
        "edition": edition.pk,
        "key": "evening",
        "section": section.pk,
        "screen": screen.pk,
        "starts_at_0": "2023-11-12",
        "starts_at_1": "19:15",
        "ends_at_0": "2023-11-12",
        "ends_at_1": "20:55",
        "audience": "public",
        "status": "scheduled",
        "subtitles": "en",
        "ticket_url": "",
        "available_from_0": "",
        "available_from_1": "",
        "available_until_0": "",
        "available_until_1": "",
        "online_countries": "",
        "published": "on",
        "screening_films-TOTAL_FORMS": str(len(films)),
        "screening_films-INITIAL_FORMS": "0",
        "screening_films-MIN_NUM_FORMS": "0",
        "screening_films-MAX_NUM_FORMS": "1000",
        "guests-TOTAL_FORMS": "0",
        "guests-INITIAL_FORMS": "0",
        "guests-MIN_NUM_FORMS": "0",
        "guests-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, film in enumerate(films):
        data[f"screening_films-{index}-film"] = film.pk
        data[f"screening_films-{index}-order"] = index
    data.update(fields)
    return data


@pytest.fixture
def short(db):
    return Film.objects.create(key="short", title="A Short", runtime_minutes=15)


def test_changelist_shows_times_in_the_editions_time_zone(admin_client, make_screening, short, film):
    make_screening(datetime.datetime(2023, 11, 12, 18, 15, tzinfo=UTC), films=[short, film])
    response = admin_client.get(reverse("admin:films_screening_changelist"))
    row = response.context["cl"].result_list[0]
    admin = response.context["cl"].model_admin
    assert admin.starts(row) == "2023-11-12 19:15"
    assert admin.ends(row) == "20:55"
    assert admin.film_list(row) == "A Short + We Will Not Fade Away"
    html = response.content.decode()
    assert "2023-11-12 19:15" in html
    assert "18:15" not in html


@pytest.mark.parametrize("count", [1, 5])
def test_screening_changelist_query_count_does_not_grow(
    admin_client, make_screening, short, film, count, django_assert_num_queries
):
    for n in range(count):
        make_screening(local(2023, 11, 9 + n, 19, 15), films=[short, film])
    # session, user, 3 related filters (edition, section, venue), count, total, rows, their films,
    # date hierarchy (first and last, then the distinct days)
    with django_assert_num_queries(11):
        response = admin_client.get(reverse("admin:films_screening_changelist"))
    assert len(response.context["cl"].result_list) == count


def test_change_form_shows_and_reads_times_in_the_editions_time_zone(
    admin_client, make_screening, edition, screen, section, film
):
    screening = make_screening(datetime.datetime(2023, 11, 12, 18, 15, tzinfo=UTC), key="evening")
    url = reverse("admin:films_screening_change", args=[screening.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="starts_at_1" value="19:15:00"' in html
    assert "Local time in Europe/Amsterdam, the edition’s time zone." in html
    data = screening_form(edition, screen, section, starts_at_1="20:00", ends_at_1="21:40")
    data.update({"screening_films-TOTAL_FORMS": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.starts_at == datetime.datetime(2023, 11, 12, 19, 0, tzinfo=UTC)
    assert screening.ends_at == datetime.datetime(2023, 11, 12, 20, 40, tzinfo=UTC)


def test_add_form_takes_the_edition_and_its_time_zone_from_the_address(admin_client, edition):
    html = admin_client.get(reverse("admin:films_screening_add"), {"edition": edition.pk}).content.decode()
    assert "Local time in Europe/Amsterdam, the edition’s time zone." in html
    assert f'<option value="{edition.pk}" selected>' in html


def test_empty_end_time_is_computed_from_the_films_runtimes(admin_client, edition, screen, section, film, short):
    data = screening_form(edition, screen, section, films=[short, film], ends_at_0="", ends_at_1="")
    response = admin_client.post(reverse("admin:films_screening_add"), data)
    assert response.status_code == 302
    screening = Screening.objects.get(key="evening")
    assert screening.starts_at == datetime.datetime(2023, 11, 12, 18, 15, tzinfo=UTC)
    assert screening.ends_at == datetime.datetime(2023, 11, 12, 20, 10, tzinfo=UTC)  # 19:15 + 15 + 100 minutes
    assert list(screening.screening_films.values_list("film__key", flat=True)) == ["short", "we-will-not-fade-away"]


def test_empty_end_time_without_runtimes_is_a_clear_form_error(admin_client, edition, screen, section, film):
    unknown = Film.objects.create(key="unknown-length", title="Unknown Length")
    data = screening_form(edition, screen, section, films=[film, unknown], ends_at_0="", ends_at_1="")
    response = admin_client.post(reverse("admin:films_screening_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "ends_at": ["Give the end time: it cannot be computed because “Unknown Length” has no runtime."]
    }
    no_films = admin_client.post(
        reverse("admin:films_screening_add"), screening_form(edition, screen, section, ends_at_0="", ends_at_1="")
    )
    assert no_films.context["adminform"].form.errors == {
        "ends_at": ["Give the end time, or add the films so that it can be computed from their runtimes."]
    }
    assert Screening.objects.count() == 0


def test_clash_is_a_form_error_naming_the_other_screening(admin_client, make_screening, edition, screen, section, film):
    make_screening(local(2023, 11, 12, 19, 15), key="idfa-2023-wwnfa-1")
    data = screening_form(edition, screen, section, films=[film], starts_at_1="20:30", ends_at_1="22:00")
    response = admin_client.post(reverse("admin:films_screening_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "starts_at": [
            "This screening clashes with screening “idfa-2023-wwnfa-1” (We Will Not Fade Away) in Example Cinema 1, "
            "2023-11-12 19:15–20:55 (Europe/Amsterdam); the screen needs 15 minutes between screenings."
        ]
    }
    assert Screening.objects.count() == 1


def test_bulk_actions_mark_sold_out_and_cancelled_and_say_how_many(admin_client, make_screening, screen, venue):
    other_screen = Screen.objects.create(venue=venue, key="example-cinema-2", name="Example Cinema 2")
    first = make_screening(local(2023, 11, 12, 10, 0))
    second = make_screening(local(2023, 11, 12, 14, 0))
    cancelled = make_screening(
        local(2023, 11, 12, 10, 0), key="other-screen", screen=other_screen, status=Screening.Status.CANCELLED
    )
    url = reverse("admin:films_screening_changelist")
    response = admin_client.post(
        url, {"action": "mark_sold_out", "_selected_action": [first.pk, second.pk, cancelled.pk]}, follow=True
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 screenings marked as sold out. 1 cancelled screening was left cancelled."
    ]
    statuses = dict(Screening.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "sold-out", second.pk: "sold-out", cancelled.pk: "cancelled"}
    response = admin_client.post(url, {"action": "mark_cancelled", "_selected_action": [second.pk]}, follow=True)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 screening marked as cancelled."]
    assert Screening.objects.get(pk=second.pk).status == "cancelled"


def test_changelist_links_to_the_board_of_the_filtered_edition(admin_client, make_screening, edition):
    make_screening(local(2023, 11, 12, 10, 0))
    html = admin_client.get(reverse("admin:films_screening_changelist")).content.decode()
    assert 'href="/admin/films/screening/board/"' in html
    filtered = admin_client.get(reverse("admin:films_screening_changelist"), {"edition__id__exact": edition.pk})
    assert 'href="/admin/films/screening/board/?edition=idfa-2023"' in filtered.content.decode()
