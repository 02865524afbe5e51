"""Calendar (.ics) exports: one screening, the filtered programme, a personal programme."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from films.models import Film, Screen, Section, Venue
from tests.conftest import local

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def parse(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar):
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def example(make_screening, venue):
    venue.address = "Example Street 1"
    venue.city = "Amsterdam"
    venue.save()
    return make_screening(local(2023, 11, 12, 19, 15), key="wwnfa-1", ticket_url="https://tickets.example/1")


def test_screening_ics_has_exact_event_in_edition_time_zone(client, example):
    response = client.get("/en/idfa-2023/screenings/wwnfa-1.ics")
    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="idfa-2023-wwnfa-1.ics"'
    [event] = events(calendar)
    assert str(event["UID"]) == "idfa-2023-wwnfa-1@testserver"
    assert str(event["SUMMARY"]) == "We Will Not Fade Away"
    assert event["DTSTART"].dt == datetime.datetime(2023, 11, 12, 19, 15, tzinfo=AMSTERDAM)
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event["DTEND"].dt == datetime.datetime(2023, 11, 12, 20, 55, tzinfo=AMSTERDAM)
    assert event["DTEND"].params["TZID"] == "Europe/Amsterdam"
    assert str(event["LOCATION"]) == "Example Cinema, Example Cinema 1, Example Street 1, Amsterdam"
    assert str(event["URL"]) == "http://testserver/en/films/we-will-not-fade-away/"
    assert str(event["DESCRIPTION"]) == (
        "We Will Not Fade Away: http://testserver/en/films/we-will-not-fade-away/\nTickets: https://tickets.example/1"
    )
    assert str(event["STATUS"]) == "CONFIRMED"
    assert b"DTSTART;TZID=Europe/Amsterdam:20231112T191500\r\n" in response.content
    assert b"DTEND;TZID=Europe/Amsterdam:20231112T205500\r\n" in response.content


def test_screening_ics_carries_the_vtimezone_of_the_edition(client, example):
    calendar = parse(client.get("/en/idfa-2023/screenings/wwnfa-1.ics"))
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert str(calendar["X-WR-CALNAME"]) == "IDFA 2023"
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_screening_ics_summary_and_urls_follow_the_page_language(client, example, film):
    film.title_uk = "Ми не згаснемо"
    film.save()
    [event] = events(parse(client.get("/uk/idfa-2023/screenings/wwnfa-1.ics")))
    assert str(event["SUMMARY"]) == "Ми не згаснемо"
    assert str(event["URL"]) == "http://testserver/uk/films/we-will-not-fade-away/"
    assert str(event["UID"]) == "idfa-2023-wwnfa-1@testserver"


def test_a_location_names_each_part_once_and_leaves_out_what_is_missing(client, make_screening, edition):
    tuschinski = Venue.objects.create(key="tuschinski", name="Tuschinski")
    same_name = Screen.objects.create(venue=tuschinski, key="tuschinski", name="Tuschinski", wheelchair_spaces=3)
    make_screening(local(2023, 11, 12, 10), key="main", screen=same_name)
    [event] = events(parse(client.get("/en/idfa-2023/screenings/main.ics")))
    assert str(event["LOCATION"]) == "Tuschinski"
    # Wheelchair spaces without step-free access: the spaces only.
    assert str(event["DESCRIPTION"]).splitlines()[-1] == "Accessibility: 3 wheelchair spaces"


def test_one_process_serves_each_language_and_host_its_own_event(client, example, film):
    film.title_uk = "Ми не згаснемо"
    film.save()
    for path, host, summary, url in (
        ("/en/", "testserver", "We Will Not Fade Away", "http://testserver/en/films/we-will-not-fade-away/"),
        ("/uk/", "testserver", "Ми не згаснемо", "http://testserver/uk/films/we-will-not-fade-away/"),
        ("/en/", "localhost", "We Will Not Fade Away", "http://localhost/en/films/we-will-not-fade-away/"),
    ):
        [event] = events(parse(client.get(f"{path}idfa-2023/screenings/wwnfa-1.ics", HTTP_HOST=host)))
        assert (str(event["UID"]), str(event["SUMMARY"]), str(event["URL"])) == (
            f"idfa-2023-wwnfa-1@{host}",
            summary,
            url,
        )


def test_shorts_programme_summary_lists_films_in_running_order(client, make_screening, film):
    short = Film.objects.create(key="a-short", title="A Short", published=True)
    make_screening(local(2023, 11, 13, 10), key="shorts-1", films=[short, film])
    [event] = events(parse(client.get("/en/idfa-2023/screenings/shorts-1.ics")))
    assert str(event["SUMMARY"]) == "A Short / We Will Not Fade Away"
    assert str(event["URL"]) == "http://testserver/en/films/a-short/"


def test_cancelled_screening_is_exported_as_cancelled(client, make_screening):
    make_screening(local(2023, 11, 12, 19, 15), key="off", status="cancelled", ticket_url="https://tickets.example/2")
    [event] = events(parse(client.get("/en/idfa-2023/screenings/off.ics")))
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["DESCRIPTION"]) == (
        "This screening is cancelled.\nWe Will Not Fade Away: http://testserver/en/films/we-will-not-fade-away/"
    )


def test_online_screening_location_says_online(client, make_screening):
    make_screening(local(2023, 11, 14, 12), key="online-1", screen=None, audience="online")
    [event] = events(parse(client.get("/en/idfa-2023/screenings/online-1.ics")))
    assert str(event["LOCATION"]) == "Online"


@pytest.mark.parametrize(
    "make_draft",
    [
        pytest.param(lambda s: setattr(s, "published", False) or s.save(), id="screening"),
        pytest.param(lambda s: Film.objects.update(published=False), id="film"),
        pytest.param(lambda s: Section.objects.update(published=False), id="section"),
        pytest.param(lambda s: s.edition.__class__.objects.update(published=False), id="edition"),
    ],
)
def test_drafts_are_never_exported_as_a_screening(client, example, make_draft):
    make_draft(example)
    assert client.get("/en/idfa-2023/screenings/wwnfa-1.ics").status_code == 404


@pytest.fixture
def programme(make_screening, edition, screen, film):
    """Three screenings over two days in two sections and two venues, plus drafts."""
    other_venue = Venue.objects.create(key="other-cinema", name="Other Cinema")
    other_screen = Screen.objects.create(venue=other_venue, key="other-1", name="Other 1")
    competition = Section.objects.create(edition=edition, key="competition", name="Competition", published=True)
    hidden = Section.objects.create(edition=edition, key="hidden", name="Hidden")
    draft_film = Film.objects.create(key="draft-film", title="Draft Film")
    film.countries = ["UA", "PL"]
    film.form = "documentary"
    film.minimum_age = 16
    film.save()
    fiction = Film.objects.create(key="fiction", title="Fiction", published=True, form="fiction", countries=["NL"])
    make_screening(local(2023, 11, 12, 19, 15), key="a", subtitles=["en"])
    make_screening(local(2023, 11, 12, 21, 30), key="b", section=competition, screen=other_screen)
    make_screening(local(2023, 11, 13, 10), key="c", section=competition, audience="press", films=[fiction])
    make_screening(local(2023, 11, 13, 14), key="draft-screening", published=False)
    make_screening(local(2023, 11, 13, 17), key="draft-section", section=hidden)
    make_screening(local(2023, 11, 13, 20), key="draft-film", films=[draft_film])


def uids(response):
    return [str(event["UID"]).split("@")[0] for event in events(parse(response))]


def test_programme_ics_holds_every_published_screening_without_filters(client, programme):
    response = client.get("/en/idfa-2023/programme.ics")
    assert uids(response) == ["idfa-2023-a", "idfa-2023-b", "idfa-2023-c"]
    assert response["Content-Disposition"] == 'attachment; filename="idfa-2023-programme.ics"'
    assert str(parse(response)["X-WR-CALNAME"]) == "IDFA 2023: programme"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("section=competition", ["idfa-2023-b", "idfa-2023-c"]),
        ("day=2023-11-12", ["idfa-2023-a", "idfa-2023-b"]),
        ("day=2023-11-13&section=competition", ["idfa-2023-c"]),
        ("venue=other-cinema", ["idfa-2023-b"]),
        ("subtitles=en", ["idfa-2023-a"]),
        ("audience=press", ["idfa-2023-c"]),
        ("form=fiction", ["idfa-2023-c"]),
        ("country=PL", ["idfa-2023-a", "idfa-2023-b"]),
        ("country=NL", ["idfa-2023-c"]),
        ("age=12", ["idfa-2023-c"]),
    ],
)
def test_programme_ics_takes_the_programme_page_filters(client, programme, query, expected):
    assert uids(client.get(f"/en/idfa-2023/programme.ics?{query}")) == expected


def test_programme_ics_refuses_an_unknown_section_naming_it(client, programme):
    response = client.get("/en/idfa-2023/programme.ics?section=hidden")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"  # Never HTML: it names what was asked.
    assert response.content.decode() == (
        "The calendar cannot be made: section=hidden: "
        "Select a valid choice. hidden is not one of the available choices."
    )


def test_programme_ics_refuses_a_day_outside_the_edition(client, programme):
    response = client.get("/en/idfa-2023/programme.ics?day=2023-12-01")
    assert response.status_code == 400
    assert response.content.decode() == (
        "The calendar cannot be made: day=2023-12-01: The edition does not run on that day."
    )


def test_programme_ics_query_count_does_not_grow_with_screenings(client, programme, make_screening):
    with CaptureQueriesContext(connection) as few:
        client.get("/en/idfa-2023/programme.ics")
    for hour in range(10, 16):
        make_screening(local(2023, 11, 15, hour, 0), key=f"extra-{hour}", minutes=40)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/en/idfa-2023/programme.ics")
    assert len(events(parse(response))) == 9
    assert len(many) == len(few)


def test_programme_ics_of_a_draft_edition_is_not_found(client, programme, edition):
    edition.published = False
    edition.save()
    assert client.get("/en/idfa-2023/programme.ics").status_code == 404


def test_personal_ics_holds_the_chosen_published_screenings_only(client, programme):
    response = client.get("/en/idfa-2023/my-programme.ics?s=c,a,draft-screening,draft-film,gone")
    assert uids(response) == ["idfa-2023-a", "idfa-2023-c"]
    assert response["Content-Disposition"] == 'attachment; filename="idfa-2023-my-programme.ics"'
    assert str(parse(response)["X-WR-CALNAME"]) == "My programme: IDFA 2023"


def test_personal_ics_refuses_a_malformed_key_naming_it(client, programme):
    response = client.get("/en/idfa-2023/my-programme.ics?s=a,Bad Key")
    assert response.status_code == 400
    assert response.content.decode() == (
        "“Bad Key” is not a screening key (lower-case letters, digits and single hyphens)."
    )


def test_personal_ics_refuses_an_empty_choice(client, programme):
    response = client.get("/en/idfa-2023/my-programme.ics?s=")
    assert response.status_code == 400
    assert response.content.decode() == "The link names no screenings; add them as ?s=key1,key2."


def test_personal_ics_refuses_more_than_two_hundred_screenings(client, programme):
    keys = ",".join(f"k{number}" for number in range(201))
    response = client.get(f"/en/idfa-2023/my-programme.ics?s={keys}")
    assert response.status_code == 400
    assert response.content.decode() == "A personal programme holds at most 200 screenings; this one lists 201."


def test_programme_ics_hides_what_has_started_when_asked(client, programme):
    # Every screening of the 2023 edition has started by now.
    assert uids(client.get("/en/idfa-2023/programme.ics?started=hide")) == []


def test_a_moved_then_cancelled_screening_updates_the_same_event(admin_client, client, example):
    """As a calendar that subscribed to the programme sees it: the same UID, a higher SEQUENCE and a later
    LAST-MODIFIED after each change, and a cancelled screening kept, as CANCELLED."""
    from django.urls import reverse

    def event():
        [found] = [
            item for item in events(parse(client.get("/en/idfa-2023/programme.ics"))) if "wwnfa-1" in item["UID"]
        ]
        return found

    first = event()
    assert int(first["SEQUENCE"]) == 0  # Never saved through a form, a move or an import: no history yet.
    example.refresh_from_db()
    response = admin_client.post(
        reverse("admin:films_screening_move", args=[example.pk]),
        {"screen": example.screen_id, "starts_at": "2023-11-12T21:00", "version": example.version},
    )
    assert response.status_code == 302
    moved = event()
    assert str(moved["UID"]) == str(first["UID"]) == "idfa-2023-wwnfa-1@testserver"
    assert int(moved["SEQUENCE"]) == 1
    assert moved["DTSTART"].dt == datetime.datetime(2023, 11, 12, 21, 0, tzinfo=AMSTERDAM)
    assert moved["DTSTAMP"].dt >= first["DTSTAMP"].dt
    admin_client.post(
        reverse("admin:films_screening_changelist"), {"action": "mark_cancelled", "_selected_action": [example.pk]}
    )
    cancelled = event()
    assert str(cancelled["UID"]) == str(first["UID"])
    assert int(cancelled["SEQUENCE"]) == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["LAST-MODIFIED"].dt >= moved["LAST-MODIFIED"].dt  # (iCalendar counts in seconds.)


def test_the_programme_offers_calendar_subscriptions_for_the_edition_and_the_section(client, programme, section):
    html = client.get("/en/idfa-2023/programme/?day=2023-11-12").content.decode()
    assert 'href="webcal://testserver/en/idfa-2023/programme.ics" class="subscribe"' in html
    assert "Subscribe to this section" not in html
    html = client.get(f"/en/idfa-2023/programme/?day=2023-11-12&section={section.key}").content.decode()
    assert f'href="webcal://testserver/en/idfa-2023/programme.ics?section={section.key}" class="subscribe"' in html
    # What the subscription reads: the section's screenings only (its screening of a draft film never).
    subscribed = client.get(f"/en/idfa-2023/programme.ics?section={section.key}")
    assert [str(event["UID"]) for event in events(parse(subscribed))] == ["idfa-2023-a@testserver"]


def subscription_address(client, query):
    """The personal programme page's subscription: (webcal address, the same over http, the path to read it)."""
    html = client.get(f"/en/my-programme/?{query}").content.decode()
    [webcal] = re.findall(r'href="(webcal://[^"]+)" class="subscribe"', html)
    [web] = re.findall(r"<code>(http://[^<]+)</code>", html)
    return webcal, web, web.removeprefix("http://testserver")


