"""The mall moved to the malls app (state only: the table is the same)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_description_search'),
        ('malls', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='cannedreply',
                name='mall',
                field=models.ForeignKey(blank=True, help_text='Empty: offered in every mall.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='canned_replies', to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='case',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='categoryrule',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='case_rules', to='malls.mall', verbose_name='mall'),
            ),
            migrations.AlterField(
                model_name='deskreferenceprefix',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='malls.mall'),
            ),
            migrations.AlterField(
                model_name='holiday',
                name='mall',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='holidays', to='malls.mall', verbose_name='mall'),
            ),
        ]),
    ]
