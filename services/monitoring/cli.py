"""``duban monitoring …``: the sweeper as its own process in distributed mode, and a one-off sweep."""

from __future__ import annotations

import json
import signal
import threading
from dataclasses import asdict
from typing import Any

import click

from shared.settings import Settings


@click.group(name="monitoring")
def monitoring() -> None:
    """Electronic monitoring (电子监察): the sweep over due clocks."""


@monitoring.command("sweep")
@click.option("--loop", is_flag=True, help="keep sweeping until SIGTERM/SIGINT (the distributed sweeper process)")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="seconds between sweeps with --loop")
@click.option("--batch-size", type=click.IntRange(min=1, max=100_000), default=1000, show_default=True)
@click.option("--metrics-port", type=click.IntRange(min=1, max=65_535), default=None,
              help="with --loop: serve this sweeper's Prometheus metrics (sweep time, reminders and cards issued)")
@click.pass_obj
def sweep_command(obj: Any, loop: bool, interval: float, batch_size: int, metrics_port: int | None) -> None:
    """Issue the reminders and cards of every due clock (once, or forever with --loop).

    Several sweepers may run at once: they never issue the same card twice.
    """
    from services.monitoring import open_context
    from services.monitoring.sweep import run_forever, sweep
    from shared.bootstrap import Environment

    if metrics_port is not None and not loop:
        raise click.UsageError("--metrics-port needs --loop: a single sweep exits before anyone scrapes it")
    settings = obj if isinstance(obj, Settings) else Settings.from_env()
    context = open_context(Environment(settings))
    try:
        if not loop:
            click.echo(json.dumps(asdict(sweep(context, batch_size=batch_size))))
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        if metrics_port is not None:
            from shared.metrics import serve_metrics

            serve_metrics(metrics_port)
        click.echo(f"sweeping every {interval:g} s; stop with SIGTERM or Ctrl-C", err=True)
        run_forever(context, interval=interval, stop=stop, batch_size=batch_size)
    finally:
        context.db.dispose()
