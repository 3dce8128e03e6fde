"""The Editors group: who may curate what.

Editors add, change and view every tracker record. They may delete only link rows
(a topic, source or outcome event on a proposal, a seat or affiliation on a delegate), so fixing a
mistaken tag never needs a superuser, while whole records are never lost by a click.
They may import proposals and government priorities from a file (the custom
`import_proposals` and `import_priorities` permissions).
Each record's history and its revert button come with the record's own view and
change permissions, so the historical tables need no permissions of their own.
They get nothing on users or groups. A migration that adds a tracker model calls
`sync_editors_group` again.
"""

from __future__ import annotations

from typing import Any

EDITORS_GROUP = "Editors"
TRACKER_APPS = ("topics", "delegates", "proposals", "government")
GRANTED_ACTIONS = {"add", "change", "view", "import"}
DELETABLE_LINKS = {
    ("proposals", "proposaltopic"),
    ("proposals", "outcomeevent"),  # a mistaken event is removed, its history kept
    ("delegates", "seat"),
    ("delegates", "affiliation"),
}


def sync_editors_group(apps: Any, schema_editor: Any = None) -> None:
    """Create or update the Editors group with the tracker's permissions."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrate finishes; make them now so the
    # group can hold them on a brand-new database.
    for label in (*TRACKER_APPS, "auth", "contenttypes"):
        try:
            app_config = apps.get_app_config(label)
        except LookupError:
            continue  # an app whose migrations have not run yet syncs the group again later
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    wanted = []
    for perm in Permission.objects.filter(content_type__app_label__in=TRACKER_APPS).select_related(
        "content_type"
    ):
        action = perm.codename.split("_", 1)[0]
        model = perm.content_type.model
        if model.startswith("historical"):
            continue  # history rows are written by the app, never edited by hand
        if action in GRANTED_ACTIONS or (
            action == "delete" and (perm.content_type.app_label, model) in DELETABLE_LINKS
        ):
            wanted.append(perm)
    group.permissions.set(wanted)
