"""The first contact with the citizen (首次联系, ``casemodels.services.contact``)."""

import graphene

from casemodels.models import VisitMethod
from casemodels.services import record_contact

from .base import CaseMutation


class RecordContact(CaseMutation):
    """Record that your unit has reached the citizen of a case it handles
    (首次联系), within the first-contact limit of the case's policy: the
    first-contact warnings stop for the case's round, and the contact counts
    as on time in the unit's assessment when made by the deadline
    (`deadlines.contactDue`). Once per assignment (`already_contacted`
    after that); handlers and unit leaders of the unit holding the case in hand."""

    class Arguments:
        note = graphene.String(required=True, description="What was said; not empty.")
        method = graphene.String(description="One of: " + ", ".join(VisitMethod.values) + " (default phone).")

    service = staticmethod(record_contact)
