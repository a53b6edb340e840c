"""A pain point's department survives intake: it is kept in the graph state, keeps two departments'
similar complaints apart, and steers which documents the department's use cases are drawn from."""

from __future__ import annotations

from katachi.agents.intake import group_pain_points, make_pain_points
from katachi.core.settings import get_settings
from katachi.graphs.service import WorkshopService
from tests.fakes import FakeChatModel
from tests.flow import walk
from tests.workshop_fakes import ListRetriever, WorkshopResponder


def test_department_is_kept_and_separates_groups():
    points = make_pain_points(
        [
            {"text": "見積書の作成に時間がかかる", "department": "営業"},
            {"text": "見積書の作成に時間がかかる。", "department": "購買"},
            {"text": "見積書の作成に時間がかかる!", "department": ""},
        ]
    )
    assert [p.department for p in points] == ["営業", "購買", ""]
    groups = group_pain_points(points)
    assert len(groups) == 2  # 営業 and 購買 stay apart; the one without a department joins the first


def test_department_reaches_the_graph_and_the_use_case_queries(tmp_path):
    queries = []

    class Spy(ListRetriever):
        def search(self, query, k=5, where=None, department=None):
            queries.append(query)
            return super().search(query, k, where, department)

    model = FakeChatModel(responder=WorkshopResponder())
    retr = Spy("acme", ["提案書の作成には二日かかる。", "引き継ぎで顧客の目標が失われる。"])
    svc = WorkshopService(
        get_settings(), model_for=lambda r: model, retriever_for=lambda c: retr, db_path=tmp_path / "w.sqlite"
    )
    snap = svc.start(
        "acme",
        [
            {"text": "提案書の作成に2日かかる", "department": "営業"},
            {"text": "引き継ぎで情報が抜ける", "department": "カスタマーサクセス"},
        ],
        ["営業", "カスタマーサクセス"],
        lang="ja",
        thread_id="d",
        today="2026-11-27",
    )
    assert [p["department"] for p in snap.values["pain_points"]] == ["営業", "カスタマーサクセス"]
    snap = walk(svc, "d", snap, until="kpis")
    queries.clear()
    walk(svc, "d", snap, until="usecases")  # KPIs approved: the use cases are generated now
    assert "営業 提案書の作成に2日かかる" in queries
    assert "カスタマーサクセス 引き継ぎで情報が抜ける" in queries


def test_paraphrases_group_by_meaning_when_vectors_are_given():
    import numpy as np

    from katachi.agents.intake import PARAPHRASE, group_pain_points
    from katachi.agents.schemas import PainPoint

    pts = [
        PainPoint(id="a", text="提案書作成に時間がかかる"),
        PainPoint(id="b", text="提案書を作るのが遅い"),
        PainPoint(id="c", text="見積の回答に5日かかる"),
    ]
    assert len(group_pain_points(pts)) == 3  # few shared characters
    v = np.array([[1.0, 0.0], [PARAPHRASE + 0.01, (1 - (PARAPHRASE + 0.01) ** 2) ** 0.5], [0.0, 1.0]])
    assert [g.members for g in group_pain_points(pts, vectors=v)] == [["a", "b"], ["c"]]
