"""Writing many rows of one model with plain SQL, for the bulk paths
(historical imports) where building a Django model instance per row costs
more than the whole insert: ``benchmarks/bench_case_import.py`` measured a
``Case`` instance at 30–100 µs to build before ``bulk_create`` even starts,
against about 10 µs a row for the insert itself.

Nothing here checks anything: the callers validate every row first and run
inside their own transaction. Values are adapted the way the model's fields
would adapt them (date-times for the backend, JSON encoded), every concrete
column not given takes the field's default, and ``auto_now`` columns take
``now``."""

from django.db import connection, models
from django.utils import timezone

#: Rows per multi-row INSERT that returns ids (SQLite allows 32,766 parameters).
RETURNING_BATCH = 500
#: Rows per ``executemany`` call.
MANY_BATCH = 5000


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

    @staticmethod
    def _adapter(field):
        if isinstance(field, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return connection.ops.adapt_datefield_value
        if isinstance(field, models.JSONField):
            return lambda value, field=field: field.get_db_prep_save(value, connection)
        return None

    def _tuple(self, values):
        row = []
        defaults = self.defaults
        for field, adapt in zip(self.fields, self.adapters):
            name = field.attname
            value = values[name] if name in values else defaults[name]
            if adapt is not None and value is not None:
                value = adapt(value)
            row.append(value)
        return row

    def insert_returning_ids(self, rows):
        """Insert ``rows`` and return their new ids, in order."""
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
                # identity or rowid drawn row by row); RETURNING's own order is not promised
                # by SQLite, so the ids are matched to the rows by sorting them.
                ids.extend(sorted(r[0] for r in returned))
        return ids

    def insert(self, rows):
        """Insert ``rows`` (no ids returned)."""
        sql = f"INSERT INTO {self.table} ({self.column_sql}) VALUES {self.placeholders}"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), MANY_BATCH):
                cursor.executemany(sql, [self._tuple(values) for values in rows[start:start + MANY_BATCH]])
        return len(rows)
