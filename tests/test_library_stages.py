"""Stages that select from the 型 library and adapt it: lineage, assembled procedures, catalogue KPIs,
the glossary from the company's definitions, and what reviewers see."""

from __future__ import annotations

import pytest

from katachi.agents.common import StageContext, StageLog
from katachi.agents.glossary import build as build_glossary
from katachi.agents.glossary import candidates
from katachi.agents.patterns import NEW, fill, procedure_from
from katachi.agents.schemas import KPI, Score, Theme, UseCase
from katachi.core.settings import get_settings
from katachi.exports.outputs import render_markdown
from katachi.graphs.service import WorkshopService
from katachi.knowledge.library.catalog import load_library
from katachi.ui.web.review.render import _body
from tests.fakes import FakeChatModel
from tests.flow import walk
from tests.workshop_fakes import ListRetriever, WorkshopResponder

LIB = load_library()
DOCS = [
    "提案書の作成には平均で二日かかっている。営業担当は顧客訪問の時間を確保できていない。",
    "商談メモとは、商談で聞いた顧客の予算・時期・関係者を営業担当が記録する社内様式です。",
    "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。",
]
PAINS = ["提案書の作成に2日かかる", "引き継ぎで顧客情報が失われる"]


def _service(tmp_path, responder):
    model = FakeChatModel(responder=responder)
    retr = ListRetriever("acme", DOCS)
    return WorkshopService(
        get_settings(), model_for=lambda role: model, retriever_for=lambda c: retr, db_path=tmp_path / "w.sqlite"
    )


def _to_playbook(svc):
    snap = svc.start("acme", PAINS, ["営業部", "カスタマーサクセス"], lang="ja", thread_id="t", today="2026-11-27")
    return walk(svc, "t", snap, until="playbook")


def test_use_cases_adapt_library_patterns_and_kpis_come_from_the_catalogue(tmp_path):
    responder = WorkshopResponder()
    svc = _service(tmp_path, responder)
    snap = _to_playbook(svc)
    v = snap.values
    assert v["theme"]["measures"] and all(m in LIB.kpis for m in v["theme"]["measures"])
    k = v["kpis"][0]
    assert k["catalog_id"] == v["theme"]["measures"][0]  # the KPI the theme was tied to comes first
    cat = LIB.kpis["proposal_lead_time"]
    assert k["catalog_id"] == "proposal_lead_time" and k["better"] == "lower"
    assert (k["name"], k["unit"], k["method"]) == (cat.ja.name, cat.ja.unit, cat.ja.measure)
    assert k["baseline"] == "2"  # the participants' number, not the catalogue's
    sales = next(u for u in v["use_cases"] if u["department"] == "営業部")
    assert LIB.patterns[sales["pattern"]].function == "sales"  # 営業部 maps to the sales function
    assert sales["risks"] and "対策" in sales["risks"][0]
    proc = next(p for p in v["playbook"]["procedures"] if p["use_case_id"] == sales["id"])
    assert proc["pattern"] == sales["pattern"] and proc["steps"] == sales["how"]
    md = render_markdown(v)
    name = LIB.patterns[sales["pattern"]].ja.title
    assert f"型ライブラリ: {name}" in md and "（確認ポイント）" in md and "（KPIカタログの定義）" in md
    html = _body("procedures:" + sales["id"], proc, v.get("passages") or {}, "ja", v)
    assert 'class="k-lineage k-pattern"' in html and "確認ポイント" in html
    svc.close()


def test_a_use_case_no_pattern_fits_is_marked_new_and_its_procedure_is_written(tmp_path):
    responder = WorkshopResponder()
    responder.new_use_cases = True
    svc = _service(tmp_path, responder)
    v = _to_playbook(svc).values
    assert {u["pattern"] for u in v["use_cases"]} == {NEW}
    assert responder.calls.count("ProcedureOut") == len(v["use_cases"])
    assert all(p["pattern"] == NEW for p in v["playbook"]["procedures"])
    assert "新規（型ライブラリに合う型なし）" in render_markdown(v)
    html = _body("usecases:営業部", v["use_cases"], {}, "ja", v)
    assert "k-new" in html
    svc.close()


