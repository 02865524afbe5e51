"""Imports merge: what a file leaves out is kept; translated text merges language by language; "" clears one.

The case of issue "Programmers' work is never lost": the demo's record of *We Will Not Fade Away* (synopsis and
tagline in five languages) keeps every language when the shared example (English and Polish only) is imported
over it, through the command and through the admin.
"""

import copy
import datetime
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from films.catalogue import CatalogueError, admin_views, export_catalogue, import_catalogue
from films.demo.generator import Builder
from films.demo.plan import EXAMPLE_FILE
from films.models import Award, AwardResult, Film, Person, Screening, Section

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
DEMO = json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))
FILM = "we-will-not-fade-away"
LANGUAGES = ("en", "uk", "pl", "de", "nl")
URL = "/admin/films/import/"


def example():
    return copy.deepcopy(EXAMPLE)


def texts(record, name):
    return {code: getattr(record, f"{name}_{code}") for code in LANGUAGES}


def write_statements(queries):
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.fixture
def demo_film(db):
    """The film as the demo loads it (make_demo_festival imports films/demo/we-will-not-fade-away.json)."""
    film = Builder().import_example()
    assert film.key == FILM
    return film


def assert_demo_languages_kept():
    """After the shared example over the demo record: the example's languages replaced, every other one kept."""
    demo_film, shared_film = DEMO["films"][0], EXAMPLE["films"][0]
    film = Film.objects.get(key=FILM)
    assert texts(film, "synopsis") == {
        "en": shared_film["synopsis"]["en"],
        "uk": demo_film["synopsis"]["uk"],
        "pl": shared_film["synopsis"]["pl"],
        "de": demo_film["synopsis"]["de"],
        "nl": demo_film["synopsis"]["nl"],
    }
    assert texts(film, "tagline") == {
        "en": shared_film["tagline"]["en"],
        "uk": demo_film["tagline"]["uk"],
        "pl": demo_film["tagline"]["pl"],
        "de": demo_film["tagline"]["de"],
        "nl": demo_film["tagline"]["nl"],
    }
    # A second record kind: the director's biography (demo: en, uk, pl; example: en only).
    alisa = Person.objects.get(key="alisa-kovalenko")
    assert texts(alisa, "bio") == {
        "en": EXAMPLE["people"][0]["bio"]["en"],
        "uk": DEMO["people"][0]["bio"]["uk"],
        "pl": DEMO["people"][0]["bio"]["pl"],
        "de": None,
        "nl": None,
    }


def test_demo_record_has_five_languages(demo_film):
    assert all(texts(demo_film, "synopsis").values())
    assert all(texts(demo_film, "tagline").values())


def test_example_over_the_demo_film_keeps_every_language_through_the_command(demo_film):
    out = io.StringIO()
    call_command("import_catalogue", str(EXAMPLE_PATH), stdout=out)
    assert_demo_languages_kept()
    assert "film: 0 created, 1 updated, 0 unchanged" in out.getvalue()


def test_example_over_the_demo_film_keeps_every_language_through_the_admin(demo_film, client):
    user = User.objects.create_user("programmer", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="films", codename__in=["add_film", "change_structure"])
    )
    client.force_login(user)
    upload = SimpleUploadedFile("example.json", EXAMPLE_PATH.read_bytes(), content_type="application/json")
    preview = client.post(URL, {"file": upload})
    assert preview.status_code == 200
    assert Film.objects.get(key=FILM).synopsis_en == DEMO["films"][0]["synopsis"]["en"]  # nothing written yet
    confirm = preview.context["confirm"]
    done = client.post(URL, {"token": confirm.initial["token"], "preview": confirm.initial["preview"]})
    assert done.status_code == 200, done.context.get("errors")
    assert done.context["done"]
    assert_demo_languages_kept()
    admin_views._upload_path(confirm.initial["token"]).unlink(missing_ok=True)


def test_example_over_the_demo_film_keeps_the_fields_it_leaves_out(demo_film):
    before = export_catalogue(include_embargoed=True)["films"][0]
    import_catalogue([EXAMPLE_PATH])
    after = export_catalogue(include_embargoed=True)["films"][0]
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    # Only the translated texts the example gives differ (the example's facts equal the demo record's).
    assert changed == {"tagline", "synopsis"}


def test_second_import_over_the_demo_film_writes_nothing(demo_film):
    import_catalogue([EXAMPLE_PATH])
    with CaptureQueriesContext(connection) as queries:
        report = import_catalogue([EXAMPLE_PATH])
    assert write_statements(queries) == []
    assert report.changed_nothing
    assert report.changes == []
    assert_demo_languages_kept()


