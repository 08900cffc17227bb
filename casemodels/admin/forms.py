"""The small forms behind each action button of the case page.

A form only collects input: ``perform`` hands it to the lifecycle service,
which checks who may act, the state, the input and the version, and raises a
``CaseActionError`` (shown on the form by ``show_error``) when it refuses.
Field names are the services' parameter names, so an error's ``field``
lands on the right input."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from snippets.models import Unit

from .. import services
from ..models import CaseState, Consultation, DivertRoute, Satisfaction, VisitMethod
from ..models.supervision import SupervisionNote
from ..services.publicity import set_case_public
from ..services import progress, supervision
from ..services.base import active_lead
from ..services.dispatching import previous_lead_unit
from ..services.permissions import actor_for
from ..services.routing import route_by_directory
from ..services.visibility import unit_subtree, visible_cases
from ..services.visits import ATTEMPT_METHODS

TEXTAREA = forms.Textarea(attrs={"rows": 4})


def units_in_scope(user, below=None, include_self=True):
    """Active units the user may send a case to (their unit's subtree; every
    unit for a superuser), optionally only those below ``below``."""
    queryset = Unit.objects.filter(is_active=True).order_by("level", "code")
    actor = actor_for(user)
    if actor is None:
        return queryset.none()
    if not actor.is_superuser:
        queryset = queryset.filter(id__in=unit_subtree(actor.unit.pk)) if actor.unit else queryset.none()
    if below is not None:
        queryset = queryset.filter(id__in=unit_subtree(below.pk))
        if not include_self:
            queryset = queryset.exclude(pk=below.pk)
    return queryset


def show_error(form, exc):
    """Put a refused action's message on the field it names, else on the form."""
    field = exc.field if exc.field in form.fields and not form.fields[exc.field].widget.is_hidden else None
    form.add_error(field, exc.message)


