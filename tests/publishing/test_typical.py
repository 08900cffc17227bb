"""Typical cases (publishing.typical): staff choose them by number; the board
and the bulletins show only those whose case may be published (closed,
public, never confidential), of the period they were closed in, masked."""

import pytest
from django.utils import translation

from casemodels.models import Case
from publishing.models import TypicalCase
from publishing.typical import TypicalCaseError, choose_typical_case, typical_cases
from tests.casemodels.conftest import local

NAME, PHONE, ID_NUMBER = "王小明", "13812345678", "110101199003074514"
ADDRESS = "米山镇幸福小区3号楼2单元501室"
PERSON = {
    "citizen_name": NAME, "citizen_phone": PHONE, "citizen_id_number": ID_NUMBER, "address": ADDRESS,
    "title": f"{NAME}反映{ADDRESS}楼道灯不亮，身份证{ID_NUMBER}，电话{PHONE}",
}
SEPTEMBER = (local(2025, 9, 1), local(2025, 10, 1))
OCTOBER = (local(2025, 10, 1), local(2025, 11, 1))


def public(case):
    Case.objects.filter(pk=case.pk).update(is_public=True)
    return Case.objects.get(pk=case.pk)


def typical(case, headline, **fields):
    """A typical case written directly, as if the case had changed since it was chosen."""
    return TypicalCase.objects.create(case=case, headline=headline, **fields)


def test_only_cases_that_may_be_published_show_masked(world, flow, clock):
    # given (closed on 30 September) a public case, chosen through the service
    shown = public(flow.closed(**PERSON))
    choose_typical_case(shown.number, headline="楼道灯一周修复", commentary="当日联系，限时办结。",
                        acting_user=world.supervisor)
    # and, chosen while they could be and changed since: a case no longer public, a confidential
    # one, one reopened (replied, not closed) and a choice staff hid
    typical(flow.closed(), "不公开")
    typical(public(flow.closed(is_confidential=True, **PERSON)), "保密")
    typical(public(flow.replied()), "未办结")
    typical(public(flow.closed()), "已隐藏", is_active=False)
    # when the typical cases of September are asked for
    [view] = typical_cases(*SEPTEMBER)
    # then only the published one shows, with its headline and commentary
    assert (view.headline, view.commentary, view.case.number) == (
        "楼道灯一周修复", "当日联系，限时办结。", shown.number)
    # masked: no name, phone, ID number or house number as written
    case = view.case
    assert case.citizen_name == "王**"
    assert case.address == "米山镇幸福小区**号楼**单元**室"
    assert case.title == "王**反映米山镇幸福小区**号楼**单元**室楼道灯不亮，身份证1101**********4514，电话138****5678"
    for private in (NAME, PHONE, ID_NUMBER, ADDRESS):
        assert private not in " ".join(str(value) for value in vars(case).values())


def test_a_typical_case_shows_in_the_period_it_was_closed_in(world, flow, clock):
    september = public(flow.closed())
    clock.move_to(local(2025, 10, 8, 10))
    october = public(flow.closed())
    for case, headline in ((september, "九月"), (october, "十月")):
        choose_typical_case(case.number, headline=headline)
    assert [v.headline for v in typical_cases(*SEPTEMBER)] == ["九月"]
    assert [v.headline for v in typical_cases(*OCTOBER)] == ["十月"]
    # newest closed first, at most ``limit``
    both = (local(2025, 9, 1), local(2025, 11, 1))
    assert [v.headline for v in typical_cases(*both)] == ["十月", "九月"]
    assert [v.headline for v in typical_cases(*both, limit=1)] == ["十月"]


def test_a_case_no_longer_public_leaves_the_board_but_keeps_its_choice(world, flow):
    case = public(flow.closed())
    choose_typical_case(case.number, headline="示范")
    assert len(typical_cases(*SEPTEMBER)) == 1
    Case.objects.filter(pk=case.pk).update(is_public=False)
    assert typical_cases(*SEPTEMBER) == []
    assert TypicalCase.objects.filter(case=case).exists()


def test_typical_cases_cost_three_queries(world, flow, django_assert_max_num_queries):
    for n in range(4):
        choose_typical_case(public(flow.closed()).number, headline=f"案例{n}")
    with django_assert_max_num_queries(3):
        views = typical_cases(*SEPTEMBER)
        assert len(views) == 4 and all(v.case.title for v in views)


# --- choosing -------------------------------------------------------------------------------------

def test_choosing_names_the_number_of_a_case_that_may_not_be_typical(world, flow):
    hidden = flow.closed()  # closed, not marked public
    secret = public(flow.closed(is_confidential=True))
    open_case = public(flow.replied())
    with translation.override("en"):
        with pytest.raises(TypicalCaseError) as error:
            choose_typical_case("MS2099010100001", headline="x")
        assert str(error.value) == "There is no case numbered “MS2099010100001”."
        for case in (hidden, secret, open_case):
            with pytest.raises(TypicalCaseError) as error:
                choose_typical_case(f" {case.number} ", headline="x")
            assert str(error.value).startswith(f"Case {case.number} may not be published")
        with pytest.raises(TypicalCaseError, match="Write a headline"):
            choose_typical_case(public(flow.closed()).number, headline="  ")
    assert not TypicalCase.objects.exists()


def test_choosing_a_case_again_updates_its_choice(world, flow):
    case = public(flow.closed())
    first = choose_typical_case(case.number, headline="旧标题", acting_user=world.dispatcher)
    TypicalCase.objects.filter(pk=first.pk).update(is_active=False)
    again = choose_typical_case(case.number, headline=" 新标题 ", commentary=" 说明 ", acting_user=world.supervisor)
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.headline, again.commentary, again.is_active, again.chosen_by) == (
        "新标题", "说明", True, world.supervisor)


def test_house_numbers_quoted_without_the_whole_address_are_masked(world, flow):
    case = public(flow.closed(**{**PERSON, "title": f"{NAME}反映幸福小区3号楼2单元501室楼道灯不亮"}))
    choose_typical_case(case.number, headline="楼道灯")
    [view] = typical_cases(*SEPTEMBER)
    assert "3号楼2单元501室" not in view.case.title
