"""A catalogue imported again with a screening's access, guests and films changed: each change reported as the
lists before and after and written in the file's order; the same file once more changes nothing. And a model's
rule broken by a record the file describes, refused at its path with nothing written, for every kind of record."""

import copy
import datetime
import hashlib
import json

import pytest

from films.catalogue import import_catalogue
from films.models import Screening
from tests.catalogue import FILM, example, refused

SCREENING = "idfa-2023/idfa-2023-wwnfa-1"
TOO_LONG = "Ensure this value has at most 200 characters (it has 201)."

pytestmark = pytest.mark.django_db


def screening_of(document):
    return document["editions"][0]["screenings"][0]


def changes(report):
    return [(change.kind, change.key, change.field, change.old, change.new) for change in report.changes]


@pytest.fixture
def imported():
    document = example()
    document["films"].append({"key": "short", "title": {"en": "A Short"}, "runtime_minutes": 15})
    screening = screening_of(document)
    screening["access"] = ["audio-description"]
    screening["guests"] = [{"person": "alisa-kovalenko", "intro": True}]
    report = import_catalogue([document])
    # Records created are listed as such, without their lists as changes.
    assert (report.changes, report.created["screening"]) == ([], [SCREENING])
    return document


def test_a_screening_whose_guests_alone_change_is_updated(imported):
    document = copy.deepcopy(imported)
    screening_of(document)["guests"][0]["qa"] = True
    report = import_catalogue([document])
    assert changes(report) == [
        ("screening", SCREENING, "guests", ["alisa-kovalenko (intro)"], ["alisa-kovalenko (intro, Q&A)"])
    ]
    assert (report.updated["screening"], report.unchanged["screening"]) == ([SCREENING], [])


def test_a_screening_in_a_screen_of_another_edition_of_the_file_takes_that_screen():
    document = example()
    second = copy.deepcopy(document["editions"][0])
    second.update(key="idfa-2024", year=2024, start_date="2024-11-13", end_date="2024-11-24", name={"en": "IDFA 2024"})
    del second["venues"]
    second["screenings"][0].update(key="idfa-2024-1", starts_at="2024-11-14T19:15:00+01:00")
    document["editions"].append(second)
    import_catalogue([document])
    screening = Screening.objects.get(key="idfa-2024-1")
    assert (screening.edition.key, screening.screen.key) == ("idfa-2024", "example-cinema-1")


def test_a_screenings_access_guests_and_films_changed_are_reported_and_written_in_the_files_order(imported):
    document = copy.deepcopy(imported)
    screening = screening_of(document)
    screening["access"] = ["relaxed", "audio-description"]
    cinematographer = document["films"][0]["credits"][1]["person"]
    screening["guests"] = [
        {"person": cinematographer, "qa": True},
        {"person": "alisa-kovalenko", "intro": True, "qa": True},
    ]
    screening["films"] = ["short", FILM]
    screening["ends_at"] = "2023-11-12T21:10:00+01:00"
    report = import_catalogue([document])
    stored = Screening.objects.get()
    assert changes(report) == [
        ("screening", SCREENING, "ends_at", "2023-11-12T20:55:00+01:00", "2023-11-12T21:10:00+01:00"),
        ("screening", SCREENING, "access", ["audio-description"], ["audio-description", "relaxed"]),
        ("screening", SCREENING, "films", [FILM], ["short", FILM]),
        (
            "screening",
            SCREENING,
            "guests",
            ["alisa-kovalenko (intro)"],
            [f"{cinematographer} (Q&A)", "alisa-kovalenko (intro, Q&A)"],
        ),
    ]
    assert report.updated["screening"] == [SCREENING]
    assert list(stored.screening_films.values_list("film__key", "order")) == [("short", 0), (FILM, 1)]
    assert list(stored.guests.values_list("person__key", "intro", "qa", "order")) == [
        (cinematographer, False, True, 0),
        ("alisa-kovalenko", True, True, 1),
    ]
    assert (stored.audio_description, stored.relaxed) == (True, True)
    again = import_catalogue([document])
    assert again.changes == []
    assert again.unchanged["screening"] == [SCREENING]


