"""Proof of play moves from content to fleet, beside the kiosk events it is counted from. The
table keeps its name (`content_playcount`), so only Django's state moves, with the content type
(and so every permission granted on it)."""
import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="fleet", model="playcount").exists():
        content_types.objects.filter(app_label="content", model="playcount").update(app_label="fleet")


def move_content_type_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="fleet", model="playcount").update(app_label="content")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("content", "0004_delete_mall"),
        ("fleet", "0003_alter_enrollmentcode_mall_alter_kiosk_mall_and_more"),
        ("malls", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="PlayCount",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                               verbose_name="ID")),
                    ("promotion_id", models.CharField(max_length=64, verbose_name="promotion")),
                    ("day", models.DateField(verbose_name="day (mall time, kiosk clock)")),
                    ("impressions", models.PositiveIntegerField(default=0, verbose_name="impressions")),
                    ("touches", models.PositiveIntegerField(default=0, verbose_name="touches")),
                    ("kiosk", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="play_counts",
                                                to="fleet.kiosk", verbose_name="kiosk")),
                    ("mall", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="play_counts",
                                               to="malls.mall", verbose_name="mall")),
                ],
                options={
                    "verbose_name": "play count",
                    "verbose_name_plural": "play counts",
                    "db_table": "content_playcount",
                    "indexes": [models.Index(fields=["mall", "day"], name="content_play_count_mall_day")],
                    "constraints": [models.UniqueConstraint(fields=("kiosk", "promotion_id", "day"),
                                                            name="content_play_count_once")],
                },
            ),
        ]),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
