"""The public site's forms: submitting a request and tracking a case.

They check what a browser can get wrong before anything is counted or
looked up; the business rules (public channels, phone numbers, lengths,
the throttle) stay in ``publishing.submission`` and ``casemodels.services``,
whose refusals ``add_refusal`` shows next to the field they are about."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casemodels.services import CaseActionError
from snippets.models import CaseType

CONTENT_MAX_LENGTH = 5000


class SubmitRequestForm(forms.Form):
    """A citizen's request. Field names are those of ``submit_request``."""

    case_type = forms.ChoiceField(label=_("Kind of request"), choices=CaseType.choices, initial=CaseType.COMPLAINT)
    title = forms.CharField(
        label=_("Subject"), max_length=200, required=False,
        help_text=_("A few words; left empty, the first line of your request is used."),
    )
    content = forms.CharField(
        label=_("Your request"), max_length=CONTENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Describe your request.")},
        help_text=_("What happened, where and since when, and what you would like done."),
    )
    citizen_name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    citizen_phone = forms.CharField(
        label=_("Your phone number"), max_length=30, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("So that the unit handling it can reach you. Needed unless you stay anonymous."),
    )
    address = forms.CharField(
        label=_("Address or place"), max_length=300, required=False,
        help_text=_("Where the problem is, as precisely as you can."),
    )
    is_anonymous = forms.BooleanField(
        label=_("Stay anonymous"), required=False,
        help_text=_("No name or phone number is kept; nobody can call you back about it."),
    )
    is_confidential = forms.BooleanField(
        label=_("Keep my identity confidential"), required=False,
        help_text=_("For reports: your details are shown only to the staff allowed to see them, and the case is never published."),
    )

    error_messages = {
        "phone_required": _("Give a phone number to be reached at, or choose to stay anonymous."),
    }

    def clean(self):
        data = super().clean()
        if data.get("is_anonymous"):
            data["citizen_name"], data["citizen_phone"] = "", ""
        elif not (data.get("citizen_phone") or "").strip() and "citizen_phone" not in self.errors:
            self.add_error("citizen_phone", ValidationError(self.error_messages["phone_required"], code="required"))
        return data

    def add_refusal(self, exc):
        """Show a refusal of ``submit_request`` (a ``CaseActionError`` or a
        ``ValidationError``) next to the field it is about, or above the form."""
        if isinstance(exc, CaseActionError):
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(name if name in self.fields else None, " ".join(error.messages))
            return
        self.add_error(None, " ".join(exc.messages))


class TrackCaseForm(forms.Form):
    """A case number and its query code, as given on submission."""

    number = forms.CharField(
        label=_("Case number"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    query_code = forms.CharField(
        label=_("Query code"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_("The code you were given with the case number."),
    )


def not_found_message():
    """The one answer for a wrong code and an unknown number (a wrong code reveals nothing)."""
    return gettext("No case matches this number and query code. Check both and try again.")


def throttled_message():
    return gettext("Too many attempts with a wrong number or code. Please wait a few minutes and try again.")
