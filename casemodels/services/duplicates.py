"""Duplicates and repeats (重复件, 并单): recent cases that look like the
same matter as a new request, each with a score in [0, 1] and a reason.

Three signals, each within its window (settings, in days):

- **the same caller**: the same citizen phone in the last
  ``MINSHENG_DUPLICATE_PHONE_DAYS`` (30) days; score 1. Matched only on
  cases whose personal data the user may read, so that a match never
  confirms a number the user is shown masked;
- **the same place and matter**: the same directory item and the same
  region in the last ``MINSHENG_DUPLICATE_PLACE_DAYS`` (30) days; score
  0.5, plus half the text overlap;
- **near-identical text**, from any channel: a Dice coefficient of the
  character pairs of ``CONTENT_OVERLAP`` (0.6) or more in the last
  ``MINSHENG_DUPLICATE_CONTENT_DAYS`` (7) days; score the coefficient. The
  candidates come from the content fingerprints (``fingerprints``), so the
  cost does not grow with the number of cases.

A case found by several signals gets the highest score and every reason.
Merged and invalid cases are left out, and only cases the user may see are
considered. The same signals feed the repeat warning rules (same caller;
same item and region), which count merged duplicates as repeats.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.services.validation import normalise_phone

from ..models import CaseState
from . import fingerprints
from .text import bigrams, overlap
from .visibility import personal_data_q, visible_cases

CONTENT_OVERLAP = 0.6
PLACE_SCORE = 0.5
CANDIDATES = 1000  # before the visibility filter: other units' cases share bands too
FIELDS = ("id", "number", "title", "content", "state", "received_at", "citizen_phone", "citizen_name", "address",
          "is_confidential", "owner_unit_id", "directory_item_id", "region_id", "channel_id")


def _days(name, default):
    return datetime.timedelta(days=getattr(settings, name, default))


def phone_window():
    return _days("MINSHENG_DUPLICATE_PHONE_DAYS", 30)


def place_window():
    return _days("MINSHENG_DUPLICATE_PLACE_DAYS", 30)


class _Found:
    def __init__(self):
        self.cases = {}

    def add(self, case, score, reason):
        entry = self.cases.setdefault(case.pk, {"case": case, "score": 0.0, "reasons": []})
        entry["score"] = max(entry["score"], round(score, 3))
        entry["reasons"].append(reason)

    def ranked(self, limit):
        found = sorted(self.cases.values(), key=lambda f: (-f["score"], -f["case"].received_at.timestamp()))
        return [{"case": f["case"], "score": f["score"], "reason": "；".join(f["reasons"])} for f in found[:limit]]


def similar_cases(user, content="", phone="", *, directory_item=None, region=None, exclude=None, now=None, limit=5):
    """Recent cases ``user`` may see that look like the same matter (see the
    module docstring): ``[{"case", "score", "reason"}]``, best first."""
    now = now or timezone.now()
    base = visible_cases(user).exclude(state__in=(CaseState.MERGED, CaseState.INVALID)).only(*FIELDS)
    if exclude is not None:
        base = base.exclude(pk=getattr(exclude, "pk", exclude))
    found = _Found()
    grams = bigrams(content)

    phone = normalise_phone(phone) if phone else ""
    if phone:
        days = phone_window().days
        same_phone = base.filter(personal_data_q(user), citizen_phone=phone, received_at__gte=now - phone_window())
        for case in same_phone.order_by("-received_at")[:limit]:
            found.add(case, 1.0, _("same phone in the last %(days)d days") % {"days": days})

    if directory_item is not None and region is not None:
        same_place = base.filter(directory_item=directory_item, region=region, received_at__gte=now - place_window())
        for case in same_place.order_by("-received_at")[:limit * 4]:
            share = overlap(grams, bigrams(case.content))
            found.add(case, PLACE_SCORE + share / 2, _(
                "same matter (%(item)s) at the same place (%(region)s) in the last %(days)d days"
            ) % {"item": directory_item, "region": region, "days": place_window().days})

    if len(grams) >= 3:
        ids = fingerprints.candidate_ids(content, now - fingerprints.content_window(), limit=CANDIDATES)
        if ids:
            for case in base.filter(pk__in=ids, received_at__gte=now - fingerprints.content_window()):
                share = overlap(grams, bigrams(case.content))
                if share >= CONTENT_OVERLAP:
                    found.add(case, share, _("similar text (%(share)d%%) in the last %(days)d days") % {
                        "share": round(share * 100), "days": fingerprints.content_window().days})
    return found.ranked(limit)