class ActionForm(forms.Form):
    """Every action form carries the case version the user saw."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case, user, **kwargs):
        self.case, self.user = case, user
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = case.version
        self.setup()

    def setup(self):
        pass

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data.pop("expected_version", None)
        return data

    def perform(self):
        """Call the service; return the changed case (or what the service returns)."""
        return self.service(
            self.case, acting_user=self.user, expected_version=self.cleaned_data["expected_version"],
            **self.service_kwargs(),
        )


class DispatchForm(ActionForm):
    service = staticmethod(services.dispatch_case)
    unit = forms.ModelChoiceField(
        Unit.objects.none(), label=_("Lead unit"), required=False,
        empty_label=_("By the directory item's routing"),
    )
    co_units = forms.ModelMultipleChoiceField(
        Unit.objects.none(), label=_("Co-handling units"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA)

    def setup(self):
        self.fields["unit"].queryset = self.fields["co_units"].queryset = units_in_scope(self.user)
        try:
            unit, co_units = route_by_directory(self.case.directory_item, self.case.region)
        except services.CaseActionError:
            return
        self.fields["unit"].initial = unit.pk
        self.fields["co_units"].initial = [u.pk for u in co_units]
        self.fields["unit"].help_text = _("Suggested by the directory: %(unit)s") % {"unit": unit}

    def service_kwargs(self):
        data = super().service_kwargs()
        data["co_units"] = list(data["co_units"] or ())
        return data


class SignForm(ActionForm):
    service = staticmethod(services.sign_case)


class SubDispatchForm(ActionForm):
    service = staticmethod(services.sub_dispatch_case)
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Unit below yours"))
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA)

    def setup(self):
        lead = active_lead(self.case)
        below = lead.unit if lead else None
        self.fields["unit"].queryset = (
            units_in_scope(self.user, below=below, include_self=False) if below else Unit.objects.none()
        )


class EscalateForm(ActionForm):
    service = staticmethod(services.escalate_case)
    unit = forms.ModelChoiceField(
        Unit.objects.none(), label=_("Unit above"), required=False, empty_label=_("The unit directly above"),
    )
    reason = forms.CharField(label=_("Reason for the whistle"), widget=TEXTAREA)

    def setup(self):
        lead = active_lead(self.case)
        above = [u.pk for u in lead.unit.ancestors()] if lead else []
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=above, is_active=True).order_by("-level")


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA)


class RequestReturnForm(ReasonForm):
    service = staticmethod(services.request_return)


class InvalidForm(ReasonForm):
    service = staticmethod(services.mark_invalid)


class ReviewForm(ActionForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"), choices=[("yes", _("Approve")), ("no", _("Reject"))],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA,
                           help_text=_("Required when rejecting."))


class ReviewReturnForm(ReviewForm):
    service = staticmethod(services.review_return)


class ReviewExtensionForm(ReviewForm):
    service = staticmethod(services.review_extension)


class RequestExtensionForm(ActionForm):
    service = staticmethod(services.request_extension)
    working_days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA)


class TemplateMixin(forms.Form):
    """A text the user may start from a reply template (``template`` holds its id)."""

    template = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_kwargs(self):
        data = super().service_kwargs()
        data.pop("template", None)
        return data


class ReplyForm(TemplateMixin, ActionForm):
    service = staticmethod(services.reply_case)
    reply = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 8}))


class AnswerForm(TemplateMixin, ActionForm):
    service = staticmethod(services.answer_on_the_spot)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}))
    close = forms.BooleanField(label=_("Close the case now"), required=False, initial=True,
                               help_text=_("Leave unticked to keep it for a return visit."))


class ReturnVisitForm(ActionForm):
    service = staticmethod(services.record_return_visit)
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    resolved = forms.TypedChoiceField(
        label=_("Resolved"), choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(label=_("Method"), choices=VisitMethod.choices, initial=VisitMethod.PHONE)
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA)
    redispatch = forms.BooleanField(
        label=_("Dispatch again when unsatisfied or unresolved"), required=False, initial=True,
    )


class VisitAttemptForm(ActionForm):
    """An attempt to reach the citizen for the return visit that failed."""

    service = staticmethod(services.record_visit_attempt)
    method = forms.ChoiceField(
        label=_("Method"), initial=VisitMethod.PHONE,
        choices=[(value, label) for value, label in VisitMethod.choices if value in ATTEMPT_METHODS],
    )
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA,
                           help_text=_("E.g. no answer, number out of service, message left."))


class RedispatchForm(ActionForm):
    service = staticmethod(services.redispatch_case)
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Unit"), required=False,
                                  empty_label=_("The last lead unit"))
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA)

    def setup(self):
        self.fields["unit"].queryset = units_in_scope(self.user)
        previous = previous_lead_unit(self.case)
        if previous is not None:
            self.fields["unit"].initial = previous.pk


class CloseForm(ActionForm):
    service = staticmethod(services.close_case)
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA,
                           help_text=_("Required for a case in the unsatisfied ledger."))


class MergeForm(ActionForm):
    """Merge other cases into this one (the primary)."""

    duplicates = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Duplicates to merge into this case"), widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA)

    def setup(self):
        self.fields["duplicates"].queryset = (
            visible_cases(self.user).filter(state__in=(CaseState.RECEIVED, CaseState.DISPATCHED))
            .exclude(pk=self.case.pk).order_by("-received_at")
        )
        self.fields["duplicates"].label_from_instance = lambda c: f"{c.number} {c.title}"

    def perform(self):
        # merge_cases locks every case itself and takes no version.
        primary, _merged = services.merge_cases(
            self.case, list(self.cleaned_data["duplicates"]), acting_user=self.user, note=self.cleaned_data["note"],
        )
        return primary


class DivertForm(ActionForm):
    service = staticmethod(services.divert_case)
    route = forms.ChoiceField(label=_("Legal route"), choices=DivertRoute.choices)
    note = forms.CharField(label=_("Explanation to the citizen"), widget=TEXTAREA)


class RequestInfoForm(ActionForm):
    service = staticmethod(services.request_info)
    missing = forms.CharField(label=_("What is missing"), widget=TEXTAREA)


class ResumeForm(ActionForm):
    service = staticmethod(services.resume_case)
    information = forms.CharField(label=_("Information received"), widget=TEXTAREA)


class ConsultForm(ActionForm):
    service = staticmethod(services.hold_consultation)
    level = forms.TypedChoiceField(label=_("Level"), choices=Consultation.Level.choices, coerce=int)
    units = forms.ModelMultipleChoiceField(
        Unit.objects.filter(is_active=True).order_by("level", "code"), label=_("Units taking part"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    topic = forms.CharField(label=_("Topic"), max_length=200)
    conclusion = forms.CharField(label=_("Conclusion"), widget=TEXTAREA)

    def service_kwargs(self):
        data = super().service_kwargs()
        data["units"] = list(data["units"])
        return data


class ArchiveForm(ActionForm):
    service = staticmethod(services.archive_case)


class SuperviseForm(ActionForm):
    """A reminder or supervision note about this case, to the unit holding it
    or a unit above it within the user's scope (``supervision.issue_note``)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SupervisionNote.Kind.choices, widget=forms.RadioSelect,
                             initial=SupervisionNote.Kind.REMINDER)
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Addressed to"))
    reason = forms.CharField(label=_("Reason and requirements"), widget=TEXTAREA)
    answer_due = forms.DateField(label=_("Answer by"), widget=AdminDateInput)

    def setup(self):
        lead = active_lead(self.case)
        chain = [u.pk for u in lead.unit.ancestors(include_self=True)] if lead else []
        self.fields["unit"].queryset = units_in_scope(self.user).filter(pk__in=chain).order_by("-level")
        if lead is not None:
            self.fields["unit"].initial = lead.unit.pk
        self.fields["answer_due"].initial = supervision.sweep_answer_due(timezone.now()).date()

    def perform(self):
        data = self.cleaned_data
        return supervision.issue_note(
            data["kind"], data["unit"], [self.case], acting_user=self.user, reason=data["reason"],
            answer_due=data["answer_due"],
        )