def test_a_screenings_access_and_guests_emptied_are_cleared_and_left_out_are_kept(imported):
    document = copy.deepcopy(imported)
    screening = screening_of(document)
    del screening["access"], screening["guests"]
    assert import_catalogue([copy.deepcopy(document)]).changes == []
    assert Screening.objects.get().guests.count() == 1
    screening["access"] = []
    screening["guests"] = []
    report = import_catalogue([document])
    assert changes(report) == [
        ("screening", SCREENING, "access", ["audio-description"], []),
        ("screening", SCREENING, "guests", ["alisa-kovalenko (intro)"], []),
    ]
    stored = Screening.objects.get()
    assert (stored.audio_description, stored.guests.count()) == (False, 0)


def long_section_name(edition):
    edition["sections"][0]["name"]["en"] = "S" * 201


def long_venue_name(edition):
    edition["venues"][0]["name"] = "V" * 201


def crowded_screen(edition):
    edition["venues"][0]["screens"][0]["wheelchair_spaces"] = 221


def year_apart(edition):
    edition["year"] = 2019


def a_person_award_won_by_a_film(edition):
    section = edition["sections"][0]
    section["competitive"] = True
    section["selections"].append({"film": "second-film"})
    winners = [{"film": FILM, "person": "alisa-kovalenko", "kind": "winner"}, {"film": "second-film"}]
    edition["awards"] = [{"key": "prize", "section": "best-of-fests", "name": {"en": "Prize"}, "winners": winners}]


def long_competition_name(edition):
    a_person_award_won_by_a_film(edition)
    edition["awards"][0]["winners"].pop()
    long_section_name(edition)


@pytest.mark.parametrize(
    ("breaks", "errors"),
    [
        (year_apart, ["editions[0].year: The edition's year 2019 does not match its first day 2023-11-08."]),
        (long_section_name, [f"editions[0].sections[0].name: {TOO_LONG}"]),
        (long_venue_name, [f"editions[0].venues[0].name: {TOO_LONG}"]),
        (
            crowded_screen,
            [
                "editions[0].venues[0].screens[0].wheelchair_spaces: "
                "221 wheelchair spaces do not fit in a screen for 220."
            ],
        ),
        (
            a_person_award_won_by_a_film,
            ["editions[0].awards[0].winners[1].person: “Prize” goes to a person: choose who."],
        ),
        (long_competition_name, [f"editions[0].sections[0].name: {TOO_LONG}"]),
    ],
)
def test_a_model_rule_broken_by_any_kind_of_record_is_refused_at_its_path_once(breaks, errors):
    """Once, though a translated name has two columns; and only there: the records that would belong to the refused
    one (a venue's screenings, a section's award) are not refused again for lacking it."""
    document = example()
    document["films"].append({"key": "second-film", "title": {"en": "Second Film"}, "runtime_minutes": 80})
    breaks(document["editions"][0])
    assert refused(document) == errors


def long_person_name(document):
    document["people"][0]["name"] = "P" * 201


def long_company_name(document):
    document["companies"][0]["name"] = "C" * 201


def long_tag_name(document):
    document["films"][0]["tags"][0]["name"]["en"] = "T" * 201


def long_festival_name(document):
    document["films"][0]["festival_history"][0]["festival"] = "F" * 201


def implausible_year(document):
    document["films"][0]["year"] = 1700


SECOND_STAGE = {
    long_company_name: f"companies[0].name: {TOO_LONG}",
    long_person_name: f"people[0].name: {TOO_LONG}",
    long_tag_name: "films[0].tags[0].name: Ensure this value has at most 100 characters (it has 201).",
    long_festival_name: f"films[0].festival_history[0].festival: {TOO_LONG}",
    implausible_year: (
        "films[0].year: 1700 is not a plausible year for a film; "
        f"give a year from 1888 to {datetime.date.today().year + 5}."
    ),
}


@pytest.mark.parametrize("breaks", list(SECOND_STAGE))
def test_a_model_rule_broken_by_a_person_a_company_a_tag_a_festival_or_a_film_is_refused_there_once(breaks):
    """The rows that name the refused record (a credit, a tag of the film) are not refused again for it."""
    document = example()
    breaks(document)
    assert refused(document) == [SECOND_STAGE[breaks]]