def test_a_personal_programme_offers_an_unguessable_subscription(client, example):
    webcal, web, path = subscription_address(client, "edition=idfa-2023&s=wwnfa-1")
    assert webcal == "webcal://" + web.removeprefix("http://")
    assert re.fullmatch(r"/en/idfa-2023/my-programme/[A-Za-z0-9_.:-]{20,}\.ics", path)
    assert "wwnfa-1" not in path  # The selection is not readable or editable in the address.
    assert [str(event["UID"]) for event in events(parse(client.get(path)))] == ["idfa-2023-wwnfa-1@testserver"]
    # Each visitor (each visit) gets an address of their own for the same choice, and every one works.
    _webcal, _web, other = subscription_address(client, "edition=idfa-2023&s=wwnfa-1")
    assert other != path
    assert parse(client.get(other))


def test_a_subscription_address_this_site_did_not_make_is_not_found(client, example, make_screening):
    make_screening(datetime.datetime(2023, 11, 13, 10, tzinfo=datetime.UTC), key="other-1")
    _webcal, _web, path = subscription_address(client, "edition=idfa-2023&s=wwnfa-1")
    token = path.removeprefix("/en/idfa-2023/my-programme/").removesuffix(".ics")
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "wwnfa-1,other-1", "x"):
        assert client.get(f"/en/idfa-2023/my-programme/{forged}.ics").status_code == 404
    # Another edition's address does not read this one's screenings under its name, and a draft edition is 404.
    assert client.get(path.replace("idfa-2023", "idfa-1999")).status_code == 404


