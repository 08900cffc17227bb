"""One masking module for the site, the API and PDFs."""

import pytest

from publishing.masking import mask_address, mask_id_number, mask_name, mask_phone


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


def test_short_address_forms_hide_the_numbers():
    assert mask_address("幸福小区5-2-501") == "幸福小区**"
    assert mask_address("建设路5栋2单元501") == "建设路**栋**单元**"


def test_free_text_masks_ids_phones_and_emails():
    from publishing.masking import mask_text

    text = "我是李四，电话13912345678，身份证14058119900101123X，座机0356-5221234，邮箱li.si@example.com"
    masked = mask_text(text)
    assert masked == ("我是李四，电话139****5678，身份证1405**********123X，座机035****1234，"
                      "邮箱l***@example.com")
