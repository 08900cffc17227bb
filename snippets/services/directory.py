"""Editing the dispatch directory as a tree: move an item under another
category, move it up or down among its siblings, disable or enable it.

Items are never deleted once used: cases, policies and items below them
hold on to them (``PROTECT``); disabling keeps the item, its history and its
cases, and only stops it from being offered. Each function validates first,
changes the rows in one transaction, and keeps a revision and a log entry
on the item (its history in the admin).
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..models import DirectoryItem, TimeLimitPolicy
from .config_checks import routing_problem

MOVE, REORDER, DISABLE, ENABLE = (
    "minsheng.directory.move", "minsheng.directory.reorder", "minsheng.directory.disable",
    "minsheng.directory.enable",
)


def _refuse(message, code, field=None):
    raise ValidationError({field: ValidationError(message, code=code)} if field else ValidationError(message, code=code))


def _record(item, action, acting_user, data=None):
    """A revision of the item as it now is, logged under ``action``."""
    from wagtail.log_actions import log

    revision = item.save_revision(user=acting_user, clean=False, log_action=False)
    log(item, action, user=acting_user, revision=revision, data=data or {})
    return revision


def _locked(item):
    return DirectoryItem.objects.select_for_update().get(pk=item.pk)


def _active_children(parent, *, excluding=()):
    return parent.children.filter(is_active=True).exclude(pk__in=list(excluding)).count()


def _leaves_parent_empty(item, *, excluding):
    """The message when taking ``excluding`` out of ``item.parent`` would
    leave an active category with nothing active below it."""
    parent = item.parent
    if parent is None:
        return None
    problem = routing_problem(parent, active_children=_active_children(parent, excluding=excluding))
    if problem:
        return _(
            "This would leave the category “%(category)s” with no active item below it, so it would route "
            "nowhere. Disable the category too, or give it routing first."
        ) % {"category": parent.name}
    return None


def _renumber(siblings):
    """Write sort_order 1..n on ``siblings`` (in their new order), updating
    only the rows whose number changes."""
    changed = []
    for number, sibling in enumerate(siblings, start=1):
        if sibling.sort_order != number:
            sibling.sort_order = number
            changed.append(sibling)
    if changed:
        DirectoryItem.objects.bulk_update(changed, ["sort_order"])


def siblings_of(item, parent_id=models.NOT_PROVIDED):
    parent_id = item.parent_id if parent_id is models.NOT_PROVIDED else parent_id
    return list(DirectoryItem.objects.filter(parent_id=parent_id).order_by("sort_order", "code", "pk"))


@transaction.atomic
def move_item(item, new_parent, *, acting_user):
    """Move ``item`` (and everything below it) under ``new_parent`` (a
    category, or ``None`` for the top level), placed last among its new
    siblings. Refuses a cycle, a disabled destination and a move that would
    leave the old category empty. Returns the item."""
    item = _locked(item)
    if new_parent is not None and not isinstance(new_parent, DirectoryItem):
        new_parent = DirectoryItem.objects.get(pk=new_parent)
    if (new_parent.pk if new_parent else None) == item.parent_id:
        return item
    if new_parent is not None:
        if new_parent.pk == item.pk or new_parent.is_descendant_of(item):
            _refuse(
                _("“%(item)s” cannot be moved under “%(target)s”: that is the item itself or one below it.")
                % {"item": item.name, "target": new_parent.name},
                "cycle", "parent",
            )
        if item.is_active and not all(node.is_active for node in new_parent.ancestors(include_self=True)):
            _refuse(
                _("“%(target)s” is disabled: enable it first, or move “%(item)s” somewhere else.")
                % {"target": new_parent.name, "item": item.name},
                "disabled_target", "parent",
            )
    if item.is_active:
        message = _leaves_parent_empty(item, excluding=[item.pk])
        if message:
            _refuse(message, "routes_nowhere", "parent")
    old_parent = item.parent
    last = DirectoryItem.objects.filter(parent=new_parent).aggregate(n=Max("sort_order"))["n"] or 0
    item.parent = new_parent
    item.sort_order = last + 1
    item.save(update_fields=["parent", "sort_order"])
    _renumber(siblings_of(item, old_parent.pk if old_parent else None))
    _record(item, MOVE, acting_user, {
        "from": old_parent.name if old_parent else "", "to": new_parent.name if new_parent else "",
    })
    return item


@transaction.atomic
def reorder_item(item, direction, *, acting_user):
    """Move ``item`` one place ``"up"`` or ``"down"`` among its siblings and
    renumber them 1..n. Refuses a move past either end. Returns the item."""
    if direction not in ("up", "down"):
        _refuse(_("Move up or down."), "invalid")
    item = _locked(item)
    siblings = siblings_of(item)
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        _refuse(
            (_("“%(item)s” is already first.") if direction == "up" else _("“%(item)s” is already last."))
            % {"item": item.name},
            "at_end",
        )
    siblings[index], siblings[target] = siblings[target], siblings[index]
    _renumber(siblings)
    item.sort_order = target + 1
    _record(item, REORDER, acting_user, {"direction": direction, "position": target + 1})
    return item


def _policies_on(ids):
    return list(TimeLimitPolicy.objects.filter(is_active=True, directory_item_id__in=ids).order_by("priority"))


@transaction.atomic
def set_item_active(item, active, *, acting_user):
    """Disable (``active=False``) or enable an item. Disabling a category
    disables everything below it; its cases and history stay. Refuses to
    disable what an active time-limit policy applies to, or the last
    active item of a category without routing; refuses to enable an item
    under a disabled category or one that would route nowhere. Returns the
    list of items changed."""
    item = _locked(item)
    if item.is_active == active:
        return []
    if active:
        disabled = next((node for node in item.ancestors() if not node.is_active), None)
        if disabled is not None:
            _refuse(
                _("“%(item)s” is under the disabled category “%(category)s”: enable that category first.")
                % {"item": item.name, "category": disabled.name},
                "disabled_parent", "parent",
            )
        item.is_active = True
        problem = routing_problem(item)
        if problem:
            _refuse(problem[1], "routes_nowhere", problem[0])
        changed = [item]
    else:
        ids = item.descendant_ids(include_self=True)
        policies = _policies_on(ids)
        if policies:
            _refuse(
                _("The time-limit policy “%(policy)s” applies to “%(item)s”: disable or change the policy first, "
                  "or it could never match again.") % {"policy": policies[0].name, "item": item.name},
                "used_by_policy",
            )
        message = _leaves_parent_empty(item, excluding=[item.pk])
        if message:
            _refuse(message, "routes_nowhere")
        changed = list(DirectoryItem.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
        for row in changed:
            row.is_active = False
    DirectoryItem.objects.filter(pk__in=[row.pk for row in changed]).update(is_active=active)
    for row in changed:
        _record(row, ENABLE if active else DISABLE, acting_user, {"item": item.name})
    return changed


def deletion_blockers(obj):
    """What keeps ``obj`` from being deleted: a list of ``(what, count)``,
    e.g. ``[("cases", 12), ("dispatch directory", 3)]``, one entry per
    protecting relation with rows (one COUNT query per relation)."""
    blockers = []
    for relation in obj._meta.related_objects:
        if relation.many_to_many or relation.on_delete not in (models.PROTECT, models.RESTRICT):
            continue
        count = relation.related_model._base_manager.filter(**{relation.field.name: obj}).count()
        if count:
            blockers.append((str(relation.related_model._meta.verbose_name_plural), count))
    return blockers
