"""Configuration that can never work is refused when it is saved.

- A directory item must route somewhere: an active item with no active item
  below it needs sector or territorial routing; sector routing needs an
  active unit; territorial routing needs an active unit (answering for a
  region) at that level.
- A time-limit policy must be able to match: its channel and directory item
  must be active, it must give at least one limit, and no active policy
  tried before it may cover every case it covers.

Each check raises ``ValidationError`` keyed by the field to correct, with a
message saying what is wrong. Model ``clean()`` methods and the admin form
of policies call them; the directory services call them too.
"""

import contextlib
import contextvars

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Levels with an active unit answering for a region, while
#: ``preloaded_units()`` is in force (``None`` otherwise: ask the database).
_STAFFED_LEVELS = contextvars.ContextVar("minsheng_staffed_levels", default=None)


def staffed_levels():
    """The levels at which an active unit answers for a region (one query)."""
    from ..models import Unit

    return set(Unit.objects.filter(is_active=True, region__isnull=False).values_list("level", flat=True).distinct())


@contextlib.contextmanager
def preloaded_units():
    """Within this block, the territorial check of ``routing_problem`` reads
    the staffed levels loaded once on entry instead of querying per item.

    For bulk work that does not change units (a directory import checks
    thousands of items): the rule and its message stay those of
    ``routing_problem``; only the lookup is shared."""
    token = _STAFFED_LEVELS.set(frozenset(staffed_levels()))
    try:
        yield
    finally:
        _STAFFED_LEVELS.reset(token)


def _level_is_staffed(level):
    from ..models import Unit

    levels = _STAFFED_LEVELS.get()
    if levels is not None:
        return level in levels
    return Unit.objects.filter(level=level, is_active=True, region__isnull=False).exists()


def routing_problem(item, *, active_children=None):
    """Why ``item`` (a DirectoryItem, possibly unsaved) routes nowhere, as
    ``(field, message)``, or ``None`` when it routes somewhere or is
    inactive. ``active_children`` overrides the count of active items below
    it (the services pass what the count will be after a change)."""
    from ..models import DirectoryItem

    if not item.is_active:
        return None
    routing = item.routing
    if routing == DirectoryItem.Routing.NONE:
        if active_children is None:
            active_children = item.children.filter(is_active=True).count() if item.pk else 0
        if active_children == 0:
            return "routing", _(
                "“%(item)s” routes nowhere: it has no routing and no active item below it. Choose sector or "
                "territorial routing, or save it as inactive until items are added below it."
            ) % {"item": item.name}
        return None
    if routing == DirectoryItem.Routing.SECTOR:
        unit = item.sector_unit if item.sector_unit_id else None
        if unit is None:
            return "sector_unit", _("Sector routing needs a sector unit.")
        if not unit.is_active:
            return "sector_unit", _(
                "“%(item)s” would route to “%(unit)s”, which is inactive. Choose an active unit."
            ) % {"item": item.name, "unit": unit}
        return None
    if routing == DirectoryItem.Routing.TERRITORIAL:
        level = item.territorial_level
        if not level:
            return "territorial_level", _("Territorial routing needs a level.")
        if not _level_is_staffed(level):
            return "territorial_level", _(
                "“%(item)s” routes to the unit of the case's region at the level “%(level)s”, but no active "
                "unit answering for a region exists at that level."
            ) % {"item": item.name, "level": item.get_territorial_level_display()}
    return None


def check_directory_item(item, *, with_children=True):
    """Raise ``ValidationError`` when ``item`` routes nowhere (see
    ``routing_problem``).

    ``with_children=False`` leaves out the one check that depends on other
    rows (a category needs an active item below it): the model's ``clean()``
    uses it, so that an import can create a category before its items; the
    admin form and the directory services check everything, and an import
    checks the whole tree once with ``directory_problems()``."""
    problem = routing_problem(item, active_children=None if with_children else 1)
    if problem:
        field, message = problem
        raise ValidationError({field: ValidationError(message, code="routes_nowhere")})


def directory_problems():
    """Every active directory item that routes nowhere, as a list of
    ``(item, field, message)``, in a fixed number of queries (for a check
    of the whole tree after an import)."""
    from ..models import DirectoryItem

    items = list(DirectoryItem.objects.select_related("sector_unit").order_by("sort_order", "code"))
    with_active_children = {i.parent_id for i in items if i.is_active and i.parent_id}
    problems = []
    with preloaded_units():
        for item in items:
            if not item.is_active:
                continue
            problem = routing_problem(item, active_children=1 if item.pk in with_active_children else 0)
            if problem:
                problems.append((item, *problem))
    return problems


def _inactive_chain_node(item):
    for node in item.ancestors(include_self=True):
        if not node.is_active:
            return node
    return None


def covers(earlier, later, *, later_chain_ids):
    """Whether every case ``later`` matches is matched by ``earlier`` (blank
    means any; a directory category covers the items below it)."""
    return (
        (earlier.channel_id is None or earlier.channel_id == later.channel_id)
        and (not earlier.case_type or earlier.case_type == later.case_type)
        and (not earlier.urgency or earlier.urgency == later.urgency)
        and (earlier.directory_item_id is None or earlier.directory_item_id in later_chain_ids)
    )


def shadowing_policy(policy):
    """The first active policy tried before ``policy`` (lower priority
    number; on equal numbers, the older one) whose conditions cover all of
    ``policy``'s, or ``None``."""
    from ..models import TimeLimitPolicy

    chain_ids = (
        {node.pk for node in policy.directory_item.ancestors(include_self=True)}
        if policy.directory_item_id else set()
    )
    earlier = TimeLimitPolicy.objects.filter(is_active=True, priority__lte=policy.priority).order_by("priority", "id")
    if policy.pk:
        earlier = earlier.exclude(pk=policy.pk)
    for other in earlier:
        if other.priority == policy.priority and policy.pk is not None and other.pk > policy.pk:
            continue
        if covers(other, policy, later_chain_ids=chain_ids):
            return other
    return None


def check_policy(policy):
    """Raise ``ValidationError`` when an active ``policy`` can never match:
    a disabled channel or directory item (or a disabled category above the
    item), or an earlier active policy that covers it."""
    if not policy.is_active:
        return
    errors = {}
    if policy.channel_id and not policy.channel.is_active:
        errors["channel"] = _(
            "The channel “%(channel)s” is inactive: this policy could never match. Choose an active channel "
            "or leave it blank."
        ) % {"channel": policy.channel}
    if policy.directory_item_id:
        disabled = _inactive_chain_node(policy.directory_item)
        if disabled is not None:
            errors["directory_item"] = _(
                "The directory item “%(item)s” is disabled: this policy could never match."
            ) % {"item": disabled.name}
    if not errors:
        other = shadowing_policy(policy)
        if other is not None:
            errors["priority"] = _(
                "This policy can never match: “%(other)s” (priority %(priority)s) is tried first and covers every "
                "case it covers. Give this policy a lower priority number than %(priority)s, or narrow “%(other)s”."
            ) % {"other": other.name, "priority": other.priority}
    if errors:
        raise ValidationError({f: ValidationError(m, code="never_matches") for f, m in errors.items()})


def check_policy_limit_count(count):
    """Raise ``ValidationError`` when a policy would have no limit."""
    if count == 0:
        raise ValidationError(
            _("A policy without limits gives no deadline: add at least one limit (sign for, reply, …)."),
            code="no_limits",
        )