class RecordContactForm(ActionForm):
    """The unit holding the case has reached the citizen (首次联系)."""

    service = staticmethod(services.record_contact)
    method = forms.ChoiceField(label=_("Method"), choices=VisitMethod.choices, initial=VisitMethod.PHONE)
    note = forms.CharField(label=_("What was said"), widget=TEXTAREA,
                           help_text=_("E.g. the matter confirmed with the citizen and what happens next."))


class PostProgressForm(ActionForm):
    service = staticmethod(progress.post_progress)
    note = forms.CharField(label=_("Progress so far"), widget=TEXTAREA)


class ExcludeForm(ActionForm):
    """Leave the case out of every assessment figure after review (核减)."""

    service = staticmethod(services.exclude_from_assessment)
    reason = forms.CharField(
        label=_("Reason for the exclusion"), widget=TEXTAREA,
        help_text=_("E.g. a request beyond law or policy, or a duty that is not the unit's; kept in the dossier."),
    )


class RestoreForm(ActionForm):
    """Count an excluded case in the assessment again."""

    service = staticmethod(services.restore_to_assessment)
    reason = forms.CharField(label=_("Reason for restoring the case"), widget=TEXTAREA)


class PublishForm(ActionForm):
    """办件公开: the closed case on the public site's lists, masked (``publicity.set_case_public``)."""

    def perform(self):
        return set_case_public(self.case, True, acting_user=self.user)


class UnpublishForm(ActionForm):
    def perform(self):
        return set_case_public(self.case, False, acting_user=self.user)


FORMS = {
    "dispatch": DispatchForm,
    "sign": SignForm,
    "reply": ReplyForm,
    "sub_dispatch": SubDispatchForm,
    "escalate": EscalateForm,
    "request_return": RequestReturnForm,
    "review_return": ReviewReturnForm,
    "request_extension": RequestExtensionForm,
    "review_extension": ReviewExtensionForm,
    "return_visit": ReturnVisitForm,
    "visit_attempt": VisitAttemptForm,
    "redispatch": RedispatchForm,
    "close": CloseForm,
    "answer": AnswerForm,
    "merge": MergeForm,
    "divert": DivertForm,
    "invalid": InvalidForm,
    "request_info": RequestInfoForm,
    "resume": ResumeForm,
    "consult": ConsultForm,
    "archive": ArchiveForm,
    "supervise": SuperviseForm,
    "record_contact": RecordContactForm,
    "post_progress": PostProgressForm,
    "exclude": ExcludeForm,
    "restore": RestoreForm,
    "publish": PublishForm,
    "unpublish": UnpublishForm,
}
