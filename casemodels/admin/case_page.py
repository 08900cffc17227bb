"""The case page (the inspect view of the Case viewset, ``cases:inspect``):
the request, the citizen (masked for roles that may not see personal data),
where it stands, deadlines with their lights, units and assignments,
requests under review, visits and consultations, whether the case is
excluded from assessment (核减: reason, by whom, when), the dossier of every
event, possible duplicates, and a button for each action the user may take
now (``permissions.available_actions``).

Deadline lights follow the one definition of the inboxes
(``casemodels.services.inbox``): the case's own light is read with
``with_lights`` (so the page and the inbox always agree), and each deadline
row uses the same windows:
- "done" once its milestone is reached (signed, replied, closed) or the
  clock no longer runs for the case (replied, closed or ended);
- "paused" while the clock stands still (waiting for the citizen or a
  return review: the deadlines move when it resumes);
- red: the deadline has passed;
- yellow: it falls within ``NEAR_SIGN`` (sign-for, 2 hours) or
  ``NEAR_REPLY`` (the others, 24 hours);
- green: otherwise."""

from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import InspectView

from snippets.services.masking import mask_text

from ..models import OPEN_STATES, AssessmentExclusion, Case, CaseState
from ..services import CaseActionError
from ..services.inbox import CLOCK_STATES, NEAR_REPLY, NEAR_SIGN, Light, with_lights
from ..services.intake import check_merge_duplicate
from ..services.permissions import ACTIONS, actor_for, available_actions, may
from ..services.duplicates import similar_cases
from ..services.disclosure import Disclosure
from ..services.privacy import Where, log_personal_data_access, shown_fields
from ..services.visibility import sees_personal_data, visible_cases

LIGHT_LABELS = {
    **Light.LABELS, "done": _("Done"), "paused": _("Paused"),
}


def light(due, now, *, near, done=False, paused=False):
    """``green`` / ``yellow`` / ``red`` / ``done`` / ``paused`` (see the module
    docstring), or None without a deadline."""
    if due is None:
        return None
    if done:
        return "done"
    if paused:
        return "paused"
    if now > due:
        return Light.RED
    return Light.YELLOW if due - now <= near else Light.GREEN


def case_deadlines(case, now):
    running = case.state in CLOCK_STATES
    paused = case.paused_since is not None
    signed = case.state not in (CaseState.RECEIVED, CaseState.DISPATCHED)
    replied = case.replied_at is not None
    rows = [
        (_("Sign for"), case.sign_due, NEAR_SIGN, signed),
        (_("First contact"), case.contact_due, NEAR_REPLY, replied),
        (_("Reply"), case.reply_due, NEAR_REPLY, replied),
        (_("Completion"), case.completion_due, NEAR_REPLY, case.closed_at is not None),
    ]
    result = []
    for label, due, near, done in rows:
        colour = light(due, now, near=near, done=done or not running, paused=paused)
        if colour is not None:
            result.append({"label": label, "due": due, "light": colour, "light_label": LIGHT_LABELS[colour]})
    return result


def person(user):
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    return profile.name if profile is not None else user.get_username()


class CasePageView(InspectView):
    """Another unit's case is not found, rather than shown."""

    template_name = "casemodels/case_page.html"

    def get_object(self, queryset=None):
        queryset = visible_cases(self.request.user).select_related(
            "channel", "owner_unit", "directory_item", "region", "merged_into", "policy", "created_by",
        )
        return get_object_or_404(queryset, pk=unquote(str(self.pk)))

    def get_page_title(self):
        return _("Case %(number)s") % {"number": self.object.number}

    def get_fields(self):
        return []

    def masker(self):
        return Disclosure(self.request.user, self.object, sees=self.sees).text

    def citizen(self):
        return Disclosure(self.request.user, self.object, sees=self.sees).citizen()

    def duplicates(self, actor):
        """Similar recent cases; one click merges this case into one of them
        when the user may do so."""
        case = self.object
        if case.state not in OPEN_STATES:
            return []
        try:
            mergeable = actor is not None and check_merge_duplicate(case, actor) is None
        except CaseActionError:
            mergeable = False
        rows = []
        for found in similar_cases(self.request.user, case.content, case.citizen_phone, exclude=case,
                                   directory_item=case.directory_item, region=case.region):
            other = found["case"]
            rows.append({
                "case": other, "reason": found["reason"], "url": reverse("cases:inspect", args=[other.pk]),
                "title": mask_text(other.title) if not self.sees else other.title,
                "merge_url": (reverse("cases:merge", args=[other.pk])
                              if mergeable and other.pk != case.pk and may(other, actor, "merge") else None),
            })
        return rows

    def exclusion(self, mask):
        """The case's exclusion from assessment (核减), or None."""
        exclusion = (AssessmentExclusion.objects.filter(case_id=self.object.pk)
                     .select_related("excluded_by__staff_profile").first())
        if exclusion is None:
            return None
        return {"reason": mask(exclusion.reason), "by": person(exclusion.excluded_by), "at": exclusion.excluded_at}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        self.sees = sees_personal_data(user, case)
        mask = self.masker()
        now = timezone.now()
        paused = case.paused_since is not None
        running = case.state in CLOCK_STATES
        case_light = with_lights(Case.objects.filter(pk=case.pk), now).values_list("light", flat=True).first()
        actor = actor_for(user)
        events = case.events.select_related("actor__staff_profile", "unit").order_by("created_at", "id")
        assignments = case.assignments.select_related("unit", "parent__unit", "handler").order_by("id")
        citizen = self.citizen()
        if self.sees and shown_fields(citizen):
            log_personal_data_access(user, case, where=Where.CASE_PAGE, fields=shown_fields(citizen))
        context.update(
            case=case,
            sees_personal_data=self.sees,
            citizen=citizen,
            title=mask(case.title),
            content=mask(case.content),
            reply=mask(case.reply),
            case_light=case_light, case_light_label=LIGHT_LABELS.get(case_light, ""),
            deadlines=case_deadlines(case, now),
            assignments=[{
                "a": a,
                "sign_light": light(a.sign_due, now, near=NEAR_SIGN, paused=paused,
                                    done=a.signed_at is not None or not a.is_active or not running),
                "reply_light": light(a.reply_due, now, near=NEAR_REPLY, paused=paused,
                                     done=not a.is_active or not running),
            } for a in assignments],
            light_labels=LIGHT_LABELS,
            events=[{"e": e, "actor": person(e.actor), "note": mask(e.note)} for e in events],
            return_requests=case.return_requests.select_related("unit").order_by("requested_at"),
            extension_requests=case.extension_requests.select_related("unit").order_by("requested_at"),
            pauses=case.pauses.order_by("started_at"),
            visits=case.return_visits.order_by("visited_at"),
            consultations=case.consultations.prefetch_related("units").order_by("held_at"),
            merged_cases=case.merged_cases.order_by("number"),
            exclusion=self.exclusion(mask),
            actions=[{"code": code, "label": ACTIONS[code][1], "url": reverse(f"cases:{code}", args=[case.pk])}
                     for code in available_actions(case, user)],
            duplicates=self.duplicates(actor),
        )
        return context
