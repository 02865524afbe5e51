"""make_demo_festival: a deterministic demo edition whose every record obeys the model's rules.

The module's demo starts on a fixed day (``--start-date``), so that its content does not depend on the day the
tests run; where the demo lies without one (today is its third day) is tested with the clock set.
"""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from films.demo import demo_editions
from films.models import (
    Award,
    AwardResult,
    Credit,
    Edition,
    Film,
    FilmImage,
    JuryMember,
    Screen,
    Screening,
    ScreeningFilm,
    Section,
    Selection,
    Venue,
)

EXAMPLE = "we-will-not-fade-away"
START = "2026-02-12"
EDITION_KEY = "demo-2026"
TICKETS_2027 = "https://tickets.example.org/demo-2027/s"
RENDITIONS = "/media/films/renditions"


def make_demo(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("make_demo_festival", *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo with the default seed, built once for this module and rolled back after it."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        output = make_demo("--start-date", START)
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo(built, db):
    return Edition.objects.get(key=EDITION_KEY)


def canonical_dump():
    """Every row of every films table, with primary keys left out and foreign keys as ranks in insertion order
    (and versions left out: they come from the clock, see films/models/versioned.py)."""
    models = list(apps.get_app_config("films").get_models(include_auto_created=True))
    ranks = {
        model: {pk: rank for rank, pk in enumerate(model._base_manager.order_by("pk").values_list("pk", flat=True))}
        for model in models
    }
    dump = {}
    for model in models:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "version"]
        rows = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
        dump[model._meta.label] = [
            tuple(
                ranks[f.related_model][value] if f.is_relation and value is not None else value
                for f, value in zip(fields, row, strict=True)
            )
            for row in rows
        ]
    return dump


def test_small_demo_has_the_pinned_counts_for_the_default_seed(demo, built):
    assert built.startswith(
        "Demo edition demo-2026 (small, seed 1): 61 films (61 screened), 157 screenings, 8 screens, 4 venues, "
        "7 sections, 7 awards; "
    )
    assert built.splitlines()[1:] == [
        "It runs from 2026-02-12 to 2026-02-22 (Europe/Berlin); its results are announced on 2026-02-21 at 19:00."
    ]
    assert Selection.objects.filter(section__edition=demo).values("film").distinct().count() == 61
    assert Screening.objects.filter(edition=demo).count() == 157
    assert ScreeningFilm.objects.filter(screening__edition=demo).count() == 201
    assert Screen.objects.filter(key__startswith="demo-").count() == 8
    assert Venue.objects.filter(key__startswith="demo-").count() == 4
    assert Section.objects.filter(edition=demo).count() == 7
    assert Award.objects.filter(edition=demo).count() == 7
    assert AwardResult.objects.filter(award__edition=demo).count() == 11
    assert Credit.objects.filter(film__key__startswith="demo-").count() == 639
    # Every film has a poster and a still, the example film among them.
    assert FilmImage.objects.filter(film__key__startswith="demo-").count() == 120
    assert list(
        FilmImage.objects.filter(film__key="we-will-not-fade-away").order_by("order").values_list("kind", "image")
    ) == [
        ("poster", "films/images/demo-we-will-not-fade-away-poster.jpg"),
        ("still", "films/images/demo-we-will-not-fade-away-still-1.jpg"),
    ]
    assert demo.start_date == datetime.date(2026, 2, 12)
    assert demo.end_date == datetime.date(2026, 2, 22)
    assert demo.timezone == "Europe/Berlin"


def test_every_screening_passes_full_clean(demo):
    screenings = Screening.objects.filter(edition=demo).select_related("edition", "screen", "section")
    for screening in screenings:
        screening.full_clean()
    assert len(screenings) == 157


def test_other_demo_records_pass_full_clean(demo):
    """Every film, section, award and venue, and the first 40 rows of each other table."""
    every = {Film, Section, Award, AwardResult, Venue, Screen, Edition, Selection}
    checked = 0
    for model in apps.get_app_config("films").get_models():
        if model is Screening:
            continue
        instances = model.objects.order_by("pk")
        for instance in instances if model in every else instances[:40]:
            instance.full_clean()
            checked += 1
    assert checked > 500


def test_no_screening_clashes_with_another_in_its_screen(demo):
    screenings = list(Screening.objects.filter(edition=demo, screen__isnull=False).exclude(status="cancelled"))
    assert len(screenings) > 100
    for screening in screenings:
        assert not Screening.objects.clashing_with(screening).exists(), screening.key
        assert screening.blocked_until == screening.ends_at + datetime.timedelta(
            minutes=screening.screen.changeover_minutes
        )


def test_screenings_start_within_the_edition_days_on_a_five_minute_grid(demo):
    tz = demo.tzinfo
    for screening in Screening.objects.filter(edition=demo):
        start = screening.starts_at.astimezone(tz)
        assert demo.start_date <= start.date() <= demo.end_date
        assert start.minute % 5 == 0
        assert datetime.time(10, 0) <= start.time() <= datetime.time(23, 30)
        runtime = sum(f.runtime_minutes for f in screening.films.all())
        assert screening.runtime_minutes() in (runtime, runtime + 5, runtime + 20)


def test_competitive_sections_have_awards_whose_results_go_to_films_selected_there(demo):
    competitive = Section.objects.filter(edition=demo, competitive=True).order_by("order")
    assert [s.key for s in competitive] == ["competition", "documentary-competition", "shorts-competition"]
    for section in competitive:
        results = AwardResult.objects.filter(award__section=section)
        assert results.filter(kind="winner").count() == section.awards.count()
        for result in results:
            assert Selection.objects.filter(section=section, film=result.film).exists()
            assert result.citation_en
            result.full_clean()
    assert AwardResult.objects.filter(award__edition=demo, kind="special-mention").exists()
    for result in AwardResult.objects.filter(award__key="best-director"):
        assert Credit.objects.filter(film=result.film, person=result.person, role="director").exists()
    assert list(Award.objects.filter(edition=demo, recipient="person").values_list("key", flat=True)) == [
        "best-director",
        "best-performance",
    ]
    assert not Award.objects.filter(edition=demo, section__competitive=False).exists()
    assert demo.results_announced_at == datetime.datetime(2026, 2, 21, 19, 0, tzinfo=demo.tzinfo)


def test_each_competition_has_a_jury_with_one_president_who_judges_no_film_of_their_own(demo):
    for section in Section.objects.filter(edition=demo, competitive=True):
        jury = list(section.jury.order_by("order"))
        assert 3 <= len(jury) <= 5
        assert [member.role for member in jury].count("president") == 1
        for member in jury:
            assert not Credit.objects.filter(person=member.person, film__selections__section=section).exists()
    assert not JuryMember.objects.filter(section__competitive=False).exists()


def test_some_translations_are_deliberately_missing_while_english_is_always_there(demo):
    films = Film.objects.filter(key__startswith="demo-")
    assert not films.filter(title_en=None).exists()
    assert not films.filter(synopsis_en=None).exists()
    assert films.filter(synopsis_uk=None).exists()
    assert films.exclude(synopsis_uk=None).exists()
    assert films.filter(title_nl=None).exists()
    assert Section.objects.filter(edition=demo, description_nl=None).exists()
    assert AwardResult.objects.filter(award__edition=demo, citation_nl=None).exists()


def test_a_shorts_programme_is_one_screening_of_several_films_in_running_order(demo):
    programme = (
        Screening.objects.filter(edition=demo, section__key="shorts-competition", audience="public")
        .order_by("starts_at")
        .first()
    )
    films = list(programme.screening_films.order_by("order").values_list("order", "film__runtime_minutes"))
    assert len(films) >= 4
    assert [order for order, _minutes in films] == list(range(len(films)))
    assert programme.runtime_minutes() == sum(minutes for _order, minutes in films)


def test_online_screenings_have_no_screen_and_a_window_within_the_edition(demo):
    online = Screening.objects.filter(edition=demo, audience="online")
    assert online.count() == 5
    last = datetime.datetime.combine(demo.end_date, datetime.time(23, 59), tzinfo=demo.tzinfo)
    for screening in online:
        assert screening.screen is None
        assert screening.available_from == screening.starts_at
        assert screening.starts_at < screening.available_until <= last
    assert online.exclude(online_countries=[]).exists()


def test_demo_has_drafts_cancelled_sold_out_press_and_industry_screenings(demo):
    screenings = Screening.objects.filter(edition=demo)
    for audience in ("public", "press", "industry", "online"):
        assert screenings.filter(audience=audience).exists(), audience
    assert screenings.filter(status="cancelled").exists()
    assert screenings.filter(status="sold-out").exists()
    assert screenings.filter(published=False).exists()
    assert list(Section.objects.filter(edition=demo, published=False).values_list("key", flat=True)) == [
        "works-in-progress"
    ]
    assert Film.objects.filter(key__startswith="demo-", published=False).exists()


def test_example_film_is_imported_selected_with_a_premiere_and_screened_twice(demo):
    film = Film.objects.get(key=EXAMPLE)
    assert film.original_title == "Ми не згаснемо"
    selection = Selection.objects.get(film=film, section__edition=demo)
    assert (selection.section.key, selection.premiere) == ("panorama", "national")
    assert Screening.objects.filter(edition=demo, films=film).count() == 2
    assert film.synopsis_nl.startswith("In een mijnstadje in de Donbas")


def test_same_seed_gives_identical_data_and_another_seed_different_data(demo):
    first = canonical_dump()
    make_demo("--replace", "--start-date", START)
    assert canonical_dump() == first
    make_demo("--replace", "--seed", "2", "--start-date", START)
    other = canonical_dump()
    assert other != first
    assert other["films.Film"] != first["films.Film"]


def test_replace_with_a_start_date_builds_that_edition_whatever_today_is_and_keeps_the_example_film(demo, monkeypatch):
    film = Film.objects.get(key=EXAMPLE)
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC))
    output = make_demo("--replace", "--seed", "3", "--start-date", "2027-03-04")
    assert list(demo_editions().values_list("key", "year", "start_date", "end_date", "name_en", "name_uk")) == [
        (
            "demo-2027",
            2027,
            datetime.date(2027, 3, 4),
            datetime.date(2027, 3, 14),
            "Festival Demo 2027",
            "Фестиваль «Демо» 2027",
        )
    ]
    assert output.splitlines()[1] == (
        "It runs from 2027-03-04 to 2027-03-14 (Europe/Berlin); its results are announced on 2027-03-13 at 19:00."
    )
    assert Film.objects.get(key=EXAMPLE).pk == film.pk
    assert Selection.objects.filter(film=film, section__edition__key="demo-2027").count() == 1
    assert not Edition.objects.filter(key=EDITION_KEY).exists()
    assert Screening.objects.filter(edition__key="demo-2027", ticket_url__startswith=TICKETS_2027).count() > 100


