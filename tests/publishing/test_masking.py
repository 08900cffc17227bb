"""One masking module for the site, the API and PDFs."""

import pytest

from publishing.masking import mask_address, mask_email, mask_id_number, mask_name, mask_phone, mask_text


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李*"), ("", "")],
)
def test_names_keep_the_family_name_only(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812341234", "138****1234"), ("0356-5221234", "035****1234"), ("12", "**"), ("", "")],
)
def test_phones_hide_the_middle(phone, masked):
    assert mask_phone(phone) == masked


def test_id_numbers_keep_only_the_ends():
    assert mask_id_number("14058119900101123X") == "1405**********123X"


def test_addresses_hide_house_numbers_but_keep_the_street():
    masked = mask_address("高平市建设南路18号院3号楼2单元501室")
    assert masked.startswith("高平市建设南路")
    for detail in ("18号院", "3号楼", "2单元", "501室"):
        assert detail not in masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("幸福小区5-2-501", "幸福小区**"),
        ("建设路5栋2单元501", "建设路**栋**单元**"),
        ("建设南路18号", "建设南路**号"),
        ("幸福小区5号楼501", "幸福小区**号楼**"),
        ("泽州路5#楼2单元1201", "泽州路**楼**单元**"),
        ("金茂大厦A座1801室", "金茂大厦**座**室"),
        ("和平路５栋２单元５０１", "和平路**栋**单元**"),
        ("米山镇米西村3组", "米山镇米西村3组"),
        ("高平市米山镇", "高平市米山镇"),
        ("", ""),
    ],
)
def test_short_address_forms_hide_the_numbers(address, masked):
    assert mask_address(address) == masked


def test_free_text_masks_ids_phones_and_emails():
    text = "我是李四，电话13912345678，身份证14058119900101123X，座机0356-5221234，邮箱li.si@example.com"
    assert mask_text(text) == (
        "我是李四，电话139****5678，身份证1405**********123X，座机035****1234，邮箱l***@example.com"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("请拨打 138 1234 5678 或 138-1234-5678", "请拨打 138****5678 或 138****5678"),
        ("国际格式+86 13812345678", "国际格式+86 138****5678"),
        ("手机１３８１２３４５６７８", "手机138****5678"),
        ("办公室（0356）5221234转801", "办公室035****1234转801"),
        ("北京010-12345678", "北京010****5678"),
        ("联系电话：5221234，白天可打", "联系电话：522****34，白天可打"),
        ("我的QQ邮箱13812341234@qq.com", "我的QQ邮箱1***@qq.com"),
        ("身份证号码：14058119900101123x。", "身份证号码：1405**********123x。"),
    ],
)
def test_free_text_masks_the_usual_ways_of_writing_numbers(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "工单号MS2025093000012已受理，12345热线为您服务",
        "定于2025-10-01 14:30在米山镇政府会议室召开协调会",
        "涉及金额10000000元，共3栋楼",
        "请于3个工作日内答复",
    ],
)
def test_free_text_leaves_case_numbers_dates_and_amounts_alone(text):
    assert mask_text(text) == text


def test_free_text_masks_the_names_and_addresses_it_is_given():
    text = "已到建设南路12号楼3单元现场，与张三丰沟通；张是常见姓氏"
    masked = mask_text(text, names=["张三丰", "张"], addresses=["建设南路12号楼3单元"])
    assert masked == "已到建设南路**号楼**单元现场，与张**沟通；张是常见姓氏"


def test_emails_keep_the_first_letter_and_the_domain():
    assert mask_email("wang.xiaoming@163.com") == "w***@163.com"