# --------------------------------------------------------------------------- an explicit "" clears one language


def test_an_empty_string_clears_one_language_only(demo_film):
    document = {
        "format": "festival-catalogue",
        "version": 1,
        "films": [{"key": FILM, "title": {}, "synopsis": {"uk": ""}, "tagline": {"de": "", "nl": "Nieuw."}}],
    }
    before = Film.objects.get(key=FILM)
    import_catalogue([document])
    film = Film.objects.get(key=FILM)
    assert texts(film, "synopsis") == {**texts(before, "synopsis"), "uk": None}
    assert texts(film, "tagline") == {**texts(before, "tagline"), "de": None, "nl": "Nieuw."}
    assert texts(film, "title") == texts(before, "title")


def test_an_empty_string_clears_one_language_of_a_biography(demo_film):
    document = {
        "format": "festival-catalogue",
        "version": 1,
        "people": [{"key": "alisa-kovalenko", "name": "Alisa Kovalenko", "bio": {"pl": ""}}],
    }
    before = Person.objects.get(key="alisa-kovalenko")
    filmography = list(before.filmography.values_list("title", flat=True))
    assert len(filmography) > 1
    import_catalogue([document])
    alisa = Person.objects.get(key="alisa-kovalenko")
    assert texts(alisa, "bio") == {**texts(before, "bio"), "pl": None}
    assert (alisa.born_year, alisa.born_place) == (before.born_year, before.born_place)
    assert list(alisa.filmography.values_list("title", flat=True)) == filmography


def test_an_empty_string_cannot_clear_a_required_english_title(demo_film):
    document = {"format": "festival-catalogue", "version": 1, "films": [{"key": FILM, "title": {"en": ""}}]}
    with pytest.raises(CatalogueError) as caught:
        import_catalogue([document])
    assert caught.value.errors == ['films[0].title: the text in "en" is required; an empty string cannot clear it']
    assert Film.objects.get(key=FILM).title_en == "We Will Not Fade Away"


# --------------------------------------------------------------------------- every record kind keeps what is left out


def full_document():
    """The example with a competition, an award with a translated citation, and a screening that ends late."""
    document = example()
    edition = document["editions"][0]
    edition["sections"].append(
        {
            "key": "competition",
            "name": {"en": "Competition", "uk": "Конкурс"},
            "description": {"en": "The main competition.", "nl": "De hoofdcompetitie."},
            "competitive": True,
            "selections": [{"film": FILM}],
            "published": True,
        }
    )
    edition["venues"][0]["address"] = "Example Street 1, Amsterdam"
    edition["venues"][0]["screens"][0]["changeover_minutes"] = 20
    screening = edition["screenings"][0]
    screening["ends_at"] = "2023-11-12T21:30:00+01:00"  # with a Q&A
    screening["ticket_url"] = "https://tickets.example.org/wwnfa"
    screening["note"]["uk"] = "Показ із обговоренням."
    edition["awards"] = [
        {
            "key": "best-film",
            "section": "competition",
            "name": {"en": "Best Film", "uk": "Найкращий фільм"},
            "winners": [{"film": FILM, "citation": {"en": "For courage.", "uk": "За мужність."}}],
        }
    ]
    edition["results_announced_at"] = "2023-11-19T20:00:00+01:00"
    return document


def minimal_document():
    """Every record of ``full_document`` with only the fields the schema requires (lists in the same order)."""
    document = full_document()
    edition = document["editions"][0]
    return {
        "format": "festival-catalogue",
        "version": 1,
        "people": [{"key": person["key"], "name": person["name"]} for person in document["people"]],
        "companies": [{"key": company["key"], "name": company["name"]} for company in document["companies"]],
        "films": [{"key": film["key"], "title": {}} for film in document["films"]],
        "editions": [
            {
                **{name: edition[name] for name in ("key", "year", "start_date", "end_date", "timezone")},
                "name": {},
                "festival": {"key": edition["festival"]["key"], "name": {}},
                "sections": [{"key": section["key"], "name": {}} for section in edition["sections"]],
                "venues": [
                    {
                        "key": venue["key"],
                        "name": venue["name"],
                        "screens": [{"key": screen["key"], "name": screen["name"]} for screen in venue["screens"]],
                    }
                    for venue in edition["venues"]
                ],
                "screenings": [
                    {"key": screening["key"], "starts_at": screening["starts_at"], "films": screening["films"]}
                    for screening in edition["screenings"]
                ],
                "awards": [
                    {"key": award["key"], "section": award["section"], "name": {}} for award in edition["awards"]
                ],
            }
        ],
    }


