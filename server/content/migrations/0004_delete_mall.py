"""The mall moved to the malls app (state only: the table is the same)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_alter_auditentry_mall_delete_staffprofile'),
        ('broadcasts', '0002_alter_broadcast_mall'),
        ('cases', '0006_alter_cannedreply_mall_alter_case_mall_and_more'),
        ('content', '0003_alter_facility_mall_alter_category_mall_and_more'),
        ('fleet', '0003_alter_enrollmentcode_mall_alter_kiosk_mall_and_more'),
        ('lostfound', '0002_alter_founditem_mall_alter_lostreport_mall'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(
                name='Mall',
            ),
        ]),
    ]
