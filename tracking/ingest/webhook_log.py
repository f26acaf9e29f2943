"""Writing the InboundWebhook log row on the acknowledging path: one INSERT and nothing else.

The ORM's ``create()`` cost more CPU than the rest of the request (model init, a dozen field
preparations, SQL compilation), and CONN_HEALTH_CHECKS put a ``SELECT 1`` round trip in front of
every request's first query. Here the statement is built once from the model; on PostgreSQL in
autocommit it runs as a server-side prepared statement straight on the request's connection,
without the health check: if that connection turns out to be dead, it is reopened and the insert
is tried once more. Outside autocommit (a caller's atomic block, tests) and on SQLite it goes
through Django's ordinary cursor.

Every path runs the same statement, ``INSERT … ON CONFLICT DO NOTHING RETURNING``: a delivery id
already held is skipped rather than raised by the database, so it never aborts a caller's
transaction or a neighbour's row, and the caller whose row was skipped gets an IntegrityError
from here, as it would from the ORM.

Durability is unchanged: in autocommit the INSERT is its own transaction and PostgreSQL answers only
after the commit is flushed (``synchronous_commit`` stays at the server's setting, ``on`` by default),
so a row is on disk before the caller acknowledges the delivery.

Concurrent inserts of one process share a statement (group_commit.GroupCommit, at most
settings.DOORSTEP_WEBHOOK_GROUP_INSERT_MAX rows): one multi-row INSERT is one commit and one WAL
flush for all of them, and each caller still returns only once its row is committed.
"""
from __future__ import annotations

import json
import logging
import sys
import threading
from functools import lru_cache

from django.conf import settings
from django.db import (DatabaseError, IntegrityError, InterfaceError, NotSupportedError, OperationalError,
                       connections, router)
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.utils import timezone

from tracking.models import InboundWebhook
from tracking.ingest.group_commit import GroupCommit

logger = logging.getLogger(__name__)

_prepare_lock = threading.Lock()
_prepare_ok = True  # turned off for the process if the server (or a pooler in front) loses prepared statements


