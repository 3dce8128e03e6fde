from django.db import migrations

from core.editors import sync_editors_group


class Migration(migrations.Migration):
    """Editors may import proposals; the historical tables added with the history
    get no permissions of their own."""

    dependencies = [
        ("topics", "0003_history"),
        ("delegates", "0003_history"),
        ("proposals", "0007_history"),
    ]

    operations = [migrations.RunPython(sync_editors_group, migrations.RunPython.noop)]
