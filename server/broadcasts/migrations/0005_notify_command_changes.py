"""On PostgreSQL, a console command queued for a kiosk (or delivered to it) also notifies the
channel `concierge_broadcasts`: the held broadcast poll of that kiosk answers at once with
`commands_waiting`, and the kiosk fetches the command with a heartbeat (server/broadcasts/watch.py)."""

from django.db import migrations

CREATE = """CREATE TRIGGER concierge_broadcasts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON fleet_kioskcommand FOR EACH STATEMENT EXECUTE FUNCTION concierge_broadcasts_changed()"""
DROP = "DROP TRIGGER IF EXISTS concierge_broadcasts_changed ON fleet_kioskcommand"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("broadcasts", "0004_notify_broadcast_changes"),
        ("fleet", "0006_command_unsupported"),
    ]

    operations = [migrations.RunPython(create, drop)]