@pytest.mark.parametrize(
    ("now", "first_day"),
    [
        (datetime.datetime(2026, 7, 15, 9, 0, tzinfo=datetime.UTC), datetime.date(2026, 7, 13)),
        # Already 1 January 2031 in Berlin: the edition began on 30 December and is named after that year.
        (datetime.datetime(2030, 12, 31, 23, 30, tzinfo=datetime.UTC), datetime.date(2030, 12, 30)),
    ],
)
def test_without_a_start_date_today_is_the_third_day_of_the_running_edition(demo, monkeypatch, now, first_day):
    from films.queries import current_edition, default_day

    monkeypatch.setattr(timezone, "now", lambda: now)
    output = make_demo("--replace")
    edition = demo_editions().get()
    key = f"demo-{first_day.year}"
    assert output.startswith(f"Demo edition {key} (small, seed 1): 61 films (61 screened), 157 screenings, ")
    assert (edition.key, edition.year, edition.start_date, edition.end_date, edition.name_en) == (
        key,
        first_day.year,
        first_day,
        first_day + datetime.timedelta(days=10),
        f"Festival Demo {first_day.year}",
    )
    today = timezone.localdate(now, edition.tzinfo)
    assert today == first_day + datetime.timedelta(days=2)
    assert current_edition() == edition
    assert default_day(edition) == today  # The programme opens on today.
    # "Hide what has started" has something to hide, and something to keep.
    published = Screening.objects.published().filter(edition=edition)
    assert published.filter(starts_at__lt=now).exists()
    assert published.filter(starts_at__gt=now).exists()
    # The results are under embargo until the last evening but one.
    assert edition.results_announced_at == datetime.datetime.combine(
        first_day + datetime.timedelta(days=9), datetime.time(19), tzinfo=edition.tzinfo
    )
    assert AwardResult.objects.filter(award__edition=edition).count() == 11
    assert not AwardResult.objects.public().filter(award__edition=edition).exists()
    assert AwardResult.objects.public(edition.results_announced_at).filter(award__edition=edition).count() == 11
    # Online screenings are watchable within the edition's days.
    for screening in Screening.objects.filter(edition=edition, audience="online"):
        assert edition.start_date <= edition.local_date(screening.available_from)
        assert edition.local_date(screening.available_until) <= edition.end_date


