"""Indexes for what every inbox page asks besides its list: the escalated block (open escalated
cases, most urgent first) and the "mine" / department-queue counts. Without them, at a million
cases, these walked the whole mall or every case an agent ever owned on each page view.

The table's statistics are gathered again after: SQLite's planner, holding figures for the older
indexes and none for these, takes a new one for the plain newest-first list and sorts the whole
mall (seconds at a million cases)."""
from django.db import migrations, models


def analyze_cases(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_queues_collaborators_merge"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(condition=models.Q(("escalated_at__isnull", False)),
                               fields=["mall", "status", "-priority", "escalated_at", "id"],
                               name="case_escalated_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["mall", "owner", "status", "department"], name="case_owner_status_idx"),
        ),
        migrations.RunPython(analyze_cases, migrations.RunPython.noop),
    ]
