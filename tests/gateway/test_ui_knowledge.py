"""The knowledge-base screens (知识库): staff find articles, a department drafts and revises its own, the
hotline office publishes and retires; the operator sees matching answers while typing; the public FAQ."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from shared.clock import ManualClock
from tests.uisuite import MONDAY_9AM, csrf, demo_suite, keyed_form, signed_in


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(MONDAY_9AM)


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory, clock: ManualClock) -> Iterator[Any]:
    built = demo_suite(tmp_path_factory.mktemp("knowledge"), clock)
    yield built
    built.close()


def prefixed_form(page: str, prefix: str, **fields: str) -> dict[str, str]:
    """A prefixed form's fields as its page hands them out (CSRF token, its Idempotency-Key), plus ``fields``."""
    key = re.search(rf'name="{prefix}-idempotency_key" type="hidden" value="([^"]+)"', page)
    assert key, f"the {prefix} form carries an idempotency key"
    return {"csrf_token": csrf(page), f"{prefix}-idempotency_key": key.group(1),
            **{f"{prefix}-{k}": v for k, v in fields.items()}}


ARTICLE = {"question": "犬只免疫证明怎么办理？",
           "answer": "<p>携带犬只到指定动物诊疗机构接种狂犬疫苗后领取。</p><script>x()</script>",
           "category": "养犬管理", "keywords": "养犬 狂犬疫苗", "review_by": "2027-06-30", "public": "y"}


def test_the_list_searches_with_synonyms_and_pages_in_the_service(suite: Any) -> None:
    operator = signed_in(suite, "operator")
    page = operator.get("/knowledge?q=社会保险").get_data(as_text=True)
    assert 'data-testid="articles"' in page and "社保卡丢失怎么补办？" in page, "社保 ↔ 社会保险 match"
    assert "<mark>" in page, "matched words are marked in the snippet"
    assert "编写知识条目" not in page, "an operator does not write articles"
    assert 'href="/knowledge/corrections"' not in page, "nor handles corrections"
    second = operator.get("/knowledge?page=2").get_data(as_text=True)
    assert "第 2/3 页" in second, "53 demo articles, 20 a page"
    refused = operator.get("/knowledge?status=nonsense")
    assert refused.status_code == 200 and "筛选条件有误" in refused.get_data(as_text=True)


def test_case_search_links_an_article_to_its_page(suite: Any) -> None:
    page = signed_in(suite, "operator").get("/search?q=公积金&kind=article").get_data(as_text=True)
    assert re.search(r'data-kind="article"><span class="badge">[^<]+</span>\s*<a href="/knowledge/[^"]+">', page)


def test_a_department_drafts_and_revises_and_the_office_publishes_and_retires(suite: Any) -> None:
    cgj, zjj, dispatcher = signed_in(suite, "dept-cgj"), signed_in(suite, "dept-zjj"), signed_in(suite, "dispatcher")
    page = cgj.get("/knowledge").get_data(as_text=True)
    assert 'data-testid="new-article"' in page
    assert 'href="/knowledge/corrections"' in page and 'href="/knowledge/figures"' in page
    select = re.search(r'<select id="new-department".*?</select>', page, re.S)
    assert select and 'value="cgj"' in select.group(0) and 'value="zjj"' not in select.group(0), \
        "a department writes for its own department only"

    refused = cgj.post("/knowledge", data=prefixed_form(page, "new", department="cgj", **{**ARTICLE, "question": "狗"}))
    assert refused.status_code == 422 and "长度应为" in refused.get_data(as_text=True)
    past = cgj.post("/knowledge", data=prefixed_form(page, "new", department="cgj",
                                                     **{**ARTICLE, "review_by": "2020-01-01"}))
    assert past.status_code == 422 and 'aria-invalid="true"' in past.get_data(as_text=True), \
        "the service's refusal of a past review date shows on the field"

    created = cgj.post("/knowledge", data=prefixed_form(page, "new", department="cgj", **ARTICLE))
    assert created.status_code == 302, created.get_data(as_text=True)[-600:]
    path = created.headers["Location"]
    article_id = path.rsplit("/", 1)[-1]
    shown = cgj.get(path).get_data(as_text=True)
    assert "草稿" in shown and "<script>" not in shown and "狂犬疫苗" in shown
    assert 'data-testid="publish"' not in shown, "a department does not publish"
    assert zjj.get(path).status_code == 404, "another department does not see a never-published draft"

    office = dispatcher.get(path).get_data(as_text=True)
    assert 'data-testid="publish"' in office
    published = dispatcher.post(f"/knowledge/{article_id}/publish", data={"csrf_token": csrf(office)})
    assert published.status_code == 302
    assert 'data-status="published"' in zjj.get(path).get_data(as_text=True)
    assert 'data-testid="step-revise"' not in zjj.get(path).get_data(as_text=True), "not zjj's article"

    page = cgj.get(path).get_data(as_text=True)
    assert 'value="犬只免疫证明怎么办理？"' in page, "the revision starts from the newest version"
    revised = cgj.post(f"/knowledge/{article_id}/revise", data=prefixed_form(
        page, "revise", **{**ARTICLE, "answer": "<p>到指定动物诊疗机构接种后当场领取免疫证明。</p>"}))
    assert revised.status_code == 302
    page = dispatcher.get(path).get_data(as_text=True)
    assert 'data-testid="draft"' in page and 'data-version="2" data-status="draft"' in page
    assert 'data-version="1" data-status="published"' in page, "the published version stays in force"
    dispatcher.post(f"/knowledge/{article_id}/publish", data={"csrf_token": csrf(page)})
    page = dispatcher.get(path).get_data(as_text=True)
    assert 'data-version="2" data-status="published"' in page and 'data-version="1" data-status="retired"' in page

    refused = dispatcher.post(f"/knowledge/{article_id}/retire", data=prefixed_form(page, "retire", reason=""))
    assert refused.status_code == 422 and "此项必填" in refused.get_data(as_text=True)
    retired = dispatcher.post(f"/knowledge/{article_id}/retire",
                              data=prefixed_form(page, "retire", reason="政策已调整"))
    assert retired.status_code == 302
    assert 'data-status="retired"' in dispatcher.get(path).get_data(as_text=True)
    mine = cgj.get(path).get_data(as_text=True)
    assert cgj.post(f"/knowledge/{article_id}/publish", data={"csrf_token": csrf(mine)}).status_code == 403


