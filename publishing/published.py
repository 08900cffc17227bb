"""Published cases (办件公开): the closed cases staff marked as publishable,
as anyone may read them. The one place that decides which cases are listed
and what of them is shown, for the API and the site.

- Listed: cases closed or archived, marked ``is_public``, and never a
  confidential one (举报人保密), whatever its mark.
- Shown: masked. The title and the reply have phone numbers, ID numbers,
  e-mail addresses and the names and addresses of the people concerned
  (the case's citizen, and the citizens of the cases merged into it)
  masked; the citizen's name keeps the family name only, and is left out
  altogether for an anonymous request; the address keeps the street or
  community. The content of the request and every contact detail stay out.
- Order: most recently closed first (``published_at``: the closing time, or
  the receipt time for a case closed without one), then by id.
"""

from dataclasses import dataclass

from django.db.models import F, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from casemodels.models import Case, CaseState
from snippets.models import DirectoryItem, Region

from .masking import mask_address, mask_name, mask_text
from .periods import parse_period

PUBLISHED_STATES = (CaseState.CLOSED, CaseState.ARCHIVED)


@dataclass(frozen=True)
class PublishedCase:
    """A published case as the public sees it (masked)."""

    number: str
    title: str
    case_type: str
    case_type_label: str
    state: str
    state_label: str
    directory_item: object  # DirectoryItem or None (code and name are public)
    region: object  # Region or None
    citizen_name: str | None
    address: str | None
    received_at: object
    closed_at: object
    published_at: object
    reply: str | None


def _subtree_ids(model, code, label):
    node = model.objects.filter(code=code).first()
    if node is None:
        raise ValueError(_("Unknown %(label)s: “%(code)s”.") % {"label": label, "code": code})
    return node.descendant_ids(include_self=True)


def published_cases(*, directory_item=None, region=None, period=None):
    """The published cases, most recently closed first, with what
    ``published_view`` needs loaded (two queries for any number of cases).

    ``directory_item`` and ``region`` are codes: the cases of that item or
    region or any below it. ``period`` is a period string (``2025``,
    ``2025-10``, ``2025-W41``; ``publishing.periods``): the cases closed in
    it. Raises ``ValueError`` with a message naming the bad value for an
    unknown code or a bad period."""
    cases = (
        Case.objects.filter(state__in=PUBLISHED_STATES, is_public=True, is_confidential=False)
        .annotate(published_at=Coalesce(F("closed_at"), F("received_at")))
        .select_related("directory_item", "region")
        .prefetch_related(Prefetch(
            "merged_cases", queryset=Case.objects.only("id", "merged_into_id", "citizen_name", "address"),
        ))
        .order_by("-published_at", "-id")
    )
    if directory_item:
        cases = cases.filter(directory_item_id__in=_subtree_ids(DirectoryItem, directory_item, _("directory item")))
    if region:
        cases = cases.filter(region_id__in=_subtree_ids(Region, region, _("region")))
    if period:
        start, end, _kind = parse_period(period)
        cases = cases.filter(published_at__gte=start, published_at__lt=end)
    return cases


def after(cases, published_at, pk):
    """The cases that come after (``published_at``, ``pk``) in the order of ``published_cases``."""
    return cases.filter(Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk))


def published_view(case):
    """``case`` (from ``published_cases``) as the public sees it."""
    merged = list(case.merged_cases.all())
    names = [case.citizen_name, *(m.citizen_name for m in merged)]
    addresses = [case.address, *(m.address for m in merged)]
    return PublishedCase(
        number=case.number,
        title=mask_text(case.title, names=names, addresses=addresses),
        case_type=case.case_type,
        case_type_label=str(case.get_case_type_display()),
        state=case.state,
        state_label=str(case.get_state_display()),
        directory_item=case.directory_item,
        region=case.region,
        citizen_name=None if case.is_anonymous else (mask_name(case.citizen_name) or None),
        address=mask_address(case.address) or None,
        received_at=case.received_at,
        closed_at=case.closed_at,
        published_at=getattr(case, "published_at", None) or case.closed_at or case.received_at,
        reply=mask_text(case.reply, names=names, addresses=addresses) or None,
    )
