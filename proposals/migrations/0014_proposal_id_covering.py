"""PostgreSQL only: the proposals' id with the columns every facet groups by, so that a
search's matches (`id = ANY(array)`) are counted by an index-only scan rather than by
reading each matching row of the wide table (docs/benchmarks.md, "Search, both
databases"). Built CONCURRENTLY would need a non-atomic migration; at a million rows a
plain build takes seconds."""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS proposal_id_covering ON proposals_proposal (id) "
    "INCLUDE (session_id, body, status, delegate_id, is_generated);"
)
BACKWARD = "DROP INDEX IF EXISTS proposal_id_covering;"


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("proposals", "0013_search_rows")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
