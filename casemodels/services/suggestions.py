"""Suggestions for the intake desk: where a request should go, and which
recent cases look like the same matter.

``suggest_dispatch`` ranks directory items from two sources and routes each
to a unit: a list of ``{"item", "unit", "score", "reason", "sources"}``,
best first. ``score`` is the suggestion's confidence, between 0 and 1.

The keyword rules (documented so that nobody mistakes them for more than
they are):
- each keyword of an active, routable directory item found in the content
  adds its length (longer keywords are more specific); the item's own name
  found in the content adds twice its length;
- their confidence is ``raw / (raw + 4)``.

The learned model (``casemodels.services.learning``), when a version is
active, that is when it beat the rules on held-back cases: the probability
it gives each item it learned. Where both speak of an item, the two are
combined as independent evidence, ``1 - (1 - p)(1 - k)``; items below 1 %
are not suggested. Without an active model, the rules alone, as before.

Then for each item:
- the region is the deepest active region whose name or alias occurs in the
  address or the content (names of two characters or more; the suffixes
  镇/乡/街道/村/社区/市/区/县 may be left out by the caller);
- the unit is what the item's routing gives for that region
  (``route_by_directory``); when routing fails, ``unit`` is None and the
  reason says why.
"""

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from snippets.models import DirectoryItem, Region
from snippets.services.validation import normalise_phone

from ..models import CaseState
from .base import CaseActionError
from .learning.store import active_model
from .routing import route_by_directory
from .visibility import personal_data_q, visible_cases

REGION_SUFFIXES = ("街道", "社区", "镇", "乡", "村", "市", "区", "县")
PHONE_WINDOW = datetime.timedelta(days=30)
CONTENT_WINDOW = datetime.timedelta(days=7)
CONTENT_OVERLAP = 0.6  # Dice coefficient of character bigrams
CONTENT_SCAN = 500  # most recent visible cases compared by content


def _region_names(region):
    full = {region.name.strip()} | {a.strip() for a in region.aliases.replace("，", ",").split(",")}
    short = {
        name[: -len(suffix)] for name in full for suffix in REGION_SUFFIXES
        if name.endswith(suffix) and len(name) - len(suffix) >= 2
    }
    return {n for n in full | short if len(n) >= 2}


def match_region(text):
    """The deepest active region named in ``text`` (ties: the longest name), or None."""
    text = text or ""
    if not text.strip():
        return None
    best, best_key = None, None
    for region in Region.objects.filter(is_active=True).only("id", "name", "aliases", "level", "parent_id"):
        hits = [n for n in _region_names(region) if n in text]
        if hits:
            key = (region.level, max(len(n) for n in hits))
            if best_key is None or key > best_key:
                best, best_key = region, key
    return best


MIN_CONFIDENCE = 0.01


def suggestible_items():
    """Directory items a request can be sent to: active, with a routing."""
    return DirectoryItem.objects.filter(is_active=True).exclude(routing=DirectoryItem.Routing.NONE)


def keyword_matches(content, items=None):
    """The keyword rules: ``[(raw score, item, words found)]`` for the items
    (default: every suggestible one) whose name or keywords occur in
    ``content``, best first."""
    if items is None:
        items = suggestible_items().only("id", "name", "code", "keywords", "routing")
    scored = []
    for item in items:
        raw, found = 0, []
        if len(item.name) >= 2 and item.name in content:
            raw += 2 * len(item.name)
            found.append(item.name)
        for keyword in item.keyword_list:
            if keyword in content and keyword not in found:
                raw += len(keyword)
                found.append(keyword)
        if raw:
            scored.append((raw, item, found))
    scored.sort(key=lambda s: (-s[0], s[1].code))
    return scored


