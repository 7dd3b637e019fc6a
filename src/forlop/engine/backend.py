"""The DuckDB backend of Forløp: Ibis's own, with compiled SQL reused across runs (``sqlcache``).

Only ``compile`` differs from ``ibis.backends.duckdb.Backend``: before compiling, it looks the
expression up in the SQL cache; after compiling, it stores the SQL there. Execution, type
conversion and everything else are Ibis's. Compiling with ``params`` (scalar parameters) or
``pretty`` is never cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis.expr.types as ir
from ibis.backends.duckdb import Backend as IbisDuckDB

from forlop.engine import sqlcache


class DuckDB(IbisDuckDB):
    """Ibis's DuckDB backend whose ``compile`` reads and fills the SQL cache."""

    def compile(
        self,
        expr: ir.Expr,
        /,
        *,
        limit: int | str | None = None,
        params: Mapping[ir.Expr, Any] | None = None,
        pretty: bool = False,
    ) -> str:
        """Return the DuckDB SQL of ``expr``: from the SQL cache if compiled before, else Ibis's compile."""
        if params or pretty:
            return super().compile(expr, limit=limit, params=params, pretty=pretty)
        key = sqlcache.expression_key(expr, dialect=self.name, limit=limit)
        if key is not None:
            sql = sqlcache.read(key)
            if sql is not None:
                self._log(sql)  # as Ibis's compile does
                return sql
        sql = super().compile(expr, limit=limit)
        if key is not None:
            sqlcache.write(key, sql)
        return sql

    def materialize(self, table: ir.Table, name: str) -> ir.Table:
        """Store ``table`` as the temporary table ``name`` and return it (see ``materialize``).

        As ``Table.cache`` does: Ibis's pre-execute hooks first (user-defined functions, extensions),
        then an empty table of ``table``'s own schema (Ibis's types, not the ones DuckDB would infer
        from the query: a running sum would come back as a decimal), filled from the compiled query.
        A second table of the same name on this connection replaces the first: callers use each name
        once per connection (``build_pathways`` opens its own).
        """
        self._run_pre_execute_hooks(table)
        self.create_table(name, schema=table.schema(), temp=True, overwrite=True)
        quoted = '"' + name.replace('"', '""') + '"'
        self.raw_sql(f"INSERT INTO {quoted} {self.compile(table)}")
        return self.table(name)


def materialize(table: ir.Table, name: str) -> ir.Table:
    """Compute ``table`` once and return it as a table to build on, stored under ``name``.

    On Forløp's DuckDB backend: a temporary table with that fixed name (``DuckDB.materialize``), so
    that the queries built on it are the same from run to run (``Table.cache`` gives a new random
    name each time, and no later query could reuse its compiled SQL). On other backends (Spark):
    ``Table.cache()``.
    """
    con = table.get_backend()
    if isinstance(con, DuckDB):
        return con.materialize(table, name)
    return table.cache()
