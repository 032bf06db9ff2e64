"""An index for the inbox's free-text search of case descriptions (substring, any script).

SQLite: an FTS5 table with the trigram tokenizer, kept in step with the cases by triggers.
PostgreSQL: a pg_trgm GIN index on UPPER(description), the expression Django's `icontains` compares. Where neither is available
(SQLite without FTS5, PostgreSQL without the pg_trgm extension) the migration leaves a note and
the search reads the table, as before: slower at millions of cases, the same results.
"""
from django.db import migrations

FTS = "cases_case_fts"
SQLITE_FORWARD = [
    # The case id rides along (not indexed): rowids of a table with a text primary key may change
    # on VACUUM, so they cannot link the two tables.
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(case_id UNINDEXED, description, tokenize='trigram')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON cases_case BEGIN "
    f"INSERT INTO {FTS}(case_id, description) VALUES (new.id, new.description); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON cases_case BEGIN "
    f"DELETE FROM {FTS} WHERE case_id = old.id; END",
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE OF description ON cases_case BEGIN "
    f"DELETE FROM {FTS} WHERE case_id = old.id; "
    f"INSERT INTO {FTS}(case_id, description) VALUES (new.id, new.description); END",
    f"INSERT INTO {FTS}(case_id, description) SELECT id, description FROM cases_case",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {FTS}_insert", f"DROP TRIGGER IF EXISTS {FTS}_delete",
                   f"DROP TRIGGER IF EXISTS {FTS}_update", f"DROP TABLE IF EXISTS {FTS}"]
PG_INDEX = "case_description_trgm_idx"


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            try:
                cursor.execute("CREATE VIRTUAL TABLE temp.fts_probe USING fts5(x, tokenize='trigram')")
                cursor.execute("DROP TABLE temp.fts_probe")
            except Exception:  # an SQLite built without FTS5, or older than 3.34 (no trigram)
                print("\n  cases: SQLite has no FTS5 trigram tokenizer; case search reads the table")
                return
            for statement in SQLITE_FORWARD:
                cursor.execute(statement)
    elif connection.vendor == "postgresql":
        from django.db import transaction

        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # not installed (postgresql-contrib) or not allowed
            print("\n  cases: PostgreSQL has no pg_trgm extension; case search reads the table")
            return
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON cases_case "
                           "USING gin (UPPER(description) gin_trgm_ops)")


def backward(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in SQLITE_BACKWARD:
                cursor.execute(statement)
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_enquiry_kind")]
    operations = [migrations.RunPython(forward, backward)]
