"""Moments in the admin are typed and read in the edition's IANA time zone, which each form names.

Two editions with a daylight-saving change inside them: Toronto (west of UTC; EDT −4 becomes EST −5 on
1 Nov 2026) and Kyiv (east of UTC; EEST +3 becomes EET +2 on 25 Oct 2026). Every time is checked on both sides
of the change: section and edition announcement times, a screening's online window, the results page.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from films.models import Edition, Screen, Screening, Section, Venue

UTC = datetime.UTC
BEFORE_EVERYTHING = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
AFTER_EVERYTHING = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# (edition, local day typed, the UTC moment 18:00 that day is): both sides of each edition's DST change.
EIGHTEEN_HUNDRED = [
    pytest.param("toronto", "2026-10-31", datetime.datetime(2026, 10, 31, 22, 0, tzinfo=UTC), id="toronto-edt"),
    pytest.param("toronto", "2026-11-02", datetime.datetime(2026, 11, 2, 23, 0, tzinfo=UTC), id="toronto-est"),
    pytest.param("kyiv", "2026-10-24", datetime.datetime(2026, 10, 24, 15, 0, tzinfo=UTC), id="kyiv-eest"),
    pytest.param("kyiv", "2026-10-26", datetime.datetime(2026, 10, 26, 16, 0, tzinfo=UTC), id="kyiv-eet"),
]
SHOWN = {
    "2026-10-31": "31 Oct 2026",
    "2026-11-02": "2 Nov 2026",
    "2026-10-24": "24 Oct 2026",
    "2026-10-26": "26 Oct 2026",
}


@pytest.fixture
def toronto(festival):
    return Edition.objects.create(
        festival=festival,
        key="toronto-2026",
        year=2026,
        name="Toronto 2026",
        start_date=datetime.date(2026, 10, 28),
        end_date=datetime.date(2026, 11, 4),
        timezone="America/Toronto",
        published=True,
    )


@pytest.fixture
def kyiv(festival):
    return Edition.objects.create(
        festival=festival,
        key="kyiv-2026",
        year=2026,
        name="Kyiv 2026",
        start_date=datetime.date(2026, 10, 21),
        end_date=datetime.date(2026, 10, 28),
        timezone="Europe/Kyiv",
        published=True,
    )


@pytest.fixture
def at(monkeypatch):
    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_now(BEFORE_EVERYTHING)
    return set_now


def competition_in(edition, **fields):
    return Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True, **fields)


def section_data(edition, day="", time="", **fields):
    data = {
        "edition": edition.pk,
        "key": "competition",
        "name_en": "Competition",
        "order": "0",
        "competitive": "on",
        "results_announced_at_0": day,
        "results_announced_at_1": time,
        "_save": "Save",
    }
    for prefix in ("selections", "jury"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update(fields)
    return data


def edition_data(edition, day="", time="", **fields):
    data = {
        "festival": edition.festival_id,
        "key": edition.key,
        "name_en": edition.name,
        "year": str(edition.year),
        "start_date": edition.start_date.isoformat(),
        "end_date": edition.end_date.isoformat(),
        "timezone": edition.timezone,
        "published": "on",
        "results_announced_at_0": day,
        "results_announced_at_1": time,
        "sections-TOTAL_FORMS": "0",
        "sections-INITIAL_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(fields)
    return data


def help_text(html, name):
    """The help text under the date and time inputs of ``name``."""
    match = re.search(rf'name="{name}_1".*?<div class="help"[^>]*>\s*<div>(.*?)</div>', html, re.S)
    return match and " ".join(match[1].split())


def readonly_line(html):
    match = re.search(r'<div class="readonly">([^<]*(?:embargoed|announced|public)[^<]*)</div>', html)
    return match and match[1].replace("&#x27;", "'")


def shown_time(html, name):
    day = re.search(rf'name="{name}_0" value="([^"]*)"', html)
    time = re.search(rf'name="{name}_1" value="([^"]*)"', html)
    return (day and day[1], time and time[1])


# Section announcement time --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "day", "stored"), EIGHTEEN_HUNDRED)
def test_section_announcement_typed_as_1800_is_the_editions_1800(admin_client, request, at, key, day, stored):
    edition = request.getfixturevalue(key)
    section = competition_in(edition)
    url = reverse("admin:films_section_change", args=[section.pk])
    response = admin_client.post(url, section_data(edition, day, "18:00"))
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.results_announced_at == stored

    html = admin_client.get(url).content.decode()
    assert shown_time(html, "results_announced_at") == (day, "18:00:00")
    assert help_text(html, "results_announced_at") == (
        f"Local time in {edition.timezone}, the edition’s time zone. For a competition announced at its own time. "
        "Empty: the edition’s announcement time, or else the end of the edition’s last day."
    )
    assert readonly_line(html) == (
        f"Results are embargoed until {SHOWN[day]}, 18:00 ({edition.timezone}), this competition’s own time."
    )
    results = admin_client.get(reverse("admin:films_award_results", args=[section.pk])).context["embargo"]
    assert results == (
        f"Results are embargoed until {SHOWN[day]}, 18:00 ({edition.timezone}), this competition’s own time."
    )


def test_new_section_is_read_in_the_zone_of_the_edition_posted(admin_client, toronto, kyiv):
    response = admin_client.post(reverse("admin:films_section_add"), section_data(toronto, "2026-11-02", "18:00"))
    assert response.status_code == 302
    assert Section.objects.get(edition=toronto).results_announced_at == datetime.datetime(
        2026, 11, 2, 23, 0, tzinfo=UTC
    )
    response = admin_client.post(reverse("admin:films_section_add"), section_data(kyiv, "2026-10-24", "18:00"))
    assert response.status_code == 302
    assert Section.objects.get(edition=kyiv).results_announced_at == datetime.datetime(2026, 10, 24, 15, 0, tzinfo=UTC)


def test_a_section_moved_to_another_edition_is_read_in_the_new_editions_zone(admin_client, toronto, kyiv):
    section = competition_in(kyiv)
    url = reverse("admin:films_section_change", args=[section.pk])
    assert admin_client.post(url, section_data(toronto, "2026-10-31", "18:00")).status_code == 302
    section.refresh_from_db()
    assert section.edition == toronto
    assert section.results_announced_at == datetime.datetime(2026, 10, 31, 22, 0, tzinfo=UTC)


def test_section_add_form_names_the_zone_of_the_edition_in_its_address_or_says_which_it_will_be(admin_client, toronto):
    html = admin_client.get(reverse("admin:films_section_add"), {"edition": toronto.pk}).content.decode()
    assert help_text(html, "results_announced_at").startswith(
        "Local time in America/Toronto, the edition’s time zone. "
    )
    html = admin_client.get(reverse("admin:films_section_add")).content.decode()
    assert help_text(html, "results_announced_at") == (
        "Local time in the time zone of the edition chosen above: the time is read in it when you save. To see "
        "this form in that time zone, add ?edition=&lt;id&gt; to its address. For a competition announced at its "
        "own time. Empty: the edition’s announcement time, or else the end of the edition’s last day."
    )
    assert "Shown once saved." in html


def test_section_form_says_which_time_makes_its_results_public(admin_client, at, toronto):
    """The competition's own time, else the edition's, else the end of the edition's last day."""
    section = competition_in(toronto)
    url = reverse("admin:films_section_change", args=[section.pk])
    default = (
        "No announcement time is set: results become public at 4 Nov 2026, 24:00 (America/Toronto), the end of "
        "the edition’s last day."
    )
    assert readonly_line(admin_client.get(url).content.decode()) == default
    results = admin_client.get(reverse("admin:films_award_results", args=[section.pk]))
    assert results.context["embargo"] == default
    assert results.context["embargoed"] is True
    toronto.results_announced_at = datetime.datetime(2026, 11, 3, 23, 30, tzinfo=UTC)  # 18:30 EST
    toronto.save()
    assert readonly_line(admin_client.get(url).content.decode()) == (
        "Results are embargoed until 3 Nov 2026, 18:30 (America/Toronto), the edition’s announcement time."
    )
    section.results_announced_at = datetime.datetime(2026, 10, 31, 22, 0, tzinfo=UTC)  # 18:00 EDT
    section.save()
    assert readonly_line(admin_client.get(url).content.decode()) == (
        "Results are embargoed until 31 Oct 2026, 18:00 (America/Toronto), this competition’s own time."
    )
    at(AFTER_EVERYTHING)
    assert readonly_line(admin_client.get(url).content.decode()) == (
        "Results were announced at 31 Oct 2026, 18:00 (America/Toronto), this competition’s own time, and are public."
    )


