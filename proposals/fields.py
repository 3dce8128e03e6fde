"""Column types of the search rows: a list of ids, and SQLite's FTS5 hidden column."""

from __future__ import annotations

from typing import Any

from django.db import models


class IdList(models.Field):
    """A list of ids: `integer[]` on PostgreSQL, whose facet SQL unnests it; spaces
    between the ids elsewhere (SQLite has no arrays, and its facets join the tags)."""

    description = "A list of ids"

    def db_type(self, connection: Any) -> str:
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        ids = [int(i) for i in value or []]
        return ids if connection.vendor == "postgresql" else " ".join(map(str, ids))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[int]:
        return self.to_python(value)

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        return [int(i) for i in (value.split() if isinstance(value, str) else value)]


class FullTextField(models.TextField):
    """SQLite's FTS5 hidden column (named after its table), queried with `__match`."""


@FullTextField.register_lookup
class Match(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]
