"""Run the embedded suite (``duban run``) as a child process for a benchmark, and always stop it.

The server gets a throw-away DUBAN_DATA folder, so every run starts from the same demo data, and its
stdout (gunicorn's access log) and stderr (application and gunicorn logs) go to files in that folder.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # benchmarks only ever talk to this machine

# A log line that reports a failure: structured records at error level, gunicorn's [ERROR] and tracebacks.
_ERROR_LINE = re.compile(r'"level": "(error|critical|exception)"|\[(ERROR|CRITICAL)\]|^Traceback ', re.I)


class ServerError(RuntimeError):
    """The suite did not start, or died while the benchmark ran."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether nothing listens on ``port`` (so /readyz cannot be answered by somebody else's server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


class EmbeddedServer:
    """``duban run`` on ``port`` in a temporary data folder; a context manager that always stops it."""

    def __init__(self, port: int, *, threads: int = 8, keep_data: bool = False,
                 startup_timeout: float = 90.0) -> None:
        self.port = port
        self.threads = threads
        self.keep_data = keep_data
        self.startup_timeout = startup_timeout
        self.data_dir = Path(tempfile.mkdtemp(prefix="duban-bench-"))
        self.stdout_path = self.data_dir / "server.stdout.log"
        self.stderr_path = self.data_dir / "server.stderr.log"
        self.process: subprocess.Popen[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the suite and return once /readyz answers 200; raise ServerError otherwise."""
        if not port_is_free(self.port):
            raise ServerError(f"port {self.port} is already in use on {HOST}")
        env = dict(os.environ)
        # Embedded mode in our own folder, whatever the caller's shell says (a distributed DATABASE_URL
        # or a PORT must not leak into the benchmark).
        env.update(DUBAN_MODE="embedded", DUBAN_DATA=str(self.data_dir / "var"), PYTHONUNBUFFERED="1")
        for name in ("DATABASE_URL", "PORT"):
            env.pop(name, None)
        command = [sys.executable, "-m", "gateway.cli", "run", "--host", HOST, "--port", str(self.port),
                   "--threads", str(self.threads)]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            # A session of its own: Ctrl-C in the terminal reaches only us, and we stop the server
            # in order (and can kill its whole process group if it does not stop).
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=err, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                try:
                    conn.request("GET", "/readyz")
                    if conn.getresponse().status == 200:
                        return
                finally:
                    conn.close()
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise ServerError(f"the suite was not ready within {self.startup_timeout:.0f} s")

    def check_alive(self) -> None:
        """Raise ServerError if the server process has exited."""
        if self.process is not None and self.process.poll() is not None:
            raise ServerError(f"the suite exited with code {self.process.returncode}")

    def stop(self) -> None:
        """SIGTERM (gunicorn's graceful shutdown), then SIGKILL to the process group after 15 s."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group we created: master and its worker
            process.wait(timeout=5)

    def cleanup(self) -> None:
        """Delete the data folder unless asked to keep it."""
        if not self.keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> EmbeddedServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- what the server did -----------------------------------------------------------------
    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the server's stderr (application and gunicorn logs)."""
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def error_lines(self, limit: int = 20) -> tuple[int, list[str]]:
        """How many stderr lines report an error, and the first ``limit`` of them."""
        count, first = 0, list[str]()
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as log:
                for line in log:
                    if _ERROR_LINE.search(line):
                        count += 1
                        if len(first) < limit:
                            first.append(line.rstrip()[:400])
        except OSError:
            pass
        return count, first

    def cpu_seconds(self) -> float | None:
        """User+system CPU seconds used so far by the server (gunicorn master and worker); Linux only."""
        if self.process is None:
            return None
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        total = 0
        found = False
        for _pid, stat in _process_tree(self.process.pid):
            found = True
            fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid … utime stime
            total += int(fields[11]) + int(fields[12])
        return total / ticks if found else None


def _process_tree(root: int) -> Iterator[tuple[int, str]]:
    """``(pid, /proc/pid/stat)`` for ``root`` and its direct children (gunicorn forks one level)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid == root or ppid == root:
            yield pid, stat
