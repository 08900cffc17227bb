"""Who in a unit a request goes to: the unit's leader and a handler.

- The **leader** is an active staff member of the unit with the unit leader
  role (the first by name when there are several).
- The **handler** is chosen among the unit's active staff who handle cases:
  those with the handler role, and those with no role at all (grid staff
  are listed by name, phone and skills and often have no login). Each
  skill (the staff profile's comma-separated "skills") that shares a
  character pair with the directory item's name, its keywords or the
  request's text counts, weighted by the share of its pairs found; the
  best match wins, then the one holding the fewest open cases as handler,
  then the first by name. Where no one's skills match, the handler is
  still proposed (the one with the fewest open cases) and the reason says
  that no skill matched.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from snippets.models import Role, StaffProfile

from ..models import Assignment
from .text import bigrams

R = Role.Code


@dataclass(frozen=True)
class PersonChoice:
    person: StaffProfile | None
    reason: str


def unit_leader(unit):
    """The unit's leader (see the module docstring), or None."""
    if unit is None:
        return None
    return (StaffProfile.objects.filter(unit=unit, is_active=True, roles__code=R.UNIT_LEADER)
            .order_by("name", "pk").first())


def handlers_of(unit):
    """The unit's active staff who handle cases, with their open cases as handler."""
    return (
        StaffProfile.objects.filter(unit=unit, is_active=True)
        .filter(Q(roles__code=R.HANDLER) | Q(roles__isnull=True)).distinct()
        .annotate(open_cases=Count("handled_assignments", filter=Q(handled_assignments__state__in=Assignment.ACTIVE_STATES),
                                   distinct=True))
        .order_by("name", "pk")
    )


def skill_match(skills, text_grams):
    """``(score, skills matched)``: each skill scores the share of its
    character pairs found in the text."""
    score, matched = 0.0, []
    for skill in (s.strip() for s in (skills or "").replace("，", ",").replace("、", ",").split(",")):
        grams = bigrams(skill)
        if not grams:
            continue
        found = len(grams & text_grams)
        if found:
            score += found / len(grams)
            matched.append(skill)
    return score, matched


def choose_handler(unit, item=None, content=""):
    """The handler proposed for a request in ``unit`` (see the module docstring)."""
    if unit is None:
        return PersonChoice(None, "")
    words = [content or ""]
    if item is not None:
        words += [item.name, *item.keyword_list]
    text_grams = bigrams(" ".join(words))
    best, best_key, best_skills = None, None, []
    for person in handlers_of(unit):
        score, matched = skill_match(person.skills, text_grams)
        key = (-score, person.open_cases)
        if best_key is None or key < best_key:  # the order by name breaks ties
            best, best_key, best_skills = person, key, matched
    if best is None:
        return PersonChoice(None, _("%(unit)s lists no handler.") % {"unit": unit})
    if best_skills:
        reason = _("handler %(name)s: skills %(skills)s") % {"name": best.name, "skills": "、".join(best_skills)}
    else:
        reason = _("handler %(name)s: no skill matched, fewest open cases (%(open)d)") % {
            "name": best.name, "open": best.open_cases}
    return PersonChoice(best, reason)
