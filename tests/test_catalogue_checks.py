"""The import's second stage: what the schema cannot see (keys that lead nowhere, the same thing twice, a text
emptied, dates and moments, screens, guests, runtimes, clashes, awards), each refused with its path and message,
and the file's rows left unwritten."""

import copy
import datetime

import pytest

from films.catalogue import import_catalogue
from films.models import Film, Person, Screen, Screening
from tests.catalogue import FILM, example, refused

UNKNOWN = "it is neither in the file nor in the database"

pytestmark = pytest.mark.django_db


def edition_of(document):
    return document["editions"][0]


def first_screening(document):
    return edition_of(document)["screenings"][0]


def second_film(key="second-film", **fields):
    return {"key": key, "title": {"en": "Second Film"}, "runtime_minutes": 80, **fields}


# Codes and texts ----------------------------------------------------------------------------------------------------


def test_a_code_listed_twice_is_refused_at_its_second_place_in_every_code_list():
    document = example()
    document["films"][0]["countries"] = ["UA", "FR", "UA"]
    document["films"][0]["spoken_languages"] = ["uk", "uk"]
    first_screening(document)["subtitles"] = ["en", "nl", "nl"]
    first_screening(document)["access"] = ["audio-description", "audio-description"]
    assert refused(document) == [
        'films[0].countries[2]: "UA" is listed twice',
        'films[0].spoken_languages[1]: "uk" is listed twice',
        'editions[0].screenings[0].subtitles[2]: "nl" is listed twice',
        'editions[0].screenings[0].access[1]: "audio-description" is listed twice',
    ]


def test_unknown_codes_of_a_company_a_festival_a_screening_and_a_spoken_language_are_refused():
    document = example()
    document["companies"][0]["country"] = "XU"
    edition_of(document)["festival"]["country"] = "QQ"
    document["films"][0]["spoken_languages"] = ["uk", "xx"]
    first_screening(document)["subtitles"] = ["zz"]
    first_screening(document)["countries"] = ["YY"]
    assert refused(document) == [
        'companies[0].country: unknown country code "XU"',
        'films[0].spoken_languages[1]: unknown language code "xx"',
        'editions[0].festival.country: unknown country code "QQ"',
        'editions[0].screenings[0].subtitles[0]: unknown language code "zz"',
        'editions[0].screenings[0].countries[0]: unknown country code "YY"',
    ]


def test_a_required_text_emptied_in_the_default_language_is_refused_wherever_it_is():
    document = example()
    document["films"][0]["title"]["en"] = ""
    document["films"][0]["tags"][1]["name"] = {"en": ""}
    edition = edition_of(document)
    edition["festival"]["name"]["en"] = ""
    edition["name"]["en"] = ""
    edition["sections"][0]["name"]["en"] = ""
    edition["sections"][0]["competitive"] = True
    edition["awards"] = [{"key": "prize", "section": "best-of-fests", "name": {"en": ""}}]
    required = 'the text in "en" is required; an empty string cannot clear it'
    assert refused(document) == [
        f"films[0].title: {required}",
        f"films[0].tags[1].name: {required}",
        f"editions[0].festival.name: {required}",
        f"editions[0].name: {required}",
        f"editions[0].sections[0].name: {required}",
        f"editions[0].awards[0].name: {required}",
    ]


def test_an_empty_text_in_another_language_is_not_a_required_one():
    document = example()
    document["films"][0]["title"]["nl"] = ""
    import_catalogue([document])
    assert Film.objects.get(key=FILM).title_en == "We Will Not Fade Away"


# The same thing twice -----------------------------------------------------------------------------------------------


def test_a_films_title_credit_company_credit_and_tag_repeated_are_refused_with_where_they_first_are():
    document = example()
    film = document["films"][0]
    film["other_titles"].append({"title": "Експедиція 49", "language": "uk"})
    film["credits"].append(dict(film["credits"][1]))
    film["company_credits"].append(dict(film["company_credits"][0]))
    film["tags"].append(dict(film["tags"][0]))
    assert refused(document) == [
        "films[0].other_titles[4]: the same title in the same language is already at films[0].other_titles[1]",
        "films[0].credits[12]: the same person in the same role is already credited at films[0].credits[1]",
        "films[0].company_credits[9]: the same company in the same role is already credited at "
        "films[0].company_credits[0]",
        "films[0].tags[2]: the same tag is already at films[0].tags[0]",
    ]


