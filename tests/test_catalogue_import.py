"""Importing catalogue files: the example lands completely, bad files are refused whole, re-imports change nothing."""

import copy
import datetime
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from films.catalogue import MAX_FILE_BYTES, CatalogueError, export_catalogue, import_catalogue
from films.catalogue.importer import Importer
from films.history import last_revision
from films.models import (
    Company,
    Credit,
    Edition,
    Festival,
    FestivalHistoryEntry,
    Film,
    FilmImage,
    Person,
    Screen,
    Screening,
    Section,
    Venue,
)
from tests.catalogue import EXAMPLE_PATH, FILM, example, row_counts


def errors_of(source, **kwargs):
    with pytest.raises(CatalogueError) as caught:
        import_catalogue([source], **kwargs)
    return caught.value.errors


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


# --------------------------------------------------------------------------- the example lands


@pytest.mark.django_db
def test_example_imports_every_fact():
    report = import_catalogue([EXAMPLE_PATH])

    film = Film.objects.get(key=FILM)
    assert (film.title_en, film.title_uk, film.title_pl) == ("We Will Not Fade Away", "Ми не згаснемо", None)
    assert (film.original_title, film.original_title_latin) == ("Ми не згаснемо", "My ne zgasnemo")
    assert [(t.title, t.language) for t in film.other_titles.all()] == [
        ("Expedition 49", "en"),
        ("Експедиція 49", "uk"),
        ("Mēs nepazudīsim", "lv"),
        ("Мы не погаснем", "ru"),
    ]
    assert (film.year, film.runtime_minutes) == (2023, 100)
    assert film.countries == ["UA", "FR", "PL"]
    assert film.spoken_languages == ["uk", "ru"]
    assert film.form == "documentary"
    assert sorted((tag.key, tag.name_en) for tag in film.tags.all()) == [
        ("everyday-life", "Everyday life"),
        ("war", "War"),
    ]
    assert film.tagline_en.startswith("“I don’t remember a single year")
    assert film.synopsis_en.startswith("The people of the Donbas region")
    assert film.synopsis_pl.startswith("W filmie śledzimy losy")
    assert film.synopsis_uk is None
    assert film.minimum_age == 14
    assert (film.aspect_ratio, film.picture_format, film.colour) == ("1.85:1", "HD", "colour")
    assert film.published is True

    credits = [(c.role, c.person.key, c.company.key if c.company else None) for c in film.credits.all()]
    assert len(credits) == 12
    assert credits[0] == ("director", "alisa-kovalenko", None)
    assert credits[6] == ("producer", "valery-kalmykov", "trueman-production")
    assert credits[11] == ("co-producer", "stephane-siohan", None)
    assert str(film.credits.get(person__key="valery-kalmykov")) == "Producer: Valery Kalmykov for Trueman Production"
    company_credits = [(c.role, c.company.key) for c in film.company_credits.all()]
    assert len(company_credits) == 9
    assert company_credits[0] == ("production", "trueman-production")
    assert company_credits[-2:] == [("world-sales", "stranger-films-sales"), ("screening-copy", "stranger-films-sales")]

    history = list(film.festival_history.select_related("festival"))
    assert [(h.festival.name_en, h.year, h.section, h.premiere) for h in history] == [
        ("Berlin International Film Festival", 2023, "", "world"),
        ("Odesa International Film Festival", 2023, "National Competition", ""),
        (
            "One World International Human Rights Documentary Film Festival",
            2023,
            "International Competition Program",
            "",
        ),
        ("Docudays UA International Documentary Human Rights Film Festival", 2023, "", ""),
    ]
    odesa_award = history[1].awards.get()
    assert odesa_award.name == "Best Documentary Film in the Field of Human Rights Protection"
    assert odesa_award.recipient.key == "alisa-kovalenko"
    assert history[3].awards.get().recipient is None
    assert history[1].festival.key == "odesa-international-film-festival"

    nesterenko = Person.objects.get(key="mariia-nesterenko")
    assert nesterenko.name == "Mariia Nesterenko"
    assert list(nesterenko.aliases.values_list("name", flat=True)) == ["Maria Nesterenko"]
    alisa = Person.objects.get(key="alisa-kovalenko")
    assert (alisa.born_year, alisa.born_place) == (1987, "Zaporizhzhia, Ukraine")
    assert [(e.year, e.title, e.english_title, e.film_id) for e in alisa.filmography.all()][3] == (
        2023,
        "My ne zgasnemo",
        "We Will Not Fade Away",
        film.pk,
    )
    haka = Company.objects.get(key="haka-films")
    assert (haka.city, haka.country, list(haka.aliases.values_list("name", flat=True))) == (
        "Warsaw",
        "PL",
        ["HAKA Films Warschau"],
    )

    edition = Edition.objects.select_related("festival").get(key="idfa-2023")
    assert (edition.festival.key, edition.festival.short_name, edition.festival.country) == ("idfa", "IDFA", "NL")
    assert (edition.start_date, edition.end_date, edition.timezone) == (
        datetime.date(2023, 11, 8),
        datetime.date(2023, 11, 19),
        "Europe/Amsterdam",
    )
    section = edition.sections.get()
    assert (section.key, section.name_en, section.name_nl, section.competitive) == (
        "best-of-fests",
        "Best of Fests",
        "Best of Fests",
        False,
    )
    assert [(s.film.key, s.premiere) for s in section.selections.all()] == [(FILM, "national")]
    screen = Screen.objects.select_related("venue").get()
    assert (screen.key, screen.venue.key, screen.capacity, screen.wheelchair_spaces, screen.changeover_minutes) == (
        "example-cinema-1",
        "example-cinema",
        220,
        4,
        15,
    )
    screening = Screening.objects.get()
    assert screening.starts_at == datetime.datetime(2023, 11, 12, 18, 15, tzinfo=datetime.UTC)
    assert screening.ends_at == datetime.datetime(2023, 11, 12, 19, 55, tzinfo=datetime.UTC)
    assert (screening.section, screening.screen, screening.audience, screening.status) == (
        section,
        screen,
        "public",
        "scheduled",
    )
    assert screening.subtitles == ["en"]
    assert [f.key for f in screening.films.all()] == [FILM]
    assert screening.note_en.startswith("Illustrative screening")

    assert report.created["film"] == [FILM]
    assert len(report.created["person"]) == 12
    assert len(report.created["company"]) == 8
    assert report.updated == {} or not any(report.updated.values())
    assert report.aliases_matched == []
    assert "film: 1 created, 0 updated, 0 unchanged" in report.summary()


