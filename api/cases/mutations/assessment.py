"""Mutations of excluding a case from assessment after review (核减) and of
restoring it (``casemodels.services.exclusions``). Supervisors and
administrators over the case's first-receiving unit decide; the case's state
does not change, its version does, and the dossier records the reason."""

import graphene

from casemodels.services import exclude_from_assessment, restore_to_assessment

from .base import CaseMutation


class ExcludeFromAssessment(CaseMutation):
    """Leave a case out of every unit's assessment figures (核减), for a
    reason (e.g. a request beyond law or policy). The case must have been
    dispatched to a unit and not be excluded already (`invalid_state`
    otherwise). Supervisors and administrators; the result board counts it
    out at the roll-up's next refresh."""

    class Arguments:
        reason = graphene.String(required=True, description="Why the case is excluded; not empty.")

    service = staticmethod(exclude_from_assessment)


class RestoreToAssessment(CaseMutation):
    """Count an excluded case again (the exclusion was wrong), for a reason.
    A case that is not excluded gets `invalid_state`. Supervisors and
    administrators."""

    class Arguments:
        reason = graphene.String(required=True, description="Why the case counts again; not empty.")

    service = staticmethod(restore_to_assessment)
