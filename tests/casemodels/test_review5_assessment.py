"""Assessment findings of the issue-5 review: a township that sub-dispatched
a case is measured by the deadline its village was given (extensions and
pauses included), and a unit that lets its cases lapse never scores better
than one that replies, late or not."""

from decimal import Decimal

from casemodels.models import Assignment
from casemodels.services import (
    dispatch_case, record_return_visit, reply_case, request_extension, request_info, resume_case,
    review_extension, sign_case, sub_dispatch_case,
)
from casemodels.services.assessment import UnitFigures, unit_figures, unit_figures_direct, unit_rates
from casemodels.services.rollups import refresh_rollups, rollups_as_of
from publishing.board import composite_score, result_board
from snippets.models import AssessmentScheme

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


# --- Review #6: a lapsed case counts against the unit ----------------------------------------

# The issue's example weights (on time not weighed at all) and a scheme weighing all four.
ISSUE_WEIGHTS = AssessmentScheme(name="10/45/45", weight_response=10, weight_resolution=45, weight_satisfaction=45,
                                 weight_on_time=0, basic_satisfaction_share=80, min_sample=10)
ALL_FOUR = AssessmentScheme(name="20/30/40/10", weight_response=20, weight_resolution=30, weight_satisfaction=40,
                            weight_on_time=10, basic_satisfaction_share=80, min_sample=10)


def unit(code, **counts):
    return UnitFigures(1, code, code, "department", **counts)


def score(figures, scheme):
    return composite_score(unit_rates(figures, basic_satisfaction_share=80), scheme)


# 20 cases each, all signed for on time:
# "idle" replied to none and every reply deadline has passed;
IDLE = unit("idle", dispatched=20, signed_on_time=20, overdue=20)
# "late" replied to all of them late; half the citizens were satisfied and their matters resolved;
LATE = unit("late", dispatched=20, signed_on_time=20, replied=20, replied_on_time=0, visited=20, satisfied=10,
            resolved=10, unsatisfied=10, overdue=20)
# "busy" replied to 18 on time and 2 late; 18 satisfied and resolved.
BUSY = unit("busy", dispatched=20, signed_on_time=20, replied=20, replied_on_time=18, visited=20, satisfied=18,
            resolved=18, unsatisfied=2, overdue=2)


def test_not_replying_scores_worse_than_replying_late():
    # given a unit that let all its cases lapse, one that replied to all late, one that replied mostly on time
    # when they are scored under the issue's weights (10/45/45, on time unweighed) and under all four weights
    # then letting cases lapse scores worst, under either scheme
    #   idle: response 1, resolution 0/20, satisfaction 0/20, on time 0/20 -> 10, resp. 20
    #   late: response 1, resolution 10/20, satisfaction 10/20, on time 0/20 -> 10 + 22.5 + 22.5 = 55,
    #         resp. 20 + 15 + 20 + 0 = 55
    #   busy: response 1, resolution 18/20, satisfaction 18/20, on time 18/20 -> 10 + 40.5 + 40.5 = 91,
    #         resp. 20 + 27 + 36 + 9 = 92
    assert [score(f, ISSUE_WEIGHTS) for f in (IDLE, LATE, BUSY)] == [Decimal("10.00"), Decimal("55.00"),
                                                                      Decimal("91.00")]
    assert [score(f, ALL_FOUR) for f in (IDLE, LATE, BUSY)] == [Decimal("20.00"), Decimal("55.00"),
                                                                 Decimal("92.00")]


def test_a_lapsed_case_is_late_unresolved_and_unsatisfied():
    # given a unit that replied to 10 cases on time (all visited, satisfied, resolved) and let 10 lapse
    half = unit("half", dispatched=20, signed_on_time=20, replied=10, replied_on_time=10, visited=10, satisfied=10,
                resolved=10, overdue=10)
    # when its rates are derived
    rates = unit_rates(half, basic_satisfaction_share=80)
    # then the 10 lapsed cases count in every rate past the reply, as failures
    assert half.lapsed == 10
    assert (rates.response_rate, rates.resolution_rate, rates.satisfaction_rate, rates.on_time_rate) == (
        Decimal(1), Decimal("0.5"), Decimal("0.5"), Decimal("0.5"))
    # and the lapse shows even where on time is not weighed: 10 + 45 × 0.5 + 45 × 0.5
    assert score(half, ISSUE_WEIGHTS) == Decimal("55.00")


