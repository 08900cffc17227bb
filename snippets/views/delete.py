"""A delete screen that says what keeps a configuration row from being
deleted (cases, items below it, policies …) instead of failing on the
database's PROTECT, and points to disabling instead."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.snippets.views.snippets import DeleteView

from ..services.directory import deletion_blockers


class ConfigDeleteView(DeleteView):
    template_name = "snippets/confirm_delete.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.blockers = deletion_blockers(self.object)

    @property
    def blocked_message(self):
        reasons = "、".join(
            _("%(count)s in %(what)s") % {"count": count, "what": what} for what, count in self.blockers
        )
        hint = _(" Disable it instead: it keeps its history and is no longer offered.") if hasattr(
            self.object, "is_active") else ""
        return _("“%(object)s” cannot be deleted: it is still used (%(reasons)s).%(hint)s") % {
            "object": self.object, "reasons": reasons, "hint": hint,
        }

    def form_valid(self, form):
        if self.blockers:
            messages.error(self.request, self.blocked_message)
            return redirect(self.get_success_url())
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blockers"] = self.blockers
        context["blocked_message"] = self.blocked_message if self.blockers else ""
        return context
