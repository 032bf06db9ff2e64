"""The mall moved to the malls app (state only: the table is the same)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0002_play_counts'),
        ('malls', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='facility',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='category',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='playcount',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='play_counts', to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='pathgraph',
                name='mall',
                field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='path_graph', serialize=False, to='malls.mall'),
            ),
            migrations.AlterField(
                model_name='store',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='contentversion',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='level',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='kioskpoint',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='promotion',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='malls.mall', verbose_name='mall'),
            ),
        ]),
    ]
