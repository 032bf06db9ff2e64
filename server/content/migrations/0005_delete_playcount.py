"""Proof of play moved to the fleet app (state only: the table is the same)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("content", "0004_delete_mall"),
        ("fleet", "0004_playcount"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name="PlayCount"),
        ]),
    ]
