"""Suggestions for the intake desk: where a request should go, and which
recent cases look like the same matter.

``suggest_dispatch`` ranks directory items from two sources and routes each
to a unit, best first. ``score`` is the suggestion's confidence, between 0 and 1.

The keyword rules (documented so that nobody mistakes them for more than
they are):
- each keyword of an active, routable directory item found in the content
  adds its length times its weight (longer keywords are more specific; a
  weight is 1 unless the administrator gave another); the item's own name
  found in the content adds twice its length;
- an item one of whose excluded words occurs in the content is not
  suggested at all, whatever the model says;
- their confidence is ``raw / (raw + 4)``.

The learned model (``casemodels.services.learning``), when a version is
active, that is when it beat the rules on held-back cases: the probability
it gives each item it learned. Where both speak of an item, the two are
combined as independent evidence, ``1 - (1 - p)(1 - k)``; items below 1 %
are not suggested. Without an active model, the rules alone, as before.

Then for each item:
- the region is the one the address (or else the content) names
  (``places.match_region``: names and aliases of every level);
- the unit is what the item's routing gives for that region
  (``route_by_directory``); when routing fails, ``unit`` is None and the
  reason says why;
- the unit's leader and the handler proposed in it (``people``: grid staff
  by their skills).

Each suggestion: ``{"item", "unit", "region", "leader", "handler", "score",
"reason", "sources"}``.
"""

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from snippets.models import DirectoryItem

from .base import CaseActionError
from .learning.store import active_model
from .people import Team
from .places import match_region
from .process_cache import ProcessCache
from .routing import route_by_directory

MIN_CONFIDENCE = 0.01
CACHE_SECONDS = 60


def suggestible_items():
    """Directory items a request can be sent to: active, with a routing."""
    return DirectoryItem.objects.filter(is_active=True).exclude(routing=DirectoryItem.Routing.NONE)


@dataclass(frozen=True)
class KeywordRule:
    """A directory item's keyword rules, as matching reads them."""

    pk: int
    code: str
    name: str
    weighted: tuple
    excluded: tuple

    @classmethod
    def of(cls, item):
        weighted, excluded = item.keyword_rules
        return cls(item.pk, item.code, item.name, tuple(weighted), tuple(excluded))


def _read_rules():
    """Every suggestible item's keyword rules (kept in the process for ``CACHE_SECONDS``)."""
    items = suggestible_items().only("id", "name", "code", "keywords").order_by("code")
    return [KeywordRule.of(item) for item in items]


rulebook = ProcessCache(_read_rules, CACHE_SECONDS)


@receiver([post_save, post_delete], sender=DirectoryItem, dispatch_uid="casemodels.suggestions.forget")
def _forget_on_change(**kwargs):
    rulebook.forget()


def keyword_matches(content, items=None):
    """The keyword rules: ``[(raw score, rule, words found)]`` for the items
    (default: every suggestible one) whose name or keywords occur in
    ``content`` and none of whose excluded words do, best first. A rule has
    the item's ``pk``, ``code`` and ``name``."""
    rules = rulebook.get() if items is None else [KeywordRule.of(item) for item in items]
    scored = []
    for rule in rules:
        if any(word in content for word in rule.excluded):
            continue
        raw, found = 0, []
        if len(rule.name) >= 2 and rule.name in content:
            raw += 2 * len(rule.name)
            found.append(rule.name)
        for keyword, weight in rule.weighted:
            if keyword in content and keyword not in found:
                raw += weight * len(keyword)
                found.append(keyword)
        if raw:
            scored.append((raw, rule, found))
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


def suggest_dispatch(content, address=None, limit=3, *, region=None):
    """Directory items and units for a request, best first (see the module
    docstring). ``region``, when the case already has one, is the place
    instead of what the address or the text names."""
    content = (content or "").strip()
    if not content:
        return []
    found, model = _candidates(content, limit)
    excluded = {rule.pk for rule in rulebook.get() if any(word in content for word in rule.excluded)}
    best_first = sorted((pk for pk, entry in found.items() if pk not in excluded and entry["score"] >= MIN_CONFIDENCE),
                        key=lambda pk: -found[pk]["score"])[:limit + 5]  # a few spare for items gone inactive
    if not best_first:
        return []
    items = suggestible_items().filter(pk__in=best_first).select_related("sector_unit").in_bulk()
    ranked = sorted(
        ((found[pk], items[pk]) for pk in best_first if pk in items),
        key=lambda pair: (-pair[0]["score"], pair[1].code),
    )[:limit]
    if region is None and ranked:
        region = match_region(address) or match_region(content)
    result, teams = [], {}
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
        leader = handler = None
        if unit is not None:
            team = teams.setdefault(unit.pk, Team(unit))
            leader, choice = team.leader(), team.choose_handler(item, content)
            handler = choice.person
            if choice.reason:
                reasons.append(choice.reason)
        result.append({"item": item, "unit": unit, "region": region, "leader": leader, "handler": handler,
                       "score": round(entry["score"], 3), "reason": "；".join(reasons), "sources": sources})
    return result
