"""Compiled reads: a query document answered by one SQL statement that writes its JSON.

- ``mapping``: what a domain declares once per type (table, columns, joins, roots);
- ``compiler``: a validated document and a role set → one statement and its binders;
- ``json_sql``: JSON text written by PostgreSQL exactly as the interpreter writes it;
- ``reads``: the plan cache and the one round trip per request.
"""

from __future__ import annotations

from schema.compiled.mapping import Mappings
from schema.compiled.reads import CompiledReads

__all__ = ["CompiledReads", "Mappings"]
