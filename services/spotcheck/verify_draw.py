#!/usr/bin/env python3
"""The "双随机" draw of Duban's spot checks, and a verifier anyone can run (Python 3.11+, standard library only).

    python3 verify_draw.py record.json population.json

``record.json`` is the body of ``GET /api/spotcheck/v1/public/draws/<id>``, ``population.json`` that of
``GET /api/spotcheck/v1/public/draws/<id>/population``. The script recomputes the draw from the seed,
the population and the parameters, and prints MATCH (exit 0) or the first difference (exit 1).

The service draws with this very file, so the published algorithm and the one that ran are the same.
docs/spotcheck-draw.md specifies it step by step for reimplementation in another language.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

ALGORITHM = "duban-draw/1"
CLASSES = ("A", "B", "C", "D")   # credit-risk classes (SAMR): A low … D high
BASIS = 10_000                   # ratios are in basis points: 3000 = 30%
WEIGHT_BASE = 100                # a target's weight before complaints and the abnormal list


class DrawFailed(ValueError):
    """The population cannot give every selected target a team that respects the rules."""


def canonical(value: Any) -> bytes:
    """Canonical JSON: keys sorted, no spaces, UTF-8 (not ASCII-escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


TARGET_FIELDS = ("uscc", "name", "region", "industry", "class", "abnormal", "complaints")
INSPECTOR_FIELDS = ("pseudonym", "department", "region", "qualifications", "conflicts", "previous_targets")
_ROWS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def population_sha256(targets: Sequence[Mapping[str, Any]], inspectors: Sequence[Mapping[str, Any]]) -> str:
    """The hash of a population snapshot: the canonical JSON of ``[target rows, inspector rows]``.

    A target row is ``[uscc, name, region, industry, class, abnormal (true/false), complaints]``, the
    rows ordered by USCC; an inspector row is ``[pseudonym, department, region, qualifications,
    conflicts, previous_targets]`` with the three lists sorted, the rows ordered by pseudonym. (Rows,
    not objects: the hash of a million targets is then a fraction of the draw's own hashing.)
    """
    for t in targets:
        if not isinstance(t["abnormal"], bool) or isinstance(t["complaints"], bool) \
                or not isinstance(t["complaints"], int):
            raise ValueError(f"target {t.get('uscc')}: abnormal must be true/false and complaints a whole number")
    target_rows = [[t["uscc"], t["name"], t["region"], t["industry"], t["class"], t["abnormal"], t["complaints"]]
                   for t in sorted(targets, key=lambda t: t["uscc"])]
    inspector_rows = [[i["pseudonym"], i["department"], i["region"], sorted(i["qualifications"]),
                       sorted(i["conflicts"]), sorted(i["previous_targets"])]
                      for i in sorted(inspectors, key=lambda i: i["pseudonym"])]
    return sha256_hex(_ROWS.encode([target_rows, inspector_rows]).encode("utf-8"))


def commitment_matches(commitment: Mapping[str, str], seed: str) -> bool:
    """A ``sha256`` commitment is the hex SHA-256 of the UTF-8 seed; a ``beacon`` names a public round
    whose value is the seed, which cannot be checked offline (it is published by the beacon)."""
    if commitment["kind"] == "sha256":
        return sha256_hex(seed.encode("utf-8")) == commitment["value"].lower()
    return commitment["kind"] == "beacon"


def weight(target: Mapping[str, Any], weights: Mapping[str, int]) -> int:
    """Extra chance for complaints (capped) and the abnormal-operations list, in whole points."""
    complaints = min(int(target.get("complaints", 0)), weights["complaint_cap"])
    return WEIGHT_BASE + weights["complaint"] * complaints + (weights["abnormal"] if target.get("abnormal") else 0)


def quota(ratio_bp: int, size: int) -> int:
    """How many of a stratum of ``size`` to draw: the ratio rounded up (抽查比例不低于)."""
    return (ratio_bp * size + BASIS - 1) // BASIS


def draw(seed: str, targets: Sequence[Mapping[str, Any]], inspectors: Sequence[Mapping[str, Any]],
         parameters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The selections: ``[{"target": {...}, "inspectors": [pseudonym, ...]}]``, ordered by USCC.

    Raises DrawFailed when a selected target cannot get a full team without a conflict.
    """
    base = sha256_hex(canonical([ALGORITHM, seed, population_sha256(targets, inspectors),
                                 sha256_hex(canonical(parameters))]))
    prefix = hashlib.sha256(base.encode("utf-8"))

    def ticket(*parts: str) -> int:
        """SHA-256 of ``base|part|part…`` (UTF-8) as a 256-bit big-endian number."""
        h = prefix.copy()  # the same digest as hashing the whole string; the base is hashed once
        h.update(("|" + "|".join(parts)).encode("utf-8"))
        return int.from_bytes(h.digest(), "big")

    weights = parameters["weights"]

    def key(t: Mapping[str, Any]) -> tuple[int, str]:
        # Smallest ticket ÷ weight first (integer division); equal keys (practically never) by USCC.
        return ticket("target", t["uscc"]) // weight(t, weights), t["uscc"]

    strata: dict[str, list[Mapping[str, Any]]] = {risk_class: [] for risk_class in CLASSES}
    for t in targets:
        strata[t["class"]].append(t)
    chosen: list[Mapping[str, Any]] = []
    for risk_class, stratum in strata.items():
        chosen.extend(heapq.nsmallest(quota(parameters["ratios"][risk_class], len(stratum)), stratum, key=key))
    chosen.sort(key=lambda t: t["uscc"])
    teams = _Teams(inspectors, parameters, ticket)
    return [{"target": {k: t[k] for k in ("uscc", "name", "region", "class")}, "inspectors": teams.of(t)}
            for t in chosen]


class _Teams:
    """Teams for the selected targets. The plan's pool (department, qualifications) is fixed once, and
    conflicts are indexed by target, so each target costs its conflicts and its picks, not the pool."""

    def __init__(self, inspectors: Sequence[Mapping[str, Any]], parameters: Mapping[str, Any], ticket: Any) -> None:
        items, self.departments = parameters["check_items"], sorted(parameters["departments"])
        self.rules, self.size, self.ticket = parameters["conflict_rules"], parameters["team_size"], ticket
        # An inspector serves if qualified for every check item of the plan on its own department's list.
        self.pool = sorted((i for i in inspectors if i["department"] in self.departments
                            and set(items.get(i["department"], ())) <= set(i["qualifications"])),
                           key=lambda i: i["pseudonym"])
        self._cache: dict[tuple[str, str | None], list[Mapping[str, Any]]] = {}
        self.blocked: dict[str, set[str]] = {}  # target USCC → inspectors in conflict with it (回避)
        for inspector in self.pool:
            related = (inspector["conflicts"] if self.rules["declared"] else []) + \
                (inspector["previous_targets"] if self.rules["previous"] else [])
            for uscc in related:
                self.blocked.setdefault(uscc, set()).add(inspector["pseudonym"])

    def _eligible(self, region: str, department: str | None = None) -> list[Mapping[str, Any]]:
        """The pool without the inspectors of the target's region (when that rule is on), of one department or
        all; worked out once per region, since many targets share one."""
        key = (region if self.rules["same_region"] else "", department)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = [i for i in self.pool if (department is None or i["department"] == department)
                                        and not (self.rules["same_region"] and i["region"] == region)]
        return found

    def of(self, target: Mapping[str, Any]) -> list[str]:
        """The target's team: one of each department first (联合抽查), then any, each pick by ticket."""
        uscc, region = target["uscc"], target["region"]
        blocked = self.blocked.get(uscc, set())

        def unblocked(candidates: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
            return [i for i in candidates if i["pseudonym"] not in blocked] if blocked else list(candidates)

        eligible = unblocked(self._eligible(region))
        excluded = len(self.pool) - len(eligible)
        team: list[str] = []

        def pick(candidates: list[Mapping[str, Any]]) -> None:
            """Take the candidate the next ticket points at (a partial Fisher–Yates shuffle)."""
            chosen = candidates[self.ticket("team", uscc, str(len(team))) % len(candidates)]
            team.append(chosen["pseudonym"])
            eligible.remove(chosen)

        for department in self.departments if len(self.departments) > 1 else ():
            of_department = unblocked(self._eligible(region, department))
            if not of_department:
                raise DrawFailed(f"target {uscc}: no eligible inspector of {department} "
                                 f"({excluded} excluded for conflicts of interest)")
            pick(of_department)
        while len(team) < self.size and eligible:
            pick(eligible)
        if len(team) < self.size:
            raise DrawFailed(f"target {uscc}: {len(team)} eligible inspectors for a team of {self.size} "
                             f"({excluded} excluded for conflicts of interest)")
        return team


def verify(record: Mapping[str, Any], population: Mapping[str, Any]) -> str | None:
    """None when the record is exactly what the draw gives for its inputs, else the first difference."""
    if record.get("algorithm") != ALGORITHM:
        return f"algorithm: the record says {record.get('algorithm')!r}, this verifier implements {ALGORITHM!r}"
    if not commitment_matches(record["commitment"], record["seed"]):
        return "commitment: the seed does not hash to the committed value"
    computed = population_sha256(population["targets"], population["inspectors"])
    if computed != record["population_sha256"]:
        return f"population_sha256: the population hashes to {computed}, the record says {record['population_sha256']}"
    try:
        expected = draw(record["seed"], population["targets"], population["inspectors"], record["parameters"])
    except DrawFailed as exc:
        return f"the draw fails on these inputs ({exc}), the record lists selections"
    published = record["selections"]
    for index, (want, got) in enumerate(zip(expected, published, strict=False)):
        if want["target"]["uscc"] != got["target"]["uscc"]:
            return (f"selections[{index}].target: expected {want['target']['uscc']}, "
                    f"the record has {got['target']['uscc']}")
        names = [i["pseudonym"] for i in got["inspectors"]]
        if want["inspectors"] != names:
            return f"selections[{index}].inspectors: expected {want['inspectors']}, the record has {names}"
    if len(expected) != len(published):
        return f"selections: expected {len(expected)}, the record has {len(published)}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        record = json.load(f)
    with open(args[1], encoding="utf-8") as f:
        population = json.load(f)
    try:
        difference = verify(record, population)
    except (KeyError, TypeError, ValueError) as exc:
        difference = f"malformed input: {exc}"
    if difference is None:
        print(f"MATCH: {len(record['selections'])} targets and their teams follow from the seed, the population "
              f"({record['population_sha256'][:12]}…) and the parameters")
        if record["commitment"]["kind"] == "beacon":
            print(f"NOTE: the seed comes from public-randomness round {record['commitment']['value']}; check it "
                  "against that round's published value (this file cannot, offline)")
        return 0
    print(f"DIFFERENT: {difference}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