@pytest.mark.django_db
def test_second_import_changes_nothing():
    import_catalogue([EXAMPLE_PATH])
    before = row_counts()
    with CaptureQueriesContext(connection) as queries:
        report = import_catalogue([EXAMPLE_PATH])
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert row_counts() == before
    assert report.changed_nothing
    assert report.unchanged["film"] == [FILM]
    assert len(report.unchanged["person"]) == 12
    assert report.unchanged["screening"] == ["idfa-2023/idfa-2023-wwnfa-1"]
    assert "film: 0 created, 0 updated, 1 unchanged" in report.summary()


@pytest.mark.django_db
def test_import_of_the_example_takes_a_bounded_number_of_queries():
    from django.contrib.contenttypes.models import ContentType
    from reversion.models import Revision

    ContentType.objects.get_for_models(*apps.get_app_config("films").get_models())  # Cached once per process.
    with CaptureQueriesContext(connection) as queries:
        report = import_catalogue([EXAMPLE_PATH])
    # Bulk look-ups and bulk inserts: a fixed budget for one film with 12 credits and 12 people; its history
    # (films/history.py) adds a query per relation followed and two bulk inserts (revisions, versions).
    assert len(queries) < 110
    # One revision per record written, each holding the record and the rows it follows.
    kept = sum(len(report.created.get(kind, [])) + len(report.updated.get(kind, [])) for kind in Importer.HISTORY_KINDS)
    assert Revision.objects.count() == kept
    film = Film.objects.get(key=FILM)
    revision = last_revision(film)
    credits = revision.version_set.filter(content_type=ContentType.objects.get_for_model(Credit))
    assert sorted(int(version.object_id) for version in credits) == sorted(film.credits.values_list("pk", flat=True))
    assert credits.count() == 12
    assert revision.version_set.filter(content_type=ContentType.objects.get_for_model(Film)).count() == 1


@pytest.mark.django_db
def test_dry_run_reports_but_writes_nothing():
    before = row_counts()
    report = import_catalogue([EXAMPLE_PATH], dry_run=True)
    assert row_counts() == before
    assert report.created["film"] == [FILM]
    assert report.summary().startswith("Dry run: nothing was written.")


