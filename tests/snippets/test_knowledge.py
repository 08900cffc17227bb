"""The knowledge base at work: matching reply templates to a request,
counting their use, filling placeholders, and the duty boundaries of an item."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from snippets.models import CaseType, DirectoryItem, DutyBoundary, ReplyTemplate
from snippets.services.knowledge import boundaries_for, find_templates, record_template_use, template_values
from snippets.services.templates import render_template
from tests.factories import DirectoryItemFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    unit = UnitFactory(name="热力公司")
    heating = DirectoryItemFactory(name="供热", code="C11")
    cold = DirectoryItemFactory(
        name="暖气不热", code="C1101", parent=heating, routing=DirectoryItem.Routing.SECTOR, sector_unit=unit,
    )
    fee = DirectoryItemFactory(
        name="供暖收费", code="C1102", parent=heating, routing=DirectoryItem.Routing.SECTOR, sector_unit=unit,
    )
    water = DirectoryItemFactory(name="供水", code="C08")
    return {"unit": unit, "heating": heating, "cold": cold, "fee": fee, "water": water}


def template(title, keywords="", items=(), case_type="", usage=0, active=True, body="您好，{{ case_number }}。"):
    row = ReplyTemplate.objects.create(
        title=title, keywords=keywords, case_type=case_type, usage_count=usage, is_active=active, body=body,
    )
    row.directory_items.set(items)
    return row


def test_keywords_found_in_chinese_text_rank_templates(tree):
    # given templates whose keywords appear in the text more or less often
    two = template("室温不达标答复", keywords="暖气,不热,室温")
    one = template("供暖费咨询答复", keywords="取暖费,暖气")
    template("停水答复", keywords="停水,没水")
    # when a call about a cold flat is typed
    found = find_templates("我家暖气一直不热，室温只有十五度")
    # then the template matching three keywords comes first, the one matching one next,停水 not at all
    assert found == [two, one]
    assert found[0].score == 9 and found[0].matched_keywords == ["暖气", "不热", "室温"]


def test_linked_item_beats_keywords_and_category_links_count_too(tree):
    on_item = template("暖气不热统一答复", items=[tree["cold"]])
    on_category = template("供热总体答复", items=[tree["heating"]])
    by_word = template("暖气咨询", keywords="暖气")
    elsewhere = template("供水答复", items=[tree["water"]])
    found = find_templates("暖气的问题", directory_item=tree["cold"])
    assert found[:3] == [on_item, on_category, by_word]
    assert elsewhere not in found
    # the pk works as well as the item, and no text at all still gives the linked templates
    assert find_templates("", directory_item=tree["cold"].pk) == [on_item, on_category]


def test_title_inside_the_text_counts(tree):
    titled = template("供暖收费")
    assert find_templates("想问一下供暖收费标准") == [titled]


def test_inactive_and_other_case_types_are_left_out_and_limit_applies(tree):
    template("旧口径", keywords="暖气", active=False)
    complaint = template("投诉口径", keywords="暖气", case_type=CaseType.COMPLAINT)
    anytype = template("通用口径", keywords="暖气")
    assert set(find_templates("暖气", case_type=CaseType.CONSULTATION)) == {anytype}
    assert set(find_templates("暖气", case_type=CaseType.COMPLAINT)) == {complaint, anytype}
    assert len(find_templates("暖气", limit=1)) == 1


def test_ties_go_to_the_more_used_template(tree):
    rare = template("甲", keywords="暖气", usage=1)
    common = template("乙", keywords="暖气", usage=50)
    assert find_templates("暖气") == [common, rare]


def test_nothing_matches_nothing_is_returned(tree):
    template("停水答复", keywords="停水")
    assert find_templates("") == []
    assert find_templates("路灯坏了") == []


def test_find_templates_costs_a_fixed_number_of_queries(tree):
    for n in range(12):
        template(f"口径{n}", keywords="暖气", items=[tree["cold"], tree["heating"]])
    with CaptureQueriesContext(connection) as few:
        find_templates("暖气", directory_item=tree["cold"], limit=3)
    for n in range(12, 30):
        template(f"口径{n}", keywords="暖气", items=[tree["cold"]])
    with CaptureQueriesContext(connection) as many:
        find_templates("暖气", directory_item=tree["cold"], limit=3)
    assert len(many) == len(few)


def test_record_template_use_is_one_update(tree):
    row = template("供暖费咨询答复", usage=4)
    with CaptureQueriesContext(connection) as queries:
        assert record_template_use(row) == 1
    assert len(queries) == 1 and queries[0]["sql"].lstrip().upper().startswith("UPDATE")
    record_template_use(row.pk)
    row.refresh_from_db()
    assert row.usage_count == 6
    assert row.last_used_at is not None and timezone.now() - row.last_used_at < datetime.timedelta(minutes=1)


def test_template_values_mask_the_name_and_write_dates_in_chinese():
    values = template_values(
        case_number="GP20250101001", citizen_name="张三丰", title="暖气不热", channel="12345热线", unit="热力公司",
        received=datetime.date(2025, 1, 2), reply_due=timezone.make_aware(datetime.datetime(2025, 1, 7, 18, 0)),
        today=datetime.date(2025, 1, 3), centre="高平市12345",
    )
    assert values == {
        "case_number": "GP20250101001", "citizen_name": "张**", "title": "暖气不热", "channel": "12345热线",
        "unit": "热力公司", "received_date": "2025年01月02日", "reply_due": "2025年01月07日",
        "today": "2025年01月03日", "centre": "高平市12345",
    }
    assert template_values(citizen_name="李四", mask_citizen_name=False)["citizen_name"] == "李四"
    assert template_values()["today"] == timezone.localdate().strftime("%Y年%m月%d日")


def test_values_render_into_a_template_body():
    body = "{{ citizen_name }}您好，您反映的{{ title }}（{{ case_number }}）已转{{ unit }}办理。"
    text = render_template(body, template_values(
        case_number="GP1", citizen_name="王五", title="暖气不热", unit="热力公司",
    ))
    assert text == "王*您好，您反映的暖气不热（GP1）已转热力公司办理。"


def test_boundaries_for_an_item_include_its_categories_active_only(tree):
    own = DutyBoundary.objects.create(matter="室温不达标", lead_unit=tree["unit"])
    own.directory_items.set([tree["cold"]])
    above = DutyBoundary.objects.create(matter="供热监管", lead_unit=tree["unit"])
    above.directory_items.set([tree["heating"]])
    old = DutyBoundary.objects.create(matter="旧清单", lead_unit=tree["unit"], is_active=False)
    old.directory_items.set([tree["cold"]])
    other = DutyBoundary.objects.create(matter="供水", lead_unit=tree["unit"])
    other.directory_items.set([tree["water"]])
    assert boundaries_for(tree["cold"]) == [own, above]
    assert boundaries_for(tree["fee"].pk) == [above]
    assert boundaries_for(None) == []