def test_a_procedure_sent_back_is_adapted_from_its_current_steps(tmp_path):
    responder = WorkshopResponder()
    svc = _service(tmp_path, responder)
    v = _to_playbook(svc).values
    uid = v["use_cases"][0]["id"]
    before = v["playbook"]["procedures"][0]
    n = len(responder.calls)
    svc.resume("t", {"action": "request_changes", "sections": {f"procedures:{uid}": "承認を入れて"}})
    assert responder.calls[n:] == ["ProcedureOut"]
    assert "current steps: " + " → ".join(before["steps"]) in responder.prompts[-1]
    svc.close()


def _ctx(docs: list[str], lang: str = "ja") -> StageContext:
    return StageContext(
        model_for=lambda r: None,
        retriever=ListRetriever("acme", docs),
        company="acme",
        lang=lang,
        today="2026-11-27",
        library=LIB,
    )


UC = UseCase(
    id="U1",
    department="営業部",
    title="提案書ドラフト",
    who="営業担当",
    when="商談の後",
    how=[],
    workflow_step="提案書作成",
    input="商談メモと顧客の課題",
    output="提案書の初稿",
    kpi_id="K1",
    impact=Score(value=4),
    feasibility=Score(value=3),
    pattern="sales.proposal_draft",
)
THEME = Theme(title="提案の速さ", problem="提案書の作成に2日かかる", outcome="提案を早く出す")
K = KPI(
    id="K1",
    name="提案書作成リードタイム",
    unit="日",
    baseline="2",
    target="1",
    deadline="2027-06",
    owner="営業担当役員",
    method="商談記録",
)


def test_glossary_defines_terms_from_the_documents_with_a_citation_then_the_method():
    terms, log = build_glossary(_ctx(DOCS), THEME, [K], [UC], "提案書ドラフト 型 週次PDCA")
    by = {g.term: g for g in terms}
    assert (
        by["商談メモ"].origin == "documents" and by["商談メモ"].citations[0].quote == DOCS[1][: DOCS[1].index("。") + 1]
    )
    assert by["型"].origin == "method" and "週次PDCA" in by and "ベースライン" in by
    assert not ({"AI", "データ", "システム"} & set(by))
    assert "顧客の課題" not in by  # no document defines it and it is not a method word
    assert log.passages  # the cited passage can be opened


def test_glossary_candidates_come_from_the_playbook():
    assert [c for c, _ in candidates(THEME, [K], [UC], "ja")][:3] == ["商談メモ", "顧客の課題", "提案書の初稿"]


def test_english_definitions_are_found_too():
    docs = ["A deal record is the CRM entry where reps log each customer meeting and its next step."]
    uc = UC.model_copy(update={"input": "deal record", "output": "proposal draft", "workflow_step": "Proposal"})
    terms, _ = build_glossary(_ctx(docs, "en"), THEME, [], [uc], "")
    assert terms[0].term == "deal record" and terms[0].origin == "documents"
    assert {"型 (kata)", "Weekly PDCA", "Baseline"} <= {g.term for g in terms}


def test_slots_are_filled_in_the_company_words():
    p = LIB.patterns["sales.proposal_draft"]
    proc = procedure_from(p, UC, "ja")
    assert proc.steps[0] == fill(p.ja.steps[0], UC) and proc.steps[0].startswith("営業担当が商談メモと顧客の課題")
    assert proc.placeholders == list(p.ja.placeholders) and proc.checks == p.checks
    assert "{who}" not in proc.prompt_template


