"""The mall and its staff move into this app. Their tables stay where the content and accounts
apps created them (`content_mall`, `accounts_staffprofile`), so only Django's state moves, with
the content types (and so every permission granted on them)."""
import django.db.models.deletion
import server.malls.models
from django.conf import settings
from django.db import migrations, models


MOVED = (("content", "mall"), ("accounts", "staffprofile"))


def move_content_types(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    for app_label, model in MOVED:
        if not content_types.objects.filter(app_label="malls", model=model).exists():
            content_types.objects.filter(app_label=app_label, model=model).update(app_label="malls")


def move_content_types_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    for app_label, model in MOVED:
        content_types.objects.filter(app_label="malls", model=model).update(app_label=app_label)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("content", "0002_play_counts"),
        ("accounts", "0003_staffprofile_department_auditentry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='Mall',
                fields=[
                    ('id', models.SlugField(max_length=64, primary_key=True, serialize=False, verbose_name='id')),
                    ('name_zh_cn', models.CharField(max_length=200, verbose_name='name (Simplified Chinese)')),
                    ('name_en', models.CharField(blank=True, max_length=200, verbose_name='name (English)')),
                    ('name_zh_tw', models.CharField(blank=True, max_length=200, verbose_name='name (Traditional Chinese)')),
                    ('timezone', models.CharField(default='Asia/Shanghai', max_length=64, validators=[server.malls.models.validate_timezone], verbose_name='time zone')),
                    ('hours', models.JSONField(blank=True, default=server.malls.models.empty_list, help_text='A list of {"weekdays": [0..6], "open": "10:00", "close": "22:00"}; 0 is Monday.', verbose_name='opening hours')),
                    ('service_desk_id', models.CharField(blank=True, help_text='The facility where visitors hand in found items and ask for help.', max_length=64, verbose_name='service desk facility id')),
                    ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                    ('closed_connectors', models.JSONField(blank=True, default=server.malls.models.empty_list, help_text='Facility ids of lifts, escalators or stairs that are out of service.', verbose_name='closed connectors')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ],
                options={
                    'verbose_name': 'mall',
                    'verbose_name_plural': 'malls',
                    'db_table': 'content_mall',
                    'ordering': ['id'],
                },
            ),
            migrations.CreateModel(
                name='StaffProfile',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('display_name', models.CharField(blank=True, max_length=100, verbose_name='display name')),
                    ('department', models.CharField(blank=True, choices=[('service_desk', 'Service desk'), ('security', 'Security'), ('engineering', 'Engineering'), ('floor', 'Floor management'), ('marketing', 'Marketing'), ('cleaning', 'Cleaning')], help_text='For department handlers: they see only the cases routed to this department.', max_length=20, verbose_name='department')),
                    ('mall', models.ForeignKey(blank=True, help_text='Empty only for administrators who work across all malls.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='staff', to='malls.mall', verbose_name='mall')),
                    ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='staff_profile', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ],
                options={
                    'verbose_name': 'staff profile',
                    'verbose_name_plural': 'staff profiles',
                    'db_table': 'accounts_staffprofile',
                },
            ),
        ]),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
