"""HTTP intake benchmark: 受理 (POST /api/hotline/v1/tickets) against a trivial endpoint, same run.

Starts the embedded suite (``duban run``) in a temporary data folder, logs in once as the demo
operator, then drives each phase with N keep-alive client threads for a fixed time:

    baseline  GET  /api/hotline/healthz          same process, same WSGI stack, no database
    intake    POST /api/hotline/v1/tickets       varied Chinese complaints (keyword index)
    reads     GET  /api/hotline/v1/tickets?page=1 only with --with-reads

and prints requests/s, p50/p95/p99 latency and non-2xx counts for each, and the throughput ratio
intake/baseline. The machine is shared and noisy, so absolute figures move from run to run; the
ratio, from phases run back to back against the same server process, is the figure to compare.
See bench/README.md.

    .venv/bin/python bench/intake.py [--duration 15] [--threads 8] [--with-reads] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _server import HOST, EmbeddedServer, ServerError, free_port

# The server inherits our environment, so it seeds the demo users with this same password.
LOGIN = {"username": "operator", "password": os.environ.get("DUBAN_DEMO_PASSWORD", "duban-demo")}

# -- what callers say: the vocabulary of the generated tickets ------------------------------------
# Places and problems are combined at random, so titles share words the way real hotline traffic does
# (the same roads, estates and complaints recur) without the keyword cache answering every ticket.
DISTRICTS = ["东城区", "西城区", "新城区", "高新区", "滨江区", "南湖区", "北苑区", "经开区"]
# 30 × 4 roads and 24 × 8 estates: a city's worth of place names, each recurring now and then.
ROADS = [name + kind for name in ("朝阳", "人民", "解放", "建设", "中山", "和平", "滨江", "长江", "黄河",
                                  "光明", "学府", "文化", "胜利", "迎宾", "新华", "东风", "青年", "工业",
                                  "银杏", "公园", "春风", "友谊", "振兴", "红旗", "育才", "丰收", "金沙",
                                  "石桥", "柳湾", "望江")
         for kind in ("路", "街", "大道", "北路")]
ESTATES = [name + kind for name in ("幸福", "锦绣", "阳光", "金桂", "翠湖", "明珠", "康乐", "书香", "紫荆",
                                    "梧桐", "丽景", "枫林", "碧水", "和谐", "春晖", "海棠", "玉兰", "凤凰",
                                    "天鹅", "龙湾", "绿城", "怡景", "瑞祥", "嘉禾")
           for kind in ("小区", "花园", "家园", "新村", "雅苑", "公寓", "华庭", "里")]
TOPICS = ["居住证", "公积金提取", "医保异地报销", "新生儿落户", "社保关系转移", "灵活就业社保缴费",
          "老年人优待证", "电动自行车上牌", "不动产登记", "失业保险金申领"]
WHEN = ["每天晚上十点以后", "最近一周", "从上个月开始", "周末", "每天早上六点左右", "这几天", "连续三天"]
DETAILS = ["老人孩子出行很不方便。", "周边居民意见很大。", "之前打过电话但一直没有回复。", "已拍照留存。",
           "物业说不归他们管。", "晚上根本睡不着觉。", "存在安全隐患，担心有人受伤。", "多次沟通无果。",
           "希望尽快派人到现场查看。", "社区工作人员说会上报，但没有下文。"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"

# (type, urgency, utility, title, content): {estate} {road} {no} {district} {when} {topic} {detail}
TEMPLATES: list[tuple[str, str, bool, str, str]] = [
    ("complaint", "general", False, "{estate}楼下餐馆油烟扰民",
     "{road}{no}号{estate}一楼餐馆排烟管道直排，{when}油烟和噪音影响居民休息。{detail}"),
    ("complaint", "general", False, "{road}工地夜间施工噪音",
     "{road}{no}号附近工地{when}仍在施工，打桩声音很大，请求查处。{detail}"),
    ("complaint", "general", False, "{estate}电梯频繁故障",
     "{estate}{no}号楼电梯{when}多次困人，物业维修不及时。{detail}"),
    ("help", "general", False, "{road}路灯不亮",
     "{road}靠近{estate}一段路灯{when}一直不亮，夜间行人看不清路。{detail}"),
    ("complaint", "general", False, "{estate}垃圾清运不及时",
     "{estate}垃圾桶{when}满溢无人清运，气味很大，招来蚊蝇。{detail}"),
    ("complaint", "general", False, "{road}商户占道经营",
     "{road}{no}号周边商户把货架摆到人行道上，{when}行人只能走机动车道。{detail}"),
    ("complaint", "general", False, "{estate}物业乱收费",
     "{estate}物业{when}要求业主缴纳额外的电梯维护费和停车管理费，没有公示收费依据。{detail}"),
    ("help", "emergency", False, "{road}窨井盖缺失",
     "{road}{no}号门口窨井盖缺失，{when}已有电动车险些掉进去。{detail}"),
    ("help", "emergency", True, "{estate}突然停水",
     "{estate}{no}号楼{when}停水，没有任何通知，居民用水困难。{detail}"),
    ("help", "emergency", True, "{estate}大面积停电",
     "{district}{estate}{when}突然停电，冰箱里的食物都坏了，电梯也停了。{detail}"),
    ("complaint", "general", True, "{estate}供暖温度不达标",
     "{estate}{no}号楼室内温度{when}只有十四度左右，达不到供暖标准。{detail}"),
    ("help", "general", False, "{road}雨后积水严重",
     "{road}与{road2}交叉口{when}一下雨就积水，车辆熄火，行人无法通行。{detail}"),
    ("complaint", "general", False, "{road}共享单车乱停放",
     "{road}地铁站出口共享单车{when}堆满盲道和人行道。{detail}"),
    ("report", "general", False, "{estate}顶楼违章搭建",
     "{estate}{no}号楼顶楼住户{when}在楼顶搭建彩钢房，存在安全隐患。{detail}"),
    ("report", "general", False, "{road}超市销售过期食品",
     "{road}{no}号超市货架上有过期酸奶和面包在售。{detail}"),
    ("report", "general", False, "{district}黑车非法营运",
     "{district}{road}客运站门口{when}有大量黑车拉客，价格混乱。{detail}"),
    ("complaint", "complex", False, "{road}某装修公司拖欠工资",
     "本人在{road}{no}号一家装修公司工作，公司{when}拖欠三个月工资不发。{detail}"),
    ("consultation", "general", False, "{topic}办理咨询",
     "咨询{topic}需要准备哪些材料，在{district}哪个窗口办理，能否网上办理。"),
    ("suggestion", "complex", False, "建议{road}增设红绿灯",
     "{road}与{road2}路口车流量大，{when}上下学时段孩子过马路很危险，建议增设红绿灯。"),
    ("suggestion", "complex", False, "建议增设{district}到市中心的公交线路",
     "{district}{estate}到市中心没有直达公交，建议增设一条线路，方便上班族通勤。"),
    ("praise", "general", False, "表扬{district}社区工作人员",
     "{district}{estate}社区工作人员{when}帮助独居老人就医，态度热情，特此表扬。"),
]


def ticket_body(rng: random.Random, repeat_callers: list[str]) -> bytes:
    """One intake request as a caller might phrase it (one in ten calls is from a repeat caller)."""
    type_, urgency, utility, title, content = rng.choice(TEMPLATES)
    road, road2 = rng.sample(ROADS, 2)
    slots = {"estate": rng.choice(ESTATES), "road": road, "road2": road2, "no": rng.randint(1, 199),
             "district": rng.choice(DISTRICTS), "when": rng.choice(WHEN), "topic": rng.choice(TOPICS),
             "detail": "".join(rng.sample(DETAILS, rng.randint(0, 2)))}
    phone = (rng.choice(repeat_callers) if rng.random() < 0.1
             else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}")
    ticket = {"type": type_, "urgency": urgency, "utility": utility,
              "channel": rng.choices(["phone", "web", "wechat", "app"], [70, 10, 15, 5])[0],
              "title": title.format(**slots), "content": content.format(**slots),
              "caller": {"name": rng.choice(SURNAMES) + rng.choice(["先生", "女士"]), "phone": phone},
              "address": "{district}{road}{no}号".format(**slots)}
    return json.dumps(ticket, ensure_ascii=False).encode()


# -- one measured phase ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """What a phase sends: method, path and a body maker; ``marker`` is counted in 2xx bodies."""

    name: str
    method: str
    path: str
    body: Callable[[random.Random], bytes | None] = lambda _rng: None
    marker: bytes | None = None


@dataclass
class Recorder:
    """One client thread's measurements (no locks: each thread owns its recorder)."""

    done: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    errors: Counter[int] = field(default_factory=Counter)  # status → count; 0 = connection error
    error_samples: list[str] = field(default_factory=list)
    markers: int = 0
    issued: int = 0


