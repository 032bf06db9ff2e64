"""Proof of play counted per kiosk, promotion and day, filled from the events already stored."""
import zoneinfo

import django.db.models.deletion
from django.db import migrations, models

KINDS = {"promotion_shown": "impressions", "promotion_touched": "touches"}


def count_stored_events(apps, schema_editor):
    Mall = apps.get_model("content", "Mall")
    KioskEvent = apps.get_model("fleet", "KioskEvent")
    PlayCount = apps.get_model("content", "PlayCount")
    for mall in Mall.objects.all():
        try:
            zone = zoneinfo.ZoneInfo(mall.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        counts = {}
        events = (KioskEvent.objects.filter(mall=mall, kind__in=list(KINDS))
                  .values_list("kiosk_id", "subject_id", "at", "kind").iterator(chunk_size=10_000))
        for kiosk_id, subject_id, at, kind in events:
            row = counts.setdefault((kiosk_id, subject_id, at.astimezone(zone).date()), {"impressions": 0, "touches": 0})
            row[KINDS[kind]] += 1
        PlayCount.objects.bulk_create(
            [PlayCount(mall=mall, kiosk_id=kiosk_id, promotion_id=subject_id, day=day, **row)
             for (kiosk_id, subject_id, day), row in counts.items()],
            batch_size=1000,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0001_initial'),
        ('fleet', '0002_kiosk_events'),
    ]

    operations = [
        migrations.CreateModel(
            name='PlayCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('promotion_id', models.CharField(max_length=64, verbose_name='promotion')),
                ('day', models.DateField(verbose_name='day (mall time, kiosk clock)')),
                ('impressions', models.PositiveIntegerField(default=0, verbose_name='impressions')),
                ('touches', models.PositiveIntegerField(default=0, verbose_name='touches')),
                ('kiosk', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='play_counts', to='fleet.kiosk', verbose_name='kiosk')),
                ('mall', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='play_counts', to='content.mall', verbose_name='mall')),
            ],
            options={
                'verbose_name': 'play count',
                'verbose_name_plural': 'play counts',
                'indexes': [models.Index(fields=['mall', 'day'], name='content_play_count_mall_day')],
                'constraints': [models.UniqueConstraint(fields=('kiosk', 'promotion_id', 'day'), name='content_play_count_once')],
            },
        ),
        migrations.RunPython(count_stored_events, migrations.RunPython.noop),
    ]