def test_the_same_title_person_or_company_in_another_language_or_role_is_not_a_repetition():
    document = example()
    film = document["films"][0]
    film["other_titles"].append({"title": "Expedition 49", "language": "de"})
    film["credits"].append({"role": "editing", "person": film["credits"][0]["person"]})
    film["company_credits"].append({"role": "world-sales", "company": film["company_credits"][0]["company"]})
    import_catalogue([document])
    stored = Film.objects.get(key=FILM)
    assert stored.other_titles.count() == 5
    assert list(stored.credits.filter(person__key="alisa-kovalenko").values_list("role", flat=True)) == [
        "director",
        "editing",
    ]


def test_a_tag_named_differently_on_another_film_is_refused():
    document = example()
    document["films"].append(second_film(tags=[{"key": "war", "name": {"en": "Wars"}}]))
    assert refused(document) == ['films[1].tags[0].name: tag "war" is named differently at films[0].tags[1]']


def test_a_tag_named_alike_on_another_film_is_one_tag():
    document = example()
    document["films"].append(second_film(tags=[{"key": "war", "name": {"en": "War"}}]))
    import_catalogue([document])
    assert list(Film.objects.get(key="second-film").tags.values_list("key", flat=True)) == ["war"]


def test_a_film_selected_twice_in_a_section_and_a_guest_and_a_winner_repeated_are_refused():
    document = example()
    edition = edition_of(document)
    section = edition["sections"][0]
    section["competitive"] = True
    section["selections"].append({"film": FILM})
    edition["awards"] = [
        {
            "key": "prize",
            "section": "best-of-fests",
            "name": {"en": "Prize"},
            "winners": [{"film": FILM, "kind": "winner"}, {"film": FILM, "kind": "special-mention"}],
        }
    ]
    first_screening(document)["guests"] = [
        {"person": "alisa-kovalenko", "qa": True},
        {"person": "alisa-kovalenko", "intro": True},
    ]
    assert refused(document) == [
        "editions[0].sections[0].selections[1]: the film is already selected in this section at "
        "editions[0].sections[0].selections[0]",
        "editions[0].screenings[0].guests[1]: the same person is already a guest at "
        "editions[0].screenings[0].guests[0]",
        "editions[0].awards[0].winners[1]: the same result is already at editions[0].awards[0].winners[0]",
    ]


def test_one_film_winning_for_two_people_is_two_results():
    document = example()
    edition = edition_of(document)
    edition["sections"][0]["competitive"] = True
    winners = [{"film": FILM, "person": "alisa-kovalenko", "kind": "winner"}]
    winners.append({"film": FILM, "person": document["films"][0]["credits"][1]["person"], "kind": "special-mention"})
    edition["awards"] = [{"key": "prize", "section": "best-of-fests", "name": {"en": "Prize"}, "winners": winners}]
    report = import_catalogue([document])
    assert report.created["award"] == ["idfa-2023/prize"]


# Keys that lead nowhere ---------------------------------------------------------------------------------------------


def test_every_kind_of_key_that_leads_nowhere_is_refused_with_its_kind():
    document = example()
    document["people"][0]["filmography"] = [{"film": "no-film", "title": "Lost", "year": 2015}]
    film = document["films"][0]
    film["credits"][6]["company"] = "no-company"
    film["company_credits"][0]["company"] = "no-studio"
    film["festival_history"][1]["awards"][0]["recipient"] = "no-one"
    edition = edition_of(document)
    edition["sections"][0]["selections"].append({"film": "no-selected-film"})
    screening = first_screening(document)
    screening["section"] = "no-section"
    screening["films"] = [FILM, "no-screened-film"]
    screening["ends_at"] = "2023-11-12T22:00:00+01:00"
    screening["guests"] = [{"person": "no-guest", "intro": True}]
    edition["awards"] = [
        {"key": "lost", "section": "no-award-section", "name": {"en": "Lost"}},
    ]
    assert refused(document) == [
        f'people[0].filmography[0].film: unknown film "no-film": {UNKNOWN}',
        f'films[0].credits[6].company: unknown company "no-company": {UNKNOWN}',
        f'films[0].company_credits[0].company: unknown company "no-studio": {UNKNOWN}',
        f'films[0].festival_history[1].awards[0].recipient: unknown person "no-one": {UNKNOWN}',
        f'editions[0].sections[0].selections[1].film: unknown film "no-selected-film": {UNKNOWN}',
        f'editions[0].screenings[0].section: unknown section "no-section": {UNKNOWN}',
        f'editions[0].screenings[0].films[1]: unknown film "no-screened-film": {UNKNOWN}',
        f'editions[0].screenings[0].guests[0].person: unknown person "no-guest": {UNKNOWN}',
        f'editions[0].awards[0].section: unknown section "no-award-section": {UNKNOWN}',
    ]


