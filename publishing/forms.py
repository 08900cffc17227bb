"""Admin forms of published outputs."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import TypicalCase
from .typical import TypicalCaseError, publishable_case


class TypicalCaseForm(WagtailAdminModelForm):
    """A typical case chosen by its number (a list of every case would be
    far too long); the number must name a case that may be published."""

    case_number = forms.CharField(label=_("Case number"), max_length=32)

    class Meta:
        model = TypicalCase
        fields = ["headline", "commentary", "is_active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.for_user = for_user
        if self.instance.pk:
            self.fields["case_number"].initial = self.instance.case.number

    def clean_case_number(self):
        try:
            return publishable_case(self.cleaned_data["case_number"])
        except TypicalCaseError as exc:
            raise forms.ValidationError(str(exc)) from None

    def save(self, commit=True):
        self.instance.case = self.cleaned_data["case_number"]
        if self.instance.chosen_by_id is None and self.for_user is not None:
            self.instance.chosen_by = self.for_user
        return super().save(commit=commit)
