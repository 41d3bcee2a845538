"""Masking personal data (个人信息) for anything shown outside the handling staff (DESIGN §8)."""

from __future__ import annotations

import pytest

from shared.privacy import coarsen_address, mask_address, mask_name, mask_phone, mask_text


@pytest.mark.parametrize(("name", "masked"), [
    ("张三", "张*"),
    ("王小明", "王**"),
    (" 李四 ", "李*"),
    ("李", "*"),
    ("", ""),
    (None, ""),
])
def test_a_name_keeps_only_its_first_character(name, masked):
    assert mask_name(name) == masked


def test_a_compound_surname_keeps_only_its_first_character_too():
    # The docstring's example says 欧阳**; the rule it states (and the code) keeps one character.
    assert mask_name("欧阳娜娜") == "欧***"


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("010-62345678", "*******5678"),
    ("+86 138 1234 5678", "*********5678"),
    ("110", "***"),
    ("", ""),
    (None, ""),
])
def test_a_phone_number_keeps_at_most_the_mobile_prefix_and_the_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("address", "masked"), [
    ("北京市东城区朝阳路88号", "北京市东城区***"),
    ("广东省广州市天河区天河路385号", "广东省广州市天河区***"),
    ("上海市浦东新区世纪大道100号", "上海市浦东新区***"),
    ("新疆维吾尔自治区乌鲁木齐市天山区解放路1号", "新疆维吾尔自治区乌鲁木齐市天山区***"),
    ("内蒙古自治区呼伦贝尔市鄂温克族自治旗巴彦托海镇", "内蒙古自治区呼伦贝尔市鄂温克族自治旗***"),
    ("东城区和平路12号", "东城区***"),
    ("滨江路工地", "***"),
    ("", ""),
    (None, ""),
])
def test_an_address_keeps_province_city_and_district_only(address, masked):
    assert mask_address(address) == masked


@pytest.mark.parametrize(("address", "street"), [
    ("朝阳路88号小区3栋", "朝阳路88号"),
    ("江苏省昆山市花桥镇绿地小区8栋", "花桥镇绿地"),
], ids=["no-district", "county-level-city"])
def test_an_address_never_shows_its_street_or_estate(address, street):
    assert street not in mask_address(address)


def test_free_text_has_mobile_landline_and_id_numbers_masked():
    text = "我的电话13812345678，身份证110101199003078888，座机010-62345678，住3号楼"

    masked = mask_text(text)

    assert masked == "我的电话138****5678，身份证110***********8888，座机010-****5678，住3号楼"


def test_free_text_leaves_long_digit_runs_that_are_not_phone_numbers_alone():
    assert mask_text("工单号 20261123000001 已受理") == "工单号 20261123000001 已受理"


@pytest.mark.parametrize("text", ["", None])
def test_empty_free_text_masks_to_empty(text):
    assert mask_text(text) == ""


@pytest.mark.parametrize(("address", "street"), [
    ("东城区朝阳路88号", "东城区朝阳路"),
    ("东城区人民路12号3单元501室", "东城区人民路"),
    ("北京市东城区东直门南大街5号", "北京市东城区东直门南大街"),
    ("和平街道建设路100号", "和平街道建设路"),
    ("东城区幸福里3号楼", "东城区幸福里"),
    ("杭州市西湖区文三路90号东部软件园", "杭州市西湖区文三路"),
    ("西城区滨江路工地", "西城区滨江路工地"),  # no house number to drop
    ("锦绣花园18栋", "锦绣花园"),
    ("", ""),
    (None, ""),
])
def test_a_published_address_stops_at_the_street(address, street):
    assert coarsen_address(address) == street


def test_a_callers_key_is_the_same_however_the_number_was_written_and_differs_by_key():
    from shared.privacy import caller_key

    key = b"k" * 32
    forms = {caller_key(p, key) for p in ("13800138001", "138 0013 8001", "+86 138-0013-8001", "8613800138001")}

    assert len(forms) == 1 and None not in forms
    assert "13800138001" not in forms.pop()
    assert caller_key("13800138001", b"other") != caller_key("13800138001", key)
    assert caller_key("", key) is None and caller_key("13800138001", None) is None
