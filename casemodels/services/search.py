"""Finding cases by what staff know about them: the filters of a case list
(the GraphQL ``cases`` connection; the admin's lists may use them too).

``filter_cases`` narrows a queryset that is already scoped to the user
(``visibility.visible_cases``); it never widens it. Codes that name nothing
are refused with an ``InvalidInput`` naming the field, rather than giving
an empty list that looks like "no such cases"."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import CaseType, Channel, DirectoryItem, Region, Unit

from ..models import Assignment, CaseState
from .base import InvalidInput, check_choice
from .inbox import CLOCK_STATES, Light, deadline_lights
from .visibility import personal_data_q, unit_subtree

MAX_TEXT = 100


def _by_code(model, code, field, label):
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise InvalidInput(
            _("Unknown %(label)s: “%(value)s”.") % {"label": label, "value": code}, code="unknown", field=field,
        )
    return obj


def _light_q(light, now):
    red, yellow = deadline_lights(now)
    if light == Light.RED:
        return red
    if light == Light.YELLOW:
        return yellow & ~red
    if light == Light.GREEN:
        return Q(state__in=CLOCK_STATES, paused_since__isnull=True) & ~yellow
    raise InvalidInput(_("“%(value)s” is not a deadline light.") % {"value": light}, code="invalid_choice",
                       field="light")


def _range(field, start, end, label, argument):
    if start and end and start > end:
        raise InvalidInput(
            _("The %(label)s range starts after it ends.") % {"label": label}, code="invalid", field=argument,
        )
    q = Q()
    if start:
        q &= Q(**{f"{field}__gte": start})
    if end:
        q &= Q(**{f"{field}__lt": end})
    return q


def filter_cases(
    queryset, *, states=None, unit=None, channel=None, case_type=None, directory_item=None, region=None,
    light=None, overdue=None, received_from=None, received_to=None, updated_from=None, updated_to=None,
    text=None, user=None, now=None,
):
    """Narrow ``queryset`` (cases) by:

    - ``states``: any of these states;
    - ``unit`` (code): first received by the unit or one below it, or
      assigned to one of them at any time;
    - ``channel``, ``case_type``: exactly;
    - ``directory_item``, ``region`` (codes): the item or region and
      everything below it;
    - ``light`` (``red``/``yellow``/``green``) and ``overdue`` (red, or
      with ``False`` not red): the workbench's deadline lights;
    - received and updated ranges (from inclusive, to exclusive);
    - ``text``: the case number is it, or the title, content or address
      contain it — these three only on cases whose personal data ``user``
      (when given) may read.
    """
    q = Q()
    if states:
        q &= Q(state__in=[check_choice(s, CaseState, "states", _("state")) for s in states])
    if unit:
        subtree = unit_subtree(_by_code(Unit, unit, "unit", _("unit")).pk)
        held = Assignment.objects.filter(unit_id__in=subtree).values("case_id")
        q &= Q(owner_unit_id__in=subtree) | Q(pk__in=held)
    if channel:
        q &= Q(channel=_by_code(Channel, channel, "channel", _("channel")))
    if case_type:
        q &= Q(case_type=check_choice(case_type, CaseType, "caseType", _("case type")))
    if directory_item:
        item = _by_code(DirectoryItem, directory_item, "directoryItem", _("directory item"))
        q &= Q(directory_item_id__in=item.descendant_ids())
    if region:
        q &= Q(region_id__in=_by_code(Region, region, "region", _("region")).descendant_ids())
    now = now or timezone.now()
    if light:
        q &= _light_q(light, now)
    if overdue is not None:
        red = _light_q(Light.RED, now)
        q &= red if overdue else ~red
    q &= _range("received_at", received_from, received_to, _("received"), "received_from")
    q &= _range("updated_at", updated_from, updated_to, _("updated"), "updated_from")
    if text:
        text = text.strip()
        if len(text) > MAX_TEXT:
            raise InvalidInput(
                _("Search for at most %(n)s characters.") % {"n": MAX_TEXT}, code="too_long", field="search",
            )
        if text:
            in_text = Q(title__icontains=text) | Q(content__icontains=text) | Q(address__icontains=text)
            if user is not None:
                # The text may hold the citizen's name, phone or address: searched only where the user
                # may read them, so that a search cannot confirm what is shown to them masked.
                in_text &= personal_data_q(user)
            q &= Q(number__iexact=text) | in_text
    return queryset.filter(q)
