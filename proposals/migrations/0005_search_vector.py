import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# PostgreSQL only: SQLite keeps an empty column and searches by substring instead.
FORWARD = [
    """
    CREATE FUNCTION proposals_proposal_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER proposals_proposal_search_vector_update
    BEFORE INSERT OR UPDATE OF title, summary ON proposals_proposal
    FOR EACH ROW EXECUTE FUNCTION proposals_proposal_search_vector();
    """,
    "UPDATE proposals_proposal SET title = title;",
    "CREATE INDEX proposal_search_vector_gin ON proposals_proposal USING gin (search_vector);",
    "CREATE INDEX delegate_name_trgm ON delegates_delegate USING gin (name gin_trgm_ops);",
    "CREATE INDEX company_name_trgm ON delegates_company USING gin (name gin_trgm_ops);",
]
BACKWARD = [
    "DROP INDEX IF EXISTS company_name_trgm;",
    "DROP INDEX IF EXISTS delegate_name_trgm;",
    "DROP INDEX IF EXISTS proposal_search_vector_gin;",
    "DROP TRIGGER IF EXISTS proposals_proposal_search_vector_update ON proposals_proposal;",
    "DROP FUNCTION IF EXISTS proposals_proposal_search_vector();",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0002_generated_flag"),
        ("proposals", "0004_generated_flag"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="proposal",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(run(FORWARD), run(BACKWARD)),
    ]
