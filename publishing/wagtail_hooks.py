"""Admin screens of published outputs: bulletin series, bulletin issues
(with Preview, Render, Publish and Withdraw, each calling
``publishing.bulletins``), typical cases, and the PDF of a reminder or
supervision note."""

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import HeaderButton
from wagtail.admin.widgets.button import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from casemodels.services.supervision import notes_for

from .bulletins import BulletinError, create_issue, publish_issue, render_pdf_bytes, withdraw_issue
from .forms import TypicalCaseForm
from .models import Bulletin, BulletinSeries, TypicalCase
from .notes import note_pdf

RENDER_TASK = "publishing.tasks.render_bulletin"


class BulletinSeriesViewSet(SnippetViewSet):
    """Bulletin series: name, numbering, schedule, sections and layout."""

    model = BulletinSeries
    icon = "list-ul"
    menu_label = _("Bulletin series")
    menu_order = 361
    add_to_admin_menu = True
    search_backend_name = None
    search_fields = ["name", "issuer"]
    list_display = ["name", "issuer", "schedule", "numbering", BooleanColumn("publish_automatically"),
                    BooleanColumn("is_active")]
    list_filter = ["schedule", "is_active"]


class BulletinIndexView(IndexView):
    """The issues, with their actions in each row's menu."""

    def get_header_buttons(self):
        buttons = super().get_header_buttons()
        if self.request.user.has_perm("publishing.change_bulletin"):
            buttons.append(HeaderButton(gettext("Make an issue"), url=reverse("bulletin_actions:make"),
                                        icon_name="plus"))
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not self.request.user.has_perm("publishing.change_bulletin"):
            return buttons
        if instance.document_id:
            buttons.append(MenuItem(gettext("Open the PDF"), url=instance.document.url, icon_name="doc-full",
                                    priority=1))
        if instance.withdrawn_at is None:
            buttons.append(MenuItem(gettext("Preview"), url=reverse("bulletin_actions:preview", args=[instance.pk]),
                                    icon_name="view", priority=2))
            for action, label, icon in (("render", gettext("Render again"), "rotate"),
                                        ("publish", gettext("Publish"), "upload"),
                                        ("withdraw", gettext("Withdraw"), "cross")):
                if action in BulletinActionView.applicable(instance):
                    buttons.append(MenuItem(label, url=reverse("bulletin_actions:act", args=[instance.pk, action]),
                                            icon_name=icon, priority=3))
        return buttons


class StatusColumn(Column):
    def get_value(self, instance):
        return instance.status_label


class BulletinViewSet(SnippetViewSet):
    """Bulletin issues: made by the schedule or by "Make an issue", drafts
    until published; each row's menu previews, renders again, publishes or
    withdraws. Chinese names are not split into words by the database
    search backends, so list search uses the ORM."""

    model = Bulletin
    index_view_class = BulletinIndexView
    icon = "doc-full"
    menu_label = _("Bulletins")
    menu_order = 360
    add_to_admin_menu = True
    search_backend_name = None
    inspect_view_enabled = True
    search_fields = ["series__name", "title", "period_label"]
    list_display = ["label", "title", "period_label", "page_count", StatusColumn("status", label=_("status")),
                    "published_at"]
    list_filter = ["series", "year", "is_published"]
    list_export = ["series", "year", "number", "title", "period", "period_label", "page_count", "is_published",
                   "published_at", "withdrawn_at", "withdraw_reason"]
    ordering = ["-created_at", "-pk"]


class TypicalCaseViewSet(SnippetViewSet):
    """Typical cases (典型案例) for the board and the bulletins, chosen by case number."""

    model = TypicalCase
    icon = "pick"
    menu_label = _("Typical cases")
    menu_order = 362
    add_to_admin_menu = True
    search_backend_name = None
    search_fields = ["headline", "case__number"]
    list_display = ["headline", "case", BooleanColumn("is_active"), "chosen_at"]
    list_filter = ["is_active"]
    edit_handler = ObjectList(
        [FieldPanel("case_number"), FieldPanel("headline"), FieldPanel("commentary"), FieldPanel("is_active")],
        base_form_class=TypicalCaseForm,
    )


register_snippet(BulletinSeriesViewSet)
register_snippet(BulletinViewSet)
register_snippet(TypicalCaseViewSet)


# --- Actions on issues ------------------------------------------------------------------
def _editor(request):
    if not request.user.has_perm("publishing.change_bulletin"):
        raise PermissionDenied


def _index_url():
    return reverse(Bulletin.snippet_viewset.get_url_name("list"))