def test_start_dates_and_edition_counts_that_cannot_be_built_are_refused(demo, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC))
    before = canonical_dump()
    for arguments, message in [
        (["--start-date", "12.02.2026"], "Error: argument --start-date: “12.02.2026” is not a date as YYYY-MM-DD."),
        (["--editions", "0"], "Error: argument --editions: at least 1 (the current edition), not 0."),
        (
            ["--start-date", "2031-01-05"],
            "The demo's editions must lie in the years 1960 to 2030, for its films' years to be plausible; a first "
            "day of 2031-01-05 with 1 edition(s) asks for 2031 to 2031.",
        ),
        (
            ["--start-date", START, "--editions", "70"],
            "The demo's editions must lie in the years 1960 to 2030, for its films' years to be plausible; a first "
            "day of 2026-02-12 with 70 edition(s) asks for 1957 to 2026.",
        ),
    ]:
        with pytest.raises(CommandError) as error:
            make_demo("--replace", *arguments)
        assert str(error.value) == message
    assert canonical_dump() == before


def test_running_again_without_replace_fails_and_changes_nothing(demo):
    before = canonical_dump()
    with pytest.raises(CommandError) as error:
        make_demo("--seed", "2", "--start-date", START)
    assert str(error.value) == (
        "This database already has the demo (the edition “demo-2026”); nothing was changed. Run with --replace "
        "to delete the demo's editions and its own films, people, companies and venues and build it anew."
    )
    assert canonical_dump() == before