# Edition announcement time --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "day", "stored"), EIGHTEEN_HUNDRED)
def test_edition_announcement_typed_as_1800_is_its_own_1800(admin_client, request, at, key, day, stored):
    edition = request.getfixturevalue(key)
    section = competition_in(edition)
    url = reverse("admin:films_edition_change", args=[edition.pk])
    response = admin_client.post(url, edition_data(edition, day, "18:00"))
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.results_announced_at == stored

    html = admin_client.get(url).content.decode()
    assert shown_time(html, "results_announced_at") == (day, "18:00:00")
    assert help_text(html, "results_announced_at") == (
        f"Local time in {edition.timezone}, the edition’s time zone. Until this moment award results are visible "
        "to staff only; a competition may set its own time. Empty: the end of the edition’s last day."
    )
    assert readonly_line(html) == (
        f"Results are embargoed until {SHOWN[day]}, 18:00 ({edition.timezone}), the edition’s announcement time."
    )
    results = admin_client.get(reverse("admin:films_award_results", args=[section.pk])).content.decode()
    assert (
        f"Results are embargoed until {SHOWN[day]}, 18:00 ({edition.timezone}), the edition’s announcement time."
    ) in results


def test_edition_form_reads_times_in_the_zone_posted_with_them(admin_client, kyiv):
    """Moving an edition to another zone: the announcement time typed with it is read in the new zone."""
    url = reverse("admin:films_edition_change", args=[kyiv.pk])
    data = edition_data(kyiv, "2026-10-26", "18:00", timezone="America/Toronto")
    assert admin_client.post(url, data).status_code == 302
    kyiv.refresh_from_db()
    assert kyiv.timezone == "America/Toronto"
    assert kyiv.results_announced_at == datetime.datetime(2026, 10, 26, 22, 0, tzinfo=UTC)  # 18:00 EDT


