"""The spot-check draw and its verifier on a city-sized population, against a floor from the same run.

1,000,000 targets with a realistic class mix (A 60%, B 30%, C 8%, D 2%), the default ratios, two
departments' inspectors with declared conflicts, teams of two with 回避. The floor is the least work any
such draw must do: hash every id once (SHA-256) and pick the k smallest per stratum with the standard
library. Targets (issue): the draw ≤ 3× the floor, the verifier ≤ 2× (it redoes the draw and the
population hash).

    .venv/bin/python bench/spotcheck_draw.py [--targets 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.spotcheck import verify_draw as v

MIX = (("A", 0.60), ("B", 0.30), ("C", 0.08), ("D", 0.02))
PARAMETERS = {"ratios": {"A": 100, "B": 200, "C": 1000, "D": 3000}, "team_size": 2, "departments": ["scjg", "sthj"],
              "check_items": {}, "weights": {"complaint": 10, "complaint_cap": 10, "abnormal": 100},
              "conflict_rules": {"declared": True, "same_region": True, "previous": True}}


def population(n: int) -> tuple[list[dict], list[dict]]:
    targets, start = [], 0
    for risk_class, share in MIX:
        count = round(n * share)
        targets += [{"uscc": f"9111{i:014d}", "name": f"企业{i}", "region": f"1101{i % 16:02d}", "industry": "餐饮",
                     "class": risk_class, "abnormal": i % 50 == 0, "complaints": i % 5}
                    for i in range(start, start + count)]
        start += count
    inspectors = [{"pseudonym": f"I{i:04d}", "department": ("scjg", "sthj")[i % 2], "region": f"1101{i % 16:02d}",
                   "qualifications": [], "conflicts": [targets[j]["uscc"] for j in range(i, n, 997)],
                   "previous_targets": []} for i in range(200)]
    return targets, inspectors


def floor(seed: str, targets: list[dict]) -> None:
    """Hash every id once and keep the k smallest per stratum: what no draw can avoid."""
    for risk_class, _share in MIX:
        stratum = [t["uscc"] for t in targets if t["class"] == risk_class]
        k = v.quota(PARAMETERS["ratios"][risk_class], len(stratum))
        heapq.nsmallest(k, stratum, key=lambda u: hashlib.sha256(f"{seed}|{u}".encode()).digest())


def timed(job, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        job()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    targets, inspectors = population(args.targets)
    seed = "duban-demo-seed"
    record: dict = {}

    def draw() -> None:
        record.update(seed=seed, algorithm=v.ALGORITHM, parameters=PARAMETERS,
                      commitment={"kind": "sha256", "value": hashlib.sha256(seed.encode()).hexdigest()},
                      population_sha256=v.population_sha256(targets, inspectors),
                      selections=[{"target": s["target"], "inspectors": [{"pseudonym": p} for p in s["inspectors"]]}
                                  for s in v.draw(seed, targets, inspectors, PARAMETERS)])

    base = timed(lambda: floor(seed, targets), args.repeat)
    drawn = timed(draw, args.repeat)
    verified = timed(lambda: v.verify(record, {"targets": targets, "inspectors": inspectors}), args.repeat)
    assert v.verify(record, {"targets": targets, "inspectors": inspectors}) is None
    print(f"population: {len(targets):,} targets, {len(inspectors)} inspectors; "
          f"{len(record['selections']):,} drawn (median of {args.repeat})")
    print(f"floor (hash each id, k smallest per stratum): {base:8.2f} s")
    print(f"draw incl. population hash and teams:         {drawn:8.2f} s  = {drawn / base:4.2f}x floor (target ≤ 3)")
    print(f"verify (population hash + draw + compare):    {verified:8.2f} s  = "
          f"{verified / base:4.2f}x floor (target ≤ 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
