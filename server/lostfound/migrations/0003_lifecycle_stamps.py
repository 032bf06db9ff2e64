"""Every status move is stamped (status_changed_at), and a claim has a status of its own, so
`flows.move` treats items, reports, suggestions and claims alike. Existing rows get the best
time on record and claims already handed over are marked so."""
import django.utils.timezone
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def fill_in(apps, schema_editor):
    FoundItem = apps.get_model("lostfound", "FoundItem")
    LostReport = apps.get_model("lostfound", "LostReport")
    Claim = apps.get_model("lostfound", "Claim")
    FoundItem.objects.update(status_changed_at=Coalesce(F("returned_at"), F("registered_at")))
    LostReport.objects.update(status_changed_at=Coalesce(F("matched_at"), F("created_at")))
    Claim.objects.filter(handed_over_at__isnull=False).update(status="handed_over")


class Migration(migrations.Migration):

    dependencies = [
        ('lostfound', '0002_alter_founditem_mall_alter_lostreport_mall'),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='status',
            field=models.CharField(choices=[('started', 'Checks done'), ('handed_over', 'Handed over')], default='started', max_length=12, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='founditem',
            name='status_changed_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='status changed at'),
        ),
        migrations.AddField(
            model_name='lostreport',
            name='status_changed_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='status changed at'),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
    ]