def test_model_rules_broken_by_records_of_every_kind_are_listed_at_once_unless_they_wait_on_one_not_saved():
    document = example()
    for breaks in (*SECOND_STAGE, long_section_name_of, crowded_screen_of):
        breaks(document)
    # Once an error is found nothing more is saved, so the new edition's festival is not: the edition's records,
    # which would belong to it, are checked on the next try.
    assert refused(copy.deepcopy(document)) == list(SECOND_STAGE.values())
    # Where the edition is stored, they are checked at once.
    import_catalogue([example()])
    assert refused(document) == [
        *SECOND_STAGE.values(),
        f"editions[0].sections[0].name: {TOO_LONG}",
        "editions[0].venues[0].screens[0].wheelchair_spaces: 221 wheelchair spaces do not fit in a screen for 220.",
    ]


def long_section_name_of(document):
    long_section_name(document["editions"][0])


def crowded_screen_of(document):
    crowded_screen(document["editions"][0])


def test_a_new_persons_filmography_waits_while_another_record_is_refused():
    document = example()
    document["people"][0]["filmography"] = [{"year": 2015, "title": "Alisa in Warland", "film": FILM}]
    implausible_year(document)
    assert refused(document) == [SECOND_STAGE[implausible_year]]


def test_a_films_tags_company_credits_history_and_images_changed_are_reported_as_readable_lists(tmp_path):
    from PIL import Image

    Image.new("RGB", (40, 30), (10, 120, 200)).save(tmp_path / "poster.png")
    document = example()
    film = document["films"][0]
    film["images"] = [
        {"kind": "poster", "src": "poster.png", "photographer": "Ann Example", "caption": {"en": "Poster"}}
    ]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    import_catalogue([path])
    film["tags"] = [film["tags"][1], {"key": "hope", "name": {"en": "Hope"}}]
    film["company_credits"] = film["company_credits"][:1]
    film["festival_history"] = film["festival_history"][1:2]
    film["festival_history"][0]["premiere"] = "international"
    film["images"].append({"kind": "still", "src": "https://example.org/still.jpg", "caption": {"de": "Standbild"}})
    film["images"][0]["caption"] = {"en": "The poster"}
    path.write_text(json.dumps(document), encoding="utf-8")
    report = import_catalogue([path])
    digest = hashlib.sha256((tmp_path / "poster.png").read_bytes()).hexdigest()[:12]
    credits = [
        "production: trueman-production",
        "co-production: haka-films",
        "co-production: east-roads-films",
        "tv-channel: arte-geie",
        "tv-channel: tvp",
        "tv-channel: current-time-tv",
        "tv-channel: vgtv",
        "world-sales: stranger-films-sales",
        "screening-copy: stranger-films-sales",
    ]
    odesa = "2023 odesa-international-film-festival, National Competition"
    odesa_award = "Best Documentary Film in the Field of Human Rights Protection (alisa-kovalenko)"
    history = [
        "2023 berlin-international-film-festival, world premiere",
        f"{odesa}, {odesa_award}",
        "2023 one-world-international-human-rights-documentary-film-festival, International Competition Program",
        "2023 docudays-ua-international-documentary-human-rights-film-festival, Best Film",
    ]
    assert changes(report) == [
        ("film", FILM, "company_credits", credits, credits[:1]),
        ("film", FILM, "tags", ["everyday-life", "war"], ["war", "hope"]),
        ("film", FILM, "festival_history", history, [f"{odesa}, international premiere, {odesa_award}"]),
        (
            "film",
            FILM,
            "images",
            [f"poster: image {digest} (Ann Example) [en] Poster"],
            [
                f"poster: image {digest} (Ann Example) [en] The poster",
                "still: https://example.org/still.jpg [de] Standbild",
            ],
        ),
    ]
    assert import_catalogue([path]).changes == []


