"""Unit tests of cards: the lifecycle (confirm, acknowledge, revoke, clear) and the accumulation rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.monitoring.cards import Card, YellowRef, accumulation_groups
from services.monitoring.rules import CardColor, CardRule, CardSource, CardStatus, MonitoringPolicy
from shared.auth import DEPARTMENT, INSPECTOR, Principal
from shared.errors import Forbidden, InvalidInput, InvalidTransition

NOW = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
INSPECTOR_USER = Principal("jjjc", frozenset({INSPECTOR}))
ZJJ_STAFF = Principal("zjj-1", frozenset({DEPARTMENT}), frozenset({"zjj"}))
CGJ_STAFF = Principal("cgj-1", frozenset({DEPARTMENT}), frozenset({"cgj"}))


def manual(color: CardColor = CardColor.RED) -> Card:
    return Card.manual(id="k1", color=color, department="zjj", reason="无正当理由拒绝受理", subject=None,
                       actor=INSPECTOR_USER, now=NOW)


def test_a_manual_card_names_the_inspector_and_its_reason():
    card = manual()

    assert (card.source, card.rule, card.status) == (CardSource.MANUAL, CardRule.MANUAL, CardStatus.ISSUED)
    assert card.issued_by == "jjjc" and card.reason == "无正当理由拒绝受理"
    assert [e.to_data()["source"] for e in card.events] == ["manual"]


def test_a_manual_card_without_a_reason_is_refused():
    with pytest.raises(InvalidInput):
        Card.manual(id="k", color=CardColor.RED, department="zjj", reason=" x ", subject=None,
                    actor=INSPECTOR_USER, now=NOW)


def test_confirm_then_clear_closes_a_card_with_events_for_each_step():
    card = manual()

    card.confirm(actor=INSPECTOR_USER, now=NOW)
    card.clear(actor=INSPECTOR_USER, note="整改已验收", now=NOW + timedelta(days=3))

    assert card.status is CardStatus.CLEARED and card.clear_note == "整改已验收"
    assert [e.TYPE for e in card.events] == ["monitoring.card.issued", "monitoring.card.confirmed",
                                          "monitoring.card.cleared"]


def test_a_card_can_only_be_cleared_once_confirmed():
    card = manual()

    with pytest.raises(InvalidTransition):
        card.clear(actor=INSPECTOR_USER, note="整改已验收", now=NOW)


def test_revoking_needs_a_reason_of_two_characters():
    card = manual()

    with pytest.raises(InvalidInput):
        card.revoke(actor=INSPECTOR_USER, reason="x", now=NOW)
    card.revoke(actor=INSPECTOR_USER, reason="误判", now=NOW)

    assert card.status is CardStatus.REVOKED and card.revoke_reason == "误判"
    assert card.events[-1].to_data()["reason"] == "误判"


def test_a_revoked_or_cleared_card_cannot_be_revoked_again():
    revoked, cleared = manual(), manual()
    revoked.revoke(actor=INSPECTOR_USER, reason="误判", now=NOW)
    cleared.confirm(actor=INSPECTOR_USER, now=NOW)
    cleared.clear(actor=INSPECTOR_USER, note="已整改", now=NOW)

    for card in (revoked, cleared):
        with pytest.raises(InvalidTransition):
            card.revoke(actor=INSPECTOR_USER, reason="再次撤销", now=NOW)


def test_only_the_carded_department_acknowledges_and_only_once():
    card = manual()

    with pytest.raises(Forbidden):
        card.acknowledge(actor=CGJ_STAFF, now=NOW)
    card.acknowledge(actor=ZJJ_STAFF, now=NOW, note="已知悉，立即整改")
    with pytest.raises(InvalidTransition):
        card.acknowledge(actor=ZJJ_STAFF, now=NOW)

    assert card.acknowledged_by == "zjj-1" and card.acknowledge_note == "已知悉，立即整改"


def test_a_revoked_card_cannot_be_acknowledged():
    card = manual()
    card.revoke(actor=INSPECTOR_USER, reason="误判", now=NOW)

    with pytest.raises(InvalidTransition):
        card.acknowledge(actor=ZJJ_STAFF, now=NOW)


def yellows(n: int) -> list[YellowRef]:
    return [YellowRef(f"y{i}", "zjj", f"工单{i}", NOW + timedelta(days=i)) for i in range(n)]


@pytest.mark.parametrize(("count", "groups"), [(2, 0), (3, 1), (5, 1), (6, 2)])
def test_every_full_group_of_three_uncounted_yellows_earns_one_red_card(count, groups):
    assert len(accumulation_groups(yellows(count), MonitoringPolicy())) == groups


def test_the_accumulation_red_card_cites_the_three_yellows_and_is_keyed_by_the_last():
    group = accumulation_groups(list(reversed(yellows(3))), MonitoringPolicy())[0]

    red = Card.accumulation(id="r", yellows=group, now=NOW, policy=MonitoringPolicy())

    assert [y.id for y in group] == ["y0", "y1", "y2"]
    assert red.color is CardColor.RED and red.rule is CardRule.ACCUMULATION and red.clock_id is None
    assert red.escalation_key == "y2"
    assert "30日内第3张黄牌（工单0、工单1、工单2）" in red.reason
