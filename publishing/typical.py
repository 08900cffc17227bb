"""Typical cases (典型案例) on the board and in bulletins: which show, and
how. A typical case shows only while its case may be published
(``publishing.published``: closed or archived, marked public, never
confidential), masked like any published case."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from casemodels.models import Case

from .models import TypicalCase
from .published import published_cases, published_view


class TypicalCaseError(ValueError):
    """The case cannot be held up as typical; the message says why."""


@dataclass(frozen=True)
class TypicalView:
    case: object  # PublishedCase
    headline: str
    commentary: str


def typical_cases(start, end, *, limit=10):
    """The typical cases closed in ``[start, end)``, newest first (two queries and the choice's one)."""
    chosen = {
        t.case_id: t for t in TypicalCase.objects.filter(
            is_active=True, case__closed_at__gte=start, case__closed_at__lt=end,
        ).order_by("-case__closed_at")[:limit]
    }
    if not chosen:
        return []
    cases = published_cases().filter(pk__in=chosen)
    return [
        TypicalView(case=published_view(case), headline=chosen[case.pk].headline,
                    commentary=chosen[case.pk].commentary)
        for case in cases
    ]


def publishable_case(number):
    """The case with this number, when it may be shown as typical; else
    TypicalCaseError naming the number."""
    number = (number or "").strip()
    case = Case.objects.filter(number=number).first()
    if case is None:
        raise TypicalCaseError(_("There is no case numbered “%(number)s”.") % {"number": number})
    if not published_cases().filter(pk=case.pk).exists():
        raise TypicalCaseError(_(
            "Case %(number)s may not be published: only closed cases marked public, never confidential ones, "
            "can be typical cases.") % {"number": number})
    return case


def choose_typical_case(number, *, headline, commentary="", acting_user=None):
    """Hold up the case with this number as typical. Raises TypicalCaseError
    naming the number when there is no such case, or it may not be published."""
    headline = (headline or "").strip()
    if not headline:
        raise TypicalCaseError(_("Write a headline for the typical case."))
    case = publishable_case(number)
    with transaction.atomic():
        typical, _created = TypicalCase.objects.update_or_create(
            case=case, defaults={"headline": headline, "commentary": commentary.strip(), "is_active": True,
                                 "chosen_by": acting_user},
        )
    return typical