def test_keys_of_records_already_in_the_database_need_not_be_in_the_file():
    import_catalogue([example()])
    document = example()
    del document["people"], document["companies"], document["films"]
    document["editions"][0]["sections"][0]["selections"].append({"film": FILM, "premiere": "national"})
    document["editions"][0]["sections"][0]["selections"].pop()
    first_screening(document)["guests"] = [{"person": "alisa-kovalenko", "qa": True}]
    import_catalogue([document])
    assert Screening.objects.get().guests.get().person.key == "alisa-kovalenko"


def test_a_film_listed_twice_in_one_screening_is_refused():
    document = example()
    document["films"].append(second_film())
    first_screening(document)["films"] = [FILM, "second-film", FILM]
    assert refused(document) == ['editions[0].screenings[0].films[2]: film "we-will-not-fade-away" is listed twice']


def test_a_guest_who_neither_introduces_nor_answers_questions_is_refused():
    document = example()
    first_screening(document)["guests"] = [
        {"person": "alisa-kovalenko", "intro": True},
        {"person": document["films"][0]["credits"][1]["person"], "intro": False, "qa": False},
    ]
    assert refused(document) == [
        "editions[0].screenings[0].guests[1]: a guest attends for an introduction, a Q&A or both: "
        "set intro or qa to true"
    ]


# Dates, moments and screens -----------------------------------------------------------------------------------------


def test_dates_and_moments_that_are_not_are_refused_where_they_are():
    document = example()
    edition = edition_of(document)
    # Written as the format's pattern asks (the schema refuses other spellings first), but no such day or time.
    edition["start_date"] = "2023-11-31"
    edition["results_announced_at"] = "2023-11-19T24:00+01:00"
    edition["sections"][0]["results_announced_at"] = "2023-02-29T20:00:00Z"
    first_screening(document)["starts_at"] = "2023-11-12T19:75:00+01:00"
    assert refused(document) == [
        'editions[0].start_date: "2023-11-31" is not a date',
        'editions[0].results_announced_at: "2023-11-19T24:00+01:00" is not a moment',
        'editions[0].sections[0].results_announced_at: "2023-02-29T20:00:00Z" is not a moment',
        'editions[0].screenings[0].starts_at: "2023-11-12T19:75:00+01:00" is not a moment',
    ]


def test_an_edition_that_ends_before_it_begins_is_refused_and_a_one_day_edition_is_not():
    document = example()
    edition_of(document)["end_date"] = "2023-11-07"
    first_screening(document)["status"] = "cancelled"
    assert refused(document) == [
        "editions[0].end_date: the last day (2023-11-07) is before the first day (2023-11-08)",
        "editions[0].screenings[0].starts_at: the screening starts on 2023-11-12 (Europe/Amsterdam), outside "
        "idfa-2023, which runs from 2023-11-08 to 2023-11-07",
    ]
    document = example()
    edition_of(document)["start_date"] = edition_of(document)["end_date"] = "2023-11-12"
    import_catalogue([document])
    assert Screening.objects.get().edition.end_date == datetime.date(2023, 11, 12)


def test_a_screening_on_the_first_and_on_the_last_day_is_inside_the_edition():
    document = example()
    screenings = edition_of(document)["screenings"]
    screenings[0]["starts_at"] = "2023-11-08T00:00:00+01:00"
    screenings.append({**screenings[0], "key": "last", "starts_at": "2023-11-19T23:00:00+01:00"})
    report = import_catalogue([document])
    assert sorted(report.created["screening"]) == ["idfa-2023/idfa-2023-wwnfa-1", "idfa-2023/last"]


