"""The mall moved to the malls app (state only: the table is the same)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lostfound', '0001_initial'),
        ('malls', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='founditem',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='found_items', to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='lostreport',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lost_reports', to='malls.mall', verbose_name='mall'),
            ),
        ]),
    ]