def _client(port: int, target: Target, headers: dict[str, str], window: tuple[float, float],
            stop: threading.Event, rec: Recorder, seed: int) -> None:
    """Send requests back to back on one keep-alive connection until the window closes."""
    rng = random.Random(seed)
    start_at, end_at = window
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        while not stop.is_set():
            body = target.body(rng)  # built before the clock starts: we time the server, not json.dumps
            started = time.perf_counter()
            if started >= end_at:
                break
            try:
                conn.request(target.method, target.path, body=body, headers=headers)
                response = conn.getresponse()
                data, status = response.read(), response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # http.client reconnects on the next request
                data, status = repr(exc).encode(), 0
            finished = time.perf_counter()
            rec.issued += 1
            # Count what completes inside the window: warm-up requests before, stragglers after.
            if not start_at <= finished <= end_at:
                continue
            rec.done.append(finished)
            rec.latency.append(finished - started)
            if 200 <= status < 300:
                if target.marker:
                    rec.markers += data.count(target.marker)
            else:
                rec.errors[status] += 1
                if len(rec.error_samples) < 3:
                    rec.error_samples.append(f"{status} {data[:300].decode(errors='replace')}")
    finally:
        conn.close()


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (``nan`` when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def run_phase(target: Target, *, label: str, server: EmbeddedServer, token: str, threads: int,
              warmup: float, duration: float, seed: int, progress: Progress) -> dict[str, Any]:
    """Warm up, then measure ``target`` for ``duration`` seconds with ``threads`` clients."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if target.method == "POST":
        headers["Content-Type"] = "application/json"
    now = time.perf_counter()
    window = (now + warmup, now + warmup + duration)
    stop = threading.Event()
    recorders = [Recorder() for _ in range(threads)]
    workers = [threading.Thread(target=_client, daemon=True, name=f"{target.name}-{i}",
                                args=(server.port, target, headers, window, stop, rec, seed * 1000 + i))
               for i, rec in enumerate(recorders)]
    cpu: dict[str, tuple[float, float | None]] = {}  # "start"/"end" → (client, server) CPU seconds
    progress.start(label, warmup, duration)
    try:
        for worker in workers:
            worker.start()
        while any(w.is_alive() for w in workers):
            now = time.perf_counter()
            for edge, at in (("start", window[0]), ("end", window[1])):
                if edge not in cpu and now >= at:
                    cpu[edge] = (time.process_time(), server.cpu_seconds())
            progress.update(label, now, window, recorders)
            server.check_alive()
            # Wake at the window's edges so the CPU snapshots bracket the measured time closely.
            upcoming = [at - now for at in window if at > now]
            stop.wait(min([0.25, *upcoming]) if upcoming else 0.02)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=35)
    # The clients may all finish between two wake-ups: close the bracket now (at most one request late).
    cpu.setdefault("end", (time.process_time(), server.cpu_seconds()))

    latencies = sorted(x for rec in recorders for x in rec.latency)
    done = sorted(x for rec in recorders for x in rec.done)
    errors: Counter[int] = sum((rec.errors for rec in recorders), Counter())
    ok = len(done) - sum(errors.values())
    thirds = [sum(1 for t in done if window[0] + k * duration / 3 <= t < window[0] + (k + 1) * duration / 3)
              for k in range(3)]
    client_cpu, server_cpu = (_delta(cpu, 0), _delta(cpu, 1))
    result = {
        "method": target.method, "path": target.path, "threads": threads, "duration_s": duration,
        "requests": len(done), "ok": ok, "errors": sum(errors.values()),
        "rps": round(len(done) / duration, 1), "ok_rps": round(ok / duration, 1),
        "p50_ms": _ms(percentile(latencies, 50)), "p95_ms": _ms(percentile(latencies, 95)),
        "p99_ms": _ms(percentile(latencies, 99)), "max_ms": _ms(latencies[-1] if latencies else math.nan),
        "mean_ms": _ms(sum(latencies) / len(latencies) if latencies else math.nan),
        # CPU over the measured window as % of one core: shows who is saturated on a small machine.
        "client_cpu_pct": _pct(client_cpu, duration), "server_cpu_pct": _pct(server_cpu, duration),
        # Below 1 when the phase slowed down as it went (e.g. as the keyword index grows).
        "last_third_vs_first": round(thirds[2] / thirds[0], 3) if thirds[0] else None,
        "issued_incl_warmup": sum(rec.issued for rec in recorders),
    }
    if errors:
        result["error_codes"] = {str(code): n for code, n in sorted(errors.items())}
        result["error_samples"] = [s for rec in recorders for s in rec.error_samples][:3]
    if target.marker:
        result["markers_per_ok"] = round(sum(rec.markers for rec in recorders) / ok, 2) if ok else None
    progress.finish(label, result)
    return result


def _delta(cpu: dict[str, tuple[float, float | None]], index: int) -> float:
    start, end = cpu.get("start"), cpu.get("end")
    if start is None or end is None or start[index] is None or end[index] is None:
        return math.nan
    return float(end[index]) - float(start[index])  # type: ignore[arg-type]


def _ms(seconds: float) -> float | None:
    return None if math.isnan(seconds) else round(seconds * 1000, 2)


def _pct(cpu: float, wall: float) -> float | None:
    return None if math.isnan(cpu) else round(100 * cpu / wall, 1)


class Progress:
    """One updating status line per phase on stderr; on a pipe, one line at the start and end of each."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._last = -math.inf

    def note(self, text: str) -> None:
        if self.enabled:
            print(text, file=sys.stderr, flush=True)

    def start(self, label: str, warmup: float, duration: float) -> None:
        self._last = -math.inf
        if not self.tty:
            self.note(f"[{label}] {warmup:g} s warm-up + {duration:g} s measured …")

    def update(self, label: str, now: float, window: tuple[float, float], recorders: list[Recorder]) -> None:
        if not (self.enabled and self.tty) or now - self._last < 0.5:
            return
        self._last = now
        if now < window[0]:
            issued = sum(r.issued for r in recorders)
            line = f"[{label}] warm-up, {window[0] - now:4.1f} s left, {issued} requests"
        else:
            elapsed = min(now, window[1]) - window[0]
            done = sum(len(r.done) for r in recorders)
            errors = sum(sum(r.errors.values()) for r in recorders)
            rate = done / elapsed if elapsed > 0 else 0.0
            line = (f"[{label}] {elapsed:5.1f}/{window[1] - window[0]:g} s  {done} requests  "
                    f"{rate:7.1f} req/s  errors {errors}")
        print(f"\r\033[K{line}", end="", file=sys.stderr, flush=True)

    def finish(self, label: str, result: dict[str, Any]) -> None:
        line = (f"[{label}] {result['requests']} requests, {result['rps']:.1f} req/s, "
                f"p99 {result['p99_ms']} ms, errors {result['errors']}")
        self.note(f"\r\033[K{line}" if self.tty else line)


# -- the run --------------------------------------------------------------------------------------
def login(port: int) -> str:
    """The operator's access token (one login for the whole run)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("POST", "/api/auth/v1/token", body=json.dumps(LOGIN),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise ServerError(f"login failed: {response.status} {body[:300].decode(errors='replace')}")
    return str(json.loads(body)["access_token"])


def ticket_total(port: int, token: str) -> int | None:
    """How many tickets the hotline holds (the list's ``total``)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/api/hotline/v1/tickets?page=1&page_size=1",
                     headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        body = response.read()
        return int(json.loads(body)["total"]) if response.status == 200 else None
    except (OSError, http.client.HTTPException, ValueError, KeyError):
        return None
    finally:
        conn.close()


def targets(with_reads: bool, seed: int) -> list[Target]:
    """The phases in the order they run: baseline first, so intake's growing tables cannot slow it."""
    rng = random.Random(seed)
    repeat_callers = [f"139{rng.randrange(10**8):08d}" for _ in range(50)]
    phases = [Target("baseline", "GET", "/api/hotline/healthz"),
              Target("intake", "POST", "/api/hotline/v1/tickets",
                     body=lambda r: ticket_body(r, repeat_callers), marker=b'"same_caller"')]
    if with_reads:
        phases.append(Target("reads", "GET", "/api/hotline/v1/tickets?page=1"))
    return phases


def _pooled(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """A phase repeated over rounds: throughput pooled; latencies and the rest from the median round."""
    if len(rounds) == 1:
        return rounds[0]
    pooled = dict(sorted(rounds, key=lambda r: r["rps"])[len(rounds) // 2])
    duration = sum(r["duration_s"] for r in rounds)
    for key in ("requests", "ok", "errors", "issued_incl_warmup"):
        pooled[key] = sum(r[key] for r in rounds)
    pooled.update(duration_s=duration, rps=round(pooled["requests"] / duration, 1),
                  ok_rps=round(pooled["ok"] / duration, 1), rps_by_round=[r["rps"] for r in rounds])
    return pooled


def benchmark(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    """Start the suite, run every phase ``args.rounds`` times, stop it, and return the result document."""
    port = args.port or free_port()
    server = EmbeddedServer(port, threads=args.server_threads, keep_data=args.keep_data)
    runs: dict[str, list[dict[str, Any]]] = {}
    tickets: dict[str, int | None] = {}
    started = time.monotonic()
    try:
        progress.note(f"starting the embedded suite on {HOST}:{port} (data in {server.data_dir}) …")
        with server:
            progress.note(f"suite ready after {time.monotonic() - started:.1f} s")
            token = login(port)
            tickets["before"] = ticket_total(port, token)
            for round_no in range(args.rounds):
                for number, target in enumerate(targets(args.with_reads, args.seed)):
                    label = target.name if args.rounds == 1 else f"{target.name} {round_no + 1}/{args.rounds}"
                    runs.setdefault(target.name, []).append(run_phase(
                        target, label=label, server=server, token=token, threads=args.threads,
                        warmup=args.warmup, duration=args.duration,
                        seed=args.seed + 100 * round_no + number, progress=progress))
            tickets["after"] = ticket_total(port, token)
    except Exception:
        tail = server.log_tail()
        if tail:
            print(f"--- server stderr, last lines ({server.stderr_path}) ---\n{tail}", file=sys.stderr)
        raise
    finally:
        error_count, error_lines = server.error_lines()
        tail = server.log_tail()
        server.cleanup()
    if args.keep_data:
        progress.note(f"kept the data folder and server logs: {server.data_dir}")

    phases = {name: _pooled(results) for name, results in runs.items()}
    if error_count or any(ph["errors"] for ph in phases.values()):
        print(f"--- server stderr, last lines ---\n{tail}\n---", file=sys.stderr)
    doc: dict[str, Any] = {
        "bench": "intake",
        "params": {"duration_s": args.duration, "warmup_s": args.warmup, "threads": args.threads,
                   "rounds": args.rounds, "server_threads": args.server_threads, "port": port,
                   "with_reads": args.with_reads, "seed": args.seed, "cpus": _cpus()},
        "ratio": _ratio(phases["intake"], phases["baseline"]),
        "ratio_by_round": [_ratio(i, b) for i, b in zip(runs["intake"], runs["baseline"], strict=True)],
        "phases": phases,
        "tickets": tickets,
        "server_log": {"error_lines": error_count, "first_errors": error_lines[:5]},
        "wall_s": round(time.monotonic() - started, 1),
    }
    if "reads" in phases:
        doc["reads_ratio"] = _ratio(phases["reads"], phases["baseline"])
    return doc


def _ratio(phase: dict[str, Any], baseline: dict[str, Any]) -> float | None:
    return round(phase["rps"] / baseline["rps"], 4) if baseline["rps"] else None


def _cpus() -> int | None:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def render(doc: dict[str, Any]) -> str:
    """The compact human table."""
    p = doc["params"]
    lines = [f"duban intake bench — {p['threads']} client threads, {p['duration_s']:g} s measured "
             f"(+{p['warmup_s']:g} s warm-up) per phase × {p['rounds']} round(s), server: 1 gunicorn worker × "
             f"{p['server_threads']} threads, {p['cpus']} CPUs",
             f"{'phase':<9}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
             f"{'cpu client':>12}{'cpu server':>12}"]
    for name, ph in doc["phases"].items():
        lines.append(f"{name:<9}{ph['requests']:>9}{ph['rps']:>9.1f}{_f(ph['p50_ms'])}{_f(ph['p95_ms'])}"
                     f"{_f(ph['p99_ms'])}{ph['errors']:>8}{_f(ph['client_cpu_pct'], 11, '%')}"
                     f"{_f(ph['server_cpu_pct'], 11, '%')}")
    if "ratio" in doc:
        rounds = ("  (by round: " + ", ".join(f"{r:.3f}" for r in doc["ratio_by_round"]) + ")"
                  if len(doc["ratio_by_round"]) > 1 else "")
        lines.append(f"ratio intake/baseline (req/s): {doc['ratio']:.3f}{rounds}")
    if "reads_ratio" in doc:
        lines.append(f"ratio reads/baseline (req/s): {doc['reads_ratio']:.3f}")
    intake = doc["phases"].get("intake")
    if intake:
        lines.append(f"intake: {intake.get('markers_per_ok')} duplicate candidates per ticket, "
                     f"last/first third throughput {intake['last_third_vs_first']}, "
                     f"tickets {doc['tickets'].get('before')} → {doc['tickets'].get('after')}")
    for name, ph in doc["phases"].items():
        if ph["errors"]:
            lines.append(f"{name} errors {ph['error_codes']}: {ph['error_samples'][0]}")
    log = doc["server_log"]
    lines.append(f"server log: {log['error_lines']} error line(s)"
                 + (f", first: {log['first_errors'][0]}" if log["first_errors"] else ""))
    return "\n".join(lines)


def _f(value: float | None, width: int = 9, suffix: str = "") -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width - len(suffix)}.1f}{suffix}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each phase")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads (connections)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat baseline→intake(→reads) this many times (longer, steadier ratio)")
    parser.add_argument("--with-reads", action="store_true", help="also measure GET /api/hotline/v1/tickets?page=1")
    parser.add_argument("--port", type=int, default=0, help="port for the suite (0: any free port)")
    parser.add_argument("--server-threads", type=int, default=8, help="gunicorn threads (duban run --threads)")
    parser.add_argument("--seed", type=int, default=12345, help="seed of the generated tickets")
    parser.add_argument("--json-out", metavar="FILE", help="also write the result document to FILE")
    parser.add_argument("--keep-data", action="store_true", help="keep the temporary DUBAN_DATA and server logs")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.warmup < 0 or args.threads < 1 or args.rounds < 1 or args.server_threads < 1:
        parser.error("--duration must be > 0, --warmup ≥ 0, --threads/--rounds/--server-threads ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 if any request failed or the suite would not start."""
    args = parse_args(argv)
    progress = Progress(enabled=not args.quiet)

    def terminated(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt  # a kill stops the suite the same way Ctrl-C does

    signal.signal(signal.SIGTERM, terminated)
    try:
        doc = benchmark(args, progress)
    except KeyboardInterrupt:
        print("\ninterrupted; the suite was stopped", file=sys.stderr)
        return 130
    except ServerError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    print(render(doc))
    line = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as out:
            out.write(line + "\n")
    print(line)
    return 1 if any(ph["errors"] for ph in doc["phases"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
