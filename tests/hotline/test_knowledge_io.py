"""``duban hotline knowledge import|export`` and the demo knowledge base: bad rows are named by line and
block the import unless skipped, an export imports back unchanged, and the demo data gives the stats
first-call resolution and unanswered questions."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from services.hotline.cli import DEMO_TICKETS, seed_demo
from services.hotline.knowledge_cli import hotline as hotline_cli
from services.hotline.knowledge_demo import ARTICLES, CONSULTATIONS
from services.hotline.knowledge_io import COLUMNS

KB = "/api/hotline/v1/knowledge"
HEADER = ["department", "question", "answer", "review_by", "keywords", "public", "legal_basis", "document_number"]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


GOOD = [["rsj", "医保异地就医如何备案？", "<p>通过国家医保服务平台 App 办理备案。</p>", "2027-06-30",
         "医保;异地就医", "是", "中华人民共和国社会保险法", "主席令第三十五号"],
        ["zjj", "公租房怎么申请？", "<p>向户籍所在街道提交申请。</p>", "2027-06-30", "公租房", "否", "", ""]]


def run(desk, *args: str):
    return CliRunner().invoke(hotline_cli, ["knowledge", *args], obj=desk.settings, catch_exceptions=False)


def total(desk, **query) -> int:
    return desk.get(KB, "dispatcher", **query).get_json()["total"]


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_line(desk, tmp_path):
    bad = [*GOOD, ["nosuch", "问题太短", "<p>答复</p>", "2027-06-30", "", "是", "", ""],
           ["rsj", "复审日期格式不对的条目", "<p>答复</p>", "明年", "", "是", "", ""]]
    result = CliRunner().invoke(hotline_cli, ["knowledge", "import", str(write(tmp_path / "kb.csv", bad))],
                                obj=desk.settings)
    assert result.exit_code != 0
    assert "kb.csv:4: department: unknown department 'nosuch'" in result.output
    assert "kb.csv:5: review_by: not a date" in result.output
    assert desk.count("knowledge_articles") == 0


def test_skip_bad_imports_the_good_rows(desk, tmp_path):
    bad = [*GOOD, ["rsj", "脚本", "<script>x</script>", "2027-06-30", "", "是", "", ""]]
    result = run(desk, "import", "--skip-bad", str(write(tmp_path / "kb.csv", bad)))
    assert "2 created" in result.output and "1 bad rows skipped" in result.output
    assert total(desk, status="draft") == 2


def test_import_with_publish_then_export_and_import_again_changes_nothing(desk, tmp_path):
    result = run(desk, "import", "--publish", str(write(tmp_path / "kb.csv", GOOD)))
    assert "2 created" in result.output and "2 published" in result.output, result.output
    assert desk.get(KB, "operator", q="医保").get_json()["items"][0]["question"] == "医保异地就医如何备案？"

    for name in ("out.csv", "out.xlsx"):
        exported = run(desk, "export", str(tmp_path / name))
        assert "2 rows written" in exported.output
        again = run(desk, "import", "--publish", str(tmp_path / name))
        assert "2 unchanged" in again.output and "0 published" in again.output, again.output
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(COLUMNS)
    assert {r["public"] for r in rows} == {"是", "否"}
    assert desk.count("knowledge_versions") == 2


def test_an_edited_export_row_becomes_a_new_draft_version(desk, tmp_path):
    run(desk, "import", "--publish", str(write(tmp_path / "kb.csv", GOOD[:1])))
    run(desk, "export", str(tmp_path / "out.csv"))
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    rows[0]["answer"] = "<p>可通过国家医保服务平台 App 或经办窗口办理备案。</p>"
    edited = write(tmp_path / "edited.csv", [[r[c] for c in COLUMNS] for r in rows], list(COLUMNS))
    assert "1 updated" in run(desk, "import", str(edited)).output
    article = desk.get(f"{KB}/{rows[0]['id']}", "dispatcher").get_json()
    assert (article["published_version"], article["draft_version"]) == (1, 2)


@pytest.mark.parametrize("user", ["dispatcher", "dept-rsj"])
def test_the_demo_data_gives_first_call_resolution_and_unanswered_questions(desk, user):
    first = seed_demo(desk.hotline)
    assert first.endswith(f", {len(ARTICLES)} knowledge articles, {len(DEMO_TICKETS) + len(CONSULTATIONS)} tickets")
    assert seed_demo(desk.hotline).endswith(" 0 knowledge articles, 0 tickets")  # idempotent
    assert len(ARTICLES) >= 50 and total(desk) == len(ARTICLES)

    figures = desk.get("/api/hotline/v1/stats", user).get_json()["knowledge"]
    answered = 1 + sum(1 for c in CONSULTATIONS if c[2])
    unanswered = sum(1 for c in CONSULTATIONS if c[3])
    assert (figures["consultations"], figures["answered_first_call"], figures["unanswered"]) == (
        answered + unanswered, answered, unanswered)
    assert figures["first_call_resolution_rate"] == round(answered / (answered + unanswered), 4)
    departments = {d["department"]: d for d in figures["departments"]}
    if user == "dispatcher":
        assert departments["rsj"]["answered_with_article"] == 3  # 灵活就业, 社保卡, 失业金
        assert departments["zjj"]["unanswered"] == 2
        assert sum(d["articles"]["due_soon"] for d in departments.values()) == sum(1 for a in ARTICLES if a[7] <= 30)
    else:
        assert set(departments) == {"rsj"}
        assert figures["unanswered_questions"] == []  # another department's questions stay with it
