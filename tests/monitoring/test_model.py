"""Unit tests of the clock model: thresholds, the late sweep, pause and resume, stop outcomes (no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.monitoring.model import Subject, SupervisedClock, due_day
from services.monitoring.rules import BoardState, ClockKind, ClockState, MonitoringPolicy, Outcome, Stage
from shared.calendar import TimeLimit, WorkCalendar
from shared.errors import InvalidInput, InvalidTransition
from tests.monitoring.moments import at

POLICY = MonitoringPolicy()
CAL = WorkCalendar()



def clock(start: datetime, limit: TimeLimit, kind: ClockKind = ClockKind.HANDLE) -> SupervisedClock:
    return SupervisedClock.start(id="c1", subject=Subject("hotline", "ticket", "t1", "20261102000001"), kind=kind,
                                 department="zjj", started_at=start, limit=limit, due_at=CAL.due(start, limit).due_at,
                                 provisional=False, calendar=CAL, policy=POLICY)


def stages(signals: list) -> list[Stage]:
    return [s.stage for s in signals]


# -- thresholds ------------------------------------------------------------------------------------
def test_a_five_working_day_limit_is_reminded_at_due_minus_twenty_percent_when_that_is_later():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))  # due at the close of Mon 11-09

    assert c.due_at == at(11, 10)
    # 20% of 7 d 15 h is 36 h 36 min; the day rule would say the close of Fri 11-06 (Sat 00:00).
    assert c.reminder_at(CAL, POLICY) == at(11, 8, 11, 24)
    assert c.next_fire_at == at(11, 8, 11, 24)


def test_a_long_limit_is_reminded_at_the_close_of_the_working_day_before_the_due_day():
    c = clock(at(11, 2, 9), TimeLimit.workdays(15))  # due at the close of Mon 11-23

    assert c.due_at == at(11, 24)
    assert c.reminder_at(CAL, POLICY) == at(11, 21)  # close of Fri 11-20 beats due − 20% (Thu 20:12)


def test_a_minute_limit_is_reminded_in_its_last_fifth():
    c = clock(at(11, 2, 9), TimeLimit.minutes(15), ClockKind.SIGN)

    assert c.reminder_at(CAL, POLICY) == at(11, 2, 9, 12)


def test_the_due_day_of_a_midnight_deadline_is_the_day_that_closes_then():
    assert due_day(CAL, at(10, 9)) == datetime(2026, 10, 8).date()
    assert due_day(CAL, at(10, 9, 15)) == datetime(2026, 10, 9).date()


def test_the_reminder_fires_once_before_due_and_nothing_else_until_due():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))

    assert c.fire(at(11, 8, 11, 23), CAL, POLICY) == []
    reminded = c.fire(at(11, 8, 11, 24), CAL, POLICY)
    again = c.fire(at(11, 9, 23, 59), CAL, POLICY)

    assert stages(reminded) == [Stage.REMINDED]
    assert again == [] and c.stage is Stage.REMINDED
    assert c.next_fire_at == c.due_at


def test_the_yellow_card_fires_at_the_due_time():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))
    c.fire(at(11, 9), CAL, POLICY)

    signals = c.fire(at(11, 10), CAL, POLICY)

    assert stages(signals) == [Stage.YELLOW]
    assert "已于2026-11-10 00:00到期未办结" in signals[0].reason
    assert c.board_state(at(11, 10, 0, 0, 1)) is BoardState.OVERDUE


def test_the_red_card_fires_once_overdue_by_more_than_five_working_days():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))
    c.fire(at(11, 10), CAL, POLICY)

    assert c.next_fire_at == at(11, 17)  # close of the 5th working day after Mon 11-09: Mon 11-16
    assert c.fire(at(11, 16, 23, 59), CAL, POLICY) == []
    red = c.fire(at(11, 17), CAL, POLICY)

    assert stages(red) == [Stage.RED]
    assert "超期超过5个工作日" in red[0].reason
    assert c.next_fire_at is None


def test_a_sweep_that_comes_late_skips_the_stale_reminder_and_issues_yellow_and_red_together():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))

    signals = c.fire(at(11, 20), CAL, POLICY)

    assert stages(signals) == [Stage.YELLOW, Stage.RED]
    assert c.stage is Stage.RED and c.next_fire_at is None


def test_a_sweep_just_after_due_issues_the_yellow_card_without_a_reminder():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))

    assert stages(c.fire(at(11, 10, 1), CAL, POLICY)) == [Stage.YELLOW]


def test_a_later_due_time_sends_an_overdue_clock_back_to_on_time_and_rearms_it():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))
    c.fire(at(11, 10, 1), CAL, POLICY)
    new_due = CAL.extend(c.due_at, TimeLimit.workdays(10)).due_at  # close of Mon 11-23

    c.move_due(new_due, at=at(11, 10, 9), calendar=CAL, policy=POLICY)

    assert c.stage is Stage.NONE
    assert c.board_state(at(11, 10, 9)) is BoardState.ON_TIME
    assert c.next_fire_at == c.reminder_at(CAL, POLICY) == at(11, 21)


def test_a_clock_cannot_start_after_it_is_due():
    with pytest.raises(InvalidInput):
        SupervisedClock.start(id="c", subject=Subject("x", "y", "z"), kind=ClockKind.SIGN, department="zjj",
                              started_at=at(11, 2, 9), limit=TimeLimit.minutes(1), due_at=at(11, 2, 8),
                              provisional=False, calendar=CAL, policy=POLICY)


# -- pause and resume ------------------------------------------------------------------------------
def test_a_paused_clock_fires_nothing_and_has_no_next_fire_time():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))
    c.pause(at(11, 3, 10))

    assert c.next_fire_at is None
    assert c.fire(at(11, 30), CAL, POLICY) == []
    assert c.board_state(at(11, 30)) is BoardState.PAUSED


def test_a_pause_over_a_weekend_moves_a_working_day_limit_by_the_working_days_that_closed():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))  # due at the close of Mon 11-09
    c.pause(at(11, 6, 10))  # Friday morning

    c.resume(at(11, 9, 10), CAL, POLICY)  # Monday morning: only Friday closed during the pause

    assert c.paused_workdays == 1
    assert c.due_at == at(11, 11)  # close of Tue 11-10
    assert c.state is ClockState.RUNNING and c.next_fire_at is not None


def test_a_pause_from_saturday_to_sunday_costs_no_working_day():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))
    c.pause(at(11, 7, 10))

    c.resume(at(11, 8, 20), CAL, POLICY)

    assert c.paused_workdays == 0
    assert c.due_at == at(11, 10)


def test_a_pause_over_a_weekend_moves_a_natural_hour_limit_by_the_exact_duration():
    c = clock(at(11, 6, 16), TimeLimit.hours(24))
    c.pause(at(11, 6, 18))

    c.resume(at(11, 9, 9, 30), CAL, POLICY)

    assert c.due_at == at(11, 7, 16) + timedelta(days=2, hours=15, minutes=30)
    assert c.paused_seconds == int(timedelta(days=2, hours=15, minutes=30).total_seconds())


def test_a_pause_across_national_day_skips_the_holiday_and_counts_the_make_up_saturday():
    # 5 working days from Mon 09-28: 09-29, 09-30, 10-08, 10-09 and the make-up Saturday 10-10.
    c = clock(at(9, 28, 10), TimeLimit.workdays(5))
    assert c.due_at == at(10, 11)
    c.pause(at(9, 30, 15))

    c.resume(at(10, 8, 10), CAL, POLICY)  # only 09-30 closed as a working day meanwhile

    assert c.paused_workdays == 1
    assert c.due_at == at(10, 13)  # Sun 10-11 is off, so the extra day is Mon 10-12


def test_a_pause_inside_the_national_day_holiday_costs_no_working_day():
    c = clock(at(9, 28, 10), TimeLimit.workdays(5))
    c.pause(at(10, 1, 10))

    c.resume(at(10, 8, 9), CAL, POLICY)

    assert c.paused_workdays == 0 and c.due_at == at(10, 11)


def test_resuming_before_the_pause_or_resuming_a_running_clock_is_refused():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))
    with pytest.raises(InvalidTransition):
        c.resume(at(11, 3), CAL, POLICY)
    c.pause(at(11, 3, 10))
    with pytest.raises(InvalidInput):
        c.resume(at(11, 3, 9), CAL, POLICY)


# -- stopping --------------------------------------------------------------------------------------
def test_stopping_by_the_due_time_is_on_time_and_after_it_late():
    on_time, late = clock(at(11, 2, 9), TimeLimit.workdays(5)), clock(at(11, 2, 9), TimeLimit.workdays(5))

    on_time.stop(at(11, 10), CAL, POLICY)
    late.stop(at(11, 10, 0, 0, 1), CAL, POLICY)

    assert on_time.outcome is Outcome.ON_TIME and late.outcome is Outcome.LATE
    assert on_time.next_fire_at is None and on_time.board_state(at(12, 1)) is BoardState.STOPPED


def test_stopping_a_paused_clock_leaves_the_pause_out_of_the_reckoning():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))
    c.pause(at(11, 3, 9))

    c.stop(at(11, 11, 9), CAL, POLICY)  # six working days closed during the pause: due moved to 11-18

    assert c.outcome is Outcome.ON_TIME and c.paused_workdays == 6


def test_a_stopped_clock_cannot_be_stopped_or_paused_again():
    c = clock(at(11, 2, 9), TimeLimit.workdays(5))
    c.stop(at(11, 3), CAL, POLICY, Outcome.SUPERSEDED)

    with pytest.raises(InvalidTransition):
        c.stop(at(11, 4), CAL, POLICY)
    with pytest.raises(InvalidTransition):
        c.pause(at(11, 4))
