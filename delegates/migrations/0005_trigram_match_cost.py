from django.db import migrations, transaction
from django.db.utils import DatabaseError

# PostgreSQL only. pg_trgm declares its similarity operator (`name % 'text'`) as cheap as
# an equality test, so for a table of a couple of thousand companies the planner reads
# every row and computes a similarity for each (5 ms) instead of using the trigram
# indexes (under 1 ms). A search page names the companies four to ten times over its
# queries. Priced at what it costs, the indexes are chosen. Changing an extension's
# function needs its owner: where the database user is not, the search still works, at
# the old speed. `ALTER EXTENSION pg_trgm UPDATE` or a restore from a dump resets it.
COST = 100
DEFAULT_COST = 1


def set_cost(cost):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(f"ALTER FUNCTION similarity_op(text, text) COST {cost}")
        except DatabaseError:
            pass  # not the function's owner: keep the default plan

    return apply


class Migration(migrations.Migration):
    dependencies = [("delegates", "0004_name_search_indexes")]

    operations = [migrations.RunPython(set_cost(COST), set_cost(DEFAULT_COST))]
