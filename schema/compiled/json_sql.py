"""SQL expressions that write JSON text exactly as the interpreter's response has it.

The interpreter's body is ``orjson.dumps`` of Strawberry's values: compact (no spaces), keys
in selection order, datetimes as Python's ``isoformat()``. PostgreSQL's ``json_build_object``
puts spaces around ``:`` and ``jsonb`` reorders keys, so objects are concatenated as text
instead; ``to_json`` still escapes each string as JSON does.
"""

from __future__ import annotations

from schema.compiled.mapping import Kind

NULL = "'null'"


def literal(text: str) -> str:
    """A SQL string literal (for JSON fragments the compiler writes itself)."""
    return "'" + text.replace("'", "''") + "'"


def _datetime(value: str) -> str:
    # asyncpg hands timestamptz to Python in UTC and isoformat() prints microseconds only
    # when there are some, always six digits (PostgreSQL's own output trims trailing zeros).
    # ".000000" can stand nowhere else in this format, so removing it is exact.
    utc = f"({value}) AT TIME ZONE 'UTC'"
    return (
        f"""'"' || replace(to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS.US'), '.000000', '')"""
        """ || '+00:00"'"""
    )


def scalar(value: str, kind: Kind) -> str:
    """JSON text of a column's value (``null`` when it is NULL)."""
    if kind in (Kind.ID, Kind.DECIMAL):
        # numeric's text is its plain notation with the scale it was stored with, which is
        # what the Decimal scalar writes of asyncpg's value.
        text = f"to_json(({value})::text)::text"
    elif kind in (Kind.STRING, Kind.ENUM, Kind.STRING_LIST, Kind.INT_LIST, Kind.DATE):
        text = f"to_json({value})::text"
    elif kind is Kind.INT:
        text = f"({value})::text"
    elif kind is Kind.BOOLEAN:
        text = f"CASE WHEN {value} THEN 'true' WHEN NOT {value} THEN 'false' END"
    else:
        text = _datetime(value)
    return f"coalesce({text}, {NULL})"


def obj(members: list[tuple[str, str]]) -> str:
    """A JSON object from (key, JSON text expression) pairs, keys in the given order."""
    if not members:
        return "'{}'"
    parts: list[str] = []
    for index, (key, value) in enumerate(members):
        parts.append(literal(("{" if index == 0 else ",") + f'"{key}":'))
        parts.append(value)
    parts.append("'}'")
    return "(" + " || ".join(parts) + ")"


def cursor(kind: str, key: str) -> str:
    """``Keyset.cursor`` in SQL: urlsafe base64 of "kind:key", padded, on one line."""
    return (
        f"""'"' || translate(encode(convert_to({literal(kind + ":")} || ({key})::text, 'UTF8'),"""
        """ 'base64'), E'+/\\n', '-_') || '"'"""
    )
