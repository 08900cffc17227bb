"""What a citizen sees of their own case (publishing.tracking)."""

import datetime
import logging

import pytest

from casemodels.models import Case
from casemodels.services import (
    dispatch_case, divert_case, merge_cases, reply_case, request_extension, sign_case, sub_dispatch_case,
)
from publishing import tracking
from publishing.tracking import MAX_FAILURES, find_tracked_case, public_view

HOUR = datetime.timedelta(hours=1)


def wrong_code(case):
    return "AAAAAAAA" if case.query_code != "AAAAAAAA" else "BBBBBBBB"


def actions(view):
    return [e.action for e in view.timeline]


def test_the_citizen_sees_their_case_masked_in_public_wording(world, flow, clock):
    # given a case with personal data in its title, dispatched, signed and sub-dispatched (an internal step)
    case = flow.dispatched(unit=world.town_a, title="王小明反映：楼道灯坏了，电话13912345678",
                           citizen_name="王小明", address="米山镇建设路5栋2单元501")
    clock.shift(HOUR)
    sign_case(case, acting_user=world.town_handler)
    clock.shift(HOUR)
    sub_dispatch_case(case, acting_user=world.town_handler, unit=world.village_a)
    # when the citizen tracks it
    view = find_tracked_case(case.number, case.query_code, client="10.0.0.1")
    # then personal data is masked and only public steps appear, in public wording
    assert view.number == case.number and not view.merged
    assert view.title == "王**反映：楼道灯坏了，电话139****5678"
    assert view.citizen_name == "王**"
    assert view.address == "米山镇建设路**栋**单元**"
    assert actions(view) == ["register", "dispatch", "sign"]
    assert [e.label for e in view.timeline] == ["已受理", "已派单", "办理中"]
    assert view.state == "dispatched" and view.state_label == "已派单"


def test_the_reply_is_masked(world, flow):
    case = flow.handling()
    reply_case(case, acting_user=world.dept_handler,
               reply="已联系张三（13812341234，身份证14058119900101123X），维修人员电话0356-5221234。")
    view = find_tracked_case(case.number, case.query_code)
    assert view.reply == "已联系张*（138****1234，身份证1405**********123X），维修人员电话035****1234。"
    assert view.state == "replied" and actions(view)[-1] == "reply"


def test_internal_steps_are_not_shown(world, flow, clock):
    case = flow.handling()
    clock.shift(HOUR)
    request_extension(case, acting_user=world.dept_handler, working_days=3, reason="需协调供电公司")
    assert actions(find_tracked_case(case.number, case.query_code)) == ["register", "dispatch", "sign"]


def test_a_merged_case_follows_its_primary_under_its_own_number(world, flow, clock):
    # given a primary case from the hotline, and the same matter from the web an hour later, merged into it
    primary = flow.received(citizen_name="赵大海", citizen_phone="13700001111", address="建设南路18号院3号楼")
    clock.shift(HOUR)
    duplicate = flow.received(channel=world.web, citizen_name="钱小红", citizen_phone="13600002222")
    clock.shift(HOUR)
    merge_cases(primary, [duplicate], acting_user=world.dispatcher)
    clock.shift(HOUR)
    primary = Case.objects.get(pk=primary.pk)
    dispatch_case(primary, acting_user=world.dispatcher, unit=world.dept)
    clock.shift(HOUR)
    sign_case(primary, acting_user=world.dept_handler)
    clock.shift(HOUR)
    reply_case(Case.objects.get(pk=primary.pk), acting_user=world.dept_handler,
               reply="已到建设南路18号院3号楼现场，与赵大海（13700001111）沟通，井盖已更换。")
    # when the second citizen tracks their own case
    view = find_tracked_case(duplicate.number, duplicate.query_code)
    # then it keeps its number, shows the primary's state and reply, and never the other citizen's data
    assert view.number == duplicate.number and view.merged
    assert view.state == "replied" and view.state_label == "已反馈"
    assert view.citizen_name == "钱**"
    assert view.reply == "已到建设南路**号院**号楼现场，与赵**（137****1111）沟通，井盖已更换。"
    # its own steps, then the primary's from the time it was received (not the primary's registration)
    assert actions(view) == ["register", "merge", "dispatch", "sign", "reply"]
    assert [e.at for e in view.timeline] == sorted(e.at for e in view.timeline)
    # and the primary's own citizen does not see the merge as a step of theirs
    assert "merge" not in actions(find_tracked_case(primary.number, primary.query_code))


