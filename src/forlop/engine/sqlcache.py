"""SQL compiled by Ibis, kept on disk (``forlop.cache``, kind ``sql``) so that a later run does not compile
the same query again.

Why this exists: on a small extract, compiling the pathway queries (Ibis expression -> sqlglot ->
DuckDB SQL) takes about 0.4 s of a 2.8 s run, more than DuckDB takes to run them; the queries are
the same from run to run. Ibis caches results (``Table.cache``), not compiled SQL, and no library
caches it for us, so this small module does.

What is stored is Ibis's own output, unchanged, under a key that covers everything the SQL depends
on (``expression_key``): every node of the expression with all its arguments (columns, literals,
table names and schemas), the row limit, the SQL dialect and the versions of Ibis, sqlglot and
DuckDB. Two expressions that differ anywhere get different keys; at worst a query is compiled anew.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import enum
import hashlib
import sys
from collections.abc import Mapping
from typing import Any

import duckdb
import ibis
import sqlglot
from ibis.backends import BaseBackend
from ibis.common.grounds import Concrete
from ibis.expr.operations.udf import AggUDF, ScalarUDF

from forlop import cache

_SCALARS = (str, int, float, bool, bytes, type(None), decimal.Decimal, _dt.date, _dt.datetime, _dt.time, _dt.timedelta)


class _Uncacheable(Exception):
    """The expression holds a value the key cannot describe exactly; compile it without the cache."""


def expression_key(expr: Any, *, dialect: str, limit: object = None) -> str | None:
    """Return the cache key of Ibis expression ``expr`` compiled for ``dialect`` with ``limit``, or None.

    The key is a SHA-256 over a canonical description of the expression graph: for every node its
    class and the description of each argument; for a set, the sorted descriptions of its members
    (Python's own order of a set changes from process to process); for the backend an expression is
    bound to, nothing (it does not enter the SQL; the table's name, namespace and schema do).
    None when a value cannot be described exactly: then the query is simply compiled.
    """
    digests: dict[int, bytes] = {}
    try:
        body = _describe(expr.op(), digests)
    except (_Uncacheable, RecursionError):
        return None
    versions = f"ibis={ibis.__version__};sqlglot={sqlglot.__version__};duckdb={duckdb.__version__}"
    # Ibis's compiler reads two options of its own: "default" means options.sql.default_limit
    # (compilers/base.py, to_sqlglot), and options.sql.fuse_selects decides how selects are merged.
    options = ibis.options.sql
    settings = f"limit={limit!r};default_limit={options.default_limit!r};fuse_selects={options.fuse_selects!r}"
    head = f"{versions};dialect={dialect};{settings};".encode()
    return hashlib.sha256(head + body).hexdigest()


def _describe(obj: Any, digests: dict[int, bytes]) -> bytes:
    """Return a byte string that determines ``obj`` (a node, container or value) exactly.

    Nodes are shared within an expression graph; each is described once (memo ``digests``, by id,
    valid while the graph is alive) and stands in its parents by its digest.
    """
    if isinstance(obj, Concrete):
        known = digests.get(id(obj))
        if known is None:
            _check_node_class(type(obj))
            parts = [type(obj).__module__.encode(), type(obj).__qualname__.encode()]
            for name, value in zip(obj.__argnames__, obj.__args__, strict=True):
                parts.append(name.encode() + b"=" + _describe(value, digests))
            known = hashlib.sha256(b"(" + b"\x00".join(parts) + b")").digest()
            digests[id(obj)] = known
        return b"N" + known
    if isinstance(obj, _SCALARS):
        text = f"{type(obj).__name__}:{obj!r}"
        if " at 0x" in text:  # a repr with an address in it (a time zone object, say) is not the value
            raise _Uncacheable(text)
        return text.encode()
    if isinstance(obj, enum.Enum):
        return f"E{type(obj).__module__}.{type(obj).__qualname__}.{obj.name}".encode()
    if isinstance(obj, (set, frozenset)):
        return b"S{" + b",".join(sorted(_describe(v, digests) for v in obj)) + b"}"
    if isinstance(obj, Mapping):
        return b"M{" + b",".join(_describe(k, digests) + b":" + _describe(v, digests) for k, v in obj.items()) + b"}"
    if isinstance(obj, (tuple, list)):
        return b"T(" + b",".join(_describe(v, digests) for v in obj) + b")"
    if isinstance(obj, BaseBackend):
        return b"backend"
    if isinstance(obj, type):
        return f"C{obj.__module__}.{obj.__qualname__}".encode()
    raise _Uncacheable(type(obj).__qualname__)


def _check_node_class(cls: type) -> None:
    """Refuse a node class that its module and name do not identify: a user-defined function.

    Ibis makes a new class for every UDF and keeps what it compiles to (the SQL function name, the
    types) in class attributes, not in the node's arguments; two UDFs can share a module and name.
    Such an expression is compiled every time. Every node class of Ibis's own is found by its name.
    """
    if cls in _NAMED_CLASSES:
        return
    found: Any = sys.modules.get(cls.__module__)
    for part in cls.__qualname__.split("."):
        found = getattr(found, part, None)
    if found is not cls or issubclass(cls, (ScalarUDF, AggUDF)):
        raise _Uncacheable(cls.__qualname__)
    _NAMED_CLASSES.add(cls)


#: Node classes already found by their module and name (``_check_node_class``).
_NAMED_CLASSES: set[type] = set()


def read(key: str) -> str | None:
    """Return the SQL stored under ``key`` (``forlop.cache``, kind ``sql``), or None."""
    data = cache.read("sql", key)
    if not data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def write(key: str, sql: str) -> None:
    """Store ``sql`` under ``key`` (``forlop.cache``, kind ``sql``)."""
    cache.write("sql", key, sql.encode("utf-8"))