@pytest.mark.parametrize(
    "name,value",
    [
        ("glossary", [{"term": "商談メモ", "definition": "d", "used_by": "u", "citations": []}]),
        ("usecases:営業部", [UC.model_dump()]),
        ("procedures:U1", procedure_from(LIB.patterns["sales.proposal_draft"], UC, "ja").model_dump()),
    ],
)
def test_review_renders_every_kind_of_section(name, value):
    assert "<" in _body(name, value, {}, "ja", {})


def test_weekly_review_and_training_come_from_the_method_with_this_workshops_kpis():
    from katachi.agents import playbook
    from katachi.agents.sections import review_problems

    wr = playbook.method_weekly_review(LIB, [K], [UC], "ja")
    assert not review_problems(wr.cadence, wr.decision_rules, [K])  # a working day, a time, rules on the target
    assert wr.attendees[:2] == ["営業担当役員", "営業部の部門長"] and wr.exec_ai_hour
    proc = procedure_from(LIB.patterns["sales.proposal_draft"], UC, "ja")
    sessions = playbook.method_training(LIB, [proc], [UC], "ja")
    assert [s.audience for s in sessions] == ["経営層", "部門長", "営業担当（営業部）"]
    assert sessions[2].teaches == proc.title
    en = playbook.method_weekly_review(LIB, [K], [UC], "en")
    assert en.cadence.startswith("Every Monday") and "Head of 営業部" in en.attendees


def _views(texts: list[str], departments: tuple[str, ...] = ("営業部",)):
    from katachi.agents.groups import view_groups
    from katachi.agents.schemas import PainGroup

    ctx = StageContext(
        model_for=lambda r: None,
        retriever=None,
        company="acme",
        lang="ja",
        today="2026-11-27",
        library=LIB,
        departments=departments,
    )
    groups = [PainGroup(id=f"P{i}", summary=x, members=[f"pp{i}"]) for i, x in enumerate(texts, 1)]
    return ctx, view_groups(ctx, groups, {f"pp{i}": x for i, x in enumerate(texts, 1)})


def test_a_catalogue_kpi_keeps_the_catalogues_words_and_an_executive_owner():
    from katachi.agents.grounding import Evidence
    from katachi.agents.kpis import write_kpi

    ctx, views = _views(["顧客満足度のアンケートが3.2点で伸びない"], ("カスタマーサクセス",))
    k, _ = write_kpi(ctx, "K1", "csat", views[0], Evidence(), StageLog())
    cat = LIB.kpis["csat"].ja
    assert (k.name, k.unit, k.method, k.owner) == (cat.name, cat.unit, cat.measure, cat.owner)
    assert k.catalog_id == "csat" and k.better == "higher"


def test_a_step_that_works_on_the_titles_artefact_is_not_the_title_again():
    from katachi.agents.sections import is_title

    assert is_title("AIが会議の議題を整理する", "AIが会議の議題を整理")
    assert not is_title(
        "サポート担当がエスカレーション時の経緯まとめをつけて上位担当に渡し、顧客に次の連絡時期を伝える",
        "エスカレーション時の経緯まとめ",
    )


def test_placeholders_explain_the_companys_input_and_the_template_check_reads_them():
    from katachi.agents.sections import template_problems

    uc = UC.model_copy(update={"input": "ヒアリングシート"})
    proc = procedure_from(LIB.patterns["sales.proposal_draft"], uc, "ja")
    first = next(iter(proc.placeholder_notes))
    assert proc.placeholder_notes[first].startswith("ヒアリングシート（")
    assert not template_problems(proc.prompt_template, uc, "ja", [], proc.placeholder_notes)


def test_a_catalogue_kpi_takes_a_stated_number_only_when_it_measures_its_kind():
    from katachi.agents.grounding import Evidence
    from katachi.agents.kpis import write_kpi

    ctx, views = _views(["不適合報告書の作成に1件45分かかり、検査員の残業が減らない"], ("品質保証",))
    assert views[0].stated.said == "45分" and "counter_wait_minutes" not in views[0].offered()
    k, _ = write_kpi(ctx, "K1", views[0].offered()[0], views[0], Evidence(), StageLog())
    assert k.baseline == "45" and k.pain_points == ["pp1"]


