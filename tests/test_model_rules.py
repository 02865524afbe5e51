"""Rules of films, editions, selections and awards: clean() messages and named database constraints."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from films.models import (
    Award,
    AwardResult,
    Company,
    Credit,
    Edition,
    Film,
    Person,
    Screen,
    Section,
    Selection,
)


def messages(instance):
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    return error.value.message_dict


def test_film_year_must_be_plausible(film):
    film.year = 1700
    assert messages(film)["year"][0].startswith("1700 is not a plausible year for a film; give a year from 1888 to ")
    with pytest.raises(IntegrityError), transaction.atomic():
        film.save()


def test_film_runtime_must_be_plausible(film):
    film.runtime_minutes = 0
    assert messages(film)["runtime_minutes"] == [
        "A runtime of 0 minutes is not plausible; give the length in minutes (1 to 1500)."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        film.save()
    # The bounds themselves are plausible: a one-minute short, a 25-hour installation.
    for minutes in (1, 1500):
        film.runtime_minutes = minutes
        film.full_clean()
    film.runtime_minutes = 1501
    assert list(messages(film)) == ["runtime_minutes"]


def test_film_age_recommendation_must_be_plausible(film):
    film.minimum_age = 21
    film.full_clean()
    film.minimum_age = 22
    assert messages(film) == {"minimum_age": ["An age recommendation of 22 years is not plausible."]}


def test_film_countries_and_languages_are_iso_codes_in_order(film):
    film.countries = ["UA", "FR", "PL"]
    film.spoken_languages = "uk, ru"
    film.full_clean()
    film.save()
    film.refresh_from_db()
    assert film.countries == ["UA", "FR", "PL"]
    assert film.spoken_languages == ["uk", "ru"]
    assert list(Film.objects.filter(countries__contains="FR")) == [film]
    assert list(Film.objects.filter(countries__contains="DE")) == []


def test_unknown_or_repeated_codes_are_refused(film):
    film.countries = ["UA", "XX", "QQ"]
    assert messages(film)["countries"] == ["Unknown country codes: XX, QQ."]
    film.countries = ["UA", "UA"]
    assert messages(film)["countries"] == ["Each code may appear once; repeated: UA."]
    film.countries = []
    film.spoken_languages = ["klingon"]
    assert messages(film)["spoken_languages"] == ["Unknown language code: klingon."]


def test_film_key_must_be_a_slug(film):
    film.key = "We Will Not"
    assert messages(film)["key"] == ["A key is lower-case letters, digits and single hyphens, such as “idfa-2023”."]


def test_film_form_outside_its_choices_is_refused_by_the_database(film):
    with pytest.raises(IntegrityError), transaction.atomic():
        Film.objects.filter(pk=film.pk).update(form="docu")


def test_display_title_falls_back_to_english_then_original(film):
    from django.utils import translation

    with translation.override("uk"):
        assert film.display_title == "We Will Not Fade Away"
        film.title_uk = "Ми не згаснемо"
        assert film.display_title == "Ми не згаснемо"
    untitled = Film(key="x", original_title="Ми не згаснемо", original_title_latin="My ne zgasnemo")
    assert untitled.display_title == "My ne zgasnemo"


def test_edition_must_end_on_or_after_its_first_day(festival):
    edition = Edition(
        festival=festival,
        key="x-2023",
        year=2023,
        name="X",
        start_date=datetime.date(2023, 11, 8),
        end_date=datetime.date(2023, 11, 1),
        timezone="Europe/Amsterdam",
    )
    assert messages(edition)["end_date"] == ["The last day (2023-11-01) is before the first day (2023-11-08)."]
    with pytest.raises(IntegrityError), transaction.atomic():
        edition.save()


def test_edition_time_zone_must_be_an_iana_name(edition):
    edition.timezone = "Amsterdam"
    assert messages(edition)["timezone"] == ["Value 'Amsterdam' is not a valid choice."]


def test_section_key_is_unique_within_its_edition(edition, section):
    twin = Section(edition=edition, key=section.key, name="Other")
    assert messages(twin)["__all__"] == ["Section with this Edition and Key already exists."]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_film_is_selected_once_per_section(section, film):
    Selection.objects.create(section=section, film=film, premiere="national")
    again = Selection(section=section, film=film)
    assert messages(again)["__all__"] == ["Selection with this Section and Film already exists."]
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


def test_a_person_is_credited_once_per_role_and_may_be_credited_for_a_company(film):
    person = Person.objects.create(key="valery-kalmykov", name="Valery Kalmykov")
    company = Company.objects.create(key="trueman-production", name="Trueman Production", country="UA")
    credit = Credit.objects.create(film=film, role="producer", person=person, company=company)
    assert str(credit) == "Producer: Valery Kalmykov for Trueman Production"
    with pytest.raises(IntegrityError), transaction.atomic():
        Credit.objects.create(film=film, role="producer", person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Credit.objects.create(film=film, role="directer", person=person)


def test_award_belongs_to_a_competitive_section(edition, section):
    award = Award(edition=edition, section=section, key="best-film", name="Best Film")
    assert messages(award)["section"] == ["“Best of Fests” is not competitive; awards belong to a competitive section."]


def test_award_result_goes_to_a_film_selected_in_its_section(edition, film):
    competition = Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True)
    award = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    result = AwardResult(award=award, film=film)
    assert messages(result)["film"] == [
        "“We Will Not Fade Away” is not selected in “Competition”, so it cannot receive “Best Film”."
    ]
    Selection.objects.create(section=competition, film=film)
    result.full_clean()
    result.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardResult.objects.create(award=award, film=film)


def test_award_result_person_must_be_credited_on_the_film(edition, film):
    competition = Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True)
    Selection.objects.create(section=competition, film=film)
    award = Award.objects.create(
        edition=edition, section=competition, key="best-director", name="Best Director", recipient="person"
    )
    stranger = Person.objects.create(key="someone", name="Someone Else")
    result = AwardResult(award=award, film=film, person=stranger)
    assert messages(result)["person"] == ["Someone Else is not credited on “We Will Not Fade Away”."]


def test_screen_wheelchair_spaces_fit_its_capacity(venue):
    screen = Screen(venue=venue, key="tiny", name="Tiny", capacity=10, wheelchair_spaces=12)
    assert messages(screen)["wheelchair_spaces"] == ["12 wheelchair spaces do not fit in a screen for 10."]
    with pytest.raises(IntegrityError), transaction.atomic():
        screen.save()
    # Every seat a wheelchair space fits.
    Screen(venue=venue, key="flat", name="Flat floor", capacity=10, wheelchair_spaces=10).full_clean()


def edition_of(festival, year, start, end):
    return Edition(
        festival=festival,
        key=f"x-{year}",
        year=year,
        name="X",
        start_date=start,
        end_date=end,
        timezone="Europe/Amsterdam",
    )


def test_an_edition_may_last_one_day(festival):
    edition_of(festival, 2023, datetime.date(2023, 11, 8), datetime.date(2023, 11, 8)).full_clean()


@pytest.mark.parametrize(
    ("year", "start", "valid"),
    [
        (2023, datetime.date(2023, 11, 8), True),
        # An edition called by the season it opens (2023/24) or by the year it mostly falls in.
        (2023, datetime.date(2024, 1, 10), True),
        (2024, datetime.date(2023, 12, 28), True),
        (2023, datetime.date(2025, 1, 10), False),
        (2025, datetime.date(2023, 12, 28), False),
    ],
)
def test_an_editions_year_matches_its_first_day_within_a_year(festival, year, start, valid):
    edition = edition_of(festival, year, start, start + datetime.timedelta(days=5))
    if valid:
        edition.full_clean()
    else:
        assert messages(edition) == {"year": [f"The edition's year {year} does not match its first day {start}."]}


def test_merging_two_records_of_one_person_loses_nothing(film):
    mariia = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    maria = Person.objects.create(
        key="maria-nesterenko", name="Maria Nesterenko", born_year=1990, bio="Sound designer."
    )
    Credit.objects.create(film=film, role="sound", person=maria)
    maria.filmography.create(title="Another Film", year=2020)
    mariia.merge(maria)
    mariia.refresh_from_db()
    assert list(film.credits.values_list("person__key", "role")) == [("mariia-nesterenko", "sound")]
    assert list(mariia.aliases.values_list("name", flat=True)) == ["Maria Nesterenko"]
    assert list(mariia.filmography.values_list("title", flat=True)) == ["Another Film"]
    assert mariia.born_year == 1990
    assert mariia.bio == "Sound designer."
    assert not Person.objects.filter(key="maria-nesterenko").exists()
    assert list(Person.objects.search("maria nest")) == [mariia]


def test_merging_takes_a_name_listed_twice_as_one_alias(film):
    """The other record's name also among its own aliases (as an import may leave it): one alias, not two."""
    from films.models import PersonAlias

    mariia = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    maria = Person.objects.create(key="maria-nesterenko", name="Maria Nesterenko")
    PersonAlias.objects.create(person=maria, name="Maria Nesterenko")
    PersonAlias.objects.create(person=maria, name="M. Nesterenko")
    mariia.merge(maria)
    assert sorted(mariia.aliases.values_list("name", flat=True)) == ["M. Nesterenko", "Maria Nesterenko"]


