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

from snippets.models import Unit, WarningRule
from snippets.services.calendar import WorkCalendar

from ..models import Case, CaseEvent, Warning
from .deadlines import to_local
from .sweep_notify import column, db_time, insert_ignoring, insert_notifications, table
from .sweep_rules import candidates

log = logging.getLogger(__name__)

NOTES_HOOK = ("casemodels.services.supervision", "issue_notes_for_warnings")


class SweepFailed(Exception):
    """One or more rules failed; the others ran. ``errors``: {rule id: message}."""

    def __init__(self, errors):
        super().__init__("Warning rules failed: " + "; ".join(f"#{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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


# --- 2. Notifications (the SQL: ``sweep_notify``) ---------------------------------------------------
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
