"""Sign-in, handling, return and callback deadlines with the real working-day calendar.

Facts the expected values are reasoned from (2026 schedule, chinesecalendar 1.11): Thu 10-01 .. Wed
10-07 are the National Day holiday, Sat 10-10 is a make-up working day (调休), Sun 10-11 is a rest day,
Wed 09-30, Thu 10-08, Fri 10-09, Mon 10-12 and Tue 10-13 are ordinary working days; November and
December 2026 have no holidays. The package knows no year after 2026. A working-day limit of N ends at
the close (24:00 Beijing time) of the Nth working day after the start day.
"""

from __future__ import annotations

import os
import time
from datetime import UTC


def dispatch_at(desk, when, **fields) -> dict:
    """File at ``when``, dispatch to zjj at once, and read the ticket back over HTTP."""
    desk.clock.set(when)
    ticket_id = desk.file(**fields)["id"]
    desk.run(ticket_id, "dispatch")
    return desk.ticket(ticket_id)


def test_a_general_ticket_dispatched_on_national_day_eve_skips_the_holiday_week(desk, at, instant):
    ticket = dispatch_at(desk, at(2026, 9, 30, 10))

    # sign: 1 working day after Wed 09-30 is Thu 10-08 → its close, 10-09 00:00
    assert instant(ticket["sign_due_at"]) == at(2026, 10, 9)
    # handle: 5 working days after 09-30 are 10-08, 10-09, 10-10 (Sat, 调休), 10-12, 10-13
    assert instant(ticket["handle_due_at"]) == at(2026, 10, 14)
    # return: 2 working days → 10-08, 10-09
    assert instant(ticket["return_due_at"]) == at(2026, 10, 10)
    assert instant(ticket["dispatched_at"]) == at(2026, 9, 30, 10)
    assert ticket["deadline_provisional"] is False


def test_deadlines_are_shown_in_beijing_time(desk, at):
    ticket = dispatch_at(desk, at(2026, 9, 30, 10))

    assert ticket["sign_due_at"] == "2026-10-09T00:00:00+08:00"
    assert ticket["handle_due_at"] == "2026-10-14T00:00:00+08:00"


def test_an_emergency_runs_in_natural_time_even_on_a_holiday(desk, at, instant):
    ticket = dispatch_at(desk, at(2026, 10, 2, 10), urgency="emergency")

    assert instant(ticket["sign_due_at"]) == at(2026, 10, 2, 10, 15)
    assert instant(ticket["handle_due_at"]) == at(2026, 10, 2, 12)
    assert ticket["deadline_provisional"] is False


def test_an_emergency_beats_the_utility_limits(desk, at, instant):
    ticket = dispatch_at(desk, at(2026, 10, 2, 10), urgency="emergency", utility=True)

    assert instant(ticket["sign_due_at"]) == at(2026, 10, 2, 10, 15)
    assert instant(ticket["handle_due_at"]) == at(2026, 10, 2, 12)


def test_a_utility_request_signs_in_30_minutes_and_is_handled_in_24_hours(desk, at, instant):
    ticket = dispatch_at(desk, at(2026, 10, 3, 10), utility=True)  # a holiday Saturday

    assert instant(ticket["sign_due_at"]) == at(2026, 10, 3, 10, 30)
    assert instant(ticket["handle_due_at"]) == at(2026, 10, 4, 10)


def test_a_complex_ticket_gets_fifteen_working_days_and_signs_in_one(desk, at, instant):
    ticket = dispatch_at(desk, at(2026, 11, 23, 9), urgency="complex")

    assert instant(ticket["sign_due_at"]) == at(2026, 11, 25)
    # 11-24..11-27 (4), 11-30..12-04 (9), 12-07..12-11 (14), 12-14 (15)
    assert instant(ticket["handle_due_at"]) == at(2026, 12, 15)


def test_an_approved_extension_adds_working_days_to_the_handling_deadline(desk, at, instant):
    ticket_id = dispatch_at(desk, at(2026, 11, 23, 9))["id"]  # handle due: close of Mon 11-30
    desk.run(ticket_id, "sign")
    desk.run(ticket_id, "extension", days=5)

    desk.run(ticket_id, "extension/review", approve=True)

    ticket = desk.ticket(ticket_id)
    assert instant(ticket["handle_due_at"]) == at(2026, 12, 8)  # 12-01, 12-02, 12-03, 12-04, 12-07
    assert ticket["extension_days"] == 5
    assert ticket["extension"]["status"] == "approved"


def test_an_extension_across_the_holiday_week_skips_it(desk, at, instant):
    ticket_id = dispatch_at(desk, at(2026, 9, 29, 10))["id"]  # handle: 09-30, 10-08, 10-09, 10-10, 10-12
    assert instant(desk.ticket(ticket_id)["handle_due_at"]) == at(2026, 10, 13)
    desk.run(ticket_id, "sign")
    desk.run(ticket_id, "extension", days=2)

    desk.run(ticket_id, "extension/review", approve=True)

    assert instant(desk.ticket(ticket_id)["handle_due_at"]) == at(2026, 10, 15)  # 10-13, 10-14


