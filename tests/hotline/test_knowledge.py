"""The knowledge base (知识库) over HTTP: a department drafts, the hotline office publishes, an update is a
new version while the old one stays in force, a passed review date is flagged and earns a card, a direct
answer records the article version, and a wrong answer opens a correction for the owner."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY

from services.hotline.metrics import refresh_gauges
from services.monitoring import store as monitoring_store
from services.monitoring.sweep import sweep

KB = "/api/hotline/v1/knowledge"
PUBLIC = "/api/hotline/v1/public/knowledge"


def article(**changes):
    body = {"question": "住房公积金提取需要哪些材料？", "department": "zjj", "public": True,
            "answer": "<p>购房提取需提供<strong>身份证</strong>和购房合同。</p>",
            "review_by": "2027-03-31", "keywords": ["公积金提取", "购房"],
            "legal_basis": "住房公积金管理条例", "document_number": "国务院令第350号"}
    return {**body, **changes}


def draft(desk, user="dept-zjj", **changes):
    response = desk.post(KB, user, article(**changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def published(desk, **changes):
    created = draft(desk, **changes)
    response = desk.post(f"{KB}/{created['id']}/publish", "dispatcher", {})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def search(desk, user="operator", **query):
    response = desk.get(KB, user, **query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def review_clocks(desk, subject_id):
    """The monitoring clocks of a subject (an article's reviews, a correction task)."""
    monitoring = desk.suite.contexts["monitoring"]
    desk.suite.runtime.run_until_idle()
    clocks = monitoring_store.clocks
    with monitoring.db.read() as conn:
        return conn.execute(sa.select(clocks).where(clocks.c.subject_id == subject_id)
                            .order_by(clocks.c.started_at)).all()


def test_draft_publish_update_keeps_the_old_version_until_the_new_one_is_published(desk):
    created = draft(desk)
    assert (created["status"], created["version"], created["published_version"]) == ("draft", 1, None)
    assert search(desk)["total"] == 0  # operators search what is published

    first = desk.post(f"{KB}/{created['id']}/publish", "dispatcher", {}).get_json()
    assert (first["status"], first["published_version"]) == ("published", 1)

    updated = desk.client.patch(f"{KB}/{created['id']}", json={"answer": "<p>还需提供不动产权证书。</p>"},
                                headers=desk.headers("dept-zjj"))
    assert updated.status_code == 200, updated.get_json()
    body = updated.get_json()
    assert (body["published_version"], body["draft_version"]) == (1, 2)
    assert "身份证" in body["answer"]  # the published answer is still what operators read
    hits = search(desk, q="公积金")["items"]
    assert [(h["id"], h["version"], h["pending_draft"]) for h in hits] == [(created["id"], 1, 2)]

    second = desk.post(f"{KB}/{created['id']}/publish", "dispatcher", {}).get_json()
    assert (second["published_version"], second["draft_version"]) == (2, None)
    assert [(v["number"], v["status"]) for v in second["versions"]] == [(1, "retired"), (2, "published")]
    assert [c["action"] for c in second["versions"][1]["changes"]] == ["drafted", "published"]
    assert second["versions"][1]["changes"][0]["by"] == "dept-zjj"
    assert second["versions"][1]["changes"][0]["fields"] == ["answer"]
    assert search(desk, q="不动产")["items"][0]["version"] == 2
    assert search(desk, q="身份证")["total"] == 0  # retired versions leave the index


def test_the_audit_trail_records_who_changed_what(desk):
    created = published(desk)
    desk.client.patch(f"{KB}/{created['id']}", json={"review_by": "2027-06-30"}, headers=desk.headers("dept-zjj"))
    rows = desk.rows("audit_log", desk.table("audit_log").c.entity_id == created["id"], order_by="seq")
    assert [(r.action, r.actor) for r in rows] == [
        ("knowledge.drafted", "user:dept-zjj"), ("knowledge.published", "user:dispatcher"),
        ("knowledge.updated", "user:dept-zjj")]


def test_review_date_passing_flags_the_article_and_the_ignored_review_earns_a_card(desk, at):
    created = published(desk, review_by="2026-12-31")
    clocks = review_clocks(desk, created["id"])
    assert [(c.kind, c.department, c.state) for c in clocks] == [("knowledge_review", "zjj", "running")]
    assert clocks[0].due_at == at(2027, 1, 1)  # end of the review-by day, Beijing time
    assert search(desk, review_overdue="true")["total"] == 0

    desk.clock.set(at(2027, 1, 4, 9))
    assert search(desk, review_overdue="true")["items"][0]["id"] == created["id"]
    detail = desk.get(f"{KB}/{created['id']}", "operator").get_json()
    assert detail["review_overdue"] is True
    sweep(desk.suite.contexts["monitoring"], now=desk.clock.now())
    cards = desk.suite.contexts["monitoring"]
    with cards.db.read() as conn:
        issued = conn.execute(sa.select(monitoring_store.cards.c.color, monitoring_store.cards.c.department)
                              .where(monitoring_store.cards.c.subject_id == created["id"])).all()
    assert [tuple(c) for c in issued] == [("yellow", "zjj")]


def test_a_review_published_in_time_stops_the_clock_on_time_and_starts_the_next(desk):
    created = published(desk, review_by="2027-03-31")
    desk.client.patch(f"{KB}/{created['id']}", json={"review_by": "2027-09-30"}, headers=desk.headers("dept-zjj"))
    desk.post(f"{KB}/{created['id']}/publish", "dispatcher", {})
    clocks = review_clocks(desk, created["id"])
    assert [(c.state, c.outcome) for c in clocks] == [("stopped", "on_time"), ("running", None)]


def test_departments_edit_only_their_own_articles(desk, envelope):
    created = published(desk)
    before = desk.count("knowledge_versions")
    envelope(desk.client.patch(f"{KB}/{created['id']}", json={"question": "别的单位改写这个问题"},
                               headers=desk.headers("dept-sthj")), 403)
    envelope(desk.post(KB, "dept-sthj", article(department="zjj")), 403)
    envelope(desk.post(f"{KB}/{created['id']}/publish", "dept-zjj", {}), 403)
    assert desk.count("knowledge_versions") == before


def test_another_department_sees_the_published_version_but_not_the_pending_draft(desk):
    created = published(desk)
    desk.client.patch(f"{KB}/{created['id']}", json={"answer": "<p>尚未发布的新口径</p>"},
                      headers=desk.headers("dept-zjj"))
    other = desk.get(f"{KB}/{created['id']}", "dept-sthj").get_json()
    assert ([v["number"] for v in other["versions"]], other["draft_version"]) == ([1], None)
    assert search(desk, "dept-sthj", q="公积金")["items"][0]["pending_draft"] is None
    owner = desk.get(f"{KB}/{created['id']}", "dept-zjj").get_json()
    assert ([v["number"] for v in owner["versions"]], owner["draft_version"]) == ([1, 2], 2)


def test_another_departments_draft_is_not_found(desk, envelope):
    created = draft(desk)
    envelope(desk.get(f"{KB}/{created['id']}", "dept-sthj"), 404)
    assert desk.get(f"{KB}/{created['id']}", "dept-zjj").status_code == 200
    assert search(desk, "dept-sthj", status="draft")["total"] == 0
    assert search(desk, "dept-zjj", status="draft")["total"] == 1


def test_answers_are_sanitised(desk):
    created = draft(desk, answer='<p onclick="steal()">请携带身份证<script>alert(1)</script>'
                                 '<a href="javascript:alert(1)">办理</a></p>')
    assert "script" not in created["answer"] and "onclick" not in created["answer"]
    assert "javascript" not in created["answer"] and "请携带身份证" in created["answer"]


@pytest.mark.parametrize("change, field", [({"review_by": "2026-11-01"}, "review_by"),
                                           ({"answer": "<script>x</script>"}, "answer"),
                                           ({"department": "nosuch"}, "department")])
def test_bad_articles_get_422_and_write_nothing(desk, envelope, change, field):
    before = desk.counts() | {"v": desk.count("knowledge_versions")}
    body = envelope(desk.post(KB, "dispatcher", article(**change)), 422)
    assert field in body["errors"]
    assert desk.counts() | {"v": desk.count("knowledge_versions")} == before


def test_internal_articles_never_appear_in_the_public_faq(desk):
    public = published(desk)
    internal = published(desk, question="公积金提取内部审核口径", public=False)
    drafted = draft(desk, question="公积金提取草稿问题")
    staff = {i["id"] for i in search(desk, q="公积金")["items"]}
    assert {public["id"], internal["id"]} <= staff
    response = desk.get(PUBLIC, None, q="公积金")
    assert response.status_code == 200
    ids = [i["id"] for i in response.get_json()["items"]]
    assert ids == [public["id"]]
    assert internal["id"] not in [i["id"] for i in desk.get(PUBLIC, None).get_json()["items"]]
    assert drafted["id"] not in [i["id"] for i in desk.get(PUBLIC, None).get_json()["items"]]


def test_the_public_faq_is_rate_limited(make_desk, envelope):
    desk = make_desk(public_rate_limit=2)
    assert desk.get(PUBLIC, None, q="社保").status_code == 200
    assert desk.get(PUBLIC, None, q="社保").status_code == 200
    envelope(desk.get(PUBLIC, None, q="社保"), 429)


def test_a_direct_answer_records_the_article_version_and_a_wrong_answer_opens_a_correction(desk):
    created = published(desk)
    ticket = desk.file(type="consultation", title="咨询公积金提取材料")
    answered = desk.do(ticket["id"], "answer", knowledge_id=created["id"])
    assert answered["knowledge"] == {"knowledge_id": created["id"], "knowledge_version": 1,
                                     "knowledge_department": "zjj"}
    assert answered["timeline"][-1]["data"] == {"knowledge_id": created["id"], "knowledge_version": 1}
    after = desk.last_seq("outbox")

    desk.do(ticket["id"], "callback", satisfaction="dissatisfied", note="材料清单不全", answer_wrong=True)

    assert "hotline.knowledge.correction_opened" in desk.outbox_keys(after)
    tasks = desk.get(f"{KB}/corrections", "dept-zjj").get_json()
    assert tasks["total"] == 1
    task = tasks["items"][0]
    assert (task["article_id"], task["article_version"], task["ticket_number"], task["status"]) == (
        created["id"], 1, ticket["number"], "open")
    assert (task["question"], task["note"]) == ("住房公积金提取需要哪些材料？", "材料清单不全")
    assert desk.get(f"{KB}/corrections", "dept-sthj").get_json()["total"] == 0
    assert task["due_at"] == "2026-12-01T00:00:00+08:00"  # 5 working days: the close of Monday 30 Nov
    clocks = review_clocks(desk, task["id"])
    assert [(c.kind, c.department, c.state) for c in clocks] == [("knowledge_correction", "zjj", "running")]
    done = desk.post(f"{KB}/corrections/{task['id']}/complete", "dept-zjj", {"resolution": "已补充不动产权证书"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "done"
    assert [(c.state, c.outcome) for c in review_clocks(desk, task["id"])] == [("stopped", "on_time")]


def test_answer_wrong_needs_an_answer_from_the_knowledge_base(desk, envelope):
    ticket = desk.file(type="consultation")
    desk.do(ticket["id"], "answer")
    before = desk.stored(ticket["id"])
    envelope(desk.act(ticket["id"], "callback", answer_wrong=True), 422)
    assert desk.stored(ticket["id"]) == before


def test_a_draft_cannot_be_used_for_an_answer(desk, envelope):
    created = draft(desk)
    ticket = desk.file(type="consultation")
    envelope(desk.act(ticket["id"], "answer", knowledge_id=created["id"]), 409)
    assert desk.stored(ticket["id"]).status == "received"
    assert desk.count("knowledge_uses") == 0


def test_stats_show_first_call_resolution_and_unanswered_questions(desk):
    created = published(desk)
    for _ in range(3):
        desk.do(desk.file(type="consultation")["id"], "answer", knowledge_id=created["id"])
    unanswered = desk.file(type="consultation", title="咨询老旧小区加装电梯补贴")
    desk.run(unanswered["id"], "dispatch")
    response = desk.get("/api/hotline/v1/stats", "dispatcher")
    figures = response.get_json()["knowledge"]
    assert (figures["consultations"], figures["answered_first_call"], figures["unanswered"]) == (4, 3, 1)
    assert figures["first_call_resolution_rate"] == 0.75
    assert figures["unanswered_questions"] == ["咨询老旧小区加装电梯补贴"]
    zjj = next(d for d in figures["departments"] if d["department"] == "zjj")
    assert (zjj["answered_with_article"], zjj["unanswered"], zjj["first_call_resolution_rate"]) == (3, 1, 0.75)
    assert zjj["articles"] == {"current": 1, "due_soon": 0, "overdue": 0, "drafts": 0}


def test_freshness_counts_due_soon_and_overdue(desk, at):
    published(desk, review_by="2026-12-10")
    published(desk, review_by="2027-06-30")
    draft(desk)
    figures = desk.get("/api/hotline/v1/stats", "dispatcher").get_json()["knowledge"]
    zjj = next(d for d in figures["departments"] if d["department"] == "zjj")
    assert zjj["articles"] == {"current": 1, "due_soon": 1, "overdue": 0, "drafts": 1}
    desk.clock.set(at(2026, 12, 11, 9))
    figures = desk.get("/api/hotline/v1/stats", "dispatcher").get_json()["knowledge"]
    zjj = next(d for d in figures["departments"] if d["department"] == "zjj")
    assert zjj["articles"]["overdue"] == 1


def test_publishing_past_the_review_date_is_refused(desk, envelope):
    created = draft(desk, review_by=(date(2026, 11, 23) + timedelta(days=3)).isoformat())
    desk.clock.advance(timedelta(days=5))
    envelope(desk.post(f"{KB}/{created['id']}/publish", "dispatcher", {}), 422)
    assert desk.get(f"{KB}/{created['id']}", "dispatcher").get_json()["status"] == "draft"


def test_gauges_count_articles_by_freshness_and_open_corrections(desk, at):
    published(desk, review_by="2026-12-10")
    created = published(desk, review_by="2027-06-30")
    draft(desk)
    ticket = desk.file(type="consultation")
    desk.do(ticket["id"], "answer", knowledge_id=created["id"])
    desk.do(ticket["id"], "callback", satisfaction="dissatisfied", answer_wrong=True)
    refresh_gauges(desk.hotline)

    def gauge(name, **labels):
        return REGISTRY.get_sample_value(f"duban_hotline_knowledge_{name}", labels)

    assert [gauge("articles", freshness=f) for f in ("current", "due_soon", "overdue", "drafts")] == [1, 1, 0, 1]
    assert gauge("corrections_open") == 1
    desk.clock.set(at(2026, 12, 11, 9))
    refresh_gauges(desk.hotline)
    assert gauge("articles", freshness="overdue") == 1