@pytest.mark.django_db
def test_a_file_with_only_required_fields_keeps_everything_of_every_record_kind():
    import_catalogue([full_document()])
    before = export_catalogue(include_embargoed=True)
    with CaptureQueriesContext(connection) as queries:
        report = import_catalogue([minimal_document()])
    assert export_catalogue(include_embargoed=True) == before
    assert report.changes == []
    assert report.changed_nothing
    assert write_statements(queries) == []
    assert Screening.objects.get().ends_at == datetime.datetime(2023, 11, 12, 20, 30, tzinfo=datetime.UTC)
    assert Section.objects.get(key="competition").competitive is True
    assert AwardResult.objects.get().citation_uk == "За мужність."


@pytest.mark.django_db
def test_a_stored_screening_moved_without_an_end_keeps_its_length():
    import_catalogue([full_document()])
    document = minimal_document()
    document["editions"][0]["screenings"][0]["starts_at"] = "2023-11-13T19:15:00+01:00"
    report = import_catalogue([document])
    screening = Screening.objects.get()
    assert (screening.starts_at, screening.ends_at) == (
        datetime.datetime(2023, 11, 13, 18, 15, tzinfo=datetime.UTC),
        datetime.datetime(2023, 11, 13, 20, 30, tzinfo=datetime.UTC),
    )
    assert screening.ticket_url == "https://tickets.example.org/wwnfa"
    assert screening.screen.key == "example-cinema-1"
    assert [(change.field, change.old, change.new) for change in report.changes] == [
        ("starts_at", "2023-11-12T19:15:00+01:00", "2023-11-13T19:15:00+01:00"),
        ("ends_at", "2023-11-12T21:30:00+01:00", "2023-11-13T21:30:00+01:00"),
    ]


@pytest.mark.django_db
def test_an_award_left_without_winners_keeps_them_and_its_kind():
    document = full_document()
    document["editions"][0]["awards"][0]["recipient"] = "film"
    document["editions"][0]["awards"][0]["ex_aequo"] = True
    import_catalogue([document])
    import_catalogue([minimal_document()])
    award = Award.objects.get()
    assert (award.recipient, award.ex_aequo, award.name_uk) == ("film", True, "Найкращий фільм")
    assert award.results.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("winners", "recipient", "ex_aequo"),
    [
        ([{}], "film", False),
        ([{"person": "editing"}, {"person": "editing2", "kind": "special-mention"}], "person", False),
        ([{"person": "editing"}, {"person": "editing2", "kind": "winner"}], "person", True),
        (
            [
                {"person": "editing", "kind": "special-mention"},
                {"person": "editing2", "kind": "special-mention"},
                {"person": "sound"},
            ],
            "person",
            False,
        ),
    ],
)
def test_an_award_that_does_not_say_its_kind_takes_it_from_its_winners(winners, recipient, ex_aequo):
    """No ``recipient`` or ``ex_aequo`` in the file: a person among the winners makes a person award, more than one
    winner (a special mention is none) an ex aequo."""
    people = {"editing": "maryna-maykovska", "editing2": "kasia-boniecka", "sound": "mariia-nesterenko"}
    document = full_document()
    document["editions"][0]["awards"][0]["winners"] = [
        {"film": FILM, **{name: people.get(value, value) for name, value in winner.items()}} for winner in winners
    ]
    import_catalogue([document])
    award = Award.objects.get()
    assert (award.recipient, award.ex_aequo) == (recipient, ex_aequo)
    # The export leaves out what the winners say, and reads back the same.
    exported = export_catalogue(include_embargoed=True)
    assert {"recipient", "ex_aequo"}.isdisjoint(exported["editions"][0]["awards"][0])
    import_catalogue([exported])
    award = Award.objects.get()
    assert (award.recipient, award.ex_aequo) == (recipient, ex_aequo)


@pytest.mark.django_db
def test_a_winners_list_the_file_gives_is_the_files_and_a_kept_winner_keeps_its_citation():
    import_catalogue([full_document()])
    document = full_document()
    document["editions"][0]["awards"][0]["winners"][0]["citation"] = {"en": "For courage, and for hope."}
    import_catalogue([document])
    result = AwardResult.objects.get()
    assert (result.citation_en, result.citation_uk) == ("For courage, and for hope.", "За мужність.")

    document["editions"][0]["awards"][0]["winners"][0]["citation"] = {"uk": ""}
    import_catalogue([document])
    result = AwardResult.objects.get()
    assert (result.citation_en, result.citation_uk) == ("For courage, and for hope.", None)

    document["editions"][0]["awards"][0]["winners"] = []
    import_catalogue([document])
    assert not AwardResult.objects.exists()


