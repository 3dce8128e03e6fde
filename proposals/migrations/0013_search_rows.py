"""The search rows (ProposalSearch): analysed text in Python, indexed by the database.

PostgreSQL: a trigger fills `vector` from the analysed columns with the "simple"
configuration (the tokens are stemmed and segmented already), GIN-indexed. It replaces
the English-only `search_vector` on the proposals table (0005), whose trigger goes.
SQLite: an FTS5 table over the same columns (external content: the rows themselves),
kept by triggers on the search rows; bm25 ranks. Existing proposals are indexed here.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

import proposals.models

OLD_POSTGRES = [
    "DROP TRIGGER IF EXISTS proposals_proposal_search_vector_update ON proposals_proposal;",
    "DROP FUNCTION IF EXISTS proposals_proposal_search_vector();",
    "DROP INDEX IF EXISTS proposal_search_vector_gin;",
]
OLD_POSTGRES_BACK = [
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
]

NEW_POSTGRES = [
    """
    CREATE FUNCTION proposals_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.vector :=
            setweight(to_tsvector('simple', NEW.title), 'A') ||
            setweight(to_tsvector('simple', NEW.names), 'B') ||
            setweight(to_tsvector('simple', NEW.summary), 'C') ||
            setweight(to_tsvector('simple', NEW.topics), 'D');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER proposals_search_vector_update
    BEFORE INSERT OR UPDATE ON proposals_proposalsearch
    FOR EACH ROW EXECUTE FUNCTION proposals_search_vector();
    """,
    "CREATE INDEX proposalsearch_vector_gin ON proposals_proposalsearch USING gin (vector);",
]
NEW_POSTGRES_BACK = [
    "DROP INDEX IF EXISTS proposalsearch_vector_gin;",
    "DROP TRIGGER IF EXISTS proposals_search_vector_update ON proposals_proposalsearch;",
    "DROP FUNCTION IF EXISTS proposals_search_vector();",
]

# Column order sets bm25's weights in the queryset: title, names, summary, topics.
NEW_SQLITE = [
    """
    CREATE VIRTUAL TABLE proposals_search_fts USING fts5(
        title, names, summary, topics,
        content='proposals_proposalsearch', content_rowid='proposal_id',
        tokenize='unicode61 remove_diacritics 2'
    );
    """,
    """
    CREATE TRIGGER proposals_search_fts_insert AFTER INSERT ON proposals_proposalsearch BEGIN
        INSERT INTO proposals_search_fts(rowid, title, names, summary, topics)
        VALUES (new.proposal_id, new.title, new.names, new.summary, new.topics);
    END;
    """,
    """
    CREATE TRIGGER proposals_search_fts_delete AFTER DELETE ON proposals_proposalsearch BEGIN
        INSERT INTO proposals_search_fts(proposals_search_fts, rowid, title, names, summary, topics)
        VALUES ('delete', old.proposal_id, old.title, old.names, old.summary, old.topics);
    END;
    """,
    """
    CREATE TRIGGER proposals_search_fts_update AFTER UPDATE ON proposals_proposalsearch BEGIN
        INSERT INTO proposals_search_fts(proposals_search_fts, rowid, title, names, summary, topics)
        VALUES ('delete', old.proposal_id, old.title, old.names, old.summary, old.topics);
        INSERT INTO proposals_search_fts(rowid, title, names, summary, topics)
        VALUES (new.proposal_id, new.title, new.names, new.summary, new.topics);
    END;
    """,
]
NEW_SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS proposals_search_fts_update;",
    "DROP TRIGGER IF EXISTS proposals_search_fts_delete;",
    "DROP TRIGGER IF EXISTS proposals_search_fts_insert;",
    "DROP TABLE IF EXISTS proposals_search_fts;",
]


def run(postgres, sqlite=()):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in postgres if vendor == "postgresql" else sqlite if vendor == "sqlite" else ():
            schema_editor.execute(sql)

    return apply


def fill(apps, schema_editor):
    from proposals.search_index import rebuild

    rebuild(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0006_chinese_content"),
        ("topics", "0004_chinese_content"),
        ("proposals", "0012_chinese_content"),
    ]

    operations = [
        migrations.RunPython(run(OLD_POSTGRES), run(OLD_POSTGRES_BACK)),
        migrations.CreateModel(
            name="ProposalSearch",
            fields=[
                (
                    "proposal",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_row",
                        serialize=False,
                        to="proposals.proposal",
                    ),
                ),
                ("title", models.TextField(blank=True)),
                ("names", models.TextField(blank=True)),
                ("summary", models.TextField(blank=True)),
                ("topics", models.TextField(blank=True)),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            options={"verbose_name": "search row"},
        ),
        migrations.CreateModel(
            name="ProposalSearchFTS",
            fields=[
                (
                    "rowid",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="fts_entry",
                        serialize=False,
                        to="proposals.proposal",
                    ),
                ),
                ("document", proposals.models.FullTextField(db_column="proposals_search_fts")),
            ],
            options={"db_table": "proposals_search_fts", "managed": False},
        ),
        migrations.RemoveField(model_name="proposal", name="search_vector"),
        migrations.RunPython(run(NEW_POSTGRES, NEW_SQLITE), run(NEW_POSTGRES_BACK, NEW_SQLITE_BACK)),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