def test_a_screening_before_the_first_day_is_refused():
    document = example()
    first_screening(document)["starts_at"] = "2023-11-07T23:30:00+01:00"
    assert refused(document) == [
        "editions[0].screenings[0].starts_at: the screening starts on 2023-11-07 (Europe/Amsterdam), outside "
        "idfa-2023, which runs from 2023-11-08 to 2023-11-19"
    ]


def test_a_venue_described_twice_differently_is_refused_and_alike_is_one_venue():
    document = example()
    second = copy.deepcopy(edition_of(document))
    second.update(key="idfa-2024", year=2024, start_date="2024-11-13", end_date="2024-11-24", screenings=[])
    second["name"] = {"en": "IDFA 2024"}
    document["editions"].append(second)
    import_catalogue([copy.deepcopy(document)])
    assert list(Screen.objects.values_list("key", flat=True)) == ["example-cinema-1"]
    second["venues"][0]["name"] = "Example Cinemas"
    assert refused(document) == [
        'editions[1].venues[0]: venue "example-cinema" is described differently at editions[0].venues[0]'
    ]


def test_a_screening_in_no_screen_must_be_online():
    document = example()
    del first_screening(document)["screen"]
    assert refused(document) == ["editions[0].screenings[0].screen: only online screenings may have no screen"]
    document = example()
    screening = first_screening(document)
    del screening["screen"]
    screening.update(
        audience="online", available_from="2023-11-12T19:15:00+01:00", available_until="2023-11-13T19:15:00+01:00"
    )
    import_catalogue([document])
    assert Screening.objects.get().screen is None


def test_an_online_window_that_closes_as_it_opens_is_refused():
    document = example()
    screening = first_screening(document)
    del screening["screen"]
    screening.update(
        audience="online", available_from="2023-11-12T19:15:00+01:00", available_until="2023-11-12T19:15:00+01:00"
    )
    assert refused(document) == [
        "editions[0].screenings[0].available_until: the online window must close after it opens"
    ]


def test_a_screening_that_ends_as_it_starts_is_refused():
    document = example()
    first_screening(document)["ends_at"] = "2023-11-12T19:15:00+01:00"
    assert refused(document) == [
        "editions[0].screenings[0].ends_at: the screening ends (2023-11-12T19:15:00+01:00) before it starts "
        "(2023-11-12T19:15:00+01:00)"
    ]


# Ends left out ------------------------------------------------------------------------------------------------------


def test_a_screening_without_an_end_lasts_its_films_runtimes_added_up():
    document = example()
    document["films"].append(second_film(runtime_minutes=25))
    first_screening(document)["films"] = [FILM, "second-film"]
    import_catalogue([document])
    screening = Screening.objects.get()
    assert screening.ends_at - screening.starts_at == datetime.timedelta(minutes=125)


def test_a_screening_without_an_end_of_a_film_without_a_runtime_is_refused():
    document = example()
    document["films"].append({"key": "second-film", "title": {"en": "Second Film"}})
    first_screening(document)["films"] = [FILM, "second-film"]
    assert refused(document) == ["editions[0].screenings[0].ends_at: required when a film has no runtime to add up"]


def test_a_stored_film_keeps_its_runtime_and_a_stored_screening_its_length_when_the_file_leaves_them_out():
    import_catalogue([example()])
    ends = datetime.datetime(2023, 11, 12, 21, 0, tzinfo=datetime.UTC)  # 2 h 45 min after its start
    Screening.objects.update(ends_at=ends, blocked_until=ends + datetime.timedelta(minutes=15))
    document = example()
    del document["films"][0]["runtime_minutes"]
    first_screening(document)["starts_at"] = "2023-11-12T19:30:00+01:00"
    import_catalogue([document])
    screening = Screening.objects.get()
    assert screening.ends_at == datetime.datetime(2023, 11, 12, 21, 15, tzinfo=datetime.UTC)
    # A new screening of the stored film lasts its stored runtime.
    document = example()
    del document["films"]
    first_screening(document).update(key="another", starts_at="2023-11-13T19:15:00+01:00")
    import_catalogue([document])
    another = Screening.objects.get(key="another")
    assert another.ends_at - another.starts_at == datetime.timedelta(minutes=100)


