"""Headings and field names of the playbook documents, per language."""
from __future__ import annotations

L = {
    "ja": dict(title="型プレイブック", theme="テーマ", problem="経営課題", outcome="望む成果", why="なぜ今",
               kpis="KPI", name="指標", baseline="現状", target="目標", deadline="期限", owner="責任者", method="測り方",
               ucs="部署別ユースケース", who="誰が", when="いつ", how="どう使うか", step="業務工程", io="入力 → 出力",
               prio="優先度（影響×実現性）", risks="リスク", handoffs="部署間の引き継ぎ", procs="標準手順（型）",
               prompt="プロンプトテンプレート", weekly="週次 KPI・PDCA レビュー", cadence="頻度", attendees="参加者",
               inputs="持ち寄るもの", agenda="議題", rules="判断ルール", ai_hour="経営層の「AIと考える1時間」",
               glossary="用語集（共通言語）", term="用語", definition="定義", used_by="使う人", training="社内研修計画",
               roles="役割", sponsor="エグゼクティブスポンサー", rollout="30/60/90日 展開計画", findings="設計上の指摘",
               unsupported="（社内文書の裏づけなし）", sources="出典", days="日", pain="参加者の課題", what="内容", flow="渡す → 受ける",
               history="改訂履歴", version="版", by="担当", at="日時", reason="理由", audit="監査ログ",
               action="操作", gate="段階", review="レビュー", status="状態", comment="コメント"),
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
               pain="Participants' pain points", what="What", flow="From → to", history="Version history", version="Version",
               by="By", at="When", reason="Reason", audit="Audit log", action="Action", gate="Stage",
               review="Review", status="Status", comment="Comment"),
}
