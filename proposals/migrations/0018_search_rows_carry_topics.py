"""The search rows carry their proposal's topic ids, and on PostgreSQL only the vector.

- `topic_ids` and `group_ids`: the proposal's topics and their top-level groups, so
  a search's topic facet reads them from the rows it matched instead of joining every
  topic tag (at a million proposals that join hashed all 1.9 million tags: about
  0.6 s of every common word's search; docs/benchmarks.md).
- PostgreSQL: the trigger turns the analysed text into `vector` and keeps only that.
  Every search reads these rows, and the text doubled their width for nothing (1.1 GB
  at a million proposals). An update that gives no text (one of the other columns)
  keeps the vector it has. SQLite's FTS5 table reads the text, so it stays there; its
  triggers, which SQLite drops when it copies the table to add the columns, are made
  again.
Existing rows are rebuilt here.
"""

import importlib

from django.db import migrations

import proposals.fields

KEEP_VECTOR_ONLY = """
CREATE OR REPLACE FUNCTION proposals_search_vector() RETURNS trigger AS $$
BEGIN
    IF NEW.title <> '' OR NEW.names <> '' OR NEW.summary <> '' OR NEW.topics <> '' THEN
        NEW.vector :=
            setweight(to_tsvector('simple', NEW.title), 'A') ||
            setweight(to_tsvector('simple', NEW.names), 'B') ||
            setweight(to_tsvector('simple', NEW.summary), 'C') ||
            setweight(to_tsvector('simple', NEW.topics), 'D');
        NEW.title := ''; NEW.names := ''; NEW.summary := ''; NEW.topics := '';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""
KEEP_TEXT = """
CREATE OR REPLACE FUNCTION proposals_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.vector :=
        setweight(to_tsvector('simple', NEW.title), 'A') ||
        setweight(to_tsvector('simple', NEW.names), 'B') ||
        setweight(to_tsvector('simple', NEW.summary), 'C') ||
        setweight(to_tsvector('simple', NEW.topics), 'D');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


def sqlite_triggers(apps, schema_editor):
    """SQLite adds a column by copying the table, which drops its triggers: those that
    keep the FTS5 table (migration 0013) are made again, and the FTS5 index rebuilt
    from the rows (it missed nothing: the copy kept every row id and text)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    search_rows = importlib.import_module("proposals.migrations.0013_search_rows")
    for sql in search_rows.NEW_SQLITE[1:]:  # the triggers; the FTS5 table is still there
        schema_editor.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
    schema_editor.execute(
        "INSERT INTO proposals_search_fts(proposals_search_fts) VALUES ('rebuild')"
    )


def fill(apps, schema_editor):
    from proposals.search_index import rebuild

    rebuild(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0017_facet_columns_in_session_index")]

    operations = [
        # Backwards, this runs last: after the columns are removed (another copy).
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers),
        migrations.AddField(
            model_name="proposalsearch",
            name="topic_ids",
            field=proposals.fields.IdList(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="proposalsearch",
            name="group_ids",
            field=proposals.fields.IdList(blank=True, default=list),
        ),
        migrations.RunPython(sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(run(KEEP_VECTOR_ONLY), run(KEEP_TEXT)),
        migrations.RunPython(fill, fill),
    ]
