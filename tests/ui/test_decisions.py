"""Page edits → gate decisions: merged by id, validated by the graph's own decision models."""

from katachi.graphs.gates import KPIDecision, PlaybookDecision, ThemeDecision, UseCaseDecision
from katachi.ui.web.room import decisions

KPIS = [
    {
        "id": "K1",
        "name": "提案書作成時間",
        "unit": "日",
        "baseline": "2",
        "target": "1",
        "deadline": "2027-06",
        "owner": "営業担当役員",
        "method": "CRM",
        "citations": [{"chunk_id": "c0", "quote": "q"}],
    }
]
UCS = [
    {
        "id": "U1",
        "department": "営業",
        "title": "下書き",
        "who": "担当者",
        "when": "商談後",
        "how": ["a", "b"],
        "workflow_step": "提案",
        "input": "メモ",
        "output": "ドラフト",
        "kpi_id": "K1",
        "impact": {"value": 4, "reason": "r"},
        "feasibility": {"value": 3, "reason": "f"},
        "citations": [],
    }
]


def test_kpi_edit_keeps_fields_the_table_does_not_show():
    rows = decisions.kpi_rows(KPIS)
    rows[0][4] = "0.5"
    rows.append(["", "", "", "", "", "", "", ""])  # an empty row the grid leaves behind is ignored
    d = decisions.kpi_edit(KPIS, rows)
    KPIDecision.model_validate(d)
    assert d["kpis"][0]["target"] == "0.5" and d["kpis"][0]["citations"] == KPIS[0]["citations"]
    assert len(d["kpis"]) == 1


def test_usecase_decision_edits_adds_and_drops():
    rows = decisions.uc_rows(UCS)
    assert rows[0][9:] == ["4", "3"]
    rows[0][2] = "提案書の下書き"
    rows[0][9] = "9"  # clamped to the 1-5 scale
    rows.append(
        [
            "U9",
            "カスタマーサクセス",
            "引き継ぎメモ",
            "CS",
            "受注時",
            "引き継ぎ",
            "商談記録",
            "引き継ぎメモ",
            "K1",
            "3",
            "x",
        ]
    )
    d = decisions.usecase_decision(UCS, {"data": rows}, "h1, U5")
    UseCaseDecision.model_validate(d)
    assert d["drop"] == ["H1", "U5"]
    assert d["edit"][0]["title"] == "提案書の下書き" and d["edit"][0]["how"] == ["a", "b"]
    assert d["edit"][0]["impact"] == {"value": 5, "reason": "r"}
    assert d["add"][0]["feasibility"]["value"] == 3  # unparseable score falls back


def test_unchanged_table_is_a_plain_approve():
    d = decisions.usecase_decision(UCS, decisions.uc_rows(UCS), "")
    assert d == {"action": "approve", "drop": [], "edit": [], "add": []}


def test_theme_edit_and_choice():
    cands = [{"title": "A", "problem": "p", "outcome": "o", "pain_groups": ["g1"], "citations": []}]
    d = decisions.theme_edit(cands, 0, " 新テーマ ", "課題", "成果")
    ThemeDecision.model_validate(d)
    assert d["theme"]["title"] == "新テーマ" and d["theme"]["pain_groups"] == ["g1"]
    assert decisions.theme_choice("1") == {"action": "choose", "index": 1}


def test_playbook_changes():
    d = decisions.playbook_changes(["glossary", "procedures:U1"], " 用語を統一 ")
    PlaybookDecision.model_validate(d)
    assert d["sections"] == {"glossary": "用語を統一", "procedures:U1": "用語を統一"}


def test_an_added_use_case_gets_the_next_id_and_names_what_is_missing():
    import pytest

    from katachi.core.errors import KatachiError

    fields = {
        "department": "営業",
        "kpi_id": "K1",
        "title": "失注理由の要約と共有",
        "who": "営業担当",
        "when": "失注が決まった週",
        "input": "商談メモ",
        "output": "失注理由の要約",
    }
    rows = decisions.add_row(decisions.uc_rows(UCS), fields)
    assert rows[-1][:3] == ["U2", "営業", "失注理由の要約と共有"] and rows[-1][6:9] == [
        "商談メモ",
        "失注理由の要約",
        "K1",
    ]
    d = decisions.usecase_decision(UCS, rows, "")
    assert [u["id"] for u in d["add"]] == ["U2"] and d["add"][0]["input"] == "商談メモ"
    with pytest.raises(KatachiError) as e:
        decisions.add_row(rows, {**fields, "output": " "})
    assert e.value.code == "usecase_incomplete" and "出力" in e.value.message("ja")


def test_a_table_whose_columns_were_changed_on_the_page_is_refused_not_read_shifted():
    import pytest

    from katachi.core.errors import KatachiError

    rows = [r[:3] + r[4:] for r in decisions.uc_rows(UCS)]  # the page's cell menu deleted a column
    with pytest.raises(KatachiError) as e:
        decisions.usecase_decision(UCS, rows, "")
    assert e.value.code == "table_columns_changed"
    with pytest.raises(KatachiError):
        decisions.kpi_edit(KPIS, [r + ["extra"] for r in decisions.kpi_rows(KPIS)])
