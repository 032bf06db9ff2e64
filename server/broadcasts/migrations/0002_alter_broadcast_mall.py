"""The mall moved to the malls app (state only: the table is the same)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('broadcasts', '0001_initial'),
        ('malls', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='broadcast',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='broadcasts', to='malls.mall', verbose_name='mall'),
            ),
        ]),
    ]
