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


class Team:
    """A unit's active staff, read once (two queries) for the choices below."""

    def __init__(self, unit):
        self.unit = unit
        self._staff = None

    @property
    def staff(self):
        if self._staff is None:
            self._staff = list(
                StaffProfile.objects.filter(unit=self.unit, is_active=True)
                .annotate(open_cases=Count("handled_assignments", distinct=True,
                                           filter=Q(handled_assignments__state__in=Assignment.ACTIVE_STATES)))
                .prefetch_related("roles").order_by("name", "pk")
            )
        return self._staff

    def leader(self):
        """The unit's leader (see the module docstring), or None."""
        return next((p for p in self.staff if R.UNIT_LEADER in p.role_codes), None)

    def handlers(self):
        return [p for p in self.staff if R.HANDLER in p.role_codes or not p.role_codes]

    def choose_handler(self, item=None, content=""):
        """The handler proposed for a request (see the module docstring)."""
        words = [content or ""]
        if item is not None:
            words += [item.name, *item.keyword_list]
        text_grams = bigrams(" ".join(words))
        best, best_key, best_skills = None, None, []
        for person in self.handlers():
            score, matched = skill_match(person.skills, text_grams)
            key = (-score, person.open_cases)
            if best_key is None or key < best_key:  # the order by name breaks ties
                best, best_key, best_skills = person, key, matched
        if best is None:
            return PersonChoice(None, _("%(unit)s lists no handler.") % {"unit": self.unit})
        if best_skills:
            reason = _("handler %(name)s: skills %(skills)s") % {"name": best.name, "skills": "、".join(best_skills)}
        else:
            reason = _("handler %(name)s: no skill matched, fewest open cases (%(open)d)") % {
                "name": best.name, "open": best.open_cases}
        return PersonChoice(best, reason)


def unit_leader(unit):
    """The unit's leader, or None."""
    return Team(unit).leader() if unit is not None else None


def choose_handler(unit, item=None, content=""):
    """The handler proposed for a request in ``unit``."""
    if unit is None:
        return PersonChoice(None, "")
    return Team(unit).choose_handler(item, content)


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
