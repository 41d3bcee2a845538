"""Rules as configuration: a section overrides defaults, faults are named by path, versions are kept apart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.hotline.rules import DeadlinePolicy
from services.monitoring.rules import MonitoringPolicy
from shared.calendar import TimeLimit
from shared.errors import InvalidInput
from shared.rules import RuleBook, from_config, to_config, validate

SECTIONS = {"hotline": DeadlinePolicy, "monitoring": MonitoringPolicy}


def test_a_section_overrides_only_what_it_names():
    policy = from_config(DeadlinePolicy, "hotline", {"handle_general": {"amount": 3, "unit": "working_days"}})

    assert policy.handle_general == TimeLimit.workdays(3)
    assert policy.sign_general == DeadlinePolicy().sign_general


def test_to_config_and_back_is_the_same_policy():
    policy = MonitoringPolicy(red_after_workdays=2, yellow_window=timedelta(days=60), reminder_share=0.25)

    assert from_config(MonitoringPolicy, "monitoring", to_config(policy)) == policy


@pytest.mark.parametrize(("document", "path"), [
    ({"hotline": {"handle_general": {"amount": 0, "unit": "working_days"}}}, "hotline.handle_general"),
    ({"hotline": {"handle_general": {"amount": 3, "unit": "fortnights"}}}, "hotline.handle_general"),
    ({"hotline": {"handle_general": 3}}, "hotline.handle_general"),
    ({"hotline": {"max_reopens": "2"}}, "hotline.max_reopens"),
    ({"hotline": {"max_reopens": True}}, "hotline.max_reopens"),
    ({"monitoring": {"reminder_share": 1.5}}, "monitoring.reminder_share"),
    ({"monitoring": {"yellow_window": {"days": 0}}}, "monitoring.yellow_window"),
    ({"monitoring": {"red_after": 5}}, "monitoring.red_after"),
    ({"spotcheck": {}}, "spotcheck"),
])
def test_a_bad_rule_is_refused_naming_its_path(document, path):
    with pytest.raises(InvalidInput) as raised:
        validate(document, SECTIONS)

    assert path in raised.value.errors


def test_every_fault_of_a_document_is_named_at_once():
    with pytest.raises(InvalidInput) as raised:
        validate({"hotline": {"max_reopens": -1}, "monitoring": {"yellows_for_red": "3"}}, SECTIONS)

    assert set(raised.value.errors) == {"hotline.max_reopens", "monitoring.yellows_for_red"}


def test_a_rule_book_answers_the_newest_version_and_any_older_one_by_number():
    versions = {1: {"monitoring": {"red_after_workdays": 4}}, 2: {"monitoring": {"red_after_workdays": 2}}}
    book = RuleBook(SECTIONS, lambda: (2, versions))

    assert book.version == 2
    assert book.current("monitoring").red_after_workdays == 2
    assert book.at(1, "monitoring").red_after_workdays == 4
    assert book.at(0, "monitoring") == MonitoringPolicy()


def test_a_rule_book_reads_its_source_at_most_once_per_refresh_interval():
    now = [0.0]
    published: dict[int, dict] = {}
    reads = []

    def source():
        reads.append(now[0])
        return max(published, default=0), dict(published)

    book = RuleBook(SECTIONS, source, refresh_seconds=5.0, monotonic=lambda: now[0])
    assert book.version == 0
    published[1] = {"hotline": {"max_reopens": 1}}

    now[0] = 4.0
    assert book.version == 0  # not re-read yet
    now[0] = 5.0
    assert book.version == 1 and book.current("hotline").max_reopens == 1
    assert reads == [0.0, 5.0]


def test_a_fixed_rule_book_answers_its_policies():
    book = RuleBook.fixed({"monitoring": MonitoringPolicy(yellows_for_red=2)})

    assert book.version == 0 and book.current("monitoring").yellows_for_red == 2


def test_the_defaults_listed_in_docs_rules_md_are_the_defaults_in_code():
    import json
    from pathlib import Path

    from gateway.registry import rule_sections

    text = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    listed = json.loads(text.rsplit("```json", 1)[1].split("```", 1)[0])
    assert listed == {name: to_config(cls()) for name, cls in rule_sections().items()}


def test_a_field_may_declare_its_own_range():
    from services.spotcheck.rules import SamplingPolicy

    assert from_config(SamplingPolicy, "spotcheck", {"ratio_d": 3000}).ratio_d == 3000  # 30% in basis points
    with pytest.raises(InvalidInput) as raised:
        from_config(SamplingPolicy, "spotcheck", {"team_size": 1, "ratio_a": 10_001})
    assert set(raised.value.errors) == {"spotcheck.team_size", "spotcheck.ratio_a"}