def test_a_search_for_nothing_finds_nobody(db):
    Person.objects.create(key="someone", name="Someone")
    assert list(Person.objects.search("  ")) == []
    assert list(Film.objects.search("  ")) == []


def test_merging_people_joins_their_guest_appearances(film, make_screening):
    from films.models import ScreeningGuest

    from .conftest import local

    mariia = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    maria = Person.objects.create(key="maria-nesterenko", name="Maria Nesterenko")
    both = make_screening(local(2023, 11, 12, 10), key="both")
    only_maria = make_screening(local(2023, 11, 13, 10), key="only-maria")
    ScreeningGuest.objects.create(screening=both, person=mariia, intro=True)
    ScreeningGuest.objects.create(screening=both, person=maria, qa=True)
    ScreeningGuest.objects.create(screening=only_maria, person=maria, qa=True)
    mariia.merge(maria)
    assert sorted(ScreeningGuest.objects.values_list("screening__key", "person__key", "intro", "qa")) == [
        ("both", "mariia-nesterenko", True, True),
        ("only-maria", "mariia-nesterenko", False, True),
    ]


def test_travel_time_is_kept_once_per_pair_whichever_way_it_is_entered(venue):
    from films.models import TravelTime, Venue

    far = Venue.objects.create(key="far", name="Far")
    first, second = sorted([venue, far], key=lambda v: v.pk)
    entered = TravelTime(from_venue=second, to_venue=first, minutes=20)
    entered.full_clean()
    entered.save()
    assert (entered.from_venue_id, entered.to_venue_id) == (first.pk, second.pk)
    again = TravelTime(from_venue=second, to_venue=first, minutes=25)
    assert messages(again)["__all__"] == ["Travel time with this From venue and To venue already exists."]
    assert messages(TravelTime(from_venue=venue, to_venue=venue, minutes=5))["to_venue"] == [
        "Choose another venue: within a venue there is no travel."
    ]