# Clashes ------------------------------------------------------------------------------------------------------------


def clash(where, key, of, runs, changeover=15):
    return (
        f'editions[0].screenings[{where}].starts_at: overlaps screening "{key}" ({of}) in screen "example-cinema-1", '
        f"which runs {runs}; the screen needs {changeover} minutes between screenings"
    )


def test_every_screening_that_overlaps_a_long_one_is_refused_not_only_the_next():
    document = example()
    screenings = edition_of(document)["screenings"]
    screenings[0]["ends_at"] = "2023-11-12T23:59:00+01:00"  # 19:15 to midnight
    for key, start in (("second", "20:00"), ("third", "21:00"), ("fourth", "23:00")):
        screenings.append({**screenings[0], "key": key, "starts_at": f"2023-11-12T{start}:00+01:00"})
        del screenings[-1]["ends_at"]
    whole = "2023-11-12 19:15–23:59"
    assert refused(document) == [
        clash(1, "idfa-2023-wwnfa-1", "editions[0].screenings[0]", whole),
        clash(2, "idfa-2023-wwnfa-1", "editions[0].screenings[0]", whole),
        clash(3, "idfa-2023-wwnfa-1", "editions[0].screenings[0]", whole),
    ]


def test_a_cancelled_screening_holds_no_screen_time():
    document = example()
    screenings = edition_of(document)["screenings"]
    screenings.append({**screenings[0], "key": "cancelled", "starts_at": "2023-11-12T20:00:00+01:00"})
    screenings[-1]["status"] = "cancelled"
    report = import_catalogue([document])
    assert sorted(report.created["screening"]) == ["idfa-2023/cancelled", "idfa-2023/idfa-2023-wwnfa-1"]


def test_a_screens_own_changeover_decides_a_clash_in_the_file_and_in_the_database():
    document = example()
    edition_of(document)["venues"][0]["screens"][0]["changeover_minutes"] = 30
    screenings = edition_of(document)["screenings"]
    # The first ends at 20:55: with 30 minutes' changeover, 21:20 is too early and 21:25 is not.
    screenings.append({**screenings[0], "key": "second", "starts_at": "2023-11-12T21:20:00+01:00"})
    assert refused(copy.deepcopy(document)) == [
        clash(1, "idfa-2023-wwnfa-1", "editions[0].screenings[0]", "2023-11-12 19:15–20:55", changeover=30)
    ]
    screenings[1]["starts_at"] = "2023-11-12T21:25:00+01:00"
    import_catalogue([document])
    # Stored, the screen keeps its changeover when a later file leaves it out.
    document = example()
    del document["films"]
    first_screening(document).update(key="third", starts_at="2023-11-12T23:20:00+01:00")
    del edition_of(document)["venues"]
    assert refused(document) == [
        'editions[0].screenings[0].starts_at: overlaps screening "second" of edition "idfa-2023" in the database '
        'in screen "example-cinema-1", which runs 2023-11-12 21:25–23:05; the screen needs 30 minutes between '
        "screenings"
    ]


def test_a_clash_is_told_in_utc_when_the_editions_time_zone_is_unknown():
    document = example()
    edition_of(document)["timezone"] = "Europe/Atlantis"
    screenings = edition_of(document)["screenings"]
    screenings.append({**screenings[0], "key": "second", "starts_at": "2023-11-12T21:00:00+01:00"})
    assert refused(document) == [
        'editions[0].timezone: unknown time zone "Europe/Atlantis"',
        clash(1, "idfa-2023-wwnfa-1", "editions[0].screenings[0]", "2023-11-12 18:15–19:55"),
    ]


# Awards -------------------------------------------------------------------------------------------------------------


def test_an_award_in_a_competition_already_stored_checks_its_stored_selection():
    document = example()
    edition_of(document)["sections"][0]["competitive"] = True
    import_catalogue([document])
    document = example()
    del document["films"]
    edition = edition_of(document)
    del edition["sections"], edition["screenings"]
    edition["awards"] = [
        {"key": "prize", "section": "best-of-fests", "name": {"en": "Prize"}, "winners": [{"film": FILM}]}
    ]
    assert import_catalogue([copy.deepcopy(document)]).created["award"] == ["idfa-2023/prize"]
    edition["awards"][0]["winners"] = [{"film": "no-film"}, {"film": FILM, "person": "no-person"}]
    assert refused(document) == [
        f'editions[0].awards[0].winners[0].film: unknown film "no-film": {UNKNOWN}',
        f'editions[0].awards[0].winners[1].person: unknown person "no-person": {UNKNOWN}',
    ]


