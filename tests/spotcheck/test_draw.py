"""The verifiable draw: deterministic, stratified by risk class, teams of at least two without conflicts of
interest, and a verifier that says MATCH on a real record and names the first difference on a tampered one."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.spotcheck import verify_draw as v

VERIFIER = Path(v.__file__)
DEPARTMENTS = ["scjg", "sthj"]
PARAMETERS = {"ratios": {"A": 100, "B": 200, "C": 1000, "D": 3000}, "team_size": 2, "departments": DEPARTMENTS,
              "check_items": {}, "weights": {"complaint": 10, "complaint_cap": 10, "abnormal": 100},
              "conflict_rules": {"declared": True, "same_region": False, "previous": True}}


def target(n: int, risk_class: str, region: str = "110101") -> dict:
    return {"uscc": f"91110000{n:010d}", "name": f"企业{n}", "region": region, "industry": "餐饮",
            "class": risk_class, "abnormal": n % 7 == 0, "complaints": n % 4}


def inspector(n: int, department: str, conflicts: list[str] | None = None, region: str = "110102") -> dict:
    return {"pseudonym": f"I{n:04d}", "department": department, "region": region, "qualifications": [],
            "conflicts": conflicts or [], "previous_targets": []}


TARGETS = [target(n, "ABCD"[n % 4] if n % 10 else "D") for n in range(400)]
INSPECTORS = [inspector(n, DEPARTMENTS[n % 2], conflicts=[TARGETS[n]["uscc"]]) for n in range(12)]


def test_the_same_inputs_give_the_same_draw():
    assert v.draw("seed-1", TARGETS, INSPECTORS, PARAMETERS) == v.draw("seed-1", TARGETS, INSPECTORS, PARAMETERS)


def test_the_input_order_of_the_population_does_not_matter():
    shuffled_t, shuffled_i = list(reversed(TARGETS)), list(reversed(INSPECTORS))
    assert v.draw("s", shuffled_t, shuffled_i, PARAMETERS) == v.draw("s", TARGETS, INSPECTORS, PARAMETERS)
    assert v.population_sha256(shuffled_t, shuffled_i) == v.population_sha256(TARGETS, INSPECTORS)


def test_another_seed_population_or_parameters_changes_the_hash_or_the_result():
    base = v.draw("seed-1", TARGETS, INSPECTORS, PARAMETERS)
    assert v.draw("seed-2", TARGETS, INSPECTORS, PARAMETERS) != base
    edited = copy.deepcopy(TARGETS)
    edited[5]["complaints"] += 1
    assert v.population_sha256(edited, INSPECTORS) != v.population_sha256(TARGETS, INSPECTORS)
    assert v.draw("seed-1", edited, INSPECTORS, PARAMETERS) != base  # every ticket depends on the snapshot
    assert v.draw("seed-1", TARGETS, INSPECTORS, {**PARAMETERS, "team_size": 3}) != base


def test_each_class_is_drawn_at_its_ratio_rounded_up():
    selections = v.draw("seed-1", TARGETS, INSPECTORS, PARAMETERS)
    for risk_class, ratio in PARAMETERS["ratios"].items():
        size = sum(t["class"] == risk_class for t in TARGETS)
        drawn = sum(s["target"]["class"] == risk_class for s in selections)
        assert drawn == -(-ratio * size // 10_000)
        assert ratio * size / 10_000 <= drawn < ratio * size / 10_000 + 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.text(min_size=1, max_size=20), n_targets=st.integers(10, 120), n_inspectors=st.integers(4, 16),
       conflict_every=st.integers(1, 5), team_size=st.integers(2, 3), same_region=st.booleans())
def test_every_team_has_enough_members_of_every_department_and_no_conflict(
        seed, n_targets, n_inspectors, conflict_every, team_size, same_region):
    targets = [target(n, "ABCD"[n % 4], region=f"1101{n % 3:02d}") for n in range(n_targets)]
    inspectors = [inspector(n, DEPARTMENTS[n % 2], region=f"1101{n % 3:02d}",
                            conflicts=[t["uscc"] for t in targets[n::conflict_every * n_inspectors]])
                  for n in range(n_inspectors)]
    parameters = {**PARAMETERS, "team_size": team_size,
                  "conflict_rules": {**PARAMETERS["conflict_rules"], "same_region": same_region}}
    by_name = {i["pseudonym"]: i for i in inspectors}
    try:
        selections = v.draw(seed, targets, inspectors, parameters)
    except v.DrawFailed as failure:
        assert "eligible" in str(failure)  # a pool too small is explained, never a short or conflicted team
        return
    for selection in selections:
        team = [by_name[p] for p in selection["inspectors"]]
        assert len(team) == len(set(selection["inspectors"])) >= team_size
        assert {i["department"] for i in team} == set(DEPARTMENTS)
        uscc = selection["target"]["uscc"]
        assert all(uscc not in i["conflicts"] for i in team)
        assert not same_region or all(i["region"] != selection["target"]["region"] for i in team)


def test_a_pool_too_small_for_the_conflicts_fails_with_an_explanation():
    inspectors = [inspector(n, DEPARTMENTS[n % 2], conflicts=[t["uscc"] for t in TARGETS]) for n in range(4)]

    with pytest.raises(v.DrawFailed, match="excluded for conflicts of interest"):
        v.draw("seed-1", TARGETS, inspectors, PARAMETERS)


def record_and_population(tmp_path: Path, seed: str = "duban-demo-seed") -> tuple[Path, Path, dict]:
    record = {"id": "d-1", "seed": seed, "algorithm": v.ALGORITHM, "parameters": PARAMETERS,
              "commitment": {"kind": "sha256", "value": hashlib.sha256(seed.encode()).hexdigest()},
              "population_sha256": v.population_sha256(TARGETS, INSPECTORS),
              "selections": [{"target": s["target"], "inspectors": [{"pseudonym": p} for p in s["inspectors"]]}
                             for s in v.draw(seed, TARGETS, INSPECTORS, PARAMETERS)]}
    paths = tmp_path / "record.json", tmp_path / "population.json"
    paths[0].write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    paths[1].write_text(json.dumps({"targets": TARGETS, "inspectors": INSPECTORS}, ensure_ascii=False),
                        encoding="utf-8")
    return paths[0], paths[1], record


def run_verifier(*paths: Path) -> subprocess.CompletedProcess[str]:
    """The file as anyone downloads it: a fresh interpreter, nothing of the project on the path."""
    return subprocess.run([sys.executable, "-I", str(VERIFIER), *map(str, paths)], capture_output=True, text=True,
                          cwd=paths[0].parent, check=False)


def test_the_stand_alone_verifier_says_match_on_a_real_record(tmp_path):
    record, population, _ = record_and_population(tmp_path)

    result = run_verifier(record, population)

    assert result.returncode == 0 and result.stdout.startswith("MATCH"), result.stdout + result.stderr


def test_the_verifier_names_the_first_difference_of_a_tampered_record(tmp_path):
    record_path, population, record = record_and_population(tmp_path)
    record["selections"][3]["inspectors"][0]["pseudonym"] = "I9999"
    record_path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")

    result = run_verifier(record_path, population)

    assert result.returncode == 1 and "selections[3].inspectors" in result.stdout


def test_the_verifier_refuses_a_seed_that_does_not_match_its_commitment(tmp_path):
    record_path, population, record = record_and_population(tmp_path)
    record["seed"] = "another seed"
    record_path.write_text(json.dumps(record), encoding="utf-8")

    result = run_verifier(record_path, population)

    assert result.returncode == 1 and "commitment" in result.stdout
