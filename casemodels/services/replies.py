"""Replies from templates (统一答复口径): the placeholder values a case
gives a reply template. The admin's reply and intake forms and the API's
reply mutations all fill templates through this."""

from snippets.services.knowledge import template_values as values

from .base import CaseActionError, active_lead, root_unit


def case_template_values(case):
    """The placeholder values for ``render_template`` from ``case``, through
    ``snippets.services.knowledge.template_values`` (the citizen's name masked)."""
    lead = active_lead(case)
    try:
        centre = root_unit().name
    except CaseActionError:
        centre = ""
    return values(
        case_number=case.number, citizen_name=case.citizen_name, title=case.title, channel=case.channel.name,
        unit=(lead.unit if lead else case.owner_unit).name, received=case.received_at, reply_due=case.reply_due,
        centre=centre,
    )
