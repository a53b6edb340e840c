"""Final outputs: ``playbook.md`` (readable, footnoted citations) and ``playbook.json`` (the full dump)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agents.schemas import KPI, HandOff, Playbook, Theme, UseCase

L = {
    "ja": dict(title="型プレイブック", theme="テーマ", problem="経営課題", outcome="望む成果", why="なぜ今",
               kpis="KPI", name="指標", baseline="現状", target="目標", deadline="期限", owner="責任者", method="測り方",
               ucs="部署別ユースケース", who="誰が", when="いつ", how="どう使うか", step="業務工程", io="入力 → 出力",
               prio="優先度（影響×実現性）", risks="リスク", handoffs="部署間の引き継ぎ", procs="標準手順（型）",
               prompt="プロンプトテンプレート", weekly="週次 KPI・PDCA レビュー", cadence="頻度", attendees="参加者",
               inputs="持ち寄るもの", agenda="議題", rules="判断ルール", ai_hour="経営層の「AIと考える1時間」",
               glossary="用語集（共通言語）", term="用語", definition="定義", used_by="使う人", training="社内研修計画",
               roles="役割", sponsor="エグゼクティブスポンサー", rollout="30/60/90日 展開計画", findings="設計上の指摘",
               unsupported="（社内文書の裏づけなし）", sources="出典", days="日", pain="参加者の課題"),
    "en": dict(title="型 Playbook", theme="Theme", problem="Business problem", outcome="Desired outcome", why="Why now",
               kpis="KPIs", name="KPI", baseline="Baseline", target="Target", deadline="Deadline", owner="Owner",
               method="Measurement", ucs="Department use cases", who="Who", when="When", how="How", step="Workflow step",
               io="Input → output", prio="Priority (impact × feasibility)", risks="Risks", handoffs="Cross-department hand-offs",
               procs="Standard procedures (型)", prompt="Prompt template", weekly="Weekly KPI / PDCA review",
               cadence="Cadence", attendees="Attendees", inputs="Inputs", agenda="Agenda", rules="Decision rules",
               ai_hour="Executives' weekly hour with AI", glossary="Glossary (shared language)", term="Term",
               definition="Definition", used_by="Used by", training="Training plan", roles="Roles",
               sponsor="Executive sponsor", rollout="30/60/90-day roll-out", findings="Design findings",
               unsupported="(no support in the company's documents)", sources="Sources", days="days",
               pain="Participants' pain points"),
}


class _Notes:
    def __init__(self) -> None:
        self.items: list[dict] = []
        self.index: dict[tuple[str, str], int] = {}

    def refs(self, item: dict, lab: dict) -> str:
        cits = item.get("citations") or []
        if not cits:
            return " " + lab["unsupported"]
        marks = []
        for c in cits:
            key = (c["chunk_id"], c["quote"])
            if key not in self.index:
                self.items.append(c)
                self.index[key] = len(self.items)
            marks.append(f"[^{self.index[key]}]")
        return "".join(marks)


def _cell(text: Any) -> str:
    return str(text).replace("|", "／").replace("\n", " ")


def render_markdown(values: dict[str, Any]) -> str:
    lang = values.get("lang", "ja")
    lab = L.get(lang, L["en"])
    notes = _Notes()
    theme = Theme.model_validate(values["theme"])
    kpis = [KPI.model_validate(k) for k in values.get("kpis", [])]
    ucs = [UseCase.model_validate(u) for u in values.get("use_cases", [])]
    hand = [HandOff.model_validate(h) for h in values.get("handoffs", [])]
    book = Playbook.model_validate(values.get("playbook") or {})
    td = values["theme"]
    out = [f"# {lab['title']}: {theme.title}", "",
           f"{values.get('company', '')} · {values.get('today', '')} · thread `{values.get('thread_id', '')}`", ""]
    out += [f"## {lab['theme']}", "", f"- **{lab['problem']}**: {theme.problem}{notes.refs(td, lab)}",
            f"- **{lab['outcome']}**: {theme.outcome}"]
    if theme.why_now:
        out.append(f"- **{lab['why']}**: {theme.why_now}")
    out += ["", f"### {lab['pain']}", ""] + [f"- {p['text']}" for p in values.get("pain_points", [])] + [""]
    out += [f"## {lab['kpis']}", "", f"| ID | {lab['name']} | {lab['baseline']} | {lab['target']} | {lab['deadline']} | "
            f"{lab['owner']} | {lab['method']} |", "|---|---|---|---|---|---|---|"]
    for k, kd in zip(kpis, values.get("kpis", [])):
        base = k.baseline + (f"（{k.baseline_how}）" if k.baseline_how else "")
        out.append(f"| {k.id} | {_cell(k.name)}{notes.refs(kd, lab)} | {_cell(base)} {_cell(k.unit)} | "
                   f"{_cell(k.target)} {_cell(k.unit)} | {k.deadline} | {_cell(k.owner)} | {_cell(k.method)} |")
    out += ["", f"## {lab['ucs']}", ""]
    for dept in values.get("departments", []):
        out += [f"### {dept}", ""]
        for u, ud in ((u, ud) for u, ud in zip(ucs, values.get("use_cases", [])) if u.department == dept):
            out += [f"#### {u.id}. {u.title}{notes.refs(ud, lab)}", "",
                    f"- **{lab['who']}**: {u.who}", f"- **{lab['when']}**: {u.when}",
                    f"- **{lab['step']}**: {u.workflow_step}", f"- **{lab['io']}**: {u.input} → {u.output}",
                    f"- **KPI**: {u.kpi_id}",
                    f"- **{lab['prio']}**: {u.impact.value} × {u.feasibility.value} = {u.priority}"
                    f" — {u.impact.reason} / {u.feasibility.reason}",
                    f"- **{lab['how']}**:"] + [f"  {i}. {s}" for i, s in enumerate(u.how, 1)]
            if u.risks:
                out.append(f"- **{lab['risks']}**: " + "; ".join(u.risks))
            out.append("")
    if hand:
        out += [f"### {lab['handoffs']}", ""]
        for h, hd in zip(hand, values.get("handoffs", [])):
            owner = f" — {h.receiving_owner}" if h.receiving_owner else ""
            out.append(f"- **{h.from_department} → {h.to_department}**: {h.what}（{h.when}）{owner}{notes.refs(hd, lab)}")
        out.append("")
    pb = values.get("playbook") or {}
    if book.procedures:
        out += [f"## {lab['procs']}", ""]
        for p, pd in zip(book.procedures, pb.get("procedures", [])):
            out += [f"### {p.use_case_id}. {p.title}{notes.refs(pd, lab)}", ""]
            out += [f"{i}. {s}" for i, s in enumerate(p.steps, 1)]
            out += ["", f"**{lab['prompt']}**", "", "```text", p.prompt_template, "```", ""]
    if book.weekly_review:
        w = book.weekly_review
        out += [f"## {lab['weekly']}", "", f"- **{lab['cadence']}**: {w.cadence}",
                f"- **{lab['attendees']}**: " + "、".join(w.attendees), f"- **{lab['inputs']}**: " + "; ".join(w.inputs),
                f"- **{lab['agenda']}**:"] + [f"  {i}. {a}" for i, a in enumerate(w.agenda, 1)]
        out += [f"- **{lab['rules']}**:"] + [f"  - {r}" for r in w.decision_rules]
        if w.exec_ai_hour:
            out.append(f"- **{lab['ai_hour']}**: {w.exec_ai_hour}")
        out.append("")
    if book.glossary:
        out += [f"## {lab['glossary']}", "", f"| {lab['term']} | {lab['definition']} | {lab['used_by']} |", "|---|---|---|"]
        out += [f"| {_cell(t.term)} | {_cell(t.definition)} | {_cell(t.used_by)} |" for t in book.glossary] + [""]
    if book.training:
        out += [f"## {lab['training']}", ""]
        out += [f"{i}. **{t.session}** — {t.audience}: {t.teaches}（{t.format}）" for i, t in enumerate(book.training, 1)]
        out.append("")
    if book.roles:
        out += [f"## {lab['roles']}", "", f"- **{lab['sponsor']}**: {book.roles.executive_sponsor}"]
        out += [f"- {o}" for o in book.roles.owners] + [""]
    if book.rollout:
        out += [f"## {lab['rollout']}", ""]
        for ph in book.rollout:
            out += [f"- **{ph.days} {lab['days']}**: " + "; ".join(ph.goals)]
        out.append("")
    findings = [f for fs in (values.get("findings") or {}).values() for f in fs]
    if findings:
        out += [f"## {lab['findings']}", ""]
        out += [f"- [{f['severity']}] `{f['rule']}` {f.get('stage', '')} {f.get('item', '')}: {f['message']}"
                + (f" → {f['fix']}" if f.get("fix") else "") for f in findings] + [""]
    if notes.items:
        out += [f"## {lab['sources']}", ""]
        for i, c in enumerate(notes.items, 1):
            where = f"{c.get('rel') or c.get('source')} § {c.get('heading', '')}"
            out.append(f"[^{i}]: {where} — “{' '.join(c['quote'].split())}” (`{c['chunk_id']}`)")
    return "\n".join(out).rstrip() + "\n"


def playbook_json(values: dict[str, Any]) -> dict[str, Any]:
    keys = ("thread_id", "company", "lang", "today", "departments", "pain_points", "pain_groups", "theme", "kpis",
            "use_cases", "handoffs", "playbook", "findings", "decisions", "usage", "citation_log")
    return {k: values.get(k) for k in keys}


def write_outputs(values: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / "playbook.md", out_dir / "playbook.json"
    md.write_text(render_markdown(values), encoding="utf-8")
    js.write_text(json.dumps(playbook_json(values), ensure_ascii=False, indent=2), encoding="utf-8")
    return md, js
