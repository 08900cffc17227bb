"""Assessment findings of the issue-5 review: a township that sub-dispatched
a case is measured by the deadline its village was given (extensions and
pauses included), and a unit that lets its cases lapse never scores better
than one that replies, late or not."""

from casemodels.models import Assignment
from casemodels.services import (
    reply_case, request_extension, request_info, resume_case, review_extension, sign_case, sub_dispatch_case,
)
from casemodels.services.assessment import unit_figures_direct

from .conftest import local

WINDOW = (local(2025, 9, 1), local(2025, 11, 1))
S = Assignment.State


def sub_dispatched(world, flow):
    """A case the township (米山镇) signed for and sent down to its village (米西村),
    which signed for it on 30 September; reply due 14 October."""
    case = flow.dispatched(unit=world.town_a)
    case = sign_case(case, acting_user=world.town_handler)
    case = sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    return sign_case(case, acting_user=world.village_handler)


def lead_deadlines(case):
    return {a.unit.code: (a.state, a.reply_due)
            for a in Assignment.objects.filter(case=case, role=Assignment.Role.LEAD).select_related("unit")}


def by_code(now):
    return {f.unit_code: f for f in unit_figures_direct(*WINDOW, now=now)}


# --- Review #5: the township's deadline follows the case's ------------------------------------

def test_an_extension_moves_the_deadline_of_the_township_that_sub_dispatched(world, flow, clock):
    # given a case the township sent down to its village
    case = sub_dispatched(world, flow)
    original = case.reply_due
    # when the village is granted 5 more working days on 13 October
    clock.move_to(local(2025, 10, 13, 9))
    case = request_extension(case, acting_user=world.village_handler, working_days=5, reason="需协调")
    case = review_extension(case, acting_user=world.dispatcher, approve=True)
    assert case.reply_due > original
    # then the township's sub-dispatched assignment carries the new deadline too
    assert lead_deadlines(case) == {
        "ms": (S.SUB_DISPATCHED, case.reply_due), "ms-mx": (S.SIGNED, case.reply_due),
    }
    # and when the village replies after the old deadline but before the new one
    clock.move_to(local(2025, 10, 16, 9))
    case = reply_case(case, acting_user=world.village_handler, reply="已修复")
    figures = by_code(local(2025, 10, 16, 10))
    # then both the village and the township replied on time, and neither is overdue
    for code in ("ms", "ms-mx"):
        assert (figures[code].replied, figures[code].replied_on_time, figures[code].overdue) == (1, 1, 0), code


def test_a_resumed_pause_moves_the_deadline_of_the_township_that_sub_dispatched(world, flow, clock):
    # given a case the township sent down to its village (reply due 14 October)
    case = sub_dispatched(world, flow)
    original = case.reply_due
    # when the village asks the citizen for a photo on 9 October and gets it on 20 October
    clock.move_to(local(2025, 10, 9, 9))
    case = request_info(case, acting_user=world.village_handler, missing="照片")
    clock.move_to(local(2025, 10, 20, 9))
    case = resume_case(case, acting_user=world.village_handler, information="已补充")
    assert case.reply_due > original
    # then the township's assignment has the moved deadline as well
    assert {code: due for code, (_state, due) in lead_deadlines(case).items()} == {
        "ms": case.reply_due, "ms-mx": case.reply_due,
    }
    # and a reply within the moved deadline counts on time for both
    clock.move_to(local(2025, 10, 21, 9))
    reply_case(case, acting_user=world.village_handler, reply="已修复")
    figures = by_code(local(2025, 10, 21, 10))
    assert (figures["ms"].replied_on_time, figures["ms"].overdue) == (1, 0)