@pytest.mark.django_db
def test_changed_credits_replace_the_films_list_in_order():
    import_catalogue([EXAMPLE_PATH])
    document = example()
    credits = document["films"][0]["credits"]
    credits[0], credits[1] = credits[1], credits[0]
    del credits[-1]
    report = import_catalogue([document])
    assert report.updated["film"] == [FILM]
    assert report.unchanged["person"]  # people themselves did not change
    roles = list(Film.objects.get(key=FILM).credits.values_list("role", "person__key"))
    assert roles[:2] == [("cinematography", "serhiy-stetsenko"), ("director", "alisa-kovalenko")]
    assert len(roles) == 11
    assert Person.objects.filter(key="stephane-siohan").exists()  # never deleted


@pytest.mark.django_db
def test_import_never_deletes_records_the_file_does_not_mention():
    import_catalogue([EXAMPLE_PATH])
    other = {
        "format": "festival-catalogue",
        "version": 1,
        "films": [{"key": "another-film", "title": {"en": "Another Film"}}],
    }
    report = import_catalogue([other])
    assert report.created["film"] == ["another-film"]
    assert set(Film.objects.values_list("key", flat=True)) == {FILM, "another-film"}
    assert Film.objects.get(key=FILM).credits.count() == 12


@pytest.mark.django_db
def test_missing_published_makes_drafts_and_keeps_what_a_programmer_set():
    document = example()
    del document["films"][0]["published"]
    del document["editions"][0]["published"]
    del document["editions"][0]["sections"][0]["published"]
    del document["editions"][0]["screenings"][0]["published"]
    import_catalogue([document])
    assert Film.objects.get().published is False
    assert Edition.objects.get().published is False
    assert Section.objects.get().published is False
    assert Screening.objects.get().published is False

    Film.objects.update(published=True)
    report = import_catalogue([document])
    assert Film.objects.get().published is True
    assert report.unchanged["film"] == [FILM]


@pytest.mark.django_db
def test_a_person_spelled_differently_is_matched_not_duplicated():
    maria = Person.objects.create(key="maria-nesterenko", name="Maria Nesterenko")
    report = import_catalogue([EXAMPLE_PATH])
    assert report.aliases_matched == [("Maria Nesterenko", "maria-nesterenko")]
    assert not Person.objects.filter(key="mariia-nesterenko").exists()
    assert Person.objects.count() == 12
    assert list(maria.aliases.values_list("name", flat=True)) == ["Mariia Nesterenko"]
    assert Credit.objects.get(role="sound").person == maria
    second = import_catalogue([EXAMPLE_PATH])
    assert second.changed_nothing
    assert second.aliases_matched == [("Mariia Nesterenko", "maria-nesterenko")]  # now her alias


@pytest.mark.django_db
def test_a_company_alias_matches_the_existing_company():
    haka = Company.objects.create(key="haka", name="HAKA Films Warschau")
    report = import_catalogue([EXAMPLE_PATH])
    assert ("HAKA Films Warschau", "haka") in report.aliases_matched
    assert not Company.objects.filter(key="haka-films").exists()
    assert list(haka.aliases.values_list("name", flat=True)) == ["HAKA Films"]
    haka.refresh_from_db()
    assert (haka.city, haka.country) == ("Warsaw", "PL")  # gaps filled, nothing overwritten


@pytest.mark.django_db
def test_history_festival_is_found_by_name():
    berlinale = Festival.objects.create(key="berlinale", name="Berlin International Film Festival")
    import_catalogue([EXAMPLE_PATH])
    assert FestivalHistoryEntry.objects.filter(festival=berlinale, premiere="world").count() == 1
    assert not Festival.objects.filter(key="berlin-international-film-festival").exists()


# --------------------------------------------------------------------------- bad files


@pytest.fixture
def rows_unchanged(db):
    """Import the example first, then assert the bad import changed no row."""
    import_catalogue([EXAMPLE_PATH])
    before = row_counts()
    yield
    assert row_counts() == before


def test_malformed_json_names_line_and_column(tmp_path, rows_unchanged):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format": "festival-catalogue",\n  "version": 1,,\n}\n', encoding="utf-8")
    assert errors_of(bad) == [
        "bad.json: malformed JSON at line 3, column 16: Expecting property name enclosed in double quotes"
    ]


def test_wrong_version_is_refused(rows_unchanged):
    document = example()
    document["version"] = 2
    assert errors_of(document) == ["version: this site reads version 1 of the catalogue format, not 2"]