def test_a_chain_of_merges_is_followed_to_the_end(world, flow, clock):
    first, second, third = (flow.received(content=f"同一个问题{i}") for i in range(3))
    merge_cases(second, [first], acting_user=world.dispatcher)
    merge_cases(third, [Case.objects.get(pk=second.pk)], acting_user=world.dispatcher)
    Case.objects.filter(pk=third.pk).update(state="replied", reply="已处理。")
    view = public_view(Case.objects.get(pk=first.pk))
    assert (view.number, view.state, view.reply, view.merged) == (first.number, "replied", "已处理。", True)


def test_a_confidential_case_is_shown_to_its_own_citizen_masked(world, flow):
    case = flow.received(is_confidential=True, citizen_name="孙举报", citizen_phone="13512345678",
                         title="举报某餐馆违规排污，我是孙举报", address="幸福小区5-2-501")
    view = find_tracked_case(case.number, case.query_code)
    assert view is not None
    assert (view.citizen_name, view.address) == ("孙**", "幸福小区**")
    assert view.title == "举报某餐馆违规排污，我是孙**"


def test_a_diverted_case_shows_the_explanation_to_the_citizen(world, flow):
    case = flow.received()
    divert_case(case, acting_user=world.dispatcher, route="litigation",
                note="属于合同纠纷，请向人民法院起诉，咨询电话0356-5220000。")
    view = find_tracked_case(case.number, case.query_code)
    assert view.state == "diverted"
    assert view.reply == "属于合同纠纷，请向人民法院起诉，咨询电话035****0000。"


@pytest.mark.parametrize("typed", [
    lambda c: c.query_code.lower(),
    lambda c: f" {c.query_code[:4]} {c.query_code[4:]} ",
    lambda c: c.query_code.translate(str.maketrans("23456789ABCDEFGHJKLMNPQRSTUVWXYZ",
                                                   "２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＳＴＵＶＷＸＹＺ")),
], ids=["lower case", "spaces", "full width"])
def test_the_code_is_accepted_as_citizens_type_it(flow, typed):
    case = flow.received()
    assert find_tracked_case(f" {case.number.lower()} ", typed(case)).number == case.number


@pytest.mark.parametrize("code", ["", "   ", "*", "%", "A" * 40])
def test_an_empty_or_odd_code_matches_nothing(flow, code):
    case = flow.received()
    Case.objects.filter(pk=case.pk).update(query_code="")
    assert find_tracked_case(case.number, code) is None


def test_ten_wrong_codes_for_one_case_close_it_for_a_while(flow, clock, caplog):
    case = flow.received()
    for i in range(MAX_FAILURES):
        assert find_tracked_case(case.number, wrong_code(case), client=f"10.0.0.{i}") is None
    # then even the right code, from a new client, gets null, and a warning is logged
    with caplog.at_level(logging.WARNING, logger="publishing.tracking"):
        assert find_tracked_case(case.number, case.query_code, client="10.9.9.9") is None
    assert "throttled" in caplog.text
    # and after the window, it answers again
    clock.shift(datetime.timedelta(seconds=tracking.FAILURE_WINDOW + 1))
    assert find_tracked_case(case.number, case.query_code, client="10.9.9.9") is not None


def test_ten_wrong_codes_from_one_client_close_it_for_that_client_only(flow):
    mine, other = flow.received(), flow.received()
    for i in range(MAX_FAILURES):
        find_tracked_case(f"MS2099010100{i:03d}", "ABCDEFGH", client="10.0.0.1")
    assert find_tracked_case(mine.number, mine.query_code, client="10.0.0.1") is None
    assert find_tracked_case(other.number, other.query_code, client="10.0.0.2") is not None


def test_a_right_code_does_not_reset_the_count(flow):
    case, own = flow.received(), flow.received()
    for _i in range(MAX_FAILURES - 1):
        find_tracked_case(case.number, wrong_code(case), client="10.0.0.1")
        assert find_tracked_case(own.number, own.query_code, client="10.0.0.1") is not None
    find_tracked_case(case.number, wrong_code(case), client="10.0.0.1")
    assert find_tracked_case(own.number, own.query_code, client="10.0.0.1") is None


def test_nine_wrong_codes_still_let_the_citizen_in(flow):
    case = flow.received()
    for _i in range(MAX_FAILURES - 1):
        find_tracked_case(case.number, wrong_code(case), client="10.0.0.1")
    assert find_tracked_case(case.number, case.query_code, client="10.0.0.1") is not None


def test_a_merged_case_costs_a_fixed_number_of_queries(world, flow, django_assert_max_num_queries):
    primary, duplicate = flow.received(), flow.received()
    merge_cases(primary, [duplicate], acting_user=world.dispatcher)
    with django_assert_max_num_queries(2):  # the case with its primary, then the events of both
        find_tracked_case(duplicate.number, duplicate.query_code)
