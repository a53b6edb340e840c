"""The weekly review pack: KPI status and stuck use cases (computed), hypotheses, decisions and the
executives' prompts for the coming week (generated, grounded), rendered as Markdown."""
from __future__ import annotations

import datetime as dt
from typing import Any

from graphs.pdca.tracker import monday

L = {
    "ja": dict(title="週次レビュー資料", kpis="KPI の状況", stuck="止まっているユースケース", hyp="改善の仮説",
               decisions="今週決めること", prompts="経営層が来週 AI と考える問い", findings="設計上の指摘",
               sources="出典", none="なし", reach="期限までに到達見込み", miss="このままでは未達",
               unknown="見込み不明（記録不足）", hit="目標達成"),
    "en": dict(title="Weekly review pack", kpis="KPI status", stuck="Stuck use cases", hyp="Improvement hypotheses",
               decisions="Decisions to take", prompts="Executives' questions to think through with AI next week",
               findings="Design findings", sources="Sources", none="none", reach="on course for the deadline",
               miss="misses the target at this trend", unknown="no projection yet (too few check-ins)",
               hit="target reached"),
}


def _state(k: dict, lab: dict) -> str:
    if k["hit"]:
        return lab["hit"]
    if k["reaches"] is None:
        return lab["unknown"]
    return lab["reach"] if k["reaches"] else lab["miss"]


def kpi_lines(summary: dict, lab: dict) -> list[str]:
    out = []
    for k in summary["kpis"]:
        last = "-" if k["last"] is None else f"{k['last']:g}"
        proj = "" if k["projected"] is None else f", {k['deadline']}: {k['projected']:.3g}"
        out.append(f"{k['id']} {k['name']}: {k['baseline']} → {last} / {k['target']} {k['unit']}{proj} — {_state(k, lab)}")
    return out


def build_pack(svc, thread: str, values: dict, feedback: str = "") -> dict[str, Any]:
    from agents.pdca import weekly_pack

    lab = L.get(values["lang"], L["en"])
    summary = svc.summary(thread)
    stuck = [f"{u['id']} {u['title']} ({u['department']}): {u['status']} {u['blockers']}".strip()
             for u in summary["use_cases"] if u["status"] in ("stuck", "not_started")]
    week = monday(svc.today())
    recent = [c for c in svc.db.checkins(thread) if dt.date.fromisoformat(c["week"]) >= week - dt.timedelta(weeks=1)]
    lines = kpi_lines(summary, lab)
    generated, log = weekly_pack(svc._ctx(values), values["theme"], "\n".join(lines), "\n".join(stuck), recent,
                                 values["playbook"].get("procedures") or [], feedback=feedback)
    # Decisions the numbers call for anyway, when the model offered none of its own.
    if not generated["decisions"]:
        generated["decisions"] = default_decisions(summary, lab, values["lang"])
    if not generated["exec_prompts"]:
        generated["exec_prompts"] = default_prompts(summary, values["lang"])
    return {"thread": thread, "week": week.isoformat(), "lang": values["lang"], "title": values["theme"]["title"],
            "kpis": lines, "stuck": stuck, **generated, "findings": summary["findings"], "usage": log.usage,
            "citation_log": log.citations}


def default_decisions(summary: dict, lab: dict, lang: str) -> list[str]:
    out = []
    for u in summary["use_cases"]:
        if u["status"] == "stuck":
            out.append(f"「{u['title']}」の障害（{u['blockers'] or '-'}）を取り除く担当と期限を決める" if lang == "ja"
                       else f"Name who removes the blocker of '{u['title']}' ({u['blockers'] or '-'}) and by when")
    for k in summary["kpis"]:
        if k["reaches"] is False or k["last"] is None:
            out.append(f"「{k['name']}」の今週の一手と測り方を決める" if lang == "ja"
                       else f"Decide this week's move on '{k['name']}' and how it is measured")
    return out[:3] or [("目標に届いた型を他部署へ広げるか決める" if lang == "ja"
                        else "Decide whether to spread the 型 that reached its target")]


def default_prompts(summary: dict, lang: str) -> list[str]:
    return [(f"「{k['name']}」を {k['target']}{k['unit']} にするために変えられることを10個挙げて" if lang == "ja"
             else f"List ten things we could change to bring '{k['name']}' to {k['target']} {k['unit']}")
            for k in summary["kpis"]][:3]


def pack_markdown(pack: dict) -> str:
    lab = L.get(pack.get("lang", "ja"), L["en"])
    notes: list[dict] = []
    out = [f"# {lab['title']} — {pack['title']} ({pack['week']})", "", f"## {lab['kpis']}", ""]
    out += [f"- {x}" for x in pack["kpis"]] + ["", f"## {lab['stuck']}", ""]
    out += [f"- {x}" for x in pack["stuck"]] or [f"- {lab['none']}"]
    out += ["", f"## {lab['hyp']}", ""]
    for i, h in enumerate(pack["hypotheses"], 1):
        marks = ""
        for c in h.get("citations") or []:
            notes.append(c)
            marks += f"[^{len(notes)}]"
        out.append(f"{i}. {h['text']}{marks}")
    out += ["", f"## {lab['decisions']}", ""] + [f"- [ ] {d}" for d in pack["decisions"]]
    out += ["", f"## {lab['prompts']}", ""] + [f"- {p}" for p in pack["exec_prompts"]]
    if pack.get("findings"):
        out += ["", f"## {lab['findings']}", ""]
        out += [f"- [{f['severity']}] `{f['rule']}` {f.get('item', '')}: {f['message']} → {f['fix']}"
                for f in pack["findings"]]
    if notes:
        out += ["", f"## {lab['sources']}", ""]
        out += [f"[^{i}]: {c.get('rel')} § {c.get('heading', '')} — “{' '.join(c['quote'].split())}”"
                for i, c in enumerate(notes, 1)]
    return "\n".join(out).rstrip() + "\n"
