"""Database rules that Django's constraint classes cannot express on every backend.

PostgreSQL keeps "no two screenings overlap in one screen" with an exclusion
constraint (see ``Screening.Meta``). SQLite has none, so the same rule is kept
there by triggers named after the constraint. SQLite drops a table's triggers
whenever a migration rebuilds the table, so they are (re)created after every
``migrate`` rather than once in a migration.
"""

OVERLAP_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS screening_no_overlap_in_screen_{event}
BEFORE {event} ON films_screening
WHEN NEW.screen_id IS NOT NULL AND NEW.status != 'cancelled' AND EXISTS (
    SELECT 1 FROM films_screening other
    WHERE other.screen_id = NEW.screen_id
      AND other.id IS NOT NEW.id
      AND other.status != 'cancelled'
      AND other.starts_at < NEW.blocked_until
      AND NEW.starts_at < other.blocked_until
)
BEGIN
    SELECT RAISE(ABORT, 'screening_no_overlap_in_screen: screenings overlap in one screen');
END
"""


def install_sqlite_triggers(using="default", **kwargs):
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)  # pragma: no mutate - another cursor reads alike
        if "films_screening" not in tables:
            return
        for event in ("INSERT", "UPDATE"):  # pragma: no mutate - SQL keywords ignore case
            cursor.execute(OVERLAP_TRIGGER.format(event=event))
