"""Tables the database itself keeps append-only: a row may be added, never changed or removed.

The code has no update or delete path for them; these triggers make sure no other client of
the database has one either, on PostgreSQL and on SQLite alike. Migrations install them
(`protect`); `motcua audit verify` reports a table that has lost them (`unprotected`), e.g.
after a migration that rebuilt the table on SQLite.

What they do not stop: someone who may drop a trigger (the table's owner or a superuser on
PostgreSQL, anyone who can write the file on SQLite), or a PostgreSQL TRUNCATE. That is what
the sealed chain and `motcua audit verify` are for (docs/decisions/0007-audit-chain.md)."""

from __future__ import annotations

from typing import Any

# table → what the refusal says; the dossier events' PostgreSQL trigger is older
# (dossiers/migrations/0002) and has its own function.
PROTECTED = {
    "dossiers_dossierevent": "dossier events are append-only",
    "core_auditrecord": "audit records are append-only",
    "queueing_ticketevent": "ticket events are append-only",
    "queueing_counterevent": "counter events are append-only",
}

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION motcua_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% (% refused)', TG_ARGV[0], TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def protect(schema_editor: Any, table: str) -> None:
    """Install the refusing triggers on `table` (idempotent), for the connection's vendor."""
    for statement in _create(schema_editor.connection.vendor, table):
        schema_editor.execute(statement, params=None)


def unprotect(schema_editor: Any, table: str) -> None:
    for statement in _drop(schema_editor.connection.vendor, table):
        schema_editor.execute(statement, params=None)


def sqlite_statements(*, create: bool) -> list[str]:
    """Every SQLite trigger of PROTECTED, to create or to drop (tests flush tables with
    DELETE, which the triggers refuse)."""
    make = _create if create else _drop
    return [statement for table in PROTECTED for statement in make("sqlite", table)]


def unprotected(connection: Any) -> list[str]:
    """The PROTECTED tables of this database that lack their triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE event_manipulation IN ('UPDATE', 'DELETE') AND action_timing = 'BEFORE'"
            )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            return []
        protected = {row[0] for row in cursor.fetchall()}
        existing = set(connection.introspection.table_names(cursor))
    return sorted(table for table in PROTECTED if table in existing and table not in protected)


def _create(vendor: str, table: str) -> list[str]:
    message = PROTECTED[table]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} "
            f"BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message} ({operation} refused)'); END"
            for operation in ("UPDATE", "DELETE")
        ]
    if vendor == "postgresql":
        return [
            _PG_FUNCTION,
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION motcua_refuse_change('{message}')",
        ]
    return []


def _drop(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    return []
