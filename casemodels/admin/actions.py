"""One view for every action button of the case page (URL names
``cases:<action>``, e.g. ``cases:dispatch``; see ``permissions.ACTIONS``).

- A case the user may not see is "not found" (404), for GET and POST alike.
- GET shows the small form, or sends the user back to the case page with
  the reason when the action is not open to them now (the same guard the
  service runs).
- POST hands the input to the service with the version the user saw; a
  refusal (bad input, wrong state, a concurrent change) is shown on the form
  and nothing is written (the services are atomic). Success goes back to
  the case page with a message."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..services import CaseActionError
from ..services.permissions import ACTIONS, actor_for
from ..services.visibility import visible_cases
from ..services.replies import case_template_values
from .forms import FORMS, show_error

TEMPLATE_ACTIONS = {"reply": "reply", "answer": "answer"}  # action: the form field a template fills


def knowledge():
    """The knowledge-base services (``snippets.services.knowledge``)."""
    from snippets.services import knowledge as module

    return module


def error_summary(form):
    """One line naming the fields that need attention (shown as a message)."""
    names = [str(form.fields[name].label or name) for name in form.errors if name in form.fields]
    if names:
        return _("Please correct: %(fields)s.") % {"fields": "、".join(names)}
    return " ".join(str(e) for e in form.non_field_errors())


class CaseActionView(WagtailAdminTemplateMixin, FormView):
    action = None
    template_name = "casemodels/case_action.html"
    header_icon = "doc-full"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if actor_for(request.user) is None and not request.user.is_superuser:
            raise PermissionDenied
        self.case = get_object_or_404(
            visible_cases(request.user).select_related("channel", "owner_unit", "directory_item", "region"),
            pk=kwargs["pk"],
        )
        self.label = ACTIONS[self.action][1]

    @property
    def case_url(self):
        return reverse("cases:inspect", args=[self.case.pk])

    def get(self, request, *args, **kwargs):
        guard = ACTIONS[self.action][0]
        try:
            guard(self.case, actor_for(request.user))
        except CaseActionError as exc:
            messages.error(request, exc.message)
            return redirect(self.case_url)
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.label}: {self.case.number}"

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("cases:index"), "label": _("Cases")},
            {"url": self.case_url, "label": self.case.number},
            {"url": "", "label": self.label},
        ]

    def get_form_class(self):
        return FORMS[self.action]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(case=self.case, user=self.request.user)
        return kwargs

    @cached_property
    def chosen_template(self):
        """The reply template picked for this form (``?template=<id>`` or the posted field)."""
        if self.action not in TEMPLATE_ACTIONS:
            return None
        raw = self.request.POST.get("template") or self.request.GET.get("template")
        if not raw or not str(raw).isdigit():
            return None
        from snippets.models import ReplyTemplate

        return ReplyTemplate.objects.filter(pk=int(raw), is_active=True).first()

    def get_initial(self):
        initial = super().get_initial()
        template = self.chosen_template
        if template is not None:
            from snippets.services.templates import render_template

            initial[TEMPLATE_ACTIONS[self.action]] = render_template(template.body, case_template_values(self.case))
            initial["template"] = template.pk
        return initial

    def templates(self):
        if self.action not in TEMPLATE_ACTIONS:
            return []
        return list(knowledge().find_templates(
            self.case.content, directory_item=self.case.directory_item, case_type=self.case.case_type, limit=8,
        ))

    def form_valid(self, form):
        try:
            form.perform()
        except CaseActionError as exc:
            show_error(form, exc)
            return self.form_invalid(form)
        if self.chosen_template is not None:
            knowledge().record_template_use(self.chosen_template)
        messages.success(
            self.request, _("%(action)s: case %(number)s.") % {"action": self.label, "number": self.case.number},
        )
        return redirect(self.case_url)

    def form_invalid(self, form):
        messages.error(self.request, error_summary(form))
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            case=self.case, action=self.action, action_label=self.label, case_url=self.case_url,
            action_url=self.request.path, submit_button_label=self.label,
            submit_button_active_label=_("Saving…"), reply_templates=self.templates(),
        )
        # Widgets with their own scripts (the date picker of "Supervise").
        context["media"] = context["form"].media
        return context