def test_the_participants_unit_of_time_wins_over_the_catalogues():
    from katachi.agents.grounding import Evidence
    from katachi.agents.kpis import write_kpi

    ctx, views = _views(["介護記録の記入に1日70分かかり、残業の原因になっている"], ("介護",))
    k, found = write_kpi(ctx, "K1", "record_hours", views[0], Evidence(), StageLog())
    assert (k.unit, k.baseline, k.said) == ("分", "70", "70分") and float(k.target) < 70
    assert "kpi_unit_from_participants" in [f.rule for f in found]


def test_an_output_that_repeats_the_input_takes_the_patterns_output():
    from katachi.agents.slots import check_slots

    words = {
        "title": "Lost-deal review",
        "who": "Sales lead",
        "when": "At month end",
        "workflow_step": "Review",
        "input": "The month's lost-deal records",
        "output": "Reasons deals were lost, grouped",
    }
    got, failed = check_slots(
        {**words, "output": "The month's lost-deal records"}, words, "Sales", ["Sales"], "", "", "en"
    )
    assert got["output"] == "Reasons deals were lost, grouped" and ("output", "same_as_input") in failed


def test_a_group_whose_members_state_different_numbers_gives_each_kpi_the_number_it_measures():
    """Seen on an unseen handbook: the NDA's week became the baseline of "Time to productivity", whose
    sentence said 8 weeks."""
    from katachi.agents.grounding import Evidence
    from katachi.agents.groups import view_groups
    from katachi.agents.kpis import write_kpi
    from katachi.agents.schemas import PainGroup

    texts = [
        "Even a standard NDA sits in the legal queue for a week, and sales hates us for it",
        "New agents need roughly 8 weeks before they're allowed on the phones alone",
    ]
    ctx = StageContext(
        model_for=lambda r: None,
        retriever=None,
        company="acme",
        lang="en",
        today="2026-11-27",
        library=LIB,
        departments=("HR", "Legal"),
    )
    group = PainGroup(id="P1", summary=texts[0], members=["pp1", "pp2"])
    view = view_groups(ctx, [group], {"pp1": texts[0], "pp2": texts[1]})[0]
    assert view.stated.said == "a week"  # the group's first number, as before
    k, _ = write_kpi(ctx, "K1", "time_to_productivity", view, Evidence(), StageLog())
    assert (k.baseline, k.said) == ("8", "8 weeks")
    k, _ = write_kpi(ctx, "K1", "contract_review_days", view, Evidence(), StageLog())
    assert k.said == "a week"


@pytest.mark.parametrize(
    "when,lang",
    [
        ("妊娠中の休憩時間について指導された場合は、適宜休憩時間の", "ja"),  # seen in a sampled run
        ("When the signed copy is sent to the", "en"),
    ],
)
def test_a_moment_cut_from_a_sentence_takes_the_patterns_words(when, lang):
    from katachi.agents.slots import check_slots

    words = {
        "title": "Q&A",
        "who": "総務担当" if lang == "ja" else "HR officer",
        "when": "問い合わせを受けたとき",
        "workflow_step": "一次回答",
        "input": "問い合わせメール",
        "output": "回答案",
    }
    got, failed = check_slots({**words, "when": when}, words, "総務", ["総務"], when + "を確保する。", "", lang)
    assert got["when"] == "問い合わせを受けたとき" and ("when", "not_a_moment") in failed


def test_every_library_moment_passes_the_moment_check():
    from katachi.agents.slots import cut_phrase

    cut = [(p.id, lang) for p in LIB.patterns.values() for lang in ("ja", "en") if cut_phrase(p.text(lang).when)]
    assert not cut