def test_new_edition_is_read_in_the_zone_posted(admin_client, festival):
    new = Edition(
        festival=festival,
        key="toronto-2027",
        name="Toronto 2027",
        year=2027,
        start_date=datetime.date(2027, 3, 10),  # DST starts 14 Mar 2027
        end_date=datetime.date(2027, 3, 17),
        timezone="America/Toronto",
    )
    html = admin_client.get(reverse("admin:films_edition_add")).content.decode()
    assert help_text(html, "results_announced_at").startswith(
        "Local time in the time zone chosen above: the time is read in it when you save. "
    )
    response = admin_client.post(reverse("admin:films_edition_add"), edition_data(new, "2027-03-16", "18:00"))
    assert response.status_code == 302
    assert Edition.objects.get(key="toronto-2027").results_announced_at == datetime.datetime(
        2027, 3, 16, 22, 0, tzinfo=UTC
    )


def test_edition_form_says_when_results_without_a_time_become_public(admin_client, at, kyiv):
    url = reverse("admin:films_edition_change", args=[kyiv.pk])
    assert readonly_line(admin_client.get(url).content.decode()) == (
        "No announcement time is set: results become public at 28 Oct 2026, 24:00 (Europe/Kyiv), the end of the "
        "edition’s last day."
    )
    at(datetime.datetime(2026, 10, 28, 22, 0, tzinfo=UTC))  # Midnight in Kyiv (EET, +2).
    assert readonly_line(admin_client.get(url).content.decode()) == (
        "No announcement time is set: results became public at 28 Oct 2026, 24:00 (Europe/Kyiv), the end of the "
        "edition’s last day."
    )


# The screening's online window -------------------------------------------------------------------------------


@pytest.fixture
def screen(db):
    venue = Venue.objects.create(key="cinema", name="Cinema")
    return Screen.objects.create(venue=venue, key="cinema-1", name="Cinema 1")