@pytest.mark.django_db
def test_a_film_list_the_file_gives_replaces_the_stored_one_and_one_it_leaves_out_is_kept():
    import_catalogue([EXAMPLE_PATH])
    document = {
        "format": "festival-catalogue",
        "version": 1,
        "films": [{"key": FILM, "title": {}, "other_titles": [{"title": "Expedition 49", "language": "en"}]}],
    }
    import_catalogue([document])
    film = Film.objects.get(key=FILM)
    assert list(film.other_titles.values_list("title", flat=True)) == ["Expedition 49"]
    assert film.credits.count() == 12
    assert film.company_credits.count() == 9
    assert film.festival_history.count() == 4
    assert film.tags.count() == 2
    assert film.countries == ["UA", "FR", "PL"]
    assert (film.aspect_ratio, film.picture_format, film.colour) == ("1.85:1", "HD", "colour")


def test_second_import_through_the_command_writes_nothing(demo_film):
    call_command("import_catalogue", str(EXAMPLE_PATH), stdout=io.StringIO())
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("import_catalogue", str(EXAMPLE_PATH), stdout=out)
    assert write_statements(queries) == []
    assert "film: 0 created, 0 updated, 1 unchanged" in out.getvalue()
    assert "Changes to existing records" not in out.getvalue()


@pytest.mark.django_db
def test_reimporting_an_export_with_awards_writes_nothing():
    import_catalogue([full_document()])
    exported = export_catalogue(include_embargoed=True)
    with CaptureQueriesContext(connection) as queries:
        report = import_catalogue([exported])
    assert write_statements(queries) == []
    assert report.changed_nothing
    assert report.unchanged["award"] == ["idfa-2023/best-film"]


@pytest.mark.django_db
def test_a_kept_film_image_keeps_its_caption_in_the_languages_the_file_leaves_out():
    document = example()
    document["films"][0]["images"] = [
        {"kind": "poster", "src": "https://example.org/poster.jpg", "caption": {"en": "Poster", "uk": "Постер"}},
        {"kind": "still", "src": "https://example.org/still.jpg", "caption": {"en": "Still"}},
    ]
    import_catalogue([document])
    document["films"][0]["images"] = [
        {"kind": "poster", "src": "https://example.org/poster.jpg", "caption": {"en": "The poster"}},
        {"kind": "still", "src": "https://example.org/still-2.jpg"},
    ]
    report = import_catalogue([document])
    film = Film.objects.get(key=FILM)
    assert list(film.images.order_by("order").values_list("source_url", "caption_en", "caption_uk")) == [
        ("https://example.org/poster.jpg", "The poster", "Постер"),
        ("https://example.org/still-2.jpg", None, None),
    ]
    [images] = [change for change in report.changes if change.field == "images"]
    assert images.removed == [
        "poster: https://example.org/poster.jpg [en] Poster [uk] Постер",
        "still: https://example.org/still.jpg [en] Still",
    ]
    assert images.added == [
        "poster: https://example.org/poster.jpg [en] The poster [uk] Постер",
        "still: https://example.org/still-2.jpg",
    ]


@pytest.mark.django_db
def test_a_kept_stored_image_keeps_its_caption_in_the_languages_the_file_leaves_out_and_takes_its_new_place(settings):
    from django.core.files.storage import default_storage

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG")
    stored = default_storage.save("films/images/still.png", buffer)
    still = {"kind": "still", "src": f"{settings.MEDIA_URL}{stored}", "caption": {"en": "Still", "uk": "Кадр"}}
    poster = {"kind": "poster", "src": "https://example.org/poster.jpg"}
    document = example()
    document["films"][0]["images"] = [still, poster]
    import_catalogue([copy.deepcopy(document)])
    still["caption"] = {"en": "A still"}
    document["films"][0]["images"] = [poster, still]
    import_catalogue([document])
    film = Film.objects.get(key=FILM)
    assert list(film.images.values_list("order", "kind", "image", "caption_en", "caption_uk")) == [
        (0, "poster", "", None, None),
        (1, "still", "films/images/still.png", "A still", "Кадр"),
    ]
