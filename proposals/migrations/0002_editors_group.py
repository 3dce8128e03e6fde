from django.db import migrations

from core.editors import sync_editors_group


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("topics", "0001_initial"),
        ("delegates", "0001_initial"),
        ("proposals", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_editors_group, remove_group)]
