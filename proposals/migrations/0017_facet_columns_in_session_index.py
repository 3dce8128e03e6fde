"""PostgreSQL only: the (session, id) index also carries the columns the facets read
(proposals.facet_sql), so a year's proposals are selected by an index-only scan and
merged with a topic's by id: at a million proposals the selection of one year and one
sub-topic went from 30 ms to 14 ms (docs/benchmarks.md). SQLite has no such indexes
(`include` would only warn there), so the model keeps the plain definition."""

from django.db import migrations

FORWARD = (
    "DROP INDEX IF EXISTS proposal_session_id;"
    "CREATE INDEX proposal_session_id ON proposals_proposal (session_id, id) "
    "INCLUDE (delegate_id, repeats_id, body, status, is_generated);"
)
BACKWARD = (
    "DROP INDEX IF EXISTS proposal_session_id;"
    "CREATE INDEX proposal_session_id ON proposals_proposal (session_id, id);"
)


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("proposals", "0016_verbose_names")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
