"""The category taxonomy's domain rules: what a category may be and which answers fit its questions."""

from __future__ import annotations

import pytest

from services.hotline.categories import Attribute, Category, Datatype, answer_problem, describe_answers
from shared.errors import InvalidInput

WHEN = Attribute("when", "什么时段？", Datatype.SINGLE, required=True, order=2,
                 values=(("day", "白天"), ("night", "夜间")))
WHAT = Attribute("what", "什么问题？", Datatype.MULTI, order=1, values=(("a", "停水"), ("b", "水浑")))
TEMP = Attribute("temp", "室温", Datatype.NUMBER)
SINCE = Attribute("since", "开始时间", Datatype.DATETIME)
NOTE = Attribute("note", "仅供参考，无需回答", Datatype.STRING, required=True, variable=False)


@pytest.mark.parametrize("attribute, answer, problem", [
    (WHEN, ["night"], None),
    (WHEN, [], "is required"),
    (WHEN, ["  "], "is required"),
    (WHEN, ["noon"], "unknown value 'noon'"),
    (WHEN, ["day", "night"], "takes one value"),
    (WHAT, ["a", "b"], None),
    (WHAT, [], None),
    (TEMP, ["16.5"], None),
    (TEMP, ["cold"], "must be a number"),
    (SINCE, ["2026-11-20T22:00:00+08:00"], None),
    (SINCE, ["2026-11-20T22:00:00Z"], None),
    (SINCE, ["last night"], "must be an ISO-8601 date and time"),
    (NOTE, [], None),  # information only: nothing to answer
    (Attribute("s", "说明", Datatype.STRING), ["x" * 501], "at most 500 characters"),
    (Attribute("t", "详情", Datatype.TEXT), ["x" * 4000], None),
])
def test_an_answer_fits_its_attribute_or_says_why_not(attribute, answer, problem):
    assert answer_problem(attribute, answer) == problem


def test_answers_are_described_in_the_questions_order_with_the_values_names():
    category = Category("water", "供水问题", "水电气热", attributes=[WHEN, WHAT])

    assert describe_answers(category, {"when": ["night"], "what": ["a", "b"]}) == (
        "什么问题？：停水、水浑\n什么时段？：夜间")


@pytest.mark.parametrize("change, field", [
    ({"code": "has space"}, "code"),
    ({"name": ""}, "name"),
    ({"group": "x" * 41}, "group"),
    ({"keywords": ["a,b"]}, "keywords"),
    ({"attributes": [Attribute("a", "问"), Attribute("a", "题")]}, "attributes"),
    ({"attributes": [Attribute("a", "问", Datatype.SINGLE)]}, "attributes"),
    ({"attributes": [Attribute("a", "问", values=(("k", "v"),))]}, "attributes"),
    ({"attributes": [Attribute("a", " ")]}, "attributes"),
])
def test_a_category_that_could_not_be_published_or_answered_is_refused(change, field):
    with pytest.raises(InvalidInput) as refused:
        Category(**{"code": "lamp", "name": "路灯", "group": "市政设施", **change})
    assert field in refused.value.errors
