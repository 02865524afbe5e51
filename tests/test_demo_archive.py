"""make_demo_festival --editions N: the current demo edition and N−1 earlier ones, a year apart.

Each edition has films, screenings and results of its own; venues, companies and people return across years,
and each award keeps its key, so its page lists every year's winner. Built once for the module (small size,
three editions, a fixed first day) and rolled back after it.
"""

import collections
import datetime
import io
import itertools
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from films.demo import demo_editions
from films.models import (
    Award,
    AwardResult,
    Company,
    CompanyCredit,
    Credit,
    Edition,
    Film,
    FilmImage,
    JuryMember,
    Person,
    Screen,
    Screening,
    Selection,
    Venue,
)

from .test_demo_festival import canonical_dump

START = "2026-02-12"
BERLIN = datetime.timezone(datetime.timedelta(hours=1))  # Central European (winter) time, as in February.
KEYS = ["demo-2026", "demo-2025", "demo-2024"]


def make_demo(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("make_demo_festival", *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-archive-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        output = make_demo("--editions", "3", "--start-date", START)
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def editions(built, db):
    return {edition.key: edition for edition in demo_editions()}


def at(monkeypatch, *moment):
    """Set the clock to ``moment`` (year, month, day, hour, minute) in Berlin in February."""
    now = datetime.datetime(*moment, tzinfo=BERLIN)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def films_of(edition):
    return set(Selection.objects.filter(section__edition=edition).values_list("film__key", flat=True))


def test_three_editions_a_year_apart_each_with_a_programme_of_its_own(built, editions):
    lines = built.splitlines()
    assert lines[0].startswith(
        "Demo edition demo-2026 (small, seed 1): 61 films (61 screened), 157 screenings, 8 screens, 4 venues, "
        "7 sections, 7 awards; "
    )
    assert lines[1:] == [
        "It runs from 2026-02-12 to 2026-02-22 (Europe/Berlin); its results are announced on 2026-02-21 at 19:00.",
        "Earlier editions demo-2025 to demo-2024 (2): 120 films, 323 screenings, 14 winners.",
    ]
    assert [
        (e.key, e.year, e.name_en, e.start_date, e.end_date, e.published, e.results_announced_at)
        for e in editions.values()
    ] == [
        (
            f"demo-{year}",
            year,
            f"Festival Demo {year}",
            datetime.date(year, 2, 12),
            datetime.date(year, 2, 22),
            True,
            datetime.datetime(year, 2, 21, 19, 0, tzinfo=BERLIN),
        )
        for year in (2026, 2025, 2024)
    ]
    counts = [
        (
            len(films_of(edition)),
            Screening.objects.filter(edition=edition).count(),
            AwardResult.objects.filter(award__edition=edition).count(),
            JuryMember.objects.filter(section__edition=edition).count(),
        )
        for edition in editions.values()
    ]
    assert counts == [(61, 157, 11, 12), (60, 168, 10, 12), (60, 155, 11, 14)]
    # Films of their own: no film is selected in two editions; the example film only in the current one.
    for first, second in itertools.combinations(editions.values(), 2):
        assert not films_of(first) & films_of(second)
    assert Selection.objects.filter(film__key="we-will-not-fade-away").get().section.edition.key == "demo-2026"
    # Each edition's new films are of its year or the year before (the retrospective's are old).
    for edition in editions.values():
        years = set(
            Film.objects.filter(selections__section__edition=edition, key__startswith="demo-")
            .exclude(selections__section__key="retrospective")
            .values_list("year", flat=True)
        )
        assert years == {edition.year - 1, edition.year}, edition.key
    # Every film of every edition has a poster and a still: 181 films. An earlier edition's films share a dozen
    # posters drawn for it, and every film but the example film one of the two dozen stills drawn for the demo.
    assert FilmImage.objects.count() == 2 * 181
    for edition in editions.values():
        keys = films_of(edition)
        for kind in ("poster", "still"):
            found = FilmImage.objects.filter(kind=kind, film__key__in=keys).values_list("film__key", flat=True)
            assert sorted(found) == sorted(keys), (edition.key, kind)
    earlier = FilmImage.objects.filter(kind="poster", film__key__in=films_of(editions["demo-2024"]))
    assert {name.rsplit("-", 1)[0] for name in earlier.values_list("image", flat=True)} == {
        "films/images/demo-2024-poster"
    }
    assert earlier.values("image").distinct().count() <= 12
    assert FilmImage.objects.filter(kind="still").values("image").distinct().count() == 25


def test_venues_companies_and_people_return_across_years(editions):
    assert Venue.objects.filter(key__startswith="demo-").count() == 4
    screens = set(Screen.objects.filter(key__startswith="demo-").values_list("key", flat=True))
    assert len(screens) == 8
    for edition in editions.values():
        used = Screening.objects.filter(edition=edition, screen__isnull=False).values_list("screen__key", flat=True)
        assert set(used) == screens, edition.key
    # The companies are the same pool every year, and some produce films in every edition.
    assert Company.objects.filter(key__startswith="demo-").count() == 29
    every_year = (
        CompanyCredit.objects.filter(role="production")
        .values("company")
        .annotate(editions=Count("film__selections__section__edition", distinct=True))
        .filter(editions=3)
    )
    assert every_year.exists()
    # People: 180 for the current edition, 120 new ones for each earlier one, and returning ones among them.
    assert Person.objects.filter(key__startswith="demo-").count() == 420
    credited = (
        Credit.objects.values("person")
        .annotate(editions=Count("film__selections__section__edition", distinct=True))
        .filter(editions__gt=1)
    )
    assert credited.count() == 100
    directors = (
        Credit.objects.filter(role="director")
        .values("person__key")
        .annotate(editions=Count("film__selections__section__edition", distinct=True))
        .filter(editions__gt=1)
        .order_by("person__key")
    )
    assert directors.count() == 23


def test_a_returning_directors_page_lists_their_films_of_each_year(editions, client):
    person = (
        Person.objects.filter(credits__role="director")
        .annotate(editions=Count("credits__film__selections__section__edition", distinct=True))
        .filter(editions__gt=1)
        .order_by("key")
        .first()
    )
    films = Film.objects.filter(credits__person=person, credits__role="director", published=True).distinct()
    years = set(Edition.objects.filter(sections__selections__film__in=films).values_list("key", flat=True))
    assert len(years) >= 2
    html = client.get(f"/en/people/{person.key}/").content.decode()
    for film in films:
        assert f'href="/en/films/{film.key}/"' in html, film.key


def award_years(html):
    """Each year on an award's page: (edition, [winners' film links], announced)."""
    years = []
    for block in re.findall(r'<section class="award-year".*?</section>', html, re.S):
        edition = re.search(r"<h2[^>]*><a href=\"[^\"]+\">([^<]+)</a>", block)[1]
        winners = re.findall(r'<li class="award__winner"><a href="([^"]+)">', block)
        years.append((edition, winners, "Not announced yet." not in block))
    return years


def test_an_award_keeps_its_key_and_its_page_lists_the_winner_of_each_year(editions, client, monkeypatch):
    awards = Award.objects.filter(key="golden-lantern").order_by("-edition__start_date")
    assert [(a.edition.key, a.section.key, a.section.edition_id == a.edition_id) for a in awards] == [
        (key, "competition", True) for key in KEYS
    ]
    at(monkeypatch, 2026, 2, 21, 19, 30)  # After the current edition's closing ceremony.
    html = client.get("/en/awards/golden-lantern/").content.decode()
    assert award_years(html) == [
        ("Festival Demo 2026", ["/en/films/demo-sea-and-bridge/"], True),
        ("Festival Demo 2025", ["/en/films/demo-garden-and-dust/"], True),
        ("Festival Demo 2024", ["/en/films/demo-winter/"], True),
    ]
    assert list(
        AwardResult.objects.filter(award__key="golden-lantern", kind="winner")
        .order_by("-award__edition__start_date")
        .values_list("film__key", flat=True)
    ) == ["demo-sea-and-bridge", "demo-garden-and-dust", "demo-winter"]


def test_during_the_current_edition_its_results_are_under_embargo_and_earlier_ones_are_public(
    editions, client, monkeypatch
):
    now = at(monkeypatch, 2026, 2, 14, 12, 0)
    public = collections.Counter(AwardResult.objects.public(now).values_list("award__edition__key", flat=True))
    assert public == {"demo-2025": 10, "demo-2024": 11}
    html = client.get("/en/awards/golden-lantern/").content.decode()
    assert award_years(html) == [
        ("Festival Demo 2026", [], False),
        ("Festival Demo 2025", ["/en/films/demo-garden-and-dust/"], True),
        ("Festival Demo 2024", ["/en/films/demo-winter/"], True),
    ]
    palmares = client.get("/en/demo-2026/awards/").content.decode()
    assert "No awards have been announced." in palmares
    assert 'class="award__winner"' not in palmares
    earlier = client.get("/en/demo-2025/awards/").content.decode()
    assert "No awards have been announced." not in earlier
    assert earlier.count('class="award__winner"') == 7
    archive = client.get("/en/editions/").content.decode()
    assert re.findall(r'<li><a href="/en/demo-\d+/programme/">(Festival [^<]+)</a>', archive) == [
        "Festival Demo 2026",
        "Festival Demo 2025",
        "Festival Demo 2024",
    ]


def test_the_earlier_editions_records_obey_the_models_rules(editions):
    earlier = [editions[key] for key in KEYS[1:]]
    screenings = Screening.objects.filter(edition__in=earlier).select_related("edition", "screen", "section")
    for screening in screenings:
        screening.full_clean()
        if screening.screen_id and screening.status != "cancelled":
            assert not Screening.objects.clashing_with(screening).exists(), screening.key
        assert screening.edition.start_date <= screening.edition.local_date(screening.starts_at)
        assert screening.edition.local_date(screening.starts_at) <= screening.edition.end_date
    assert len(screenings) == 323
    for model, path in (
        (AwardResult, "award__edition__in"),
        (Award, "edition__in"),
        (JuryMember, "section__edition__in"),
        (Selection, "section__edition__in"),
    ):
        for record in model.objects.filter(**{path: earlier}):
            record.full_clean()
    for edition in earlier:
        edition.full_clean()
    for person in Person.objects.filter(key__startswith="demo-").order_by("pk")[:60]:
        person.full_clean()


def export():
    out = io.StringIO()
    call_command("export_catalogue", "--include-embargoed", stdout=out)
    return out.getvalue()


def test_the_same_seed_and_first_day_give_the_same_archive(editions):
    before, catalogue = canonical_dump(), export()
    assert catalogue.count('"key": "demo-20') == 3
    make_demo("--replace", "--editions", "3", "--start-date", START)
    assert canonical_dump() == before
    assert export() == catalogue


def test_running_again_without_replace_names_the_editions_and_replace_removes_them_all(editions):
    with pytest.raises(CommandError) as error:
        make_demo("--start-date", START)
    assert str(error.value).startswith(
        "This database already has the demo (the editions “demo-2026” to “demo-2024”); nothing was changed. "
    )
    make_demo("--replace", "--start-date", START)
    assert list(demo_editions().values_list("key", flat=True)) == ["demo-2026"]
    assert Person.objects.filter(key__startswith="demo-").count() == 180
    assert Film.objects.filter(key__startswith="demo-").count() == 60