def test_the_operator_sees_matching_published_articles_while_typing(suite: Any) -> None:
    operator = signed_in(suite, "operator")
    page = operator.get("/operator/new").get_data(as_text=True)
    assert 'data-testid="knowledge"' in page and 'hx-post="/operator/knowledge"' in page
    token = csrf(page)
    fragment = operator.post("/operator/knowledge", data={"csrf_token": token, "title": "公积金怎么提取"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "住房公积金提取需要哪些材料？" in text, "公积金 finds 住房公积金提取"
    assert "市住房和城乡建设局" in text, "the owning department is named"
    assert "<mark>" in text and "<script" not in text
    nothing = operator.post("/operator/knowledge", data={"csrf_token": token, "title": "", "content": "x"})
    assert "输入标题后显示" in nothing.get_data(as_text=True)
    unknown = operator.post("/operator/knowledge", data={"csrf_token": token, "title": "火星移民签证"})
    assert "没有匹配" in unknown.get_data(as_text=True)


def test_a_direct_answer_names_its_article_and_a_wrong_one_goes_back_for_correction(suite: Any) -> None:
    operator, dispatcher = signed_in(suite, "operator"), signed_in(suite, "dispatcher")
    filed = operator.post("/operator/new", data=keyed_form(
        operator, "/operator/new", type="consultation", urgency="general", channel="phone",
        title="住房公积金提取需要什么材料", content="来电人咨询购房后提取住房公积金需要带哪些材料。",
        caller_phone="13800138000"))
    assert filed.status_code == 302
    path = filed.headers["Location"]
    page = operator.get(path).get_data(as_text=True)
    option = re.search(r'<option value="([0-9a-f-]{36})">住房公积金提取需要哪些材料？', page)
    assert option, "the answer form offers the matching published article"
    answered = operator.post(f"{path}/answer", data=prefixed_form(
        page, "answer", content="需身份证、购房合同或不动产权证书和本人银行卡。", knowledge_id=option.group(1)))
    assert answered.status_code == 302
    shown = dispatcher.get(path).get_data(as_text=True)
    assert f'href="/knowledge/{option.group(1)}"' in shown and 'data-testid="knowledge-used"' in shown
    assert 'name="callback-answer_wrong"' in shown
    queue = dispatcher.get("/dispatch/callbacks").get_data(as_text=True)
    items = re.findall(r'data-testid="queue-item".*?</article>', queue, re.S)
    offered = [item for item in items if 'name="callback-answer_wrong"' in item]
    assert offered and len(offered) < len(items), "in the callback queue too, only for answers from an article"

    called = dispatcher.post(f"{path}/callback", data=prefixed_form(
        shown, "callback", satisfaction="dissatisfied", note="来电人称材料清单与窗口要求不一致", answer_wrong="y"))
    assert called.status_code == 302, called.get_data(as_text=True)[-600:]
    zjj = signed_in(suite, "dept-zjj")
    tasks = zjj.get("/knowledge/corrections").get_data(as_text=True)
    assert "住房公积金提取需要哪些材料？" in tasks and "材料清单与窗口要求不一致" in tasks
    correction = re.search(r'data-testid="complete-([^"]+)"', tasks)
    assert correction, "the owning department may complete it"
    assert 'data-testid="complete-' not in signed_in(suite, "dept-cgj").get("/knowledge/corrections").get_data(
        as_text=True), "another department has nothing to complete"
    done = f"/knowledge/corrections/{correction.group(1)}/complete"
    refused = zjj.post(done, data=prefixed_form(tasks, "complete", resolution=""))
    assert refused.status_code == 422 and "此项必填" in refused.get_data(as_text=True)
    completed = zjj.post(done, data=prefixed_form(tasks, "complete", resolution="已补充不动产权证书的要求"))
    assert completed.status_code == 302
    assert "已补充不动产权证书的要求" in zjj.get("/knowledge/corrections?status=done").get_data(as_text=True)


def test_marking_an_answer_wrong_that_used_no_article_is_refused_in_place(suite: Any) -> None:
    operator, dispatcher = signed_in(suite, "operator"), signed_in(suite, "dispatcher")
    filed = operator.post("/operator/new", data=keyed_form(
        operator, "/operator/new", type="consultation", urgency="general", channel="phone",
        title="图书馆周一开放吗", content="来电人咨询市图书馆周一是否开放。", caller_phone="13800138001"))
    path = filed.headers["Location"]
    page = operator.get(path).get_data(as_text=True)
    assert operator.post(f"{path}/answer", data=prefixed_form(page, "answer", content="周一闭馆，其余每天开放。",
                                                              knowledge_id="")).status_code == 302
    shown = dispatcher.get(path).get_data(as_text=True)
    assert 'data-testid="knowledge-used"' not in shown
    assert 'name="callback-answer_wrong"' not in shown, "the box is offered only for an answer from an article"
    refused = dispatcher.post(f"{path}/callback", data=prefixed_form(
        shown, "callback", satisfaction="dissatisfied", note="", answer_wrong="y"))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "only for a direct answer given with knowledge_id" in text
    assert re.search(r'id="callback-answer_wrong"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*'
                     r'id="callback-answer_wrong"', text), "the refusal sits on the box"


def test_the_public_faq_shows_published_public_articles_only(suite: Any) -> None:
    public = Client(suite.wsgi)
    front = public.get("/").get_data(as_text=True)
    assert 'href="/faq"' in front, "the portal's navigation leads to the FAQ"
    page = public.get("/faq?q=社保卡")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "社保卡丢失怎么补办？" in text
    assert "<p>先通过电话" in text, "the answer's sanitised rich text is shown"
    staff = signed_in(suite, "dispatcher").get("/knowledge?q=断缴补缴").get_data(as_text=True)
    assert "社保断缴补缴的内部审核口径" in staff, "staff find the internal article"
    assert "社保断缴补缴的内部审核口径" not in public.get("/faq?q=断缴补缴").get_data(as_text=True), \
        "internal articles never reach the public FAQ"
    second = public.get("/faq?page=2").get_data(as_text=True)
    assert "第 2/" in second and "<details" in second


def test_the_figures_show_first_call_resolution_and_unanswered_questions(suite: Any) -> None:
    page = signed_in(suite, "inspector").get("/knowledge/figures").get_data(as_text=True)
    rate = re.search(r'data-testid="first-call-rate">([^<]+)<', page)
    assert rate and rate.group(1).endswith("%"), "the demo consultations give a first-call rate"
    assert 'data-testid="unanswered-questions"' in page
    assert page.count('<th scope="row">') > 1, "the inspector sees every department"
    own = signed_in(suite, "dept-zjj").get("/knowledge/figures").get_data(as_text=True)
    table = re.search(r'data-testid="knowledge-departments">.*?</table>', own, re.S)
    assert table and "市住房和城乡建设局" in table.group(0) and table.group(0).count('<th scope="row">') == 1, \
        "a department sees its own figures"
    refused = signed_in(suite, "inspector").get("/knowledge/figures?period=nonsense")
    assert refused.status_code == 200 and "统计期间有误" in refused.get_data(as_text=True)


def test_the_inspector_s_board_shows_the_knowledge_figures(suite: Any) -> None:
    inspector = signed_in(suite, "inspector")
    board = inspector.get("/board").get_data(as_text=True)
    assert 'hx-get="/knowledge/figures/summary"' in board
    summary = inspector.get("/knowledge/figures/summary").get_data(as_text=True)
    assert 'data-testid="knowledge-summary"' in summary and "%" in summary
    assert signed_in(suite, "dept-zjj").get("/knowledge/figures/summary").status_code == 403


def test_articles_past_their_review_date_are_flagged_and_listed(suite: Any, clock: ManualClock) -> None:
    clock.advance(days=60)  # the demo set has articles due for review within 30 days
    operator = signed_in(suite, "operator")
    page = operator.get("/knowledge?review_overdue=true").get_data(as_text=True)
    total = re.search(r"共 (\d+) 条", page)
    assert total and int(total.group(1)) > 0
    assert page.count('data-testid="overdue"') == min(int(total.group(1)), 20), "every one listed is flagged"
    question = re.search(r'data-article="[^"]+"><a href="[^"]+">([^<]+)</a>', page)
    assert question
    typing = operator.get("/operator/new").get_data(as_text=True)
    fragment = operator.post("/operator/knowledge", data={"csrf_token": csrf(typing), "title": question.group(1)})
    assert 'data-testid="overdue"' in fragment.get_data(as_text=True), "the operator is warned at intake"
