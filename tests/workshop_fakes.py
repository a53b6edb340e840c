"""A scripted 'model' for the workshop graph: answers each schema with valid, plausible content and
cites the first sentence id it was offered. Knobs let tests provoke bad output."""

from __future__ import annotations

import json
import re
from typing import Any

from katachi.knowledge.passages import Passage


def _enum(schema: dict, name: str) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            prop = (node.get("properties") or {}).get(name)
            if isinstance(prop, dict):
                found.extend(prop.get("enum") or (prop.get("items") or {}).get("enum") or [])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    return list(dict.fromkeys(found))


def _sentences(prompt: str) -> dict[str, str]:
    """The numbered sentences of the fenced documents block: id -> text."""
    block = prompt.split("<documents>")[-1].split("</documents>")[0] if "<documents>" in prompt else ""
    out = {}
    for line in block.splitlines():
        m = re.match(r"\[(S\d+)\] \([^)]*\) (.*)", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def _best(sentences: dict[str, str], text: str, allowed: list[str]) -> list[str]:
    """Cite like a careful model: the offered sentence sharing most character bigrams with the claim."""
    grams = lambda t: {t[i : i + 2] for i in range(len(t) - 1)}  # noqa: E731
    scored = [(len(grams(text) & grams(sentences.get(i, ""))), i) for i in allowed]
    scored = [x for x in scored if x[0] > 0]
    return [max(scored)[1]] if scored else []


class WorkshopResponder:
    def __init__(self, lang: str = "ja") -> None:
        self.lang = lang
        self.calls: list[str] = []
        self.prompts: list[str] = []
        self.bad_evidence_once = False  # first answer cites an id that was never offered
        self.past_deadline = False
        self.round = 0
        self.echo_feedback = False  # answers to a prompt with reviewer comments say so: "(改訂: <comment>)"
        self.new_use_cases = False  # True: no library pattern fits (the model writes the procedures)

    def __call__(self, messages, kwargs) -> str:
        out = self._answer(messages, kwargs)
        m = re.search(
            r"(?:前回の案への指摘（必ず反映する）|Comments on the previous draft \(address them\)): (.*)",
            messages[-1].content,
        )
        if self.echo_feedback and m:
            # Rewrite the first long enough string value: visible proof the comment reached the model.
            data = json.loads(out)

            def mark(node):
                if isinstance(node, dict):
                    for k, v in node.items():
                        if isinstance(v, str) and len(v) > 3 and k not in ("deadline", "unit", "kpi_id", "evidence"):
                            node[k] = f"{v}（改訂: {m.group(1)[:20]}）"
                            return True
                        if mark(v):
                            return True
                elif isinstance(node, list):
                    return any(mark(x) for x in node)
                return False

            mark(data)
            out = json.dumps(data, ensure_ascii=False)
        return out

    def _answer(self, messages, kwargs) -> str:
        fmt = kwargs["response_format"]["json_schema"]
        name, schema = fmt["name"], fmt["schema"]
        self.calls.append(name)
        self.prompts.append(messages[-1].content)
        offered = _enum(schema, "evidence")
        sentences = _sentences("\n".join(str(m.content) for m in messages))  # a retry keeps the documents
        bad = self.bad_evidence_once
        self.bad_evidence_once = False

        def cite(text: str) -> list[str]:
            return ["S99"] if bad else _best(sentences, text, offered)

        ev = cite("提案書の作成 二日 引き継ぎ proposal hand-off")
        ja = self.lang == "ja"
        if name == "ThemePicks":
            self.round += 1
            groups = _enum(schema, "group")
            kpis = _enum(schema, "kpi")
            # Like a model that ranks: each group with the first KPI offered for it (a regeneration ranks
            # the groups the other way round).
            offered = dict(
                re.findall(r"^(P\d+): .*\n\s+(?:KPI候補|KPI options): ([\w.]+)=", messages[-1].content, re.M)
            )
            again = (
                "前回の案への指摘" in messages[-1].content or "Comments on the previous draft" in messages[-1].content
            )
            order = groups[::-1] if again else groups
            why = _enum(schema, "why_now")
            return json.dumps(
                {
                    "themes": [
                        {
                            "group": g,
                            "kpi": offered.get(g, kpis[0] if kpis else "participants"),
                            "why_now": (why[0] if why else "") if i == 0 else "",
                        }
                        for i, g in enumerate(order[:3])
                    ]
                },
                ensure_ascii=False,
            )
        if name == "KPIPicks":
            groups = _enum(schema, "group")
            kpis = [k for k in _enum(schema, "kpi") if k != "participants"] or ["participants"]
            return json.dumps({"kpis": [{"kpi": kpis[0], "group": groups[0], "evidence": ev}]}, ensure_ascii=False)
        if name == "UseCasesOut":
            kpi = (_enum(schema, "kpi_id") or ["K1"])[0]
            dept = messages[-1].content.split("部署: " if ja else "Department: ")[-1].split("\n")[0]
            patterns = [p for p in _enum(schema, "pattern") if p != "new"]
            pattern = "new" if self.new_use_cases or not patterns else patterns[0]
            return json.dumps(
                {
                    "use_cases": [
                        {
                            "pattern": pattern,
                            "title": f"{dept}の下書き生成",
                            "who": "担当者",
                            "when": "商談後 24 時間以内",
                            "how": ["記録を渡す", "下書き", "確認"],
                            "workflow_step": "提案",
                            "input": "商談メモ",
                            "output": "提案書ドラフト",
                            "kpi_id": kpi,
                            "impact": {"value": 4, "reason": "時間削減"},
                            "feasibility": {"value": 3, "reason": "データあり"},
                            "evidence": ev,
                        }
                    ]
                },
                ensure_ascii=False,
            )
        if name == "HandOffsOut":
            d = _enum(schema, "from_department")
            ucs = _enum(schema, "use_case")
            return json.dumps(
                {
                    "handoffs": [
                        {
                            "from_department": d[0],
                            "to_department": d[-1],
                            "use_case": ucs[0] if ucs else "U1",
                            "evidence": ev,
                        }
                    ]
                },
                ensure_ascii=False,
            )
        if name == "ProcedureOut":
            return json.dumps(
                {
                    "title": "提案書ドラフトの型",
                    "steps": ["メモを集める", "テンプレートに流す", "上長が確認", "送付"],
                    "prompt_template": "{商談メモ} をもとに {顧客名} 向けの提案書の骨子を作って",
                    "placeholders": ["顧客名"],
                    "evidence": ev,
                },
                ensure_ascii=False,
            )
        if name == "WeeklyReviewOut":
            return json.dumps(
                {
                    "cadence": "毎週月曜 9:00 30分",
                    "attendees": ["営業担当役員", "CS 責任者"],
                    "inputs": ["KPI 実績"],
                    "agenda": ["数値確認", "詰まり", "次の一手"],
                    "decision_rules": ["2週連続未達なら手順を見直す"],
                    "exec_ai_hour": "金曜に仮説を10個出す",
                },
                ensure_ascii=False,
            )
        if name == "GlossaryOut":
            return json.dumps(
                {
                    "terms": [
                        {"term": t, "definition": f"{t}の定義", "used_by": "全員"} for t in ("型", "KPI", "商談メモ")
                    ]
                },
                ensure_ascii=False,
            )
        if name == "TrainingOut":
            return json.dumps(
                {
                    "sessions": [
                        {"session": "型の演習", "audience": "現場", "teaches": "提案書の型", "format": "実案件"},
                        {"session": "週次レビュー", "audience": "経営層", "teaches": "PDCA", "format": "本番会議"},
                    ]
                },
                ensure_ascii=False,
            )
        if name == "RolesOut":
            return json.dumps({"executive_sponsor": "CEO", "owners": ["営業担当役員: KPI"]}, ensure_ascii=False)
        if name == "RolloutOut":
            return json.dumps(
                {"phases": [{"days": d, "goals": [f"{d}日目標"]} for d in (30, 60, 90)]}, ensure_ascii=False
            )
        if name == "PackOut":
            slots = sorted(
                (k for k in schema.get("properties", {}) if re.fullmatch(r"h\d+", k)), key=lambda k: int(k[1:])
            )
            texts = [
                "見積もりの型を先に回せば提案書作成が1日に近づく",
                "引き継ぎ基準を文書化すれば顧客の目標が失われなくなる",
                "週次レビューで障害を一つずつ除けば型が止まらない",
                "テンプレートの承認者を決めれば確認待ちが消える",
                "成功例を共有すれば他部署でも同じ成果が出る",
            ]
            claims = [
                "見積もり 提案書 二日 テンプレート",
                "引き継ぎ 基準 文書化 顧客の目標",
                "",
                "テンプレート 承認",
                "",
            ]
            out = {}
            for i, k in enumerate(slots):
                ev_ids = (
                    ["S99"]
                    if bad and i == len(slots) - 1
                    else (_best(sentences, claims[i % 5], offered) if claims[i % 5] else [])
                )
                change, _, effect = (texts[i % 5] if ja else f"change {i + 1} then effect {i + 1}").partition(
                    "ば" if ja else " then "
                )
                out[k] = {"change": change + ("ば" if ja else ""), "effect": effect, "evidence": ev_ids}
            out["decisions"] = ["テンプレートの承認者を決める" if ja else "Decide who approves the template"]
            out["exec_prompts"] = [
                "失注した提案の共通点を5つ挙げて" if ja else "List five things lost proposals share",
                "来週試す型を一つ選ぶ理由を3つ" if ja else "Three reasons to pick next week's 型",
            ]
            return json.dumps(out, ensure_ascii=False)
        if name == "AdaptOut":
            dept = re.search(r"「(.+?)」の業務" if ja else r"for the (.+?) department", messages[-1].content)
            d = dept.group(1) if dept else "?"
            return json.dumps(
                {
                    "title": f"{d}向け提案書ドラフトの型",
                    "steps": [f"{d}の記録を集める", "テンプレートに流す", "責任者が確認", "送付"],
                    "prompt_template": "{顧客名} 向けの資料の骨子を作って",
                    "evidence": ev,
                },
                ensure_ascii=False,
            )
        raise AssertionError(f"unexpected schema {name}")


class ListRetriever:
    """Substring-free retriever over fixed passages: returns them in order (deterministic)."""

    def __init__(self, company: str, texts: list[str]) -> None:
        self.passages = [
            Passage(
                chunk_id=f"c{i}",
                company=company,
                source=f"/docs/doc{i}.md",
                rel=f"docs/doc{i}.md",
                heading=f"見出し{i}",
                text=t,
            )
            for i, t in enumerate(texts)
        ]
        self.queries: list[str] = []

    def search(self, query: str, k: int = 5, where=None, department=None):
        self.queries.append((query, department))
        return [p for p in self.passages if not department or p.department == department][:k]
