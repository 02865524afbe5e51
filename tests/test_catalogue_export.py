"""Exporting the catalogue: exactly the format, deterministic, and a round trip through an empty site."""

import copy
import datetime
import io
import json
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

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


FILM = "we-will-not-fade-away"
WINNERS = {
    "best-film": [{"film": FILM, "kind": "winner", "citation": {"en": "For courage."}}],
    "best-director": [{"film": FILM, "person": "alisa-kovalenko", "kind": "winner"}],
}


def competition_document(**announced):
    """The example with a competition awarding two prizes; ``announced`` adds ``results_announced_at`` times."""
    document = copy.deepcopy(EXAMPLE)
    edition = document["editions"][0]
    edition["sections"].append(
        {"key": "competition", "name": {"en": "Competition"}, "competitive": True, "selections": [{"film": FILM}]}
    )
    edition["awards"] = [
        {"key": key, "section": "competition", "name": {"en": key.replace("-", " ").title()}, "winners": winners}
        for key, winners in WINNERS.items()
    ]
    if "edition" in announced:
        edition["results_announced_at"] = announced["edition"]
    if "section" in announced:
        edition["sections"][1]["results_announced_at"] = announced["section"]
    return document


def exported_awards(**options):
    return [
        (award["key"], award.get("recipient"), award.get("winners"))
        for award in export_catalogue(**options)["editions"][0]["awards"]
    ]


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
    import_catalogue([competition_document()])
    first = export_catalogue(include_embargoed=True)
    assert [len(award["winners"]) for award in first["editions"][0]["awards"]] == [1, 1]
    empty_the_database()
    assert Film.objects.count() == Person.objects.count() == Screening.objects.count() == 0
    report = import_catalogue([first])
    assert report.created["film"] == ["we-will-not-fade-away"]
    second = export_catalogue(include_embargoed=True)
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


@pytest.mark.django_db
def test_export_before_the_announcement_has_no_winners_unless_asked():
    import_catalogue([competition_document()])
    # No announcement time set: public since the end of the edition's last day (19 Nov 2023, Amsterdam time),
    # embargoed before it.
    assert [winners for _key, _recipient, winners in exported_awards()] == list(WINNERS.values())
    with mock.patch.object(timezone, "now", return_value=datetime.datetime(2023, 11, 19, 22, 59, tzinfo=datetime.UTC)):
        assert exported_awards() == [("best-film", None, None), ("best-director", "person", None)]
    with mock.patch.object(timezone, "now", return_value=datetime.datetime(2023, 11, 19, 23, 0, tzinfo=datetime.UTC)):
        assert [winners for _key, _recipient, winners in exported_awards()] == list(WINNERS.values())
    Edition.objects.update(results_announced_at=timezone.now() + datetime.timedelta(hours=1))
    # Without its winners an award still says who it goes to, so that re-importing the export changes nothing.
    assert exported_awards() == [("best-film", None, None), ("best-director", "person", None)]
    assert exported_awards(include_embargoed=True) == [
        ("best-film", None, WINNERS["best-film"]),
        ("best-director", None, WINNERS["best-director"]),
    ]
    report = import_catalogue([export_catalogue()])
    assert report.changed_nothing
    assert AwardResult.objects.count() == 2


@pytest.mark.django_db
def test_export_after_the_announcement_has_the_winners():
    import_catalogue([competition_document()])
    Edition.objects.update(results_announced_at=timezone.now() - datetime.timedelta(minutes=1))
    assert exported_awards() == [
        ("best-film", None, WINNERS["best-film"]),
        ("best-director", None, WINNERS["best-director"]),
    ]


@pytest.mark.django_db
def test_a_competition_announced_at_its_own_time_follows_it_not_the_editions():
    import_catalogue([competition_document()])
    now = timezone.now()
    Edition.objects.update(results_announced_at=now - datetime.timedelta(days=1))
    Section.objects.filter(key="competition").update(results_announced_at=now + datetime.timedelta(days=1))
    assert exported_awards() == [("best-film", None, None), ("best-director", "person", None)]
    Edition.objects.update(results_announced_at=None)
    Section.objects.filter(key="competition").update(results_announced_at=now - datetime.timedelta(seconds=1))
    assert [winners for _key, _recipient, winners in exported_awards()] == list(WINNERS.values())


@pytest.mark.django_db
def test_export_command_includes_embargoed_results_only_with_the_flag():
    import_catalogue([competition_document()])
    Edition.objects.update(results_announced_at=timezone.now() + datetime.timedelta(hours=1))
    out, flagged = io.StringIO(), io.StringIO()
    call_command("export_catalogue", stdout=out)
    call_command("export_catalogue", "--include-embargoed", stdout=flagged)
    assert ["winners" in award for award in json.loads(out.getvalue())["editions"][0]["awards"]] == [False, False]
    assert [award["winners"] for award in json.loads(flagged.getvalue())["editions"][0]["awards"]] == list(
        WINNERS.values()
    )


@pytest.mark.django_db
def test_announcement_times_are_imported_and_exported():
    document = competition_document(edition="2023-11-18T20:00:00+01:00", section="2023-11-18T19:30:00+01:00")
    import_catalogue([document])
    edition = Edition.objects.get()
    expected_edition = datetime.datetime(2023, 11, 18, 19, 0, tzinfo=datetime.UTC)
    assert edition.results_announced_at == expected_edition
    assert Section.objects.get(key="competition").results_announced_at == datetime.datetime(
        2023, 11, 18, 18, 30, tzinfo=datetime.UTC
    )
    assert Section.objects.get(key="best-of-fests").results_announced_at is None
    exported = export_catalogue()["editions"][0]
    assert exported["results_announced_at"] == "2023-11-18T20:00:00+01:00"
    assert [section.get("results_announced_at") for section in exported["sections"]] == [
        None,
        "2023-11-18T19:30:00+01:00",
    ]
    # Announced in the past: the winners are exported.
    assert [len(award["winners"]) for award in exported["awards"]] == [1, 1]
    assert import_catalogue([export_catalogue()]).changed_nothing