def test_wrong_format_is_refused(rows_unchanged):
    document = example()
    document["format"] = "film-list"
    assert errors_of(document) == [
        'format: this is not a festival catalogue (expected "festival-catalogue", found "film-list")'
    ]


def test_unknown_role_is_refused(rows_unchanged):
    document = example()
    document["films"][0]["credits"][3]["role"] = "directer"
    assert errors_of(document) == ['films[0].credits[3].role: unknown role "directer"']


def test_language_the_site_does_not_publish_is_refused(rows_unchanged):
    document = example()
    document["films"][0]["synopsis"]["fr"] = "Les habitants du Donbass"
    assert errors_of(document) == ['films[0].synopsis: language "fr" is not published by this site']


def test_unknown_field_is_an_error_not_dropped(rows_unchanged):
    document = example()
    document["films"][0]["director"] = "Alisa Kovalenko"
    assert errors_of(document) == ["films[0].director: unknown field"]


def test_every_schema_error_is_reported_together(rows_unchanged):
    document = example()
    document["films"][0]["credits"][3]["role"] = "directer"
    document["films"][0]["synopsis"]["fr"] = "x"
    del document["people"][1]["name"]
    document["editions"][0]["screenings"][0]["status"] = "postponed"
    assert errors_of(document) == [
        'editions[0].screenings[0].status: unknown status "postponed"',
        'films[0].credits[3].role: unknown role "directer"',
        'films[0].synopsis: language "fr" is not published by this site',
        "people[1].name: required field is missing",
    ]


def test_dangling_key_is_refused(rows_unchanged):
    document = example()
    document["films"][0]["credits"][2]["person"] = "nobody-known"
    document["editions"][0]["screenings"][0]["screen"] = "no-such-screen"
    assert errors_of(document) == [
        'films[0].credits[2].person: unknown person "nobody-known": it is neither in the file nor in the database',
        'editions[0].screenings[0].screen: unknown screen "no-such-screen": '
        "it is neither in the file nor in the database",
    ]


def test_unknown_codes_are_refused(rows_unchanged):
    document = example()
    document["films"][0]["countries"] = ["UA", "XX"]
    document["films"][0]["other_titles"][2]["language"] = "qq"
    document["editions"][0]["timezone"] = "Europe/Atlantis"
    assert errors_of(document) == [
        'films[0].countries[1]: unknown country code "XX"',
        'films[0].other_titles[2].language: unknown language code "qq"',
        'editions[0].timezone: unknown time zone "Europe/Atlantis"',
    ]


def test_overlapping_screenings_in_the_file_are_refused(rows_unchanged):
    document = example()
    screenings = document["editions"][0]["screenings"]
    # The first runs 19:15–20:55; with 15 minutes' changeover the screen is free at 21:10.
    screenings.append({**screenings[0], "key": "second", "starts_at": "2023-11-12T21:05:00+01:00"})
    # The second runs 21:05–22:45, so a third may start at 23:00 exactly.
    screenings.append({**screenings[0], "key": "third", "starts_at": "2023-11-12T23:00:00+01:00"})
    assert errors_of(document) == [
        'editions[0].screenings[1].starts_at: overlaps screening "idfa-2023-wwnfa-1" (editions[0].screenings[0]) '
        'in screen "example-cinema-1", which runs 2023-11-12 19:15–20:55; '
        "the screen needs 15 minutes between screenings"
    ]


def test_overlap_with_a_screening_in_the_database_is_refused(make_screening):
    make_screening(datetime.datetime(2023, 11, 12, 16, 0, tzinfo=datetime.UTC), key="already-there", minutes=125)
    before = row_counts()
    assert errors_of(example()) == [
        'editions[0].screenings[0].starts_at: overlaps screening "already-there" of edition "idfa-2023" '
        "in the database "
        'in screen "example-cinema-1", which runs 2023-11-12 17:00–19:05; '
        "the screen needs 15 minutes between screenings"
    ]
    assert row_counts() == before


def test_a_screening_the_file_moves_does_not_clash_with_its_old_self(make_screening):
    make_screening(datetime.datetime(2023, 11, 12, 18, 0, tzinfo=datetime.UTC), key="idfa-2023-wwnfa-1")
    report = import_catalogue([example()])
    assert report.updated["screening"] == ["idfa-2023/idfa-2023-wwnfa-1"]
    assert Screening.objects.get().starts_at == datetime.datetime(2023, 11, 12, 18, 15, tzinfo=datetime.UTC)


