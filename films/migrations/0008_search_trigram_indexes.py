"""Trigram indexes for the public search (issue #17), on PostgreSQL only.

The search matches ``search_text LIKE '%needle%'`` on films and people (films/search.py); a B-tree cannot serve a
match in the middle of a text, a GIN index with pg_trgm's ``gin_trgm_ops`` can (for needles of three characters
or more). SQLite has neither pg_trgm nor GIN and keeps scanning its table, as before. The indexes are not in the
models' Meta: a ``GinIndex`` there would be created on SQLite too, and fail.

``fastupdate = off``: GIN otherwise queues new rows in a pending list that every search reads through until a
VACUUM merges it. After a bulk write (the demo's 20 editions, a catalogue import) that list held 300-400 pages
and a search for "maria" went back to scanning the table (26 ms instead of 1 ms), and stays so until autovacuum
runs, if it runs at all. Films and people are written rarely and read on every search.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class OnPostgreSQLOnly:
    """An operation that does nothing on other databases, forwards or backwards.

    ``TrigramExtension`` skips other databases going forwards but not backwards: unapplied on SQLite, it
    looks for ``pg_extension`` and fails.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class CreateTrigramExtension(OnPostgreSQLOnly, TrigramExtension):
    pass


class RunSQLOnPostgreSQL(OnPostgreSQLOnly, migrations.RunSQL):
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0007_planning_warnings_and_access"),
    ]

    operations = [
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
        CreateTrigramExtension(),
        RunSQLOnPostgreSQL(
            sql=[
                "CREATE INDEX films_film_search_trgm ON films_film USING gin (search_text gin_trgm_ops) "
                "WITH (fastupdate = off)",
                "CREATE INDEX films_person_search_trgm ON films_person USING gin (search_text gin_trgm_ops) "
                "WITH (fastupdate = off)",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS films_person_search_trgm",
                "DROP INDEX IF EXISTS films_film_search_trgm",
            ],
        ),
    ]
