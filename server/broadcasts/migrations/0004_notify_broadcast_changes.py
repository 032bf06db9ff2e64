"""On PostgreSQL, a change to the broadcasts (or to which level a kiosk point is on) notifies the
channel `concierge_broadcasts`, whichever process or tool made it: every server worker listens
there and wakes its held kiosk polls (server/broadcasts/watch.py). Nothing on SQLite, where the
one worker reads the broadcasts in force itself."""

from django.db import migrations

CHANNEL = "concierge_broadcasts"

CREATE = [
    f"""CREATE OR REPLACE FUNCTION concierge_broadcasts_changed() RETURNS trigger AS $$
    BEGIN
        PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql""",
    *(f"""CREATE TRIGGER concierge_broadcasts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON {table} FOR EACH STATEMENT EXECUTE FUNCTION concierge_broadcasts_changed()"""
      for table in ("broadcasts_broadcast", "content_kioskpoint")),
]

DROP = [
    "DROP TRIGGER IF EXISTS concierge_broadcasts_changed ON broadcasts_broadcast",
    "DROP TRIGGER IF EXISTS concierge_broadcasts_changed ON content_kioskpoint",
    "DROP FUNCTION IF EXISTS concierge_broadcasts_changed()",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("broadcasts", "0003_broadcast_photo"),
        ("content", "0005_delete_playcount"),
    ]

    operations = [migrations.RunPython(create, drop)]