def test_a_unit_with_nothing_due_yet_is_not_punished():
    # given a unit whose 20 cases are signed for and not yet due, and one that replied to all on time
    # and is waiting for the centre's return visits
    waiting = unit("waiting", dispatched=20, signed_on_time=20)
    replied = unit("replied", dispatched=20, signed_on_time=20, replied=20, replied_on_time=20)
    # then what has not come due is unmeasured (None), not zero, and the score rests on the rest
    rates = unit_rates(waiting, basic_satisfaction_share=80)
    assert (rates.resolution_rate, rates.satisfaction_rate, rates.on_time_rate) == (None, None, None)
    assert score(waiting, ALL_FOUR) == Decimal("100.00")
    rates = unit_rates(replied, basic_satisfaction_share=80)
    assert (rates.resolution_rate, rates.satisfaction_rate, rates.on_time_rate) == (None, None, Decimal(1))
    assert score(replied, ALL_FOUR) == Decimal("100.00")


def test_the_board_ranks_a_unit_that_let_its_cases_lapse_last(world, flow, clock):
    # given the issue's weights for every unit kind, at least one case to be ranked
    AssessmentScheme.objects.create(
        name="月度考评", unit_kind="", weight_response=10, weight_resolution=45, weight_satisfaction=45,
        weight_on_time=0, basic_satisfaction_share=80, min_sample=1,
    )
    # and, on 30 September (reply due 14 October), two cases each for 住建局 and 水务局, all signed for at once
    zjj = [dispatch_case(flow.received(), acting_user=world.dispatcher, unit=world.dept) for _ in range(2)]
    swj = [dispatch_case(flow.received(), acting_user=world.dispatcher, unit=world.dept2) for _ in range(2)]
    for case in zjj:
        sign_case(case, acting_user=world.dept_handler)
    for case in swj:
        sign_case(case, acting_user=world.dept2_handler)
    # 住建局 replies to one on time (satisfied, resolved) and to the other late (unsatisfied, unresolved);
    # 水务局 never replies
    reply_case(zjj[0], acting_user=world.dept_handler, reply="已处理。")
    record_return_visit(zjj[0], acting_user=world.visitor, satisfaction="satisfied", resolved=True)
    clock.move_to(local(2025, 10, 15, 9))
    reply_case(zjj[1], acting_user=world.dept_handler, reply="已处理。")
    record_return_visit(zjj[1], acting_user=world.visitor, satisfaction="unsatisfied", resolved=False,
                        redispatch=False)
    # when the roll-up is refreshed on 16 October and September's board drawn
    clock.move_to(local(2025, 10, 16, 9))
    refresh_rollups()
    rows = {r.unit.code: r for group in result_board("2025-09").groups for r in group.rows}
    # then 水务局's two lapsed cases are late, unresolved and unsatisfied
    swj_row = rows["swj"]
    assert (swj_row.figures.overdue, swj_row.figures.lapsed) == (2, 2)
    assert (swj_row.rates.resolution_rate, swj_row.rates.satisfaction_rate, swj_row.rates.on_time_rate) == (
        Decimal(0), Decimal(0), Decimal(0))
    # and it ranks below 住建局: 10 × 1 + 45 × 0.5 + 45 × 0.5 = 55 against 10 × 1 = 10
    assert [(code, rows[code].score, rows[code].rank) for code in ("zjj", "swj")] == [
        ("zjj", Decimal("55.00"), 1), ("swj", Decimal("10.00"), 2)]
    # and the roll-up's figures are those counted from the cases
    september = (local(2025, 9, 1), local(2025, 10, 1))
    assert unit_figures(*september) == unit_figures_direct(*september, now=rollups_as_of())
