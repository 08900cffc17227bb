"""The intake desk (受理登记, ``cases:intake``): a form for call-takers to
register a case from any channel, with live suggestions as the content is
typed (``cases:intake_suggest``, JSON: directory items and units, similar
recent cases, reply templates, the duty boundary of the picked item). A
consultation can be answered on the spot from a template and closed: the
case is registered and answered in one transaction, so a refused answer
registers nothing."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from snippets.models import CaseType, Channel, DirectoryItem, Region, Role, Urgency
from snippets.services.masking import mask_text
from snippets.services.templates import TemplateSyntaxProblem, render_template

from .. import services
from ..models import Assignment, Case, CaseState
from ..services.permissions import actor_for
from ..services.duplicates import similar_cases
from ..services.places import match_region
from ..services.suggestions import suggest_dispatch
from ..services.visibility import sees_personal_data
from .actions import error_summary, knowledge
from ..services.replies import case_template_values
from .forms import show_error

INTAKE_ROLES = {Role.Code.DISPATCHER, Role.Code.ADMINISTRATOR}


def may_register(user):
    """Dispatchers and administrators (and superusers) see the intake desk;
    ``register_case`` itself decides whether they may register."""
    actor = actor_for(user)
    return actor is not None and (actor.is_superuser or bool(actor.roles & INTAKE_ROLES))


class IntakeForm(forms.Form):
    channel = forms.ModelChoiceField(Channel.objects.filter(is_active=True), label=gettext_lazy("Channel"))
    case_type = forms.ChoiceField(label=gettext_lazy("Case type"), choices=CaseType.choices)
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), required=False,
        choices=[("", gettext_lazy("The directory item's default"))] + list(Urgency.choices),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False,
                            help_text=gettext_lazy("Left blank: the first line of the content."))
    content = forms.CharField(label=gettext_lazy("Content"), widget=forms.Textarea(attrs={"rows": 6}))
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    region = forms.ModelChoiceField(
        Region.objects.filter(is_active=True).order_by("level", "code"), label=gettext_lazy("Region"), required=False,
    )
    citizen_name = forms.CharField(label=gettext_lazy("Citizen's name"), max_length=50, required=False)
    citizen_phone = forms.CharField(label=gettext_lazy("Citizen's phone"), max_length=30, required=False)
    citizen_id_number = forms.CharField(label=gettext_lazy("Citizen's ID number"), max_length=18, required=False)
    is_anonymous = forms.BooleanField(label=gettext_lazy("Anonymous"), required=False)
    is_confidential = forms.BooleanField(
        label=gettext_lazy("Confidential"), required=False,
        help_text=gettext_lazy("The reporter's identity is protected; never shown publicly."),
    )
    directory_item = forms.ModelChoiceField(
        DirectoryItem.objects.filter(is_active=True).exclude(routing=DirectoryItem.Routing.NONE).order_by("code"),
        label=gettext_lazy("Directory item"), required=False,
    )
    external_id = forms.CharField(label=gettext_lazy("Id in the channel"), max_length=100, required=False)
    answer_on_the_spot = forms.BooleanField(
        label=gettext_lazy("Answer on the spot and close"), required=False,
        help_text=gettext_lazy("Consultations only: the answer below is given now and the case is closed."),
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Placeholders such as {{ case_number }} are filled in when the case is registered."),
    )
    template = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer_on_the_spot") and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Write the answer, or start from a reply template."))
        return data


class IntakeView(WagtailAdminTemplateMixin, FormView):
    form_class = IntakeForm
    template_name = "casemodels/intake.html"
    page_title = gettext_lazy("Register a case")
    header_icon = "plus"

    def dispatch(self, request, *args, **kwargs):
        if not may_register(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("cases:index"), "label": _("Cases")}, {"url": "", "label": self.get_page_title()}]

    def chosen_template(self, form):
        from snippets.models import ReplyTemplate

        pk = form.cleaned_data.get("template")
        return ReplyTemplate.objects.filter(pk=pk, is_active=True).first() if pk else None

    def register(self, form):
        """Register (and answer) in one transaction; raise CaseActionError on refusal."""
        data = dict(form.cleaned_data)
        on_the_spot, answer = data.pop("answer_on_the_spot"), data.pop("answer")
        data.pop("template")
        data["urgency"] = data["urgency"] or None
        existed = bool(data["external_id"]) and Case.objects.filter(
            channel=data["channel"], external_id=data["external_id"].strip(),
        ).exists()
        with transaction.atomic():
            case = services.register_case(acting_user=self.request.user, auto_dispatch=not on_the_spot, **data)
            if on_the_spot and not existed:
                try:
                    text = render_template(answer, case_template_values(case))
                except TemplateSyntaxProblem as exc:
                    raise services.InvalidInput(str(exc), field="answer") from None
                case = services.answer_on_the_spot(
                    case, acting_user=self.request.user, answer=text, expected_version=case.version,
                )
                template = self.chosen_template(form)
                if template is not None:
                    knowledge().record_template_use(template)
        return case, existed

    def form_valid(self, form):
        try:
            case, existed = self.register(form)
        except services.CaseActionError as exc:
            show_error(form, exc)
            return self.form_invalid(form)
        if existed:
            messages.warning(self.request, _("This request was already registered as case %(number)s.")
                             % {"number": case.number})
        else:
            messages.success(
                self.request,
                _("Case %(number)s registered; the citizen's query code is %(code)s.")
                % {"number": case.number, "code": case.query_code},
            )
            if case.state == CaseState.DISPATCHED:
                lead = case.assignments.filter(role=Assignment.Role.LEAD).select_related("unit").first()
                messages.info(self.request, _("Dispatched automatically to %(unit)s (the channel's auto-dispatch).")
                              % {"unit": lead.unit if lead else "—"})
        return redirect(reverse("cases:inspect", args=[case.pk]))

    def form_invalid(self, form):
        messages.error(self.request, error_summary(form))
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.path, suggest_url=reverse("cases:intake_suggest"),
            submit_button_label=_("Register"), submit_button_active_label=_("Saving…"),
            js_labels={
                "use": _("Use"), "useTemplate": _("Use as answer"), "open": _("Open (merge from its page)"),
                "none": _("Nothing found."), "loading": _("Looking…"),
                "failed": _("Suggestions are not available right now."), "lead": _("Lead"),
                "co": _("Co-handling"), "noUnit": _("no unit"), "leader": _("Unit leader"),
                "handler": _("Handler"),
            },
        )
        return context


def _unit(unit):
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def _person(person):
    return {"id": person.pk, "name": person.name} if person is not None else None


def intake_suggestions(request):
    """JSON for the intake desk, for dispatchers and administrators only:
    ``suggestions`` (directory items and units), ``similar`` (possible
    duplicates the user may see), ``templates`` and ``boundaries``."""
    if not may_register(request.user):
        return JsonResponse({"error": _("Only intake staff may ask for suggestions.")}, status=403)
    params = request.GET
    content, address = params.get("content", "")[:5000], params.get("address", "")[:300]
    item = region = None
    if params.get("directory_item", "").isdigit():
        item = DirectoryItem.objects.filter(pk=int(params["directory_item"]), is_active=True).first()
    if params.get("region", "").isdigit():
        region = Region.objects.filter(pk=int(params["region"]), is_active=True).first()
    case_type = params.get("case_type") or None
    kb = knowledge()
    similar = []
    found_cases = similar_cases(request.user, content, params.get("phone", "")[:30], directory_item=item,
                                region=region or match_region(address))
    for found in found_cases:
        case = found["case"]
        title = case.title if sees_personal_data(request.user, case) else mask_text(case.title)
        similar.append({
            "id": case.pk, "number": case.number, "title": title, "state": case.get_state_display(),
            "received_at": f"{timezone.localtime(case.received_at):%Y-%m-%d %H:%M}", "reason": found["reason"],
            "score": found["score"], "url": reverse("cases:inspect", args=[case.pk]),
        })
    suggestions = [{
        "item": {"id": s["item"].pk, "code": s["item"].code, "name": s["item"].name,
                 "path": s["item"].path_name},
        "unit": _unit(s["unit"]), "score": s["score"], "reason": s["reason"],
        "leader": _person(s["leader"]), "handler": _person(s["handler"]),
    } for s in suggest_dispatch(content, address=address or None)]
    templates = [{
        "id": t.pk, "title": t.title, "body": t.body, "policy_basis": t.policy_basis,
    } for t in kb.find_templates(content, directory_item=item, case_type=case_type, limit=5)] if content.strip() else []
    boundaries = [{
        "matter": b.matter, "description": b.description, "lead_unit": _unit(b.lead_unit),
        "co_units": [_unit(u) for u in b.co_units.all()], "legal_basis": b.legal_basis,
    } for b in kb.boundaries_for(item)] if item is not None else []
    return JsonResponse({
        "suggestions": suggestions, "similar": similar, "templates": templates, "boundaries": boundaries,
    })


class IntakeMenuItem(MenuItem):
    def is_shown(self, request):
        return may_register(request.user)


@hooks.register("register_admin_menu_item")
def register_intake_menu_item():
    return IntakeMenuItem(
        gettext_lazy("Register a case"), reverse("cases:intake"), name="register-case", icon_name="plus", order=90,
    )