def test_screening_outside_the_edition_is_refused(rows_unchanged):
    document = example()
    # 00:30 on 20 November in Amsterdam is still 19 November in UTC: the edition's time zone decides.
    document["editions"][0]["screenings"][0]["starts_at"] = "2023-11-19T23:30:00Z"
    assert errors_of(document) == [
        "editions[0].screenings[0].starts_at: the screening starts on 2023-11-20 (Europe/Amsterdam), "
        "outside idfa-2023, which runs from 2023-11-08 to 2023-11-19"
    ]


def test_screening_ending_before_it_starts_is_refused(rows_unchanged):
    document = example()
    document["editions"][0]["screenings"][0]["ends_at"] = "2023-11-12T19:00:00+01:00"
    assert errors_of(document) == [
        "editions[0].screenings[0].ends_at: the screening ends (2023-11-12T19:00:00+01:00) before it starts "
        "(2023-11-12T19:15:00+01:00)"
    ]


def test_award_rules_are_checked(rows_unchanged):
    document = example()
    edition = document["editions"][0]
    edition["sections"].append({"key": "competition", "name": {"en": "Competition"}, "competitive": True})
    document["people"].append({"key": "someone-else", "name": "Someone Else"})
    edition["awards"] = [
        {"key": "mention", "section": "best-of-fests", "name": {"en": "Mention"}},
        {
            "key": "best-film",
            "section": "competition",
            "name": {"en": "Best Film"},
            "winners": [{"film": FILM, "kind": "winner"}],
        },
    ]
    edition["sections"][1]["selections"] = [{"film": FILM}]
    edition["awards"][1]["winners"].append({"film": FILM, "person": "someone-else", "kind": "special-mention"})
    edition["sections"][1]["selections"] = []
    assert errors_of(document) == [
        'editions[0].awards[0].section: section "best-of-fests" is not competitive; '
        "awards belong to a competitive section",
        'editions[0].awards[1].winners[0].film: film "we-will-not-fade-away" is not selected in section "competition", '
        'so it cannot win "best-film"',
        'editions[0].awards[1].winners[1].film: film "we-will-not-fade-away" is not selected in section "competition", '
        'so it cannot win "best-film"',
        'editions[0].awards[1].winners[1].person: person "someone-else" '
        'is not credited on film "we-will-not-fade-away"',
    ]


def test_model_rules_are_reported_with_the_path(rows_unchanged):
    document = example()
    document["films"][0]["year"] = 1700
    latest = datetime.date.today().year + 5
    assert errors_of(document) == [
        f"films[0].year: 1700 is not a plausible year for a film; give a year from 1888 to {latest}."
    ]


def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path, rows_unchanged):
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: takes no disk space, and is not JSON either
    assert big.stat().st_size > MAX_FILE_BYTES
    assert errors_of(big) == ["big.json: the file is 50.0 MB; catalogue files may be at most 20 MB"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (b'\xef\xbb\xbf{"format": "festival-catalogue"}', []),  # a byte order mark is allowed
        (b'{"title": "\xff"}', ["upload.json: the file is not UTF-8 text (byte 11)"]),
        (b'{"format": }', ["upload.json: malformed JSON at line 1, column 12: Expecting value"]),
        (b" " * MAX_FILE_BYTES, ["upload.json: malformed JSON at line 1, column 20971521: Expecting value"]),
        (b" " * (MAX_FILE_BYTES + 1), ["upload.json: the file is 20.1 MB; catalogue files may be at most 20 MB"]),
    ],
)
def test_an_uploaded_files_bytes_are_checked_for_size_then_text_then_json(data, errors):
    """What the admin's upload reads (``parse_catalogue_bytes``): up to the limit, and UTF-8, and JSON."""
    from films.catalogue.importer import parse_catalogue_bytes

    document, found = parse_catalogue_bytes(data, "upload.json")
    assert found == errors
    assert document == ({"format": "festival-catalogue"} if not errors else None)


def test_a_file_one_byte_over_the_limit_does_not_read_as_the_limit(tmp_path, rows_unchanged):
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    assert errors_of(big) == ["big.json: the file is 20.1 MB; catalogue files may be at most 20 MB"]


def test_an_image_that_is_not_an_image_is_refused(tmp_path, rows_unchanged):
    (tmp_path / "poster.jpg").write_text("this is not a JPEG", encoding="utf-8")
    document = example()
    document["films"][0]["images"] = [{"kind": "poster", "src": "poster.jpg"}]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert errors_of(path) == [
        "films[0].images[0].src: The file is not an image or is damaged; upload a JPEG, PNG or WebP file."
    ]
    assert FilmImage.objects.count() == 0


