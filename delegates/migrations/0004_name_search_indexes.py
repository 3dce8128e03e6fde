from django.db import migrations

# PostgreSQL only. Name search (DelegateQuerySet/CompanyQuerySet.matching_name) tests
# UPPER(field) LIKE '%text%' on each name field: without an index per expression it
# read every delegate for every search (60-100 ms at 27,000 delegates).
FORWARD = [
    "CREATE INDEX delegate_name_upper_trgm ON delegates_delegate "
    "USING gin (upper(name) gin_trgm_ops);",
    "CREATE INDEX delegate_other_names_upper_trgm ON delegates_delegate "
    "USING gin (upper(other_names) gin_trgm_ops);",
    "CREATE INDEX delegate_name_zh_upper_trgm ON delegates_delegate "
    "USING gin (upper(name_zh) gin_trgm_ops);",
    "CREATE INDEX company_name_upper_trgm ON delegates_company "
    "USING gin (upper(name) gin_trgm_ops);",
    "CREATE INDEX company_name_zh_upper_trgm ON delegates_company "
    "USING gin (upper(name_zh) gin_trgm_ops);",
]
BACKWARD = [
    "DROP INDEX IF EXISTS company_name_zh_upper_trgm;",
    "DROP INDEX IF EXISTS company_name_upper_trgm;",
    "DROP INDEX IF EXISTS delegate_name_zh_upper_trgm;",
    "DROP INDEX IF EXISTS delegate_other_names_upper_trgm;",
    "DROP INDEX IF EXISTS delegate_name_upper_trgm;",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0003_history"),
        ("proposals", "0005_search_vector"),  # pg_trgm is created there
    ]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
