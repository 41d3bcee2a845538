"""Business metrics of the monitoring service (DESIGN §9)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CARDS_ISSUED = Counter("duban_monitoring_cards_issued_total", "Yellow and red cards issued",
                       ["color", "source"])
WARNINGS_ISSUED = Counter("duban_monitoring_warnings_issued_total", "Reminders (预警) issued")
SWEEP_DURATION = Histogram(
    "duban_monitoring_sweep_duration_seconds", "Time of one sweep over the due clocks",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SWEEP_FIRED = Counter("duban_monitoring_sweep_clocks_total", "Due clocks the sweep examined")
