"""Department queues and merges: the case a duplicate was merged into, the events that came
over with it, the collaborators of a case, and the events of these actions."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_root_cause_follow_up"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Nullable foreign keys without a default: SQLite adds the columns in place, so 0005's
        # search triggers on the cases table stay.
        migrations.AddField(
            model_name="case",
            name="merged_into",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_cases", to="cases.case", verbose_name="merged into",
                help_text="The case that carries on this one's matter; its tracking page leads there.",
            ),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="merged_from",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                to="cases.case", verbose_name="from the merged case",
                help_text="Set on events that came over from a case merged into this one.",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Created"), ("status", "Status change"), ("note", "Note"),
                    ("assign", "Handed over"), ("escalate", "Escalated"), ("callback", "Call-back"),
                    ("visitor", "Visitor added information"), ("rating", "Visitor's rating"),
                    ("attachment", "Photo attached"), ("priority", "Priority changed"),
                    ("queue", "Handed to a department"), ("take", "Taken from the queue"),
                    ("team", "Added to the team"), ("reveal", "Phone number shown"), ("merge", "Merged"),
                ],
                max_length=10, verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="CaseCollaborator",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("added_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="added at")),
                ("added_by", models.ForeignKey(
                    null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to=settings.AUTH_USER_MODEL, verbose_name="added by")),
                ("case", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="collaborators", to="cases.case")),
                ("user", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="collaborating_cases",
                    to=settings.AUTH_USER_MODEL, verbose_name="staff member")),
            ],
            options={
                "verbose_name": "collaborator",
                "verbose_name_plural": "collaborators",
                "ordering": ["added_at", "id"],
                "constraints": [models.UniqueConstraint(fields=("case", "user"), name="case_collaborator_once")],
            },
        ),
    ]