def test_a_rejected_extension_keeps_the_handling_deadline(desk, at, instant):
    ticket_id = dispatch_at(desk, at(2026, 11, 23, 9))["id"]
    desk.run(ticket_id, "sign")
    desk.run(ticket_id, "extension", days=5)

    desk.run(ticket_id, "extension/review", approve=False)

    ticket = desk.ticket(ticket_id)
    assert instant(ticket["handle_due_at"]) == at(2026, 12, 1)
    assert ticket["extension_days"] == 0


def test_a_ticket_dispatched_in_a_year_without_holiday_data_is_provisional_and_counts_weekends_only(
        desk, at, instant):
    ticket = dispatch_at(desk, at(2027, 1, 8, 10))  # Friday

    assert ticket["deadline_provisional"] is True
    assert instant(ticket["sign_due_at"]) == at(2027, 1, 12)  # Mon 01-11
    assert instant(ticket["handle_due_at"]) == at(2027, 1, 16)  # 01-11 .. 01-15


def test_new_year_2027_counts_as_a_working_day_until_the_schedule_is_known(desk, at, instant):
    ticket = dispatch_at(desk, at(2026, 12, 31, 10))

    assert ticket["deadline_provisional"] is True
    assert instant(ticket["sign_due_at"]) == at(2027, 1, 2)  # Fri 01-01, weekends-only


def test_the_machine_time_zone_does_not_change_deadlines(desk, at, instant):
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        ticket = dispatch_at(desk, at(2026, 9, 30, 10))
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()

    assert instant(ticket["sign_due_at"]) == at(2026, 10, 9)
    assert instant(ticket["handle_due_at"]) == at(2026, 10, 14)


def test_a_late_night_utc_dispatch_counts_from_the_beijing_day(desk, at, instant):
    # 2026-09-29 17:00 UTC is already Wed 09-30 01:00 in Beijing.
    ticket = dispatch_at(desk, at(2026, 9, 30, 1).astimezone(UTC))

    assert instant(ticket["sign_due_at"]) == at(2026, 10, 9)


def test_the_callback_is_due_one_working_day_after_the_reply(desk, at, instant):
    ticket_id = dispatch_at(desk, at(2026, 11, 27, 9))["id"]  # Friday
    desk.run(ticket_id, "sign")
    desk.clock.set(at(2026, 11, 27, 15))

    desk.run(ticket_id, "reply")

    assert instant(desk.ticket(ticket_id)["callback_due_at"]) == at(2026, 12, 1)  # close of Mon 11-30


def test_a_return_within_two_working_days_is_allowed(desk, at):
    ticket_id = dispatch_at(desk, at(2026, 9, 30, 10))["id"]
    desk.clock.set(at(2026, 10, 9, 23, 59))  # the holiday week does not use up the window

    assert desk.do(ticket_id, "return")["status"] == "return_requested"


def test_a_return_after_the_window_gets_409_and_changes_nothing(desk, at, envelope):
    ticket_id = dispatch_at(desk, at(2026, 9, 30, 10))["id"]
    before = desk.stored(ticket_id)
    desk.clock.set(at(2026, 10, 10, 0, 1))

    body = envelope(desk.act(ticket_id, "return"), 409)

    assert body["errors"]["return_due_at"]
    assert desk.stored(ticket_id) == before


def test_signing_after_the_sign_deadline_is_recorded_as_late(desk, at):
    ticket_id = dispatch_at(desk, at(2026, 11, 23, 9))["id"]
    desk.clock.advance(days=2, minutes=1)  # past the close of Tue 11-24

    response = desk.act(ticket_id, "sign")

    assert response.status_code == 200
    signed = [e for e in desk.rows("ticket_timeline", desk.table("ticket_timeline").c.ticket_id == ticket_id)
              if e.action == "signed"]
    assert [e.outcome for e in signed] == ["late"]


def test_reopening_restarts_both_clocks_from_the_callback(desk, at, instant):
    ticket_id = dispatch_at(desk, at(2026, 11, 23, 9))["id"]
    desk.run(ticket_id, "sign")
    desk.run(ticket_id, "reply")
    desk.clock.set(at(2026, 11, 27, 15))  # Friday

    desk.run(ticket_id, "callback", satisfaction="dissatisfied", justified=True)

    ticket = desk.ticket(ticket_id)
    assert ticket["status"] == "reopened"
    assert instant(ticket["dispatched_at"]) == at(2026, 11, 27, 15)
    assert instant(ticket["sign_due_at"]) == at(2026, 12, 1)
    assert instant(ticket["handle_due_at"]) == at(2026, 12, 5)


def test_dispatch_over_http_answers_with_the_deadlines(desk, at, instant):
    desk.clock.set(at(2026, 9, 30, 10))
    ticket_id = desk.file()["id"]

    response = desk.act(ticket_id, "dispatch")

    assert response.status_code == 200
    assert instant(response.get_json()["sign_due_at"]) == at(2026, 10, 9)
    assert instant(response.get_json()["handle_due_at"]) == at(2026, 10, 14)