def test_an_awards_winners_changed_are_reported_with_their_people_kinds_and_citations_and_stored_in_order():
    from films.models import Award

    document = example()
    edition = document["editions"][0]
    edition["sections"][0]["competitive"] = True
    winners = [{"film": FILM, "citation": {"en": "For courage", "uk": "За мужність"}}]
    edition["awards"] = [{"key": "prize", "section": "best-of-fests", "name": {"en": "Prize"}, "winners": winners}]
    assert import_catalogue([copy.deepcopy(document)]).changes == []
    cinematographer = document["films"][0]["credits"][1]["person"]
    edition["awards"][0]["winners"] = [
        {"film": FILM, "person": cinematographer, "kind": "winner"},
        {"film": FILM, "person": "alisa-kovalenko", "kind": "special-mention", "citation": {"en": "For trust"}},
    ]
    report = import_catalogue([document])
    assert changes(report) == [
        ("award", "idfa-2023/prize", "recipient", "film", "person"),
        (
            "award",
            "idfa-2023/prize",
            "winners",
            [f"{FILM}: winner [en] For courage [uk] За мужність"],
            [f"{FILM} / {cinematographer}: winner", f"{FILM} / alisa-kovalenko: special-mention [en] For trust"],
        ),
    ]
    results = Award.objects.get().results.order_by("order")
    assert list(results.values_list("order", "person__key", "kind", "citation_en")) == [
        (0, cinematographer, "winner", None),
        (1, "alisa-kovalenko", "special-mention", "For trust"),
    ]


def test_a_refused_import_removes_the_image_files_it_stored_before_the_refusal(tmp_path):
    from django.core.files.storage import default_storage
    from PIL import Image

    Image.new("RGB", (40, 30), (10, 120, 200)).save(tmp_path / "poster.png")
    document = example()
    Image.new("RGB", (30, 40), (200, 120, 10)).save(tmp_path / "portrait.png")
    document["films"][0]["images"] = [{"kind": "poster", "src": "poster.png"}]
    document["people"][0]["photo"] = "portrait.png"
    # The edition is written after the person and the film (and its image, stored with its renditions), and refused.
    year_apart(document["editions"][0])
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert refused(path) == ["editions[0].year: The edition's year 2019 does not match its first day 2023-11-08."]
    for folder in ("films/images", "films/renditions", "people"):
        assert not default_storage.exists(folder) or default_storage.listdir(folder) == ([], [])


def test_a_sections_selections_changed_are_reported_with_their_premieres_and_stored_in_order():
    from films.models import Section

    document = example()
    document["films"].append({"key": "short", "title": {"en": "A Short"}, "runtime_minutes": 15})
    import_catalogue([copy.deepcopy(document)])
    document["editions"][0]["sections"][0]["selections"] = [{"film": "short", "premiere": "world"}, {"film": FILM}]
    report = import_catalogue([document])
    assert changes(report) == [
        (
            "section",
            "idfa-2023/best-of-fests",
            "selections",
            [f"{FILM} (national premiere)"],
            ["short (world premiere)", FILM],
        )
    ]
    section = Section.objects.get()
    assert list(section.selections.values_list("order", "film__key", "premiere")) == [
        (0, "short", "world"),
        (1, FILM, ""),
    ]


def test_a_person_whose_filmography_alone_changes_is_updated_with_the_list_reported():
    import_catalogue([example()])
    document = example()
    filmography = document["people"][0]["filmography"]
    filmography[2]["english_title"] = "Home Games"
    del filmography[4]
    report = import_catalogue([document])
    assert changes(report) == [
        (
            "person",
            "alisa-kovalenko",
            "filmography",
            [
                "2014 Sestra Zo (Sister Zo)",
                "2015 Alisa w krainie wojny (Alisa in Warland)",
                "2018 Home Games",
                f"2023 My ne zgasnemo (We Will Not Fade Away) = {FILM}",
                "2024 Frontline",
            ],
            [
                "2014 Sestra Zo (Sister Zo)",
                "2015 Alisa w krainie wojny (Alisa in Warland)",
                "2018 Home Games (Home Games)",
                f"2023 My ne zgasnemo (We Will Not Fade Away) = {FILM}",
            ],
        )
    ]
    assert report.updated["person"] == ["alisa-kovalenko"]
    assert "alisa-kovalenko" not in report.unchanged["person"]
    assert len(report.unchanged["person"]) == 11


def test_a_credit_to_a_person_new_in_the_file_is_listed_by_the_new_key():
    import_catalogue([example()])
    document = example()
    document["people"].append({"key": "new-editor", "name": "New Editor"})
    document["films"][0]["credits"] = [document["films"][0]["credits"][0], {"role": "editing", "person": "new-editor"}]
    report = import_catalogue([document])
    [credits] = [change for change in changes(report) if change[2] == "credits"]
    assert credits[4] == ["director: alisa-kovalenko", "editing: new-editor"]