def _candidates(content, limit):
    """``{item id: {"score", "words", "learned"}}`` from the rules and the
    active model, and the model (or None)."""
    found = {}
    for raw, item, words in keyword_matches(content):
        found[item.pk] = {"rules": raw / (raw + 4), "words": words, "model": None}
    model = active_model()
    if model is not None:
        for item_id, probability in model.rank(content, limit=max(limit, 3) + 5):
            entry = found.setdefault(item_id, {"rules": 0.0, "words": [], "model": None})
            entry["model"] = probability
    for entry in found.values():
        p, k = entry["model"] or 0.0, entry["rules"]
        entry["score"] = 1 - (1 - p) * (1 - k)
    return found, model


def suggest_dispatch(content, address=None, limit=3):
    """Directory items and units for a request, best first (see the module docstring)."""
    content = (content or "").strip()
    if not content:
        return []
    found, model = _candidates(content, limit)
    if not found:
        return []
    items = {
        item.pk: item
        for item in suggestible_items().filter(pk__in=list(found)).select_related("sector_unit")
    }
    ranked = sorted(
        ((entry, items[pk]) for pk, entry in found.items() if pk in items and entry["score"] >= MIN_CONFIDENCE),
        key=lambda pair: (-pair[0]["score"], pair[1].code),
    )[:limit]
    region = match_region(f"{address or ''} {content}") if ranked else None
    result = []
    for entry, item in ranked:
        reasons, sources = [], []
        if entry["words"]:
            reasons.append(_("words: %(words)s") % {"words": "、".join(entry["words"])})
            sources.append("rules")
        if entry["model"] is not None and entry["model"] >= MIN_CONFIDENCE:
            reasons.append(_("learned from %(cases)d closed cases, confidence %(confidence).2f") % {
                "cases": model.training_cases, "confidence": entry["model"]})
            sources.append("model")
        try:
            unit, _co = route_by_directory(item, region)
        except CaseActionError as exc:
            unit = None
            reasons.append(exc.message)
        if region is not None:
            reasons.append(_("place: %(region)s") % {"region": region.name})
        result.append({"item": item, "unit": unit, "score": round(entry["score"], 3), "reason": "；".join(reasons),
                       "sources": sources})
    return result


_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text):
    text = _PUNCTUATION.sub("", text or "")
    return {text[i:i + 2] for i in range(len(text) - 1)}


def overlap(a, b):
    """Dice coefficient of two bigram sets (0 … 1)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similar_cases(user, content="", phone="", *, exclude=None, now=None, limit=5):
    """Recent cases ``user`` may see that look like the same matter: the same
    phone in the last 30 days, or a strong content overlap (bigram Dice
    coefficient of 0.6 or more) in the last 7 days. The phone is matched only
    on cases whose personal data the user may read. Merged and invalid cases
    are left out. Returns ``[{"case", "reason", "score"}]``, best first."""
    now = now or timezone.now()
    base = visible_cases(user).exclude(state__in=(CaseState.MERGED, CaseState.INVALID))
    if exclude is not None:
        base = base.exclude(pk=exclude.pk if hasattr(exclude, "pk") else exclude)
    found = {}
    phone = normalise_phone(phone) if phone else ""
    if phone:
        # Only where the user may read the phone: a match must not confirm a number shown to them masked.
        same_phone = base.filter(personal_data_q(user), citizen_phone=phone, received_at__gte=now - PHONE_WINDOW)
        for case in same_phone.order_by("-received_at")[:limit]:
            found[case.pk] = {"case": case, "reason": _("same phone in the last 30 days"), "score": 1.0}
    grams = bigrams(content)
    if len(grams) >= 3:
        recent = base.filter(received_at__gte=now - CONTENT_WINDOW).order_by("-received_at")[:CONTENT_SCAN]
        for case in recent.only("id", "number", "title", "content", "state", "received_at", "citizen_phone",
                                "citizen_name", "address", "is_confidential", "owner_unit_id"):
            score = overlap(grams, bigrams(case.content))
            if score >= CONTENT_OVERLAP and case.pk not in found:
                found[case.pk] = {
                    "case": case, "score": round(score, 3),
                    "reason": _("similar content (%(share)d%%) in the last 7 days") % {"share": round(score * 100)},
                }
    return sorted(found.values(), key=lambda f: (-f["score"], -f["case"].received_at.timestamp()))[:limit]
