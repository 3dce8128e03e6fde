from django.db import migrations

from core.editors import sync_editors_group


class Migration(migrations.Migration):
    """Editors may add, change and import government priorities."""

    dependencies = [
        ("topics", "0004_chinese_content"),
        ("delegates", "0007_session_in_progress"),
        ("proposals", "0012_chinese_content"),
        ("government", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_editors_group, migrations.RunPython.noop)]
