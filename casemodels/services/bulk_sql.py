"""Writing many rows of one model with plain SQL, for the bulk paths
(historical imports) where building a Django model instance per row costs
as much as the insert itself: building 100,000 ``Case`` instances took
10.5 s (on a loaded machine) before ``bulk_create`` even started, and the
plain ``executemany`` of 100,000 cases and their events takes about 9 s
(``benchmarks/bench_case_import.py``).

SQLite gets ``executemany`` (the ids read back under the write lock the
transaction holds), PostgreSQL ``COPY`` (the ids drawn from the table's
sequence first).

Nothing here checks anything: the callers validate every row first and run
inside their own transaction. Values are adapted the way the model's fields
would adapt them (date-times for the backend, JSON encoded), every concrete
column not given takes the field's default, and ``auto_now`` columns take
``now``."""

import contextlib
import json
import operator

from django.db import connection, models
from django.utils import timezone

#: Rows per multi-row INSERT that returns ids (PostgreSQL).
RETURNING_BATCH = 500
#: Rows per ``executemany`` call.
MANY_BATCH = 5000


#: SQLite's page cache while writing in bulk, in KiB (its default is 2 MiB): with a
#: large table's many indexes, the default cache spills pages at every row.
BULK_CACHE_KIB = 256 * 1024


@contextlib.contextmanager
def bulk_write_cache():
    """On SQLite, a page cache of ``BULK_CACHE_KIB`` for this connection while
    the block runs (the previous size is restored after); elsewhere nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(BULK_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


class TableWriter:
    """Inserts dicts of ``{attname: value}`` into ``model``'s table."""

    def __init__(self, model, *, now=None):
        self.model = model
        now = now or timezone.now()
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        self.adapters = []
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.defaults[field.attname] = now
            else:  # the default, or "" for text and None for the rest (as Django fills a new instance)
                self.defaults[field.attname] = field.get_default()
            self.adapters.append(self._adapter(field))
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.column_sql = ", ".join(qn(c) for c in self.columns)
        self.placeholders = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
        pick = operator.itemgetter(*[f.attname for f in self.fields])
        self._pick = pick if len(self.fields) > 1 else (lambda merged: (pick(merged),))
        self._adapt_at = [(index, adapter) for index, adapter in enumerate(self.adapters) if adapter is not None]
        self._copy_adapt_at = [(index, json.dumps) for index, f in enumerate(self.fields)
                               if isinstance(f, models.JSONField)]

    @staticmethod
    def _adapter(field):
        if isinstance(field, models.DateTimeField):
            if connection.vendor == "sqlite":
                # What the backend's adapt_datetimefield_value does (the moment in the
                # connection's zone, naive, as text), without its per-value checks.
                zone, adapt = connection.timezone, connection.ops.adapt_datetimefield_value
                return lambda value: (str(value.astimezone(zone).replace(tzinfo=None))
                                      if getattr(value, "tzinfo", None) is not None else adapt(value))
            return connection.ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return connection.ops.adapt_datefield_value
        if isinstance(field, models.JSONField):
            if connection.vendor == "sqlite" and field.encoder is None:
                return json.dumps  # what get_db_prep_save gives SQLite, without its per-value dispatch
            return lambda value, field=field: field.get_db_prep_save(value, connection)
        return None

    def _tuple(self, values, *, copy=False):
        """The row's values in column order, adapted; for COPY, JSON as its text
        (COPY's text format takes it as it is) and nothing else adapted."""
        merged = self.defaults.copy()
        merged.update(values)
        row = list(self._pick(merged))
        for index, adapt in (self._copy_adapt_at if copy else self._adapt_at):
            value = row[index]
            if value is not None:
                row[index] = adapt(value)
        return row

    def insert_returning_ids(self, rows):
        """Insert ``rows`` and return their new ids, in order."""
        if connection.vendor == "sqlite":
            return self._insert_sqlite(rows)
        if connection.vendor == "postgresql":
            return self._copy_postgresql(rows, with_ids=True)
        ids = []
        pk = connection.ops.quote_name(self.model._meta.pk.column)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), RETURNING_BATCH):
                chunk = rows[start:start + RETURNING_BATCH]
                params = [value for values in chunk for value in self._tuple(values)]
                sql = (f"INSERT INTO {self.table} ({self.column_sql}) VALUES "
                       f"{', '.join([self.placeholders] * len(chunk))} RETURNING {pk}")
                cursor.execute(sql, params)
                returned = cursor.fetchall()
                if len(returned) != len(chunk):  # never expected; a partial insert must not pass silently
                    raise RuntimeError(f"{self.model.__name__}: {len(chunk)} rows inserted, {len(returned)} ids returned.")
                # The rows of one INSERT take increasing ids in the order of VALUES (an
                # identity drawn row by row); RETURNING's own order is not promised, so the
                # ids are matched to the rows by sorting them.
                ids.extend(sorted(r[0] for r in returned))
        return ids

    def _copy_postgresql(self, rows, *, with_ids):
        """PostgreSQL: ``COPY … FROM STDIN``; with ``with_ids``, the ids are drawn
        from the table's sequence first (one query) and written with the rows."""
        if not rows:
            return []
        meta = self.model._meta
        qn = connection.ops.quote_name
        columns = self.column_sql
        ids = []
        with connection.cursor() as cursor:
            if with_ids:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [meta.db_table, meta.pk.column, len(rows)])
                ids = [r[0] for r in cursor.fetchall()]
                columns = f"{qn(meta.pk.column)}, {columns}"
            with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                if with_ids:
                    for pk, values in zip(ids, rows):
                        copy.write_row([pk, *self._tuple(values, copy=True)])
                else:
                    for values in rows:
                        copy.write_row(self._tuple(values, copy=True))
        return ids

    def _insert_sqlite(self, rows):
        """SQLite: ``executemany``, then the ids above the largest before it. The
        caller's transaction holds the database's write lock (it has written
        already, or began IMMEDIATE), so no other connection can insert rows
        in between; the count is checked all the same."""
        if not connection.in_atomic_block:
            raise RuntimeError("TableWriter.insert_returning_ids must run inside a transaction.")
        pk = connection.ops.quote_name(self.model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({pk}) FROM {self.table}")
            before = cursor.fetchone()[0] or 0
            self.insert(rows)
            cursor.execute(f"SELECT {pk} FROM {self.table} WHERE {pk} > %s ORDER BY {pk}", [before])
            ids = [r[0] for r in cursor.fetchall()]
        if len(ids) != len(rows):
            raise RuntimeError(f"{self.model.__name__}: {len(rows)} rows inserted, {len(ids)} new ids found.")
        return ids

    def insert(self, rows):
        """Insert ``rows`` (no ids returned)."""
        if connection.vendor == "postgresql":
            self._copy_postgresql(rows, with_ids=False)
            return len(rows)
        sql = f"INSERT INTO {self.table} ({self.column_sql}) VALUES {self.placeholders}"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), MANY_BATCH):
                cursor.executemany(sql, [self._tuple(values) for values in rows[start:start + MANY_BATCH]])
        return len(rows)