def test_demo_films_and_people_are_searchable(demo):
    from films.models import Film, Person

    film = Film.objects.filter(key__startswith="demo-").exclude(original_title_latin="").first()
    assert film in Film.objects.search(film.original_title_latin.upper())
    person = Person.objects.filter(key__startswith="demo-").first()
    assert person in Person.objects.search(person.name)


def test_the_readiness_page_lists_the_demos_translation_gaps_and_its_double_booked_guest(demo, admin_client):
    from django.urls import reverse

    from films.warnings import edition_warnings

    html = admin_client.get(reverse("admin:films_edition_readiness", args=[demo.pk])).content.decode()
    # The films whose synopsis the demo deliberately leaves out in Ukrainian, counted and linked.
    missing = Film.objects.filter(selections__section__edition=demo).filter(synopsis_uk__isnull=True).distinct()
    assert missing.count() > 0
    shown = re.search(r"Films without a synopsis</th><td>Ukrainian</td>\s*<td><a href=\"[^\"]+\">(\d+)</a>", html)
    assert int(shown[1]) == missing.count()
    guest_warnings = [warning for warning in edition_warnings(demo) if warning.kind == "guest"]
    assert len(guest_warnings) == 2  # One guest, two screenings at once: the demo's deliberate double booking.
    assert guest_warnings[0].message.startswith("Guest ")
    assert guest_warnings[0].message in html.replace("&amp;", "&")


@pytest.mark.parametrize(
    ("language", "alt"),
    [
        ("en", 'alt="A still from We Will Not Fade Away"'),
        ("uk", 'alt="A still from We Will Not Fade Away" lang="en"'),
        ("pl", 'alt="A still from We Will Not Fade Away" lang="en"'),
        ("de", 'alt="Szenenbild aus We Will Not Fade Away"'),
        ("nl", 'alt="A still from We Will Not Fade Away" lang="en"'),
    ],
)
def test_the_example_films_page_leads_with_its_own_still_in_every_language(client, demo, settings, language, alt):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    html = client.get(f"/{language}/films/we-will-not-fade-away/").content.decode()
    lead = re.search(r'<div class="film__lead film__lead--still">(.*?)</div>', html).group(1)
    assert f"{RENDITIONS}/demo-we-will-not-fade-away-still-1-1280.webp 1280w" in lead
    assert f'src="{RENDITIONS}/demo-we-will-not-fade-away-still-1-640.jpg"' in lead
    assert f' width="640" height="360" {alt} loading="eager" fetchpriority="high" decoding="async">' in lead
    # Its own poster beside the facts, and in the programme a thumbnail of it beside its title.
    assert f"{RENDITIONS}/demo-we-will-not-fade-away-poster-320.webp 320w" in html
    programme = client.get(f"/{language}/demo-2026/programme/", {"day": "2026-02-13"}).content.decode()
    films = re.findall(r'<li><(picture|span) class="screening__image[^>]*>.*?<a href="([^"]+)"', programme)
    assert films
    assert {kind for kind, _url in films} == {"picture"}
    for day in ("2026-02-12", "2026-02-13", "2026-02-14", "2026-02-15", "2026-02-16", "2026-02-17"):
        programme = client.get(f"/{language}/demo-2026/programme/", {"day": day}).content.decode()
        if f"/{language}/films/we-will-not-fade-away/" in programme:
            assert re.search(
                rf'<li><picture class="screening__image"><source type="image/webp" srcset="{RENDITIONS}/'
                rf'demo-we-will-not-fade-away-poster-160\.webp 160w, [^"]+" sizes="[^"]+">.*?</picture>'
                rf'<a href="/{language}/films/we-will-not-fade-away/">',
                programme,
            )
            break
    else:
        pytest.fail("the example film is screened on none of the first six days")
