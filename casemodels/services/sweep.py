"""The warning sweep (DESIGN §6): every active warning rule, evaluated in the
database, writes its new warnings, their notifications (the outbox) and a
``CaseEvent`` WARNING on each case.

``sweep(now=None)`` runs every minute (``casemodels.schedules``). For each
active rule, in its own transaction:

1. the rule's candidate cases (``sweep_rules.candidates``: one queryset) go
   into the warning table in one ``INSERT … SELECT``, skipping the cases
   already warned (unique key (case, rule, level, occurrence)); the new rows
   carry a fresh ``batch`` token;
2. the warnings of that batch get their notifications, one ``INSERT …
   SELECT`` per kind of recipient and channel (unique key (warning,
   recipient, channel)):

   - ``notify_lead_unit``: the staff of the unit told (``Warning.unit``: the
     active lead assignment's unit, else the first-receiving unit) holding
     one of ``notify_roles`` (every active staff member when no role is
     named);
   - ``notify_centre``: likewise, the staff of the command centre above the
     case's first-receiving unit;
   - ``notify_staff``: the named people, whatever their unit;
   - ``in_app`` reaches people with a user account, ``by_email`` their
     account's e-mail, ``by_sms`` their phone. When nobody in a unit
     matches, the unit itself is told (in the admin, and on its duty phone
     by SMS). A missing phone number or e-mail address gives a notification
     that has failed at once, so that it shows in the outbox;
3. one ``CaseEvent`` WARNING per new warning (one ``INSERT … SELECT``);
4. for a rule that raises reminder or supervision notes, ``raise_notes``.

Idempotent: a second run finds nothing new; a run that crashes loses only
the rule it was in (its transaction rolls back whole), and the next run
raises what that rule had not committed. A rule that fails is logged and
the others still run; the sweep then raises ``SweepFailed`` naming it.

A rule with ``working_days_only`` raises nothing on a day off (by the work
calendar); its conditions still hold the next working day, when it raises
them.

A run raises at most ``MINSHENG_SWEEP_BATCH`` warnings per rule (the most
urgent first: the earliest deadline, else the oldest case), so that every run, and every write transaction, stays short
even over a backlog: the first sweep of a large centre, or a new rule that
matches tens of thousands of open cases at once. What is left waits for the
next run; ``report["more"]`` names the rules that were cut short, and the
scheduled task then starts the next run at once (``casemodels.tasks``)
instead of a minute later. Nothing is skipped: the rest of the backlog is
still unwarned, so the next run's anti-join finds it."""

import importlib
import importlib.util
import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.fields import DateTimeField
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import StaffProfile, Unit, WarningRule
from snippets.services.calendar import WorkCalendar

from ..models import Case, CaseEvent, Notification, Warning
from .deadlines import to_local
from .sweep_rules import candidates

log = logging.getLogger(__name__)

NOTES_HOOK = ("casemodels.services.supervision", "issue_notes_for_warnings")
C = Notification.Channel