def test_relative_image_path_in_a_dict_source_is_refused(rows_unchanged):
    document = example()
    document["films"][0]["images"] = [{"kind": "still", "src": "still.png"}]
    assert errors_of(document) == [
        "films[0].images[0].src: a relative image path needs a catalogue file to be relative to"
    ]


@pytest.mark.django_db
def test_several_bad_files_change_nothing_and_all_errors_are_listed(tmp_path):
    import_catalogue([EXAMPLE_PATH])
    before = row_counts()
    version = example()
    version["version"] = 3
    (tmp_path / "a.json").write_text(json.dumps(version), encoding="utf-8")
    (tmp_path / "b.json").write_text("[1, 2", encoding="utf-8")
    good = example()
    good["films"][0]["title"]["en"] = "Changed title"
    (tmp_path / "c.json").write_text(json.dumps(good), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        import_catalogue([tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"])
    assert caught.value.errors == [
        "a.json: version: this site reads version 1 of the catalogue format, not 3",
        "b.json: malformed JSON at line 1, column 6: Expecting ',' delimiter",
    ]
    assert row_counts() == before
    assert Film.objects.get().title_en == "We Will Not Fade Away"


@pytest.mark.django_db
def test_error_in_a_later_record_rolls_back_the_earlier_ones():
    document = example()
    document["editions"][0]["festival"]["short_name"] = "X" * 60  # longer than the model allows
    before = row_counts()
    assert errors_of(document) == [
        "editions[0].festival.short_name: Ensure this value has at most 50 characters (it has 60)."
    ]
    assert row_counts() == before


# --------------------------------------------------------------------------- images


@pytest.mark.django_db
def test_local_images_are_checked_stored_and_sized(tmp_path):
    (tmp_path / "poster.png").write_bytes(png_bytes())
    document = example()
    document["films"][0]["images"] = [
        {"kind": "poster", "src": "poster.png", "caption": {"en": "Poster"}, "photographer": "Ann Example"},
        {"kind": "still", "src": "https://example.org/still.jpg"},
    ]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    report = import_catalogue([path])
    image, remote = FilmImage.objects.order_by("order")
    assert (image.kind, image.width, image.height, image.caption_en, image.photographer, image.source_url) == (
        "poster",
        40,
        30,
        "Poster",
        "Ann Example",
        "",
    )
    # Its renditions: one width (the original is narrower than the narrowest), in WebP and JPEG.
    assert image.renditions == [
        {"width": 40, "height": 30, "webp": "films/renditions/poster-40.webp", "jpeg": "films/renditions/poster-40.jpg"}
    ]
    assert (image.thumbnail.name, image.display.name) == ("films/renditions/poster-40.webp",) * 2
    for name, image_format in (("poster-40.webp", "WEBP"), ("poster-40.jpg", "JPEG")):
        with Image.open(image.image.storage.path(f"films/renditions/{name}")) as rendition:
            assert (rendition.format, rendition.size) == (image_format, (40, 30))
    assert remote.renditions is None  # nothing to derive them from
    assert (remote.kind, remote.image.name, remote.source_url, remote.width) == (
        "still",
        "",
        "https://example.org/still.jpg",
        None,
    )
    assert report.images_not_fetched == [("films[0].images[1].src", "https://example.org/still.jpg")]
    assert "films[0].images[1].src: image https://example.org/still.jpg was not fetched" in report.summary()

    again = import_catalogue([path])
    assert again.changed_nothing
    assert list(FilmImage.objects.order_by("order").values_list("pk", flat=True)) == [image.pk, remote.pk]


@pytest.mark.django_db
def test_an_image_already_stored_gets_its_renditions_when_imported(tmp_path, settings):
    from django.core.files.storage import default_storage

    stored = default_storage.save("films/images/stored.png", io.BytesIO(png_bytes()))
    document = example()
    document["films"][0]["images"] = [{"kind": "still", "src": f"{settings.MEDIA_URL}{stored}"}]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    import_catalogue([path])
    image = FilmImage.objects.get()
    assert image.image.name == "films/images/stored.png"
    assert image.renditions == [
        {"width": 40, "height": 30, "webp": "films/renditions/stored-40.webp", "jpeg": "films/renditions/stored-40.jpg"}
    ]
    # Imported again, it is the same stored file: nothing changes and no copy is made.
    assert import_catalogue([path]).changed_nothing
    assert default_storage.listdir("films/images") == ([], ["stored.png"])
    assert FilmImage.objects.get().pk == image.pk


@pytest.mark.django_db
def test_a_stored_photo_named_by_the_file_replaces_another_of_the_same_picture(settings):
    from django.core.files.storage import default_storage

    first = default_storage.save("people/first.png", io.BytesIO(png_bytes()))
    second = default_storage.save("people/second.png", io.BytesIO(png_bytes()))
    document = example()
    document["people"][0]["photo"] = f"{settings.MEDIA_URL}{first}"
    import_catalogue([copy.deepcopy(document)])
    document["people"][0]["photo"] = f"{settings.MEDIA_URL}{second}"
    report = import_catalogue([document])
    assert Person.objects.get(key="alisa-kovalenko").photo.name == "people/second.png"
    assert [(change.field, change.old, change.new) for change in report.changes] == [
        ("photo", "people/first.png", "people/second.png")
    ]


@pytest.mark.django_db
def test_a_photo_already_stored_is_taken_as_it_is(tmp_path, settings):
    from django.core.files.storage import default_storage

    stored = default_storage.save("people/portrait.png", io.BytesIO(png_bytes()))
    document = example()
    document["people"][0]["photo"] = f"{settings.MEDIA_URL}{stored}"
    import_catalogue([document])
    assert Person.objects.get(key="alisa-kovalenko").photo.name == "people/portrait.png"
    assert import_catalogue([document]).changed_nothing
    assert default_storage.listdir("people") == ([], ["portrait.png"])


@pytest.mark.django_db
def test_person_photo_is_stored(tmp_path):
    from django.core.files.storage import default_storage

    (tmp_path / "alisa.png").write_bytes(png_bytes())
    document = example()
    document["people"][0]["photo"] = "alisa.png"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    import_catalogue([path])
    person = Person.objects.get(key="alisa-kovalenko")
    assert person.photo.name.startswith("people/alisa")
    assert import_catalogue([path]).changed_nothing
    # Its stored file gone, the file's photo is stored again.
    default_storage.delete(person.photo.name)
    assert [change.field for change in import_catalogue([path]).changes] == ["photo"]
    assert default_storage.exists(Person.objects.get(pk=person.pk).photo.name)


# --------------------------------------------------------------------------- the command


@pytest.mark.django_db
def test_import_command_prints_the_report():
    out = io.StringIO()
    call_command("import_catalogue", str(EXAMPLE_PATH), stdout=out)
    assert "film: 1 created, 0 updated, 0 unchanged" in out.getvalue()
    assert "person: 12 created, 0 updated, 0 unchanged" in out.getvalue()
    assert Film.objects.count() == 1


@pytest.mark.django_db
def test_import_command_reports_every_count_match_image_and_change_line_by_line(tmp_path):
    Person.objects.create(key="maria-nesterenko", name="Maria Nesterenko")
    Person.objects.create(key="alisa-kovalenko", name="Alisa Kovalenko", born_year=1986, bio_en="Director.")
    document = example()
    document["films"][0]["images"] = [{"kind": "still", "src": "https://example.org/still.jpg"}]
    document["people"][0]["bio"] = {"en": "Director.\nBorn in Zaporizhzhia."}
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = io.StringIO()
    call_command("import_catalogue", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "Import complete.",
        "company: 8 created, 0 updated, 0 unchanged",
        "edition: 1 created, 0 updated, 0 unchanged",
        "festival: 5 created, 0 updated, 0 unchanged",
        "film: 1 created, 0 updated, 0 unchanged",
        "person: 10 created, 2 updated, 0 unchanged",
        "screen: 1 created, 0 updated, 0 unchanged",
        "screening: 1 created, 0 updated, 0 unchanged",
        "section: 1 created, 0 updated, 0 unchanged",
        "tag: 2 created, 0 updated, 0 unchanged",
        "venue: 1 created, 0 updated, 0 unchanged",
        "“Maria Nesterenko” matched the existing record “maria-nesterenko”",
        "films[0].images[0].src: image https://example.org/still.jpg was not fetched (remote images are recorded only)",
        "Changes to existing records: 5 field(s), 0 of them clear or shorten what is there.",
        "  person alisa-kovalenko",
        "    born.year: 1986 -> 1987",
        "    born.place: (empty) -> “Zaporizhzhia, Ukraine”",
        # A line break in a text reads as a space in the listing.
        "    bio [en]: “Director.” -> “Director. Born in Zaporizhzhia.”",
        "    filmography: 0 item(s) -> 5 item(s)",
        "      + 2014 Sestra Zo (Sister Zo)",
        "      + 2015 Alisa w krainie wojny (Alisa in Warland)",
        "      + 2018 Home Games",
        "      + 2023 My ne zgasnemo (We Will Not Fade Away) = we-will-not-fade-away",
        "      + 2024 Frontline",
        "  person maria-nesterenko",
        "    aliases: 0 item(s) -> 1 item(s)",
        "      + Mariia Nesterenko",
    ]


@pytest.mark.django_db
def test_import_command_dry_run_writes_nothing():
    out = io.StringIO()
    call_command("import_catalogue", str(EXAMPLE_PATH), "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run: nothing was written.")
    assert Film.objects.count() == 0


@pytest.mark.django_db
def test_import_command_prints_every_error_and_fails(tmp_path):
    document = example()
    document["films"][0]["credits"][3]["role"] = "directer"
    document["films"][0]["synopsis"]["fr"] = "x"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 error\(s\); nothing was written"):
        call_command("import_catalogue", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        'films[0].credits[3].role: unknown role "directer"',
        'films[0].synopsis: language "fr" is not published by this site',
    ]
    assert Film.objects.count() == 0
    assert Venue.objects.count() == 0


def write_queries(queries):
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.mark.django_db
def test_remote_images_are_recorded_by_address_and_exported_as_src():
    document = example()
    document["people"][0]["photo"] = "https://example.org/people/alisa.jpg"
    document["films"][0]["images"] = [
        {"kind": "poster", "src": "https://example.org/poster.jpg", "caption": {"en": "Poster"}},
        {"kind": "still", "src": "https://example.org/still.jpg", "photographer": "Ann Example"},
    ]
    report = import_catalogue([document])
    assert report.images_not_fetched == [
        ("people[0].photo", "https://example.org/people/alisa.jpg"),
        ("films[0].images[0].src", "https://example.org/poster.jpg"),
        ("films[0].images[1].src", "https://example.org/still.jpg"),
    ]
    person = Person.objects.get(key="alisa-kovalenko")
    assert (person.photo.name, person.photo_source_url) == ("", "https://example.org/people/alisa.jpg")
    assert list(
        FilmImage.objects.order_by("order").values_list("kind", "image", "source_url", "caption_en", "photographer")
    ) == [
        ("poster", "", "https://example.org/poster.jpg", "Poster", ""),
        ("still", "", "https://example.org/still.jpg", None, "Ann Example"),
    ]

    exported = export_catalogue()
    assert exported["people"][0]["photo"] == "https://example.org/people/alisa.jpg"
    assert exported["films"][0]["images"] == document["films"][0]["images"]

    with CaptureQueriesContext(connection) as queries:
        again = import_catalogue([document])
    assert again.changed_nothing
    assert write_queries(queries) == []


@pytest.mark.django_db
def test_a_remote_image_whose_address_changes_is_replaced():
    document = example()
    document["people"][0]["photo"] = "https://example.org/people/alisa.jpg"
    document["films"][0]["images"] = [{"kind": "poster", "src": "https://example.org/poster.jpg"}]
    import_catalogue([document])
    document["people"][0]["photo"] = "https://example.org/people/alisa-2024.jpg"
    document["films"][0]["images"][0]["src"] = "https://example.org/poster-v2.jpg"
    report = import_catalogue([document])
    assert report.updated["film"] == [FILM]
    assert report.updated["person"] == ["alisa-kovalenko"]
    assert Person.objects.get(key="alisa-kovalenko").photo_source_url == "https://example.org/people/alisa-2024.jpg"
    assert list(FilmImage.objects.values_list("source_url", flat=True)) == ["https://example.org/poster-v2.jpg"]


@pytest.mark.django_db
def test_a_local_photo_replaces_a_recorded_address(tmp_path):
    document = example()
    document["people"][0]["photo"] = "https://example.org/people/alisa.jpg"
    import_catalogue([document])
    (tmp_path / "alisa.png").write_bytes(png_bytes())
    document["people"][0]["photo"] = "alisa.png"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    import_catalogue([path])
    person = Person.objects.get(key="alisa-kovalenko")
    assert person.photo.name.startswith("people/alisa")
    assert person.photo_source_url == ""
    assert export_catalogue()["people"][0]["photo"] == person.photo.url
    assert import_catalogue([path]).changed_nothing
