"""The root cause recorded on resolution, and the follow-up task a low score opens."""
from importlib import import_module

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SEARCH = import_module("server.cases.migrations.0005_description_search")
TRIGGERS = SEARCH.SQLITE_FORWARD[1:4]


def restore_search_triggers(apps, schema_editor):
    """Adding columns rebuilds the SQLite table, which drops 0005's triggers: put them back
    (the index's rows are unchanged; nothing to do where 0005 made no index)."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = %s", [SEARCH.FTS])
        if not cursor.fetchone()[0]:
            return
        for suffix in ("insert", "delete", "update"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {SEARCH.FTS}_{suffix}")
        for statement in TRIGGERS:
            cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_priority_desk_record_macros'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='root_cause',
            field=models.CharField(blank=True, choices=[('product', 'Goods or product'), ('staff_service', 'Staff service'), ('facilities', 'Facilities and equipment'), ('procedure', 'Rules and procedures'), ('tenant', "Store's business practice"), ('misunderstanding', "Visitor's misunderstanding"), ('other', 'Other')], max_length=20, verbose_name='root cause'),
        ),
        migrations.AddField(
            model_name='case',
            name='root_cause_note',
            field=models.TextField(blank=True, verbose_name='root cause in words'),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
        migrations.CreateModel(
            name='FollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=8, verbose_name='status')),
                ('low_score', models.PositiveSmallIntegerField(verbose_name='low score')),
                ('opened_by_callback', models.BooleanField(default=False, help_text="False: the visitor's rating on the tracking page opened it.", verbose_name='opened by the call-back')),
                ('opened_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='opened at')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                ('better_score', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='better score')),
                ('closing_note', models.TextField(blank=True, verbose_name='closing note')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='cases.case', verbose_name='case')),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='closed by')),
            ],
            options={
                'verbose_name': 'follow-up',
                'verbose_name_plural': 'follow-ups',
                'ordering': ['opened_at', 'id'],
                'indexes': [models.Index(fields=['status', 'opened_at'], name='follow_up_open_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('case',), name='follow_up_one_open_per_case')],
            },
        ),
    ]
