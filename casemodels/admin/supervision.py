"""Supervision notes (提示单 / 督办单) in the admin: a ``ModelViewSet``
(``supervision_notes``) listing the notes the user may read
(``supervision.notes_for``) with filters by unit, kind, state and overdue
answer, and an export; the note page (inspect view) with its cases and
answer; and small forms that call the services:

    supervision_notes:answer <pk>   the addressed unit answers
    supervision_notes:close <pk>    the issuing side closes an answered note
    supervision_notes:overdue       a note to a unit about all its overdue cases

Notes about a single case are issued from the case page ("Supervise",
``permissions.ACTIONS``). The list is linked from the Workbench menu.
Nobody adds, edits or deletes notes through the generic views."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import HeaderButton
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from ..models import SupervisionNote
from ..services import CaseActionError
from ..services import supervision
from ..services.permissions import actor_for
from ..services.visibility import active_profile, sees_every_case, visible_cases
from .forms import TEXTAREA, show_error, units_in_scope
from .policies import StaffReadOnlyPolicy

MENU_NAME = "supervision-notes"


def note_url(note):
    return reverse("supervision_notes:inspect", args=[note.pk])


def passes(guard, note, user):
    actor = actor_for(user)
    if actor is None:
        return False
    try:
        guard(note, actor)
    except CaseActionError:
        return False
    return True


def may_issue(user):
    """Supervisors and dispatchers issue notes (``supervision.ISSUER_ROLES``)."""
    actor = actor_for(user)
    return actor is not None and (actor.is_superuser or bool(actor.roles.intersection(supervision.ISSUER_ROLES)))


# --- Who may look -------------------------------------------------------------------------
class NotePolicy(StaffReadOnlyPolicy):
    """Staff look at the notes they may read (``supervision.notes_for``)."""

    visible = staticmethod(supervision.notes_for)


register_permission_policy(SupervisionNote, NotePolicy(SupervisionNote))


# --- The list -----------------------------------------------------------------------------
class NoteFilterSet(WagtailFilterSet):
    unit = django_filters.ModelChoiceFilter(
        label=_("Addressed to"), queryset=lambda request: units_in_scope(request.user) if request else None,
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SupervisionNote.Kind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=SupervisionNote.State.choices)
    overdue = django_filters.BooleanFilter(
        label=_("Answer overdue"), method="filter_overdue", widget=forms.CheckboxInput,
    )

    class Meta:
        model = SupervisionNote
        fields = ["unit", "kind", "state", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(state=SupervisionNote.State.ISSUED, answer_due__lt=timezone.now())


class NoteIndexView(IndexView):
    """The notes the user may read (and their export)."""

    def get_base_queryset(self):
        return supervision.notes_for(self.request.user).select_related("unit").annotate(case_count=Count("cases"))

    def get_list_more_buttons(self, instance):
        """The viewset's items, and those other apps add through the
        ``supervision_note_buttons`` hook (publishing: the note as a PDF)."""
        buttons = super().get_list_more_buttons(instance)
        for hook in hooks.get_hooks("supervision_note_buttons"):
            buttons.extend(hook(instance, self.request.user))
        return buttons

    @property
    def header_buttons(self):
        if not may_issue(self.request.user):
            return []
        return [HeaderButton(_("Note for a unit's overdue cases"), url=reverse("supervision_notes:overdue"),
                             icon_name="warning")]


class NoteInspectView(InspectView):
    """The note, its cases (those the user can see, linked to their pages),
    the answer, and the buttons to answer or close it."""

    def get_object(self, queryset=None):
        return get_object_or_404(supervision.notes_for(self.request.user).select_related("unit"), pk=self.pk)

    def get_page_subtitle(self):
        return self.object.number

    def get_cases_display_value(self):
        cases = self.object.cases.order_by("number")
        visible = list(visible_cases(self.request.user).filter(pk__in=cases.values("pk")).order_by("number"))
        html = format_html_join(
            "", '<li><a href="{}">{}</a> {}</li>',
            ((reverse("cases:inspect", args=[c.pk]), c.number, c.get_state_display()) for c in visible),
        )
        hidden = cases.count() - len(visible)
        more = format_html("<li>{}</li>", gettext("%(count)s more outside your view") % {"count": hidden}) if hidden else ""
        return format_html("<ul>{}{}</ul>", html, more)

    def get_answer_due_display_value(self):
        due = timezone.localtime(self.object.answer_due).strftime("%Y-%m-%d %H:%M")
        return f"{due} ({gettext('overdue')})" if self.object.answer_overdue else due

    @property
    def header_buttons(self):
        note, user, buttons = self.object, self.request.user, []
        if passes(supervision.check_answer_note, note, user):
            buttons.append(HeaderButton(_("Answer"), url=reverse("supervision_notes:answer", args=[note.pk]),
                                        icon_name="edit"))
        if passes(supervision.check_close_note, note, user):
            buttons.append(HeaderButton(_("Close"), url=reverse("supervision_notes:close", args=[note.pk]),
                                        icon_name="tick"))
        return buttons


# --- The forms ----------------------------------------------------------------------------
class AnswerNoteForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}))


class CloseNoteForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=TEXTAREA)


class OverdueNoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SupervisionNote.Kind.choices, widget=forms.RadioSelect,
                             initial=SupervisionNote.Kind.REMINDER)
    unit = forms.ModelChoiceField(None, label=_("Addressed to"))
    reason = forms.CharField(label=_("Reason and requirements"), widget=TEXTAREA)
    answer_due = forms.DateField(label=_("Answer by"), widget=AdminDateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_in_scope(user)
        self.fields["answer_due"].initial = supervision.sweep_answer_due(timezone.now()).date()


class NoteFormView(WagtailAdminTemplateMixin, FormView):
    """A small form that hands its input to a service; a refusal is shown on
    the form and nothing is written."""

    template_name = "wagtailadmin/generic/form.html"
    header_icon = "warning"
    label = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if actor_for(request.user) is None:
            raise PermissionDenied

    def get_page_title(self):
        return self.label

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(action_url=self.request.path, submit_button_label=self.label,
                       submit_button_active_label=_("Saving…"), media=context["form"].media)
        return context

    def form_valid(self, form):
        try:
            note = self.perform(form.cleaned_data)
        except CaseActionError as exc:
            show_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("%(action)s: note %(number)s.") % {"action": self.label,
                                                                            "number": note.number})
        return redirect(note_url(note))


class NoteStepView(NoteFormView):
    """Answer or close one note the user may read (else "not found")."""

    guard = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.note = get_object_or_404(supervision.notes_for(request.user).select_related("unit"), pk=kwargs["pk"])

    def get(self, request, *args, **kwargs):
        try:
            type(self).guard(self.note, actor_for(request.user))
        except CaseActionError as exc:
            messages.error(request, exc.message)
            return redirect(note_url(self.note))
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.label}: {self.note.number}"

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("supervision_notes:index"), "label": SupervisionNote._meta.verbose_name_plural},
            {"url": note_url(self.note), "label": self.note.number},
            {"url": "", "label": self.label},
        ]


class AnswerNoteView(NoteStepView):
    label = _("Answer")
    form_class = AnswerNoteForm
    guard = supervision.check_answer_note

    def perform(self, data):
        return supervision.answer_note(self.note, acting_user=self.request.user, answer=data["answer"])


class CloseNoteView(NoteStepView):
    label = _("Close")
    form_class = CloseNoteForm
    guard = supervision.check_close_note

    def perform(self, data):
        return supervision.close_note(self.note, acting_user=self.request.user, comment=data["comment"])


class OverdueNoteView(NoteFormView):
    label = _("Note for a unit's overdue cases")
    form_class = OverdueNoteForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not may_issue(request.user):
            raise PermissionDenied

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, data):
        return supervision.issue_note_for_overdue(
            data["unit"], acting_user=self.request.user, kind=data["kind"], reason=data["reason"],
            answer_due=data["answer_due"],
        )


# --- The viewset --------------------------------------------------------------------------
class SupervisionNoteViewSet(ModelViewSet):
    model = SupervisionNote
    name = "supervision_notes"
    url_prefix = "supervision-notes"
    icon = "warning"
    add_to_admin_menu = False
    inspect_view_enabled = True
    index_view_class = NoteIndexView
    inspect_view_class = NoteInspectView
    filterset_class = NoteFilterSet
    search_backend_name = None
    search_fields = ["number", "reason", "answer"]
    form_fields = ["reason"]  # required by ModelViewSet; the policy refuses add and edit
    list_display = [
        # A field name: Wagtail makes the title column, linked to the inspect view, with the row's menu.
        "number",
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("unit", label=_("Addressed to")),
        Column("case_count", label=_("Cases")),
        DateColumn("issued_at", label=_("Issued at"), sort_key="issued_at"),
        DateColumn("answer_due", label=_("Answer due"), sort_key="answer_due"),
        Column("state", label=_("State"), accessor="get_state_display"),
        BooleanColumn("answer_overdue", label=_("Answer overdue")),
    ]
    list_export = ["number", "kind", "unit", "issued_at", "answer_due", "state", "answered_at", "reason", "answer"]
    inspect_view_fields = [
        "number", "kind", "unit", "cases", "reason", "issued_by", "issued_at", "answer_due", "state", "answer",
        "answered_by", "answered_at", "closed_by", "closed_at", "close_comment", "source",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("answer/<int:pk>/", AnswerNoteView.as_view(), name="answer"),
            path("close/<int:pk>/", CloseNoteView.as_view(), name="close"),
            path("overdue/", OverdueNoteView.as_view(), name="overdue"),
        ]


@hooks.register("register_admin_viewset")
def register_supervision_note_viewset():
    return SupervisionNoteViewSet()


# --- The Workbench menu ------------------------------------------------------------------
class NotesMenuItem(MenuItem):
    def is_shown(self, request):
        return sees_every_case(request.user) or active_profile(request.user) is not None


NOTES_MENU_ITEM = NotesMenuItem(_("Supervision notes"), "", name=MENU_NAME, icon_name="warning", order=1000)


@hooks.register("construct_main_menu")
def add_notes_to_the_workbench(request, menu_items):
    """Put the notes list at the end of the Workbench submenu (``admin/inbox.py``),
    for this request only."""
    NOTES_MENU_ITEM.url = reverse("supervision_notes:index")
    for index, item in enumerate(menu_items):
        if item.name == "workbench" and isinstance(item, SubmenuMenuItem):
            children = [i for i in item.menu.registered_menu_items if i.name != MENU_NAME]
            menu_items[index] = SubmenuMenuItem(
                item.label, Menu(items=[*children, NOTES_MENU_ITEM]), name=item.name, icon_name=item.icon_name,
                classname=item.classname, attrs=item.attrs, order=item.order,
            )
            return