def test_an_award_in_a_section_the_file_leaves_without_selections_checks_the_stored_ones():
    document = example()
    edition_of(document)["sections"][0]["competitive"] = True
    import_catalogue([document])
    document = example()
    document["films"].append(second_film())
    edition = edition_of(document)
    edition["sections"][0]["competitive"] = True
    del edition["sections"][0]["selections"]
    edition["awards"] = [
        {"key": "prize", "section": "best-of-fests", "name": {"en": "Prize"}, "winners": [{"film": "second-film"}]}
    ]
    assert refused(document) == [
        'editions[0].awards[0].winners[0].film: film "second-film" is not selected in section "best-of-fests", '
        'so it cannot win "prize"'
    ]


def test_a_stored_section_that_is_not_competitive_takes_no_award():
    import_catalogue([example()])
    document = example()
    del document["films"]
    edition = edition_of(document)
    del edition["sections"][0]["competitive"]
    edition["awards"] = [{"key": "prize", "section": "best-of-fests", "name": {"en": "Prize"}}]
    assert refused(document) == [
        'editions[0].awards[0].section: section "best-of-fests" is not competitive; '
        "awards belong to a competitive section"
    ]


def test_a_person_award_for_a_film_whose_credits_the_file_leaves_out_checks_the_stored_credits():
    # Made first, so that this person's key in the database is also a credit's.
    Person.objects.create(key="someone-else", name="Someone Else")
    document = example()
    edition_of(document)["sections"][0]["competitive"] = True
    import_catalogue([document])
    for leave_out in ("the film", "its credits"):
        document = example()
        if leave_out == "the film":
            del document["films"]
        else:
            del document["films"][0]["credits"]
        edition = edition_of(document)
        edition["sections"][0]["competitive"] = True
        del edition["screenings"]
        winners = [{"film": FILM, "person": "alisa-kovalenko"}]
        edition["awards"] = [{"key": "prize", "section": "best-of-fests", "name": {"en": "Prize"}, "winners": winners}]
        import_catalogue([copy.deepcopy(document)])
        winners[0]["person"] = "someone-else"
        assert refused(document) == [
            'editions[0].awards[0].winners[0].person: person "someone-else" is not credited on film '
            '"we-will-not-fade-away"'
        ], leave_out


def test_a_key_given_twice_to_records_of_one_kind_is_refused_at_the_second():
    document = example()
    document["people"].append({"key": "alisa-kovalenko", "name": "Alisa Kovalenko"})
    document["companies"].append(dict(document["companies"][1]))
    document["films"].append(second_film(key=FILM))
    edition = edition_of(document)
    edition["sections"].append({"key": "best-of-fests", "name": {"en": "Best of Fests again"}})
    edition["venues"].append(
        {"key": "second-cinema", "name": "Second", "screens": [{"key": "example-cinema-1", "name": "1"}]}
    )
    edition["screenings"].append(dict(first_screening(document), starts_at="2023-11-13T19:15:00+01:00"))
    edition["sections"][0]["competitive"] = True
    award = {"key": "prize", "section": "best-of-fests", "name": {"en": "Prize"}}
    edition["awards"] = [award, dict(award)]
    twice = 'key "%s" is defined twice (also at %s)'
    assert refused(document) == [
        "people[12].key: " + twice % ("alisa-kovalenko", "people[0]"),
        "companies[8].key: " + twice % ("haka-films", "companies[1]"),
        "films[1].key: " + twice % (FILM, "films[0]"),
        "editions[0].sections[1].key: " + twice % ("best-of-fests", "editions[0].sections[0]"),
        "editions[0].venues[1].screens[0].key: " + twice % ("example-cinema-1", "editions[0].venues[0].screens[0]"),
        "editions[0].screenings[1].key: " + twice % ("idfa-2023-wwnfa-1", "editions[0].screenings[0]"),
        "editions[0].awards[1].key: " + twice % ("prize", "editions[0].awards[0]"),
    ]