class _Statement:
    """The INSERT for one database vendor: SQL text for 1..n rows, column order, the fixed defaults,
    and how to tell which rows the database skipped."""

    def __init__(self, connection):
        if not connection.features.can_return_columns_from_insert:
            raise NotSupportedError("the webhook log needs INSERT … RETURNING (PostgreSQL, or SQLite 3.35 or newer)")
        self.fields = [f for f in InboundWebhook._meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        pk = quote(InboundWebhook._meta.pk.column)
        # What the ORM would write for a column nobody passes (its default, or "" / NULL), prepared once.
        self.defaults = [f.get_db_prep_save(f.get_default(), connection) for f in self.fields]
        self.adapters = [self._adapter(f, connection) for f in self.fields]
        self.attnames = frozenset(f.attname for f in self.fields)
        # Inserted rows come back in VALUES order, skipped ones left out; account and delivery id
        # (the unique constraint's columns) tell which rows were skipped.
        self._key = [self.fields.index(InboundWebhook._meta.get_field(n)) for n in ("account", "provider_event_id")]
        self._row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self._head = f"INSERT INTO {quote(InboundWebhook._meta.db_table)} ({columns}) VALUES "
        self._tail = (f" ON CONFLICT DO NOTHING RETURNING {pk}, {quote(self.fields[self._key[0]].column)}, "
                      f"{quote(self.fields[self._key[1]].column)}")
        self._sql: dict[int, str] = {}

    def sql(self, rows: int) -> str:
        text = self._sql.get(rows)
        if text is None:
            text = self._sql[rows] = self._head + ", ".join([self._row] * rows) + self._tail
        return text

    def key(self, params: list) -> tuple:
        return params[self._key[0]], params[self._key[1]]

    def outcomes(self, batch: list[list], returned: list[tuple]) -> list:
        """One id per row of ``batch``, or an IntegrityError for a row the database skipped because
        its delivery id is already held (by an earlier row, or one earlier in this batch)."""
        results, taken = [], 0
        for params in batch:
            if taken < len(returned) and tuple(returned[taken][1:]) == self.key(params):
                results.append(returned[taken][0])
                taken += 1
            else:
                results.append(IntegrityError(f"inbound webhook {self.key(params)[1]!r} is already held for this account"))
        if taken != len(returned):  # PostgreSQL and SQLite return inserted rows in VALUES order; never seen otherwise
            raise DatabaseError("webhook log insert: returned rows do not match the rows sent")
        return results

    @staticmethod
    def _adapter(field, connection):
        kind = field.get_internal_type()
        if kind == "JSONField":
            # Text either way: SQLite stores it as is; PostgreSQL casts the untyped text to jsonb.
            return lambda value, encoder=field.encoder: json.dumps(value, cls=encoder)
        if kind == "DateTimeField":
            return connection.ops.adapt_datetimefield_value
        if kind == "GenericIPAddressField":
            return str  # callers pass a normalised address (or None); both databases take it as text
        if kind == "BinaryField":
            return bytes
        return None

    def params(self, values: dict) -> list:
        unknown = values.keys() - self.attnames
        if unknown:
            raise TypeError(f"inbound_webhook_insert: unknown fields {sorted(unknown)}")
        out = []
        for field, default, adapt in zip(self.fields, self.defaults, self.adapters):
            if field.attname in values:
                value = values[field.attname]
                out.append(adapt(value) if adapt is not None and value is not None else value)
            else:
                out.append(default)
        return out


@lru_cache(maxsize=8)
def _statement(alias: str) -> _Statement:
    return _Statement(connections[alias])


def inbound_webhook_insert(**values) -> int:
    """Insert one InboundWebhook row from field values (``account_id``, ``headers`` as a dict, ``body``
    as bytes, …; ``received_at`` defaults to now, other columns to the model's defaults). Returns its id.
    Raises django.db.IntegrityError on a constraint violation, like the ORM."""
    values.setdefault("received_at", timezone.now())
    alias = router.db_for_write(InboundWebhook)
    connection = connections[alias]
    statement = _statement(alias)
    params = statement.params(values)
    if _fast_path_applies(connection):
        group = _group(alias)
        if group is not None:
            return group.submit(params, lambda batch: _insert_rows(connection, statement, batch))
        return _outcome(_insert_rows(connection, statement, [params])[0])
    with connection.cursor() as cursor:
        cursor.execute(statement.sql(1), params)
        return _outcome(statement.outcomes([params], cursor.fetchall())[0])


def _fast_path_applies(connection) -> bool:
    return (connection.vendor == "postgresql" and settings.DOORSTEP_WEBHOOK_FAST_INSERT
            and not connection.in_atomic_block and connection.get_autocommit())


_groups: dict[str, GroupCommit] = {}
_groups_lock = threading.Lock()


def _group(alias: str) -> GroupCommit | None:
    """This process's group commit for ``alias`` (None when grouping is turned off)."""
    size = settings.DOORSTEP_WEBHOOK_GROUP_INSERT_MAX
    if size <= 1:
        return None
    group = _groups.get(alias)
    if group is None:
        with _groups_lock:
            group = _groups.setdefault(alias, GroupCommit(size))
    return group


def _outcome(result):
    if isinstance(result, BaseException):
        raise result
    return result


def _insert_rows(connection, statement: _Statement, batch: list[list]) -> list:
    """Insert ``batch`` (each a row's parameters) with one statement; one id, or an IntegrityError for a
    delivery id already held, per row. If the statement fails for another reason, each row is tried
    on its own, so only the row at fault gets the error."""
    flat = [value for params in batch for value in params]
    try:
        returned = _insert_autocommit(connection, statement.sql(len(batch)), flat)
    except DatabaseError:
        if len(batch) == 1 or _connection_broken(connection):
            raise
        return [_row_outcome(connection, statement, params) for params in batch]
    return statement.outcomes(batch, returned)


def _row_outcome(connection, statement: _Statement, params: list):
    try:
        return _insert_rows(connection, statement, [params])[0]
    except DatabaseError as exc:
        return exc


def _insert_autocommit(connection, sql: str, params: list) -> list[tuple]:
    """One prepared INSERT in autocommit on ``connection``, skipping Django's per-request health check.
    A connection found dead (server restart, idle timeout, failover) is replaced and the insert
    retried once. If the first attempt did commit before the connection broke, the retry either hits
    the unique delivery id (the caller logs a duplicate) or stores a second copy of a delivery without
    one, which processing deduplicates by event: an acknowledged delivery is never lost either way."""
    try:
        return _execute_prepared(connection, sql, params)
    except (OperationalError, InterfaceError):
        if not _connection_broken(connection):
            raise
        logger.info("webhook log insert: database connection was lost; reconnecting and retrying once")
        connection.close()
        return _execute_prepared(connection, sql, params)


def _connection_broken(connection) -> bool:
    raw = connection.connection
    return raw is None or bool(getattr(raw, "broken", False)) or bool(getattr(raw, "closed", False))


def _execute_prepared(connection, sql: str, params: list) -> list[tuple]:
    global _prepare_ok
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    prepare = _prepare_ok and settings.DOORSTEP_WEBHOOK_PREPARED_INSERT
    # Django turns psycopg's statement preparation off (prepare_threshold=None), and psycopg then ignores
    # prepare=True too. Any threshold lets this statement ask for it; restoring None afterwards keeps
    # every other query on the connection exactly as Django configured it.
    lend_threshold = prepare and raw.prepare_threshold is None
    # A server-binding cursor (Django's own cursors bind on the client, which cannot prepare), kept for
    # the connection's life (psycopg then reuses its adapters), wrapped like Django's cursors so query
    # logging, execute wrappers and error translation still apply.
    wrapper = (_DebugWrapper if connection.queries_logged else CursorWrapper)(
        _Preparing(_cursor_for(raw, psycopg), prepare), connection)
    if lend_threshold:
        raw.prepare_threshold = sys.maxsize
    try:
        try:
            wrapper.execute(sql, params)
        except DatabaseError as exc:
            if not prepare or not _lost_prepared_statement(exc):
                raise
            # A transaction-pooling proxy (pgbouncer without prepared-statement support) hands each
            # statement to another server connection: prepare nothing from now on, and retry plainly.
            with _prepare_lock:
                if _prepare_ok:
                    logger.warning("webhook log insert: the database lost a prepared statement (a "
                                   "connection pooler in between?); using unprepared statements from now on")
                    _prepare_ok = False
            wrapper.cursor.prepare = False
            wrapper.execute(sql, params)
        return wrapper.fetchall()
    finally:
        if lend_threshold and not raw.closed:
            raw.prepare_threshold = None


_cursors = threading.local()  # Django connections are per thread, and so is each one's cursor here


def _cursor_for(raw, psycopg):
    cached = getattr(_cursors, "current", None)
    if cached is None or cached[0] is not raw or cached[1].closed:
        cached = _cursors.current = (raw, psycopg.Cursor(raw))
    return cached[1]


def _lost_prepared_statement(exc: Exception) -> bool:
    # 26000 invalid_sql_statement_name ("prepared statement … does not exist"), 42P05 duplicate_prepared_statement.
    return getattr(exc.__cause__, "sqlstate", None) in ("26000", "42P05")


def prepared_statements_reset() -> None:
    """Allow prepared statements again after a fallback (tests; an operator who fixed the pooler restarts)."""
    global _prepare_ok
    with _prepare_lock:
        _prepare_ok = True


class _Preparing:
    """A psycopg cursor whose execute() asks for server-side preparation (CursorWrapper passes none)."""

    def __init__(self, cursor, prepare: bool):
        self.cursor = cursor
        self.prepare = prepare

    def execute(self, sql, params=None):
        return self.cursor.execute(sql, params, prepare=self.prepare)

    def __getattr__(self, name):
        return getattr(self.cursor, name)


class _DebugWrapper(CursorDebugWrapper):
    """Query logging (connection.queries, tests' query counts) for a prepared statement, which leaves
    nothing for Django's last_executed_query to read: log it as a client-side cursor would send it."""

    def execute(self, sql, params=None):
        import psycopg

        try:  # (not ops.compose_sql: it opens a Django cursor, health check and all)
            shown = psycopg.ClientCursor(self.db.connection).mogrify(sql, params)
        except psycopg.Error:
            shown = sql
        with self.debug_sql(shown, params):
            return self._execute_with_wrappers(sql, params, many=False, executor=self._execute)
