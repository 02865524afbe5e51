"""Exporting the catalogue: exactly the format, deterministic, and a round trip through an empty site."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from films.catalogue import CatalogueError, export_catalogue, import_catalogue
from films.models import (
    Award,
    AwardResult,
    Company,
    Edition,
    Festival,
    Film,
    Person,
    Screen,
    Screening,
    Section,
    Tag,
    Venue,
)

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


def comparable(document):
    """The document without ``source``, with lists whose order means nothing sorted."""
    document = copy.deepcopy(document)
    document.pop("source", None)
    document["people"] = sorted(document.get("people", []), key=lambda person: person["key"])
    document["companies"] = sorted(document.get("companies", []), key=lambda company: company["key"])
    for record in document["people"] + document["companies"]:
        if "aliases" in record:
            record["aliases"] = sorted(record["aliases"])
    for film in document.get("films", []):
        if "tags" in film:
            film["tags"] = sorted(film["tags"], key=lambda tag: tag["key"])
    document["films"] = sorted(document.get("films", []), key=lambda film: film["key"])
    return document


def empty_the_database():
    """Delete every catalogue record, children first (PROTECT foreign keys forbid any other order)."""
    Screening.objects.all().delete()
    AwardResult.objects.all().delete()
    Award.objects.all().delete()
    Section.objects.all().delete()
    Edition.objects.all().delete()
    Film.objects.all().delete()
    for model in (Person, Company, Festival, Screen, Venue, Tag):
        model.objects.all().delete()


@pytest.mark.django_db
def test_export_of_the_imported_example_equals_the_example():
    import_catalogue([EXAMPLE_PATH])
    exported = export_catalogue()
    assert comparable(exported) == comparable(EXAMPLE)
    # Beyond what the comparison requires: the order matches the example's too.
    assert [person["key"] for person in exported["people"]] == [person["key"] for person in EXAMPLE["people"]]
    assert list(exported) == ["format", "version", "source", "people", "companies", "films", "editions"]


@pytest.mark.django_db
def test_round_trip_through_an_empty_database_exports_the_same_document():
    import_catalogue([EXAMPLE_PATH])
    first = export_catalogue()
    empty_the_database()
    assert Film.objects.count() == Person.objects.count() == Screening.objects.count() == 0
    report = import_catalogue([first])
    assert report.created["film"] == ["we-will-not-fade-away"]
    second = export_catalogue()
    assert second == first
    assert json.dumps(second, ensure_ascii=False, indent=2) == json.dumps(first, ensure_ascii=False, indent=2)


@pytest.mark.django_db
def test_export_omits_ends_at_only_when_it_is_the_runtime():
    document = copy.deepcopy(EXAMPLE)
    document["editions"][0]["screenings"][0]["ends_at"] = "2023-11-12T21:15:00+01:00"
    import_catalogue([document])
    screening = export_catalogue()["editions"][0]["screenings"][0]
    assert screening["ends_at"] == "2023-11-12T21:15:00+01:00"
    assert screening["starts_at"] == "2023-11-12T19:15:00+01:00"


@pytest.mark.django_db
def test_export_of_one_edition_holds_only_its_films_and_their_people():
    import_catalogue([EXAMPLE_PATH])
    Film.objects.create(key="unrelated", title="Unrelated")
    Person.objects.create(key="nobody-here", name="Nobody Here")
    document = export_catalogue(["idfa-2023"])
    assert [film["key"] for film in document["films"]] == ["we-will-not-fade-away"]
    assert "nobody-here" not in {person["key"] for person in document["people"]}
    assert len(document["people"]) == 12
    everything = export_catalogue()
    assert [film["key"] for film in everything["films"]] == ["unrelated", "we-will-not-fade-away"]


@pytest.mark.django_db
def test_export_of_an_unknown_edition_is_an_error():
    with pytest.raises(CatalogueError) as caught:
        export_catalogue(["no-such-edition"])
    assert caught.value.errors == ['unknown edition "no-such-edition"']


@pytest.mark.django_db
def test_export_command_writes_utf8_json(tmp_path):
    import_catalogue([EXAMPLE_PATH])
    out = io.StringIO()
    call_command("export_catalogue", stdout=out)
    assert "Ми не згаснемо" in out.getvalue()  # ensure_ascii=False
    assert out.getvalue().startswith('{\n  "format": "festival-catalogue",\n  "version": 1,')
    assert json.loads(out.getvalue()) == export_catalogue()

    target = tmp_path / "out.json"
    call_command("export_catalogue", "--edition", "idfa-2023", "--output", str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == export_catalogue(["idfa-2023"])


@pytest.mark.django_db
def test_export_command_refuses_unknown_edition():
    with pytest.raises(CommandError, match='unknown edition "nope"'):
        call_command("export_catalogue", "--edition", "nope", stdout=io.StringIO())
