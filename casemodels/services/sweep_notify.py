"""The SQL of the warning sweep's outbox (``casemodels.services.sweep``):
the notifications of a batch of new warnings, one ``INSERT … SELECT`` per
kind of recipient and channel (see the sweep's docstring, step 2), and the
small SQL helpers the sweep shares (quoted names, ``INSERT … ON CONFLICT DO
NOTHING``)."""

from django.db import connection
from django.utils.translation import gettext as _

from snippets.models import StaffProfile, Unit

from ..models import Case, Notification, Warning

C = Notification.Channel


def qn(name):
    return connection.ops.quote_name(name)


def table(model):
    return qn(model._meta.db_table)


def column(model, field):
    return qn(model._meta.get_field(field).column)


def db_time(moment):
    """A date-time as a raw SQL parameter, stored as the ORM stores it (in
    UTC, without an offset, on SQLite)."""
    return connection.ops.adapt_datetimefield_value(moment)


def insert_ignoring(model, columns, select_sql, params):
    """``INSERT INTO <model> (columns) <select_sql> ON CONFLICT DO NOTHING``:
    the rows that break a unique constraint are skipped, and only those (on
    SQLite too: ``INSERT OR IGNORE`` would also drop a row with a NULL in a
    NOT NULL column, silently). ``select_sql`` must have a WHERE clause
    (SQLite's parser needs one before ON CONFLICT). Returns the number of
    rows inserted."""
    cols = ", ".join(column(model, name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table(model)} ({cols}) {select_sql} ON CONFLICT DO NOTHING", params)
        return max(cursor.rowcount, 0)


NOTIFICATION_COLUMNS = [
    "warning", "staff", "user", "unit", "channel", "address", "status", "attempts", "next_attempt_at",
    "last_error", "created_at",
]


def rule_channels(rule):
    return [c for c, on in ((C.IN_APP, rule.in_app), (C.EMAIL, rule.by_email), (C.SMS, rule.by_sms)) if on]


class Sql:
    """A fragment of SQL with its parameters, joined in the order written."""

    def __init__(self):
        self.parts, self.params = [], []

    def add(self, sql, *params):
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def __str__(self):
        return " ".join(self.parts)


def _delivery_items(q, address, channel, now):
    """The SELECT items from the channel to ``created_at``: an empty address
    (no phone, no e-mail) gives a notification that has failed at once."""
    q.add(f"%s, {address},", channel)
    now = db_time(now)
    if channel == C.IN_APP:
        return q.add("%s, 0, %s, %s, %s", Notification.Status.PENDING, now, "", now)
    return q.add(
        f"CASE WHEN {address} = '' THEN %s ELSE %s END, 0, %s, CASE WHEN {address} = '' THEN %s ELSE %s END, %s",
        Notification.Status.FAILED, Notification.Status.PENDING, now, str(MISSING[channel]()), "", now,
    )


MISSING = {C.SMS: lambda: _("No phone number on file."), C.EMAIL: lambda: _("No e-mail address on file."),
           C.IN_APP: lambda: ""}


def _staff_filter(q, staff_on, on_params, role_ids, channel):
    q.add(f"{staff_on} AND s.{column(StaffProfile, 'is_active')} = %s", *on_params, True)
    if role_ids:
        through = StaffProfile.roles.through
        q.add(
            f"AND EXISTS (SELECT 1 FROM {table(through)} r WHERE r.{column(through, 'staffprofile')} = s.id"
            f" AND r.{column(through, 'role')} IN ({', '.join(['%s'] * len(role_ids))}))",
            *role_ids,
        )
    if channel == C.IN_APP:
        q.add(f"AND s.{column(StaffProfile, 'user')} IS NOT NULL")


def staff_rows(batch, now, channel, staff_on, on_params, role_ids, where="", where_params=()):
    """SELECT the notifications of the staff matched by ``staff_on`` (SQL
    over ``w`` the warning, ``c`` its case, ``s`` the staff member)."""
    user = StaffProfile._meta.get_field("user").related_model
    address = {C.SMS: f"COALESCE(s.{column(StaffProfile, 'phone')}, '')", C.EMAIL: "COALESCE(u.email, '')",
               C.IN_APP: "''"}[channel]
    q = Sql().add(f"SELECT w.id, s.id, s.{column(StaffProfile, 'user')}, s.{column(StaffProfile, 'unit')},")
    _delivery_items(q, address, channel, now)
    q.add(f"FROM {table(Warning)} w JOIN {table(Case)} c ON c.id = w.{column(Warning, 'case')}")
    q.add(f"JOIN {table(StaffProfile)} s ON")
    _staff_filter(q, staff_on, on_params, role_ids, channel)
    q.add(f"LEFT JOIN {table(user)} u ON u.id = s.{column(StaffProfile, 'user')}")
    q.add(f"WHERE w.{column(Warning, 'batch')} = %s {where}", batch, *where_params)
    return q


def unit_rows(batch, now, channel, unit_sql, unit_params, staff_on, on_params, role_ids, where="", where_params=()):
    """SELECT the notifications of the unit ``unit_sql`` when none of its
    staff matches (``staff_on``, the roles, the channel)."""
    address = f"COALESCE(un.{column(Unit, 'phone')}, '')" if channel == C.SMS else "''"
    q = Sql().add("SELECT w.id, NULL, NULL, un.id,")
    _delivery_items(q, address, channel, now)
    q.add(f"FROM {table(Warning)} w JOIN {table(Case)} c ON c.id = w.{column(Warning, 'case')}")
    q.add(f"JOIN {table(Unit)} un ON un.id = {unit_sql}", *unit_params)
    q.add(f"WHERE w.{column(Warning, 'batch')} = %s {where}", batch, *where_params)
    q.add(f"AND NOT EXISTS (SELECT 1 FROM {table(StaffProfile)} s WHERE")
    _staff_filter(q, staff_on, on_params, role_ids, channel)
    return q.add(")")


def audiences(rule, centres):
    """``(staff_on, on_params, role ids, unit_sql, unit_params, where, where_params)``
    for each group of people the rule tells (``unit_sql`` None: no unit fallback)."""
    role_ids = sorted(role.pk for role in rule.notify_roles.all())
    found = []
    if rule.notify_lead_unit:
        unit = f"w.{column(Warning, 'unit')}"
        found.append((f"s.{column(StaffProfile, 'unit')} = {unit}", [], role_ids, unit, [], f"AND {unit} IS NOT NULL",
                      []))
    if rule.notify_centre:
        for centre_id, owners in centres():
            where, where_params = "", []
            if owners is not None:
                where = f"AND c.{column(Case, 'owner_unit')} IN ({', '.join(['%s'] * len(owners))})"
                where_params = owners
            found.append((f"s.{column(StaffProfile, 'unit')} = %s", [centre_id], role_ids, "%s", [centre_id], where,
                          where_params))
    named = sorted(staff.pk for staff in rule.notify_staff.all())
    if named:
        found.append((f"s.id IN ({', '.join(['%s'] * len(named))})", named, [], None, [], "", []))
    return found


def insert_notifications(rule, batch, now, centres):
    """Queue the notifications of the warnings of ``batch``; returns how many."""
    told = 0
    for staff_on, on_params, role_ids, unit_sql, unit_params, where, where_params in audiences(rule, centres):
        for channel in rule_channels(rule):
            q = staff_rows(batch, now, channel, staff_on, on_params, role_ids, where, where_params)
            told += insert_ignoring(Notification, NOTIFICATION_COLUMNS, str(q), q.params)
            if unit_sql is not None and channel != C.EMAIL:
                q = unit_rows(batch, now, channel, unit_sql, unit_params, staff_on, on_params, role_ids, where,
                              where_params)
                told += insert_ignoring(Notification, NOTIFICATION_COLUMNS, str(q), q.params)
    return told
