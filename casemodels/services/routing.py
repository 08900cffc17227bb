"""Routing by the dispatch directory: sector or territorial."""

from django.utils.translation import gettext as _

from snippets.models import DirectoryItem, Unit

from .base import InvalidInput


def route_by_directory(item, region):
    """Return (lead unit, co-handling units) for a directory item and the
    case's region, or raise ``InvalidInput`` saying why it routes nowhere."""
    if item is None:
        raise InvalidInput(
            _("Choose a unit, or a directory item that routes to one."), code="required", field="directory_item",
        )
    if item.routing == DirectoryItem.Routing.SECTOR:
        unit = item.sector_unit
        if unit is None or not unit.is_active:
            raise InvalidInput(
                _("Directory item “%(item)s” routes to no active sector unit.") % {"item": item},
                code="routes_nowhere", field="directory_item",
            )
    elif item.routing == DirectoryItem.Routing.TERRITORIAL:
        if region is None:
            raise InvalidInput(
                _("Directory item “%(item)s” routes by territory, but the case has no region.") % {"item": item},
                code="required", field="region",
            )
        area = region.ancestor_at_level(item.territorial_level)
        unit = (
            Unit.objects.filter(region=area, level=item.territorial_level, is_active=True).order_by("id").first()
            if area is not None else None
        )
        if unit is None:
            raise InvalidInput(
                _("No active unit answers for “%(region)s” at the level “%(level)s” that item “%(item)s” routes to.")
                % {"region": region, "level": item.get_territorial_level_display(), "item": item},
                code="routes_nowhere", field="directory_item",
            )
    else:
        raise InvalidInput(
            _("Directory item “%(item)s” routes nowhere: it is a category without routing.") % {"item": item},
            code="routes_nowhere", field="directory_item",
        )
    co_units = [u for u in item.co_handlers.filter(is_active=True) if u.pk != unit.pk]
    return unit, co_units