def test_a_subscribed_personal_programme_follows_a_move_and_a_cancellation(admin_client, client, example):
    from django.urls import reverse

    _webcal, _web, path = subscription_address(client, "edition=idfa-2023&s=wwnfa-1")
    [first] = events(parse(client.get(path)))
    example.refresh_from_db()
    admin_client.post(
        reverse("admin:films_screening_move", args=[example.pk]),
        {"screen": example.screen_id, "starts_at": "2023-11-12T21:00", "version": example.version},
    )
    [moved] = events(parse(client.get(path)))
    assert str(moved["UID"]) == str(first["UID"])
    assert int(moved["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert moved["DTSTART"].dt == datetime.datetime(2023, 11, 12, 21, 0, tzinfo=AMSTERDAM)
    admin_client.post(
        reverse("admin:films_screening_changelist"), {"action": "mark_cancelled", "_selected_action": [example.pk]}
    )
    [cancelled] = events(parse(client.get(path)))
    assert (str(cancelled["UID"]), int(cancelled["SEQUENCE"])) == (str(first["UID"]), int(moved["SEQUENCE"]) + 1)
    assert str(cancelled["STATUS"]) == "CANCELLED"


# Each event's bytes are kept in the cache under a key made from all it shows ---------------------------------------


@pytest.fixture
def serialized(monkeypatch):
    """The screening keys of the events icalendar serializes from now on, in order (the cache emptied first)."""
    from django.core.cache import cache
    from icalendar import Event

    from films.calendar import local_fragments

    cache.clear()
    local_fragments.clear()
    keys = []
    to_ical = Event.to_ical

    def counting(self, *args, **kwargs):
        keys.append(str(self["UID"]).split("@")[0].removeprefix("idfa-2023-"))
        return to_ical(self, *args, **kwargs)

    monkeypatch.setattr(Event, "to_ical", counting)
    return keys


def test_a_second_export_serializes_no_event_again(client, programme, serialized):
    first = client.get("/en/idfa-2023/programme.ics")
    assert serialized == ["a", "b", "c"]
    serialized.clear()
    second = client.get("/en/idfa-2023/programme.ics")
    assert serialized == []
    assert second.content == first.content
    # A section's calendar and a personal programme show the same events: they are not serialized again either.
    assert uids(client.get("/en/idfa-2023/programme.ics?section=competition")) == ["idfa-2023-b", "idfa-2023-c"]
    assert uids(client.get("/en/idfa-2023/my-programme.ics?s=c,a")) == ["idfa-2023-a", "idfa-2023-c"]
    assert serialized == []
    # In another language every event reads differently (its film's address, at least): each is made once more.
    client.get("/uk/idfa-2023/programme.ics")
    assert serialized == ["a", "b", "c"]


def test_another_process_reads_the_events_from_the_shared_cache(client, programme, serialized):
    from films.calendar import local_fragments

    first = client.get("/en/idfa-2023/programme.ics")
    serialized.clear()
    local_fragments.clear()  # As a process that has made none of them sees it.
    assert client.get("/en/idfa-2023/programme.ics").content == first.content
    assert serialized == []


def test_a_process_keeps_the_events_it_used_last_within_its_limit():
    from films.calendar import LocalFragments

    kept = LocalFragments(limit=10)
    kept.put_many({"a": b"1234", "b": b"5678"})
    assert kept.get_many(["a", "c"]) == {"a": b"1234"}  # "a" is now the one used last.
    kept.put_many({"c": b"90ab"})
    assert (kept.get_many(["a", "b", "c"]), kept.size) == ({"a": b"1234", "c": b"90ab"}, 8)
    kept.clear()
    kept.put_many({"d": b"12345", "e": b"67890"})  # Exactly the limit, after a clear: both kept.
    assert (kept.get_many(["a", "c", "d", "e"]), kept.size) == ({"d": b"12345", "e": b"67890"}, 10)


def test_a_moved_screening_re_renders_its_own_event_only(client, programme, serialized):
    from films.models import Screening
    from films.models.versioned import saved_at

    before = {str(event["UID"]): event for event in events(parse(client.get("/en/idfa-2023/programme.ics")))}
    serialized.clear()
    moved = Screening.objects.get(key="b")
    moved.starts_at, moved.ends_at = local(2023, 11, 12, 22, 0), local(2023, 11, 12, 23, 40)
    moved.save()
    after = {str(event["UID"]): event for event in events(parse(client.get("/en/idfa-2023/programme.ics")))}
    assert serialized == ["b"]
    assert after["idfa-2023-b@testserver"]["DTSTART"].dt == datetime.datetime(2023, 11, 12, 22, 0, tzinfo=AMSTERDAM)
    assert after["idfa-2023-b@testserver"]["DTSTAMP"].dt == saved_at(moved.version).replace(microsecond=0)
    for unchanged in ("idfa-2023-a@testserver", "idfa-2023-c@testserver"):
        assert after[unchanged].to_ical() == before[unchanged].to_ical()


def test_a_renamed_film_re_renders_its_events_even_without_a_save(client, programme, serialized):
    client.get("/en/idfa-2023/programme.ics")
    serialized.clear()
    # A bulk update raises no version: the event is kept under what it shows, so the new title still shows.
    Film.objects.filter(key="fiction").update(title_en="Fiction, Renamed")
    calendar = parse(client.get("/en/idfa-2023/programme.ics"))
    assert serialized == ["c"]
    assert [str(event["SUMMARY"]) for event in events(calendar)] == [
        "We Will Not Fade Away",
        "We Will Not Fade Away",
        "Fiction, Renamed",
    ]


def test_dtstamp_is_the_last_save_of_what_the_event_shows_not_the_moment_of_the_download(client, example, film):
    from films.models.versioned import saved_at

    def event():
        [found] = events(parse(client.get("/en/idfa-2023/screenings/wwnfa-1.ics")))
        return found

    first = event()
    assert first["DTSTAMP"].dt == first["LAST-MODIFIED"].dt == saved_at(example.version).replace(microsecond=0)
    assert event().to_ical() == first.to_ical()  # The same bytes however often it is made.
    film.save()  # Its film saved later (a new title, say): the event's DTSTAMP is that save.
    assert event()["DTSTAMP"].dt == saved_at(film.version).replace(microsecond=0)
    assert event()["LAST-MODIFIED"].dt == first["LAST-MODIFIED"].dt  # The screening itself did not change.


def test_dtstamp_of_a_never_saved_screening_is_its_editions_last_save_else_a_fixed_moment(client, example, edition):
    from films.models import Screening, Section
    from films.models.versioned import saved_at

    # Bulk-imported records (version 0): no LAST-MODIFIED, and no save of their own to stamp the event with.
    for model in (Screening, Film, Section):
        model.objects.update(version=0)
    [event] = events(parse(client.get("/en/idfa-2023/screenings/wwnfa-1.ics")))
    assert event["DTSTAMP"].dt == saved_at(edition.version).replace(microsecond=0)
    assert "LAST-MODIFIED" not in event
    edition.__class__.objects.update(version=0)
    [event] = events(parse(client.get("/en/idfa-2023/screenings/wwnfa-1.ics")))
    assert event["DTSTAMP"].dt == datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def test_with_events_gives_what_icalendar_writes_for_the_calendar_holding_the_events():
    from icalendar import Event

    from films.calendar import PRODID, calendar_frame, with_events

    made = []
    for number in (1, 2):
        event = Event()
        event.add("uid", f"event-{number}@testserver")
        event.add("dtstart", datetime.datetime(2023, 11, 12, 19, number, tzinfo=AMSTERDAM))
        event.add("summary", "A title long enough for icalendar to fold its line in two " * number)
        made.append(event)
    whole = Calendar()
    whole.add("prodid", PRODID)
    whole.add("version", "2.0")
    whole.add("calscale", "GREGORIAN")
    whole.add("method", "PUBLISH")
    whole.calendar_name = "IDFA 2023"
    for event in made:
        whole.add_component(event)
    whole.add_missing_timezones()
    frame = calendar_frame("IDFA 2023", (AMSTERDAM,))
    assert with_events(frame, [event.to_ical() for event in made]) == whole.to_ical()
    assert with_events(frame, []) == frame
    with pytest.raises(ValueError, match="END:VCALENDAR"):
        with_events(frame[:-2], [])


def test_the_large_calendars_reading_gives_the_same_calendar(client, admin_client, programme, monkeypatch):
    """Above ``SMALL_CALENDAR`` screenings the films, guests and history of the whole edition are read."""
    from django.urls import reverse

    from films import calendar
    from films.models import Person, Screening, ScreeningGuest

    screening = Screening.objects.get(key="b")
    ScreeningGuest.objects.create(
        screening=screening, person=Person.objects.create(key="guest", name="A Guest"), qa=True
    )
    admin_client.post(
        reverse("admin:films_screening_move", args=[screening.pk]),
        {"screen": screening.screen_id, "starts_at": "2023-11-12T22:00", "version": screening.version},
    )
    small = client.get("/en/idfa-2023/programme.ics").content
    monkeypatch.setattr(calendar, "SMALL_CALENDAR", 1)
    large = client.get("/en/idfa-2023/programme.ics").content
    assert large == small
    [_a, moved, _c] = events(Calendar.from_ical(large))
    assert (int(moved["SEQUENCE"]), str(moved["DESCRIPTION"]).splitlines()[-1]) == (1, "Q&A with A Guest")


def test_programme_ics_makes_seven_queries_for_few_screenings_or_many(client, programme, make_screening):
    """The edition; the screenings, their screens, sections, films, guests and saves kept in the history."""
    client.get("/en/idfa-2023/programme.ics")  # Django's content types are read once per process.
    with CaptureQueriesContext(connection) as few:
        client.get("/en/idfa-2023/programme.ics")
    for hour in range(10, 16):
        make_screening(local(2023, 11, 15, hour, 0), key=f"extra-{hour}", minutes=40)
    with CaptureQueriesContext(connection) as many:
        assert len(events(parse(client.get("/en/idfa-2023/programme.ics")))) == 9
    assert len(few) == len(many) == 7


def test_the_description_ends_with_the_note_in_the_page_language_else_english(client, example):
    example.note_en, example.note_uk = "Bring a coat.", "Візьміть пальто."
    example.save()

    def last_line(language):
        [event] = events(parse(client.get(f"/{language}/idfa-2023/screenings/wwnfa-1.ics")))
        return str(event["DESCRIPTION"]).splitlines()[-2]  # The tickets' line comes last.

    assert (last_line("en"), last_line("uk"), last_line("de")) == ("Bring a coat.", "Візьміть пальто.", "Bring a coat.")


def test_a_personal_calendar_lists_its_screenings_by_start_and_none_of_another_edition(
    client, programme, next_edition, make_screening
):
    make_screening(local(2023, 11, 12, 10), key="d")  # the earliest, last by key
    next_edition.published = True
    next_edition.save()
    next_section = Section.objects.create(edition=next_edition, key="best-of-fests", name="Best of", published=True)
    make_screening(local(2024, 11, 16, 19), key="a", edition=next_edition, section=next_section)  # the same key
    assert uids(client.get("/en/idfa-2023/my-programme.ics?s=c,d,a")) == ["idfa-2023-d", "idfa-2023-a", "idfa-2023-c"]
    _webcal, _web, path = subscription_address(client, "edition=idfa-2023&s=c,d,a")
    assert uids(client.get(path)) == ["idfa-2023-d", "idfa-2023-a", "idfa-2023-c"]
    assert uids(client.get("/en/idfa-2024/my-programme.ics?s=c,d,a")) == ["idfa-2024-a"]


def test_a_subscription_signed_here_that_holds_no_key_list_is_not_found(client, example):
    from django.core import signing

    from films.calendar import SUBSCRIPTION_SALT

    for payload in (["wwnfa-1"], {"s": ["wwnfa-1"]}, {"n": "wwnfa-1"}, "wwnfa-1"):
        token = signing.dumps(payload, salt=SUBSCRIPTION_SALT)
        assert client.get(f"/en/idfa-2023/my-programme/{token}.ics").status_code == 404
    token = signing.dumps({"s": "wwnfa-1"}, salt=SUBSCRIPTION_SALT)
    assert uids(client.get(f"/en/idfa-2023/my-programme/{token}.ics")) == ["idfa-2023-wwnfa-1"]


def test_a_long_personal_programmes_subscription_address_stays_short():
    from films.calendar import subscription_keys, subscription_token

    keys = [f"idfa-2023-competition-{number}" for number in range(200)]  # the most a programme holds
    token = subscription_token(keys)
    assert subscription_keys(token) == keys
    assert len(token) < 800  # 7,500 characters of keys: compressed, an address a calendar app takes


def test_a_key_list_skips_empty_items_drops_repeats_and_holds_keys_of_up_to_100_characters_and_200_keys():
    from films.calendar import BadKeyList, parse_screening_keys

    assert parse_screening_keys("a,,b, ,a,c,") == ["a", "b", "c"]
    assert parse_screening_keys("k" * 100) == ["k" * 100]
    with pytest.raises(BadKeyList) as refused:
        parse_screening_keys("a," + "k" * 101)
    assert str(refused.value) == (
        f"“{'k' * 100}” is not a screening key (lower-case letters, digits and single hyphens)."
    )
    keys = [f"k{number}" for number in range(200)]
    assert parse_screening_keys(",".join(keys)) == keys


def test_each_event_says_its_own_access_and_state_and_a_screening_without_films_is_listed(
    client, make_screening, screen, venue
):
    screen.step_free = True
    screen.wheelchair_spaces = 2
    screen.save()
    other_screen = Screen.objects.create(venue=venue, key="example-cinema-2", name="Example Cinema 2")
    make_screening(local(2023, 11, 12, 10), key="accessible")
    make_screening(local(2023, 11, 12, 10), key="sold", screen=other_screen, status="sold-out")
    make_screening(local(2023, 11, 12, 14), key="to-be-announced", screen=other_screen, films=[])
    found = {
        str(event["UID"]).split("@")[0]: (str(event["SUMMARY"]), str(event["DESCRIPTION"]))
        for event in events(parse(client.get("/en/idfa-2023/programme.ics")))
    }
    film = "We Will Not Fade Away: http://testserver/en/films/we-will-not-fade-away/"
    assert found == {
        "idfa-2023-accessible": (
            "We Will Not Fade Away",
            f"{film}\nAccessibility: Step-free access, 2 wheelchair spaces",
        ),
        "idfa-2023-sold": ("We Will Not Fade Away", f"Sold out.\n{film}"),  # The other screen: no access line.
        "idfa-2023-to-be-announced": ("", ""),  # Its films not yet named, it is in the programme all the same.
    }
    [announced_later] = [
        event
        for event in events(parse(client.get("/en/idfa-2023/programme.ics")))
        if str(event["UID"]).startswith("idfa-2023-to-be-announced@")
    ]
    assert "URL" not in announced_later


def test_a_section_renamed_since_dates_its_events_again(client, example, section):
    [before] = events(parse(client.get("/en/idfa-2023/programme.ics")))
    an_hour_later = section.version + 3_600_000_000  # A version is its save's moment in microseconds.
    Section.objects.filter(pk=section.pk).update(name="Best of Fests 2023", version=an_hour_later)
    [after] = events(parse(client.get("/en/idfa-2023/programme.ics")))
    assert str(after["CATEGORIES"].cats[0]) == "Best of Fests 2023"
    assert after["DTSTAMP"].dt - before["DTSTAMP"].dt >= datetime.timedelta(minutes=59)