def test_a_guest_attends_for_an_intro_a_qa_or_both(film, make_screening):
    from films.models import ScreeningGuest

    from .conftest import local

    person = Person.objects.create(key="alisa-kovalenko", name="Alisa Kovalenko")
    screening = make_screening(local(2023, 11, 12, 10), key="one")
    assert messages(ScreeningGuest(screening=screening, person=person))["__all__"] == [
        "A guest attends for an introduction, a Q&A or both: tick at least one."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningGuest.objects.create(screening=screening, person=person)


def test_code_lists_can_be_filtered_by_one_code(film):
    film.countries = ["UA", "FR", "PL"]
    film.save()
    assert list(Film.objects.filter(countries__contains="PL")) == [film]
    assert list(Film.objects.filter(countries="UA,FR,PL")) == [film]
    assert list(Film.objects.filter(countries=["UA", "FR", "PL"])) == [film]
    assert list(Film.objects.filter(countries__contains="AF")) == []


# Smaller rules that pages and the admin lean on ------------------------------------------------------------


def test_a_published_selection_is_in_a_published_section_of_a_published_edition(edition, section, film, next_edition):
    """``Selection.objects.published()``: the film, the section and the edition all published."""
    draft_edition = next_edition
    public = Selection.objects.create(section=section, film=film)
    # A published section of an edition not yet published.
    ahead = Section.objects.create(edition=draft_edition, key="panorama", name="Panorama", published=True)
    Selection.objects.create(section=ahead, film=film)
    draft_section = Section.objects.create(edition=edition, key="secret", name="Secret")
    Selection.objects.create(section=draft_section, film=film)
    draft_film = Film.objects.create(key="draft-film", title="Draft Film")
    Selection.objects.create(section=section, film=draft_film)
    assert list(Selection.objects.published()) == [public]


def test_a_copy_an_image_and_a_filmography_entry_read_as_what_they_are(film):
    """How the admin names them (history, delete confirmations): a copy's count and format, an image's kind, an
    earlier film's year when it is known."""
    from films.models import FilmCopy, FilmImage, FilmographyEntry

    assert str(FilmographyEntry(title="Another Film", year=2020)) == "2020 Another Film"
    assert str(FilmographyEntry(title="Another Film")) == "Another Film"
    assert str(FilmCopy(film=film, format="35mm", count=2)) == "2 × 35 mm print"
    assert str(FilmCopy(film=film, format="dcp")) == "1 × DCP"
    assert str(FilmImage(film=film, kind="still", order=3)) == f"Still 3: {film.pk}"


def test_an_image_is_an_upload_or_the_address_it_comes_from(film):
    from films.models import FilmImage

    image = FilmImage(film=film, kind="poster")
    with pytest.raises(ValidationError) as error:
        image.clean()
    assert error.value.message_dict == {"image": ["Upload an image or give the address it comes from."]}
    assert [item.code for item in error.value.error_dict["image"]] == ["required"]
    linked = FilmImage(film=film, kind="poster", source_url="https://example.org/poster.jpg")
    linked.clean()
    # Nothing stored for an image known only by its address.
    assert linked.stored_names() == []


# The edition's local date on SQLite (``films.models.festival.LocalDate``; PostgreSQL has AT TIME ZONE) ----------


@pytest.mark.parametrize(
    ("moment", "zone", "date"),
    [
        # 22:30 UTC is 23:30 in Amsterdam: still the 12th; 23:30 UTC is already the 13th there.
        ("2023-11-12 22:30:00", "Europe/Amsterdam", "2023-11-12"),
        ("2023-11-12 23:30:00", "Europe/Amsterdam", "2023-11-13"),
        ("2023-11-13 03:30:00", "America/New_York", "2023-11-12"),
        (None, "Europe/Amsterdam", None),
        ("2023-11-12 22:30:00", None, None),
        ("2023-11-12 22:30:00", "Not/A_Zone", None),
    ],
)
def test_the_sqlite_local_date_reads_a_stored_utc_moment_in_the_zone(monkeypatch, moment, zone, date):
    """Whatever the server's own zone: a moment SQLite stores is UTC, never the machine's local time."""
    import time

    from films.models.festival import sqlite_local_date

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        assert sqlite_local_date(moment, zone) == date
    finally:
        monkeypatch.undo()
        time.tzset()


def test_every_new_sqlite_connection_has_the_local_date_function(db):
    """Registered on each connection as it opens (``connection_created``), under the name ``LocalDate`` writes."""
    from django.db import connections

    default = connections["default"]
    if default.vendor != "sqlite":
        pytest.skip("SQLite's function; PostgreSQL has AT TIME ZONE")
    # A new connection of the same kind, to a database of its own.
    wrapper = type(default)({**default.settings_dict, "NAME": ":memory:"}, alias="default")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT festival_local_date('2023-11-12 23:30:00', 'Europe/Amsterdam')")
            assert cursor.fetchone() == ("2023-11-13",)
    finally:
        wrapper.close()
