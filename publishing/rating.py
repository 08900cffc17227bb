"""The citizen rates their own case online (在线评价), with its number and
query code, instead of (or before) the centre's phone visit.

``rate_case`` finds the case exactly as ``trackCase`` does
(``tracking.locate_case``): a wrong code is answered like an unknown number
(``not_found`` on ``number``) and counted by the same throttle; past the
throttle's limit every answer is ``throttled`` and nothing is looked at. The
rating itself is a return visit with method online, recorded by
``casemodels.services.record_return_visit`` on the citizen path
(``citizen=True``): only a replied case awaiting its visit for this round
(else ``invalid_state``), so a second rating, or one after the phone visit,
is refused; satisfied (or basically satisfied) and resolved closes the case,
anything else puts it in the unsatisfied ledger and sends it to a second
dispatch, exactly as a phone visit would. Refusals change nothing."""

from django.utils.translation import gettext as _

from casemodels.services import CaseActionError, InvalidInput, record_return_visit

from .tracking import locate_case

MAX_NOTE_LENGTH = 1000


def rate_case(number, query_code, *, satisfaction, resolved, note="", client=None):
    """Record the citizen's online rating of case ``number``; returns the case.
    Raises a ``CaseActionError`` (``not_found``, ``throttled``,
    ``invalid_state``, ``invalid_choice``, ``required``, ``too_long``)."""
    case, throttled = locate_case(number, query_code, client=client)
    if throttled:
        raise CaseActionError(
            _("Too many wrong query codes; please try again later."), code="throttled",
        )
    if case is None:
        raise CaseActionError(
            _("There is no case with this number and query code."), code="not_found", field="number",
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            _("The note is longer than %(limit)s characters.") % {"limit": MAX_NOTE_LENGTH}, code="too_long",
            field="note",
        )
    return record_return_visit(
        case, acting_user=None, citizen=True, satisfaction=satisfaction, resolved=resolved, note=note,
    )