def screening_data(edition, section, screen, **fields):
    data = {
        "edition": edition.pk,
        "key": "evening",
        "section": section.pk,
        "screen": screen.pk,
        "starts_at_0": edition.start_date.isoformat(),
        "starts_at_1": "19:00",
        "ends_at_0": edition.start_date.isoformat(),
        "ends_at_1": "20:40",
        "audience": "public",
        "status": "scheduled",
        "subtitles": "",
        "ticket_url": "",
        "online_countries": "",
        "published": "on",
        "screening_films-TOTAL_FORMS": "0",
        "screening_films-INITIAL_FORMS": "0",
        "screening_films-MIN_NUM_FORMS": "0",
        "screening_films-MAX_NUM_FORMS": "1000",
        "guests-TOTAL_FORMS": "0",
        "guests-INITIAL_FORMS": "0",
        "guests-MIN_NUM_FORMS": "0",
        "guests-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("key", "window", "stored"),
    [
        pytest.param(
            "toronto",
            ("2026-10-31", "2026-11-02"),
            (datetime.datetime(2026, 10, 31, 22, 0, tzinfo=UTC), datetime.datetime(2026, 11, 2, 23, 0, tzinfo=UTC)),
            id="toronto",
        ),
        pytest.param(
            "kyiv",
            ("2026-10-24", "2026-10-26"),
            (datetime.datetime(2026, 10, 24, 15, 0, tzinfo=UTC), datetime.datetime(2026, 10, 26, 16, 0, tzinfo=UTC)),
            id="kyiv",
        ),
    ],
)
def test_online_window_across_the_dst_change_is_typed_and_shown_in_the_editions_zone(
    admin_client, request, screen, key, window, stored
):
    edition = request.getfixturevalue(key)
    section = Section.objects.create(edition=edition, key="main", name="Main")
    data = screening_data(
        edition,
        section,
        screen,
        available_from_0=window[0],
        available_from_1="18:00",
        available_until_0=window[1],
        available_until_1="18:00",
    )
    response = admin_client.post(reverse("admin:films_screening_add"), data)
    assert response.status_code == 302
    screening = Screening.objects.get(edition=edition)
    assert (screening.available_from, screening.available_until) == stored

    html = admin_client.get(reverse("admin:films_screening_change", args=[screening.pk])).content.decode()
    assert shown_time(html, "available_from") == (window[0], "18:00:00")
    assert shown_time(html, "available_until") == (window[1], "18:00:00")
    for name in ("available_from", "available_until", "starts_at"):
        assert help_text(html, name) == f"Local time in {edition.timezone}, the edition’s time zone."


# Django's "You are N hours behind server time" ------------------------------------------------------------------


def test_forms_in_the_editions_zone_carry_no_server_offset_for_the_browser_to_compare(admin_client, toronto, screen):
    """The admin's JavaScript warns when the browser's offset differs from ``data-admin-utc-offset``."""
    section = competition_in(toronto)
    screening = Screening.objects.create(
        edition=toronto,
        section=section,
        screen=screen,
        key="evening",
        starts_at=datetime.datetime(2026, 10, 30, 23, 0, tzinfo=UTC),
        ends_at=datetime.datetime(2026, 10, 31, 0, 40, tzinfo=UTC),
    )
    pages = [
        reverse("admin:films_edition_change", args=[toronto.pk]),
        reverse("admin:films_edition_add"),
        reverse("admin:films_section_change", args=[section.pk]),
        reverse("admin:films_section_add") + f"?edition={toronto.pk}",
        reverse("admin:films_section_add"),
        reverse("admin:films_screening_change", args=[screening.pk]),
        reverse("admin:films_screening_add") + f"?edition={toronto.pk}",
    ]
    for url in pages:
        html = admin_client.get(url).content.decode()
        assert 'class="vTimeField"' in html, url  # The date and time widgets are still there,
        assert "data-admin-utc-offset" not in html, url  # without the offset the warning is computed from.
        assert re.search(r'<body class="[^"]*change-form[^"]*">', html), url
    # Other admin pages keep Django's attribute (the check above would see it).
    assert "data-admin-utc-offset" in admin_client.get(reverse("admin:films_film_add")).content.decode()
