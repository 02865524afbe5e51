"""A large catalogue import on PostgreSQL gathers the planner's statistics of the tables it wrote (ANALYZE), after it
has committed, from the command and from the admin; small imports, dry runs and SQLite do not."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from films.catalogue import import_catalogue

from .catalogue import EXAMPLE_PATH

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's; SQLite keeps its own statistics"
)


class Statements:
    """Every statement the connection runs, with whether a transaction was open when it ran."""

    def __init__(self):
        self.seen = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append((sql, context["connection"].in_atomic_block))
        return execute(sql, params, many, context)

    def analyze(self):
        return [(sql, in_transaction) for sql, in_transaction in self.seen if sql.startswith("ANALYZE")]


@pytest.fixture
def statements():
    watcher = Statements()
    with connection.execute_wrapper(watcher):
        yield watcher


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_large_import_analyzes_the_tables_it_wrote_after_committing(settings, statements):
    settings.FESTIVAL_ANALYZE_AFTER_RECORDS = 3
    import_catalogue([EXAMPLE_PATH])
    [(sql, in_transaction)] = statements.analyze()
    assert in_transaction is False
    tables = sql.removeprefix("ANALYZE ").split(", ")
    for table in ("films_film", "films_credit", "films_screening", "films_screeningfilm", "reversion_version"):
        assert f'"{table}"' in tables
    assert '"films_awardresult"' not in tables  # The example names no award result: not written.
    # The ANALYZE comes after the import's last write.
    last_write = max(
        index for index, (sql, _in_transaction) in enumerate(statements.seen) if sql.startswith(("INSERT", "UPDATE"))
    )
    assert statements.seen.index((sql, False)) > last_write


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_it_waits_for_the_commit(settings, statements):
    settings.FESTIVAL_ANALYZE_AFTER_RECORDS = 3
    with transaction.atomic():
        import_catalogue([EXAMPLE_PATH])
        assert statements.analyze() == []
    [(_sql, in_transaction)] = statements.analyze()
    assert in_transaction is False


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_command_analyzes_too(settings, statements):
    settings.FESTIVAL_ANALYZE_AFTER_RECORDS = 3
    call_command("import_catalogue", str(EXAMPLE_PATH), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(statements.analyze()) == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_small_import_or_a_dry_run_does_not(settings, statements):
    settings.FESTIVAL_ANALYZE_AFTER_RECORDS = 200  # The example writes about a dozen records.
    import_catalogue([EXAMPLE_PATH])
    settings.FESTIVAL_ANALYZE_AFTER_RECORDS = 3
    import_catalogue([EXAMPLE_PATH], dry_run=True)
    assert statements.analyze() == []


@pytest.mark.django_db(transaction=True)
def test_sqlite_never_analyzes(settings, statements):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's behaviour")
    settings.FESTIVAL_ANALYZE_AFTER_RECORDS = 0
    import_catalogue([EXAMPLE_PATH])
    assert statements.analyze() == []


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_admin_import_analyzes_once_confirmed(settings, client, tmp_path, monkeypatch):
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from films.catalogue import admin_views

    monkeypatch.setattr(admin_views, "UPLOAD_DIR", tmp_path / "uploads")
    settings.FESTIVAL_ANALYZE_AFTER_RECORDS = 3
    client.force_login(User.objects.create_superuser("boss", password="a long password"))
    watcher = Statements()
    with connection.execute_wrapper(watcher):
        file = SimpleUploadedFile("catalogue.json", EXAMPLE_PATH.read_bytes(), content_type="application/json")
        preview = client.post("/admin/films/import/", {"file": file})
        assert watcher.analyze() == []  # A preview is a dry run.
        confirmed = client.post("/admin/films/import/", dict(preview.context["confirm"].initial))
    assert "what was imported" in confirmed.content.decode()
    [(_sql, in_transaction)] = watcher.analyze()
    assert in_transaction is False


@pytest.mark.django_db
def test_the_tables_to_analyze_are_those_of_the_records_written_their_rows_and_their_history():
    import json

    from films.catalogue.importer import Importer

    def tables(document):
        importer = Importer([(document, EXAMPLE_PATH.parent, "")], dry_run=False, fetch_images=False)
        importer.run()
        return importer.written_tables()

    document = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    people = {"format": document["format"], "version": document["version"], "people": document["people"][1:2]}
    people_tables = [
        "films_filmographyentry",
        "films_person",
        "films_personalias",
        "films_screeningguest",
        "reversion_revision",
        "reversion_version",
    ]
    assert tables(people) == people_tables
    # Records only updated count too.
    people["people"][0]["name"] = "Serhiy Stetsenko (DoP)"
    assert tables(people) == people_tables
    assert tables(document) == [
        "films_company",
        "films_companyalias",
        "films_companycredit",
        "films_credit",
        "films_edition",
        "films_festival",
        "films_festivalhistoryaward",
        "films_festivalhistoryentry",
        "films_film",
        "films_film_tags",
        "films_filmcopy",
        "films_filmimage",
        "films_filmographyentry",
        "films_filmtitle",
        "films_jurymember",
        "films_person",
        "films_personalias",
        "films_screen",
        "films_screening",
        "films_screeningfilm",
        "films_screeningguest",
        "films_section",
        "films_section_curators",
        "films_selection",
        "films_tag",
        "films_traveltime",
        "films_venue",
        "reversion_revision",
        "reversion_version",
    ]
