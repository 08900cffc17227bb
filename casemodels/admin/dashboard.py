"""Workbench panels on the admin home (``construct_homepage_panels``):

- my unit's due-soon and overdue counts, linking into those boxes (from the
  cached box counts: no query when the menu has just counted them);
- today's intake by channel, for dispatchers and administrators (one
  grouped query over the cases the user may see);
- the return-visit queue, for return visitors (the cached counts again)."""

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component

from snippets.models import Role

from ..services.inbox import Scope, get_box
from ..services.visibility import visible_cases
from .inbox import request_counts

R = Role.Code


def box_link(request, key):
    counts = request_counts(request)
    if key not in counts:
        return None
    return {"label": get_box(key).label, "count": counts[key], "url": reverse(f"workbench:{key}"), "key": key}


class RequestPanel(Component):
    """A home panel drawn for the signed-in user of ``request``."""

    def __init__(self, request):
        self.request = request


class DeadlinesPanel(RequestPanel):
    """My unit's cases near their deadline (yellow) and past it (red)."""

    name = "workbench_deadlines"
    template_name = "casemodels/dashboard_deadlines.html"
    order = 50

    def get_context_data(self, parent_context):
        links = [box_link(self.request, key) for key in ("overdue", "due_soon")]
        return {"links": [link for link in links if link is not None]}


class TodayIntakePanel(RequestPanel):
    """Cases received today, by channel (the centre's local day)."""

    name = "workbench_today_intake"
    template_name = "casemodels/dashboard_intake.html"
    order = 60

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        rows = list(
            visible_cases(self.request.user).filter(received_at__gte=start)
            .values("channel__name").annotate(count=Count("pk")).order_by("-count", "channel__name")
        )
        return {"rows": rows, "total": sum(r["count"] for r in rows), "today": today}


class VisitQueuePanel(RequestPanel):
    """How many replied cases wait for their return visit."""

    name = "workbench_visit_queue"
    template_name = "casemodels/dashboard_visits.html"
    order = 70

    def get_context_data(self, parent_context):
        return {"link": box_link(self.request, "to_visit")}


@hooks.register("construct_homepage_panels")
def add_workbench_panels(request, panels):
    scope = Scope.of(request.user)
    if not scope.everything and scope.unit_id is None:
        return
    panels.append(DeadlinesPanel(request))
    if scope.has(R.DISPATCHER, R.ADMINISTRATOR):
        panels.append(TodayIntakePanel(request))
    if scope.has(R.VISITOR):
        panels.append(VisitQueuePanel(request))
