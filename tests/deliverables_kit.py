"""A finished workshop from the scripted model, as a consultant would hand it over: the room endorsed the
theme (with dissent), rated a use case, and a use case was added at the gate. Plus a tracker with a few
weeks of check-ins and a weekly pack. Also: the check that nothing internal shows in what people read."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from katachi.core.settings import get_settings
from katachi.graphs.service import WorkshopService
from tests.fakes import FakeChatModel
from tests.flow import walk
from tests.workshop_fakes import ListRetriever, WorkshopResponder

DOCS = {
    "ja": [
        "提案書の作成には平均で二日かかっている。営業担当は顧客訪問の時間を確保できていない。",
        "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。引き継ぎの基準は文書化されていない。",
    ],
    "en": [
        "Writing a proposal takes two days on average. Account executives lack time for customer visits.",
        "After the deal, sales hands the customer's goals to customer success. The hand-off has no written standard.",
    ],
}
PAINS = {
    "ja": ["提案書の作成に2日かかる", "引き継ぎで顧客情報が失われる"],
    "en": ["A proposal takes 2 days to write", "Customer details get lost in the hand-off"],
}
DEPTS = {"ja": ["営業", "カスタマーサクセス"], "en": ["Sales", "Customer Success"]}
ADDED = {
    "ja": {
        "department": "営業",
        "title": "失注理由の要約と共有",
        "who": "営業マネージャー",
        "when": "失注の翌営業日",
        "workflow_step": "失注分析",
        "input": "商談記録",
        "output": "失注理由の要約",
    },
    "en": {
        "department": "Sales",
        "title": "Lost-deal summary",
        "who": "Sales manager",
        "when": "The day after a deal is lost",
        "workflow_step": "Loss review",
        "input": "Deal notes",
        "output": "Loss summary",
    },
}
TODAY = "2026-11-27"  # a Friday: the first Monday review is 2026-11-30


# The scripted model writes its content in Japanese; an English workshop gets it in English (else the
# foreign-script gate sends it back, and the retry's text ends up in the titles).
ENGLISH = {
    "提案書ドラフトの型": "Proposal draft 型",
    "の下書き生成": " draft generation",
    "商談が増えている": "Deals are increasing",
    "受注後に顧客の目標が引き継がれない": "The customer's goals are lost after the deal",
    "引き継ぎ漏れをなくす": "No lost hand-offs",
    "解約が増えている": "Churn is rising",
    "CRM の記録": "CRM records",
    "商談後 24 時間以内": "Within 24 hours of the meeting",
    "記録を渡す": "Pass on the notes",
    "下書き": "Draft",
    "確認": "Check",
    "提案書ドラフト": "Proposal draft",
    "提案": "Proposal",
    "商談メモ": "meeting notes",
    "時間削減": "Saves time",
    "データあり": "Data exists",
    "担当者": "Account executive",
    "顧客の目標": "The customer's goals",
    "受注時": "When the deal closes",
    "CS 責任者": "Head of CS",
    "メモを集める": "Collect the notes",
    "テンプレートに流す": "Run the template",
    "上長が確認": "The manager checks",
    "送付": "Send",
    "顧客名": "customer_name",
    " をもとに ": " - from these, for ",
    " 向けの提案書の骨子を作って": ", outline a proposal",
    "毎週月曜 9:00 30分": "Every Monday 9:00, 30 min",
    "営業担当役員": "VP Sales",
    "KPI 実績": "KPI actuals",
    "数値確認": "Review the numbers",
    "詰まり": "Blockers",
    "次の一手": "Next moves",
    "2週連続未達なら手順を見直す": "Two weeks off target: revise the 型",
    "金曜に仮説を10個出す": "Ten hypotheses on Fridays",
    "の定義": " definition",
    "全員": "Everyone",
    "型の演習": "型 practice",
    "現場": "Frontline",
    "提案書の型": "Proposal 型",
    "週次レビュー": "Weekly review",
    "経営層": "Executives",
    "実案件": "Real deals",
    "本番会議": "The real meeting",
    "日目標": "-day goal",
    "営業": "Sales",
}


class EnglishResponder(WorkshopResponder):
    def _answer(self, messages, kwargs) -> str:
        out = super()._answer(messages, kwargs)
        for ja, en in sorted(ENGLISH.items(), key=lambda kv: -len(kv[0])):
            out = out.replace(ja, en)
        return out


def service(tmp: Path, lang: str) -> WorkshopService:
    model = FakeChatModel(responder=WorkshopResponder(lang) if lang == "ja" else EnglishResponder(lang))
    retr = ListRetriever("acme", DOCS[lang])
    return WorkshopService(
        get_settings(),
        model_for=lambda role: model,
        retriever_for=lambda company: retr,
        db_path=tmp / f"w-{lang}.sqlite",
    )


def endorsement(theme: str, lang: str) -> dict:
    ja = lang == "ja"
    return {
        "theme": theme,
        "n": 3,
        "mean": 3.7,
        "counts": {"2": 1, "4": 1, "5": 1},
        "agree": 2,
        "dissent": [{"value": 2, "text": "引き継ぎの方が先では" if ja else "Hand-offs first?", "by": ""}],
        "support": [{"value": 5, "text": "顧客訪問が増える" if ja else "More customer visits", "by": "Ken"}],
    }


def finish(svc: WorkshopService, lang: str, thread: str = "e1ca4238a5d7") -> dict:
    """Run the workshop to its end; the thread id looks like a real one, so a leak is visible."""
    snap = svc.start("acme", PAINS[lang], DEPTS[lang], lang=lang, thread_id=thread, today=TODAY)
    snap = walk(svc, thread, snap, until="kpis")
    theme = snap.values["theme"]["title"]
    snap = svc.resume(thread, {"action": "approve", "room": {"endorsement": endorsement(theme, lang)}})
    snap = walk(svc, thread, snap, until="usecases")
    first = snap.values["use_cases"][0]["id"]
    added = {
        **ADDED[lang],
        "id": "",
        "how": [],
        "kpi_id": snap.values["kpis"][0]["id"],
        "impact": {"value": 3},
        "feasibility": {"value": 4},
    }
    snap = svc.resume(
        thread, {"action": "approve", "add": [added], "room": {"ratings": {first: {"n": 3, "a": 4.0, "b": 3.0}}}}
    )
    return walk(svc, thread, snap).values


def tracker(svc: WorkshopService, tmp: Path, thread: str = "e1ca4238a5d7"):
    """The tracker of a finished workshop with three weeks of check-ins and one weekly pack."""
    from katachi.tracker.tracker import TrackerService

    tr = TrackerService(svc, db_path=tmp / "t.sqlite", today=lambda: dt.date(2026, 12, 16))
    for week, value in (("2026-11-30", 2.0), ("2026-12-07", 1.7), ("2026-12-14", 1.5)):
        tr.checkin(thread, "kpi", "K1", week, value, note="テンプレート導入")
    tr.checkin(thread, "usecase", "U1", "2026-12-14", status="stuck", blockers="承認者不在")
    return tr


# -- nothing internal in what people read ----------------------------------------------------------------
_SNAKE = re.compile(r"(?<![\w{])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w}])")
_HEX = re.compile(r"\b[0-9a-f]{12,}\b")
_SEVERITY = re.compile(r"\[(?:info|warning|error)\]")
_PRIORITY = re.compile(r"\bP=\d")
_EMPTY_ID = re.compile(r"(?m)^\s*\.\s")  # "．失注理由の要約" — a use case printed without its id
_EMPTY_IO = re.compile(r"[:：]\s*→")  # "入力 → 出力: →": a field with nothing on either side


def raw_tokens(text: str, thread: str = "e1ca4238a5d7") -> list[str]:
    """Internal tokens found in ``text``: thread ids, snake_case codes (a ``{placeholder}`` of a prompt
    template is the template's own slot and may be one), rule severities in brackets, footnote marks
    ``[^``, the word 'thread', catalogue and pattern ids, 'P=' scores, empty ids and empty fields."""
    from katachi.knowledge.library.catalog import load_library

    lib = load_library()
    found = [m.group(0) for rx in (_SNAKE, _HEX, _SEVERITY, _PRIORITY) for m in rx.finditer(text)]
    found += [x for x in ("[^", thread) if x in text]
    found += re.findall(r"(?i)\bthread\b", text)
    found += [i for i in (*lib.patterns, *lib.kpis) if "." in i and i in text]
    found += [f"empty id: {m.group(0)!r}" for m in _EMPTY_ID.finditer(text)]
    found += [f"empty field: {m.group(0)!r}" for m in _EMPTY_IO.finditer(text)]
    return found
