"""Replying from a reply template: the same steps as the admin's reply and
answer forms (``casemodels.admin.actions``). The template is rendered with
the case's placeholder values (the citizen's name masked) by
``snippets.services.templates.render_template`` when no text is given, and
its use is counted (``record_template_use``) once the action succeeded."""

from django.db import transaction
from django.utils.translation import gettext as _

from casemodels.services.replies import case_template_values
from snippets.models import ReplyTemplate
from snippets.services.knowledge import record_template_use
from snippets.services.templates import TemplateSyntaxProblem, render_template

from ...core.errors import error
from .base import Refused

FIELD = "reply_template"


def chosen_template(template_id):
    """The active reply template with this id, or ``None`` when none was given."""
    if template_id is None or template_id == "":
        return None
    template_id = str(template_id)
    template = None
    if template_id.isdigit():
        template = ReplyTemplate.objects.filter(pk=int(template_id), is_active=True).first()
    if template is None:
        raise Refused(error("unknown", _("Unknown or inactive reply template: “%(value)s”.")
                            % {"value": template_id[:40]}, FIELD))
    return template


def text_from(case, text, template):
    """The text as written; when it is blank, the template rendered for the case."""
    if template is None or (text or "").strip():
        return text
    try:
        return render_template(template.body, case_template_values(case))
    except TemplateSyntaxProblem as exc:
        raise Refused(error("invalid", str(exc), FIELD)) from None


def perform_with_template(service, case, *, user, text_argument, text, template_id, **arguments):
    """Call ``service`` with the text (written, or from the template) and count the template's use."""
    template = chosen_template(template_id)
    with transaction.atomic():  # the action and its count together, or neither
        service(case, acting_user=user, **{text_argument: text_from(case, text, template)}, **arguments)
        if template is not None:
            record_template_use(template)
    return case