class MakeIssueForm(forms.Form):
    series = forms.ModelChoiceField(label=_("Series"), queryset=BulletinSeries.objects.filter(is_active=True))
    period = forms.CharField(
        label=_("Period"), max_length=10,
        help_text=_("2025-10 for a month, 2025-W41 for an ISO week, 2025 for a year."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class MakeIssueView(WagtailAdminTemplateMixin, FormView):
    """Make an issue of a series for a period, then render it in the background."""

    form_class = MakeIssueForm
    template_name = "publishing/admin/bulletin_action.html"
    page_title = _("Make an issue")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        _editor(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            bulletin = create_issue(form.cleaned_data["series"], period=form.cleaned_data["period"],
                                    title=form.cleaned_data["title"], acting_user=self.request.user)
        except BulletinError as exc:
            form.add_error("period", str(exc))
            return self.form_invalid(form)
        queue_render(bulletin)
        messages.success(self.request, gettext("%(label)s is made; its PDF is being rendered.")
                         % {"label": bulletin.label})
        return redirect(_index_url())


def queue_render(bulletin):
    from django_q.tasks import async_task

    async_task(RENDER_TASK, bulletin.pk, group="bulletins", task_name=f"render-bulletin-{bulletin.pk}")


class ActionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class BulletinActionView(WagtailAdminTemplateMixin, FormView):
    """A confirmation, then on POST: render again (in the background), publish or withdraw."""

    form_class = ActionForm
    template_name = "publishing/admin/bulletin_action.html"
    header_icon = "doc-full"
    TITLES = {"render": _("Render again"), "publish": _("Publish"), "withdraw": _("Withdraw")}

    @staticmethod
    def applicable(bulletin):
        if bulletin.withdrawn_at is not None:
            return set()
        if bulletin.is_published:
            return {"withdraw"}
        return {"render", "withdraw"} | ({"publish"} if bulletin.document_id else set())

    def dispatch(self, request, pk, action):
        _editor(request)
        self.bulletin = get_object_or_404(Bulletin.objects.select_related("series"), pk=pk)
        if action not in self.TITLES:
            raise PermissionDenied
        self.action = action
        return super().dispatch(request, pk, action)

    def get_page_title(self):
        return f"{self.TITLES[self.action]}: {self.bulletin.label}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(bulletin=self.bulletin, action=self.action, show_reason=self.action == "withdraw")
        return context

    def form_valid(self, form):
        try:
            if self.action == "withdraw":
                withdraw_issue(self.bulletin, reason=form.cleaned_data["reason"], acting_user=self.request.user)
                messages.success(self.request, gettext("%(label)s is withdrawn.") % {"label": self.bulletin.label})
            elif self.action == "publish":
                publish_issue(self.bulletin, acting_user=self.request.user)
                messages.success(self.request, gettext("%(label)s is published.") % {"label": self.bulletin.label})
            else:
                if self.bulletin.is_published:
                    raise BulletinError(gettext("%(label)s is published: withdraw it before rendering it again.")
                                        % {"label": self.bulletin.label})
                if self.bulletin.withdrawn_at is not None:  # the task would refuse it, after "being rendered"
                    raise BulletinError(gettext("%(label)s was withdrawn.") % {"label": self.bulletin.label})
                queue_render(self.bulletin)
                messages.success(self.request, gettext("%(label)s is being rendered again.")
                                 % {"label": self.bulletin.label})
        except BulletinError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        return redirect(_index_url())


def preview_view(request, pk):
    """The issue's PDF rendered now from the current figures, shown inline and stored nowhere."""
    _editor(request)
    bulletin = get_object_or_404(Bulletin.objects.select_related("series"), pk=pk)
    pdf, _pages = render_pdf_bytes(bulletin)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{quote(bulletin.pk)}.pdf"'
    return response


def note_pdf_view(request, pk):
    """A reminder or supervision note as a PDF for its unit."""
    note = get_object_or_404(notes_for(request.user).select_related("unit"), pk=pk)
    response = HttpResponse(note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{note.number}.pdf"'
    return response


@hooks.register("register_admin_urls")
def register_bulletin_action_urls():
    return [
        path("bulletin-actions/", (
            [
                path("make/", MakeIssueView.as_view(), name="make"),
                path("<int:pk>/preview/", preview_view, name="preview"),
                path("<int:pk>/<str:action>/", BulletinActionView.as_view(), name="act"),
                path("notes/<int:pk>/pdf/", note_pdf_view, name="note_pdf"),
            ],
            "bulletin_actions", "bulletin_actions",
        )),
    ]


@hooks.register("supervision_note_buttons")
def note_pdf_button(note, user):
    """A "PDF" item in a note's menu (the note screens ask this hook; casemodels does not know publishing)."""
    return [MenuItem(gettext("PDF for the unit"), url=reverse("bulletin_actions:note_pdf", args=[note.pk]),
                     icon_name="doc-full", priority=5)]