class SweepFailed(Exception):
    """One or more rules failed; the others ran. ``errors``: {rule id: message}."""

    def __init__(self, errors):
        super().__init__("Warning rules failed: " + "; ".join(f"#{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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


# --- 1. Warnings ---------------------------------------------------------------------------------
WARNING_COLUMNS = ["case", "rule", "level", "occurrence", "unit", "raised_at", "batch"]


def insert_warnings(rule, cases, now, batch, limit):
    """Insert the warnings of ``rule`` for the candidate ``cases`` that do not
    have theirs yet, at most ``limit``, the most urgent first (``w_order``: the
earliest deadline, else the oldest case; the anti-join
    keeps a steady-state run cheap; the unique key still guards against a
    concurrent run)."""
    warned = Warning.objects.filter(
        case=OuterRef("pk"), rule_id=rule.pk, level=rule.light, occurrence=OuterRef("w_occurrence"),
    )
    rows = cases.filter(~Exists(warned)).annotate(
        w_case=F("pk"), w_rule=Value(rule.pk), w_level=Value(rule.light),
        w_raised=Value(now, output_field=DateTimeField()), w_batch=Value(batch),
    ).order_by("w_order", "pk").values(
        "w_case", "w_rule", "w_level", "w_occurrence", "w_unit", "w_raised", "w_batch",
    )[:limit]
    sql, params = rows.query.sql_with_params()
    return insert_ignoring(Warning, WARNING_COLUMNS, sql, params)


# --- 2. Notifications ----------------------------------------------------------------------------
NOTIFICATION_COLUMNS = [
    "warning", "staff", "user", "unit", "channel", "address", "status", "attempts", "next_attempt_at",
    "last_error", "created_at",
]


def rule_channels(rule):
    return [c for c, on in ((C.IN_APP, rule.in_app), (C.EMAIL, rule.by_email), (C.SMS, rule.by_sms)) if on]


def centre_scopes():
    """``[(centre unit id, first-receiving unit ids or None)]``: a case's
    centre is the nearest command centre above its first-receiving unit
    (None: every case, when the deployment has one centre)."""
    centres = list(Unit.objects.filter(kind=Unit.Kind.CENTRE, is_active=True).order_by("pk"))
    if len(centres) <= 1:
        return [(centre.pk, None) for centre in centres]
    below = {centre.pk: centre.descendant_ids() for centre in centres}
    scopes = []
    for centre in centres:
        inner = set()
        for other in centres:
            if other.pk != centre.pk and other.pk in below[centre.pk]:
                inner |= below[other.pk]
        scopes.append((centre.pk, sorted(below[centre.pk] - inner)))
    return scopes


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


# --- 3. Case events, 4. notes --------------------------------------------------------------------
def insert_events(rule, batch, now):
    """One WARNING event per warning of ``batch``, on its case (the dossier)."""
    data = {"rule": rule.pk, "rule_name": rule.name, "kind": rule.kind, "level": rule.light}
    prepared = CaseEvent._meta.get_field("data").get_db_prep_value(data, connection)
    cols = ", ".join(column(CaseEvent, f) for f in ("case", "action", "unit", "created_at", "from_state", "to_state",
                                                     "note", "data"))
    state = column(Case, "state")
    sql = (
        f"INSERT INTO {table(CaseEvent)} ({cols}) SELECT w.{column(Warning, 'case')}, %s, w.{column(Warning, 'unit')},"
        f" %s, c.{state}, c.{state}, %s, %s FROM {table(Warning)} w JOIN {table(Case)} c"
        f" ON c.id = w.{column(Warning, 'case')} WHERE w.{column(Warning, 'batch')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [CaseEvent.Action.WARNING, db_time(now), rule.name, prepared, batch])
        return cursor.rowcount


def notes_hook():
    """``casemodels.services.supervision.issue_notes_for_warnings`` when that
    service exists, else None."""
    module_name, name = NOTES_HOOK
    if importlib.util.find_spec(module_name) is None:
        return None
    return getattr(importlib.import_module(module_name), name, None)


def raise_notes(warnings, *, now=None):
    """Hand the new warnings of a rule that raises reminder (提示单) or
    supervision notes (督办单) to the supervision service:
    ``issue_notes_for_warnings(warnings, now=now)`` of
    ``casemodels.services.supervision``, called inside the rule's
    transaction (so a crash rolls the notes back with the warnings) with the
    ``Warning`` rows (``case`` and ``rule`` loaded). Until that service
    exists this does nothing. Returns what the service returns (the notes)."""
    issue = notes_hook()
    if issue is None or not warnings:
        return []
    return issue(warnings, now=now)


# --- The sweep -----------------------------------------------------------------------------------
def active_rules():
    return list(
        WarningRule.objects.filter(is_active=True).prefetch_related("channels", "notify_roles", "notify_staff")
        .order_by("pk")
    )


def batch_limit():
    """The most warnings one run raises per rule (``MINSHENG_SWEEP_BATCH``)."""
    limit = settings.MINSHENG_SWEEP_BATCH
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"MINSHENG_SWEEP_BATCH must be a positive whole number, not {limit!r}")
    return limit


def sweep_rule(rule, now, *, centres=centre_scopes, limit=None):
    """Raise one rule's new warnings (at most ``limit``, default
    ``batch_limit()``), with their notifications, events and notes, in one
    transaction. Returns (warnings raised, notifications queued)."""
    cases = candidates(rule, now)
    if cases is None:
        return 0, 0
    batch = uuid.uuid4().hex
    limit = batch_limit() if limit is None else limit
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # PostgreSQL's JIT compiles these short statements for longer than
            # they run (measured: 380 ms of compiling for a 40 ms query).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        raised = insert_warnings(rule, cases, now, batch, limit)
        if not raised:
            return 0, 0
        told = insert_notifications(rule, batch, now, centres)
        insert_events(rule, batch, now)
        if rule.raise_reminder or rule.raise_supervision:
            raise_notes(list(Warning.objects.filter(batch=batch).select_related("case", "rule")), now=now)
    return raised, told


def sweep(now=None, *, only=None):
    """Evaluate every active warning rule at ``now`` (default: now), or only
    the active rules whose ids are in ``only`` (a run working off a
    backlog); see the
    module docstring. Returns ``{"raised": n, "notifications": n, "rules":
    {rule id: warnings raised}, "waiting": [rule ids held for a working day],
    "more": [rule ids cut short by the batch limit]}``."""
    now = now or timezone.now()
    day = to_local(now).date()
    calendar = WorkCalendar.load(day.year, day.year)
    workday = calendar.is_workday(day)
    if calendar.provisional:
        log.error("The work calendar of %s is not published: working-days-only warning rules take weekends as "
                  "the only days off. Publish the year's calendar in the admin.", day.year)
    centres_cache = []

    def centres():
        if not centres_cache:
            centres_cache.append(centre_scopes())
        return centres_cache[0]

    limit = batch_limit()
    report = {"raised": 0, "notifications": 0, "rules": {}, "waiting": [], "more": [],
              "calendar_provisional": calendar.provisional}
    errors = {}
    for rule in active_rules():
        if only is not None and rule.pk not in only:
            continue
        if rule.working_days_only and not workday:
            report["waiting"].append(rule.pk)
            continue
        try:
            raised, told = sweep_rule(rule, now, centres=centres, limit=limit)
        except Exception as exc:  # one broken rule must not stop the others
            log.exception("Warning rule %s (%s) failed", rule.pk, rule.name)
            errors[rule.pk] = str(exc)
            continue
        report["rules"][rule.pk] = raised
        if raised >= limit:
            report["more"].append(rule.pk)
        report["raised"] += raised
        report["notifications"] += told
    if errors:
        raise SweepFailed(errors)
    return report
