"""The mall moved to the malls app (state only: the table is the same)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fleet', '0002_kiosk_events'),
        ('malls', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='enrollmentcode',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrollment_codes', to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='kiosk',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='kiosks', to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='kioskevent',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kiosk_events', to='malls.mall'),
            ),
        ]),
    ]
