"""Words of the web app in Japanese and English.

Static labels go to the browser through ``gr.I18n`` (the page follows the browser's language and
Gradio's Settings → Language); text the server draws (cards, tallies, messages) uses :func:`tr`
with the language the page reports on every call.
"""
from __future__ import annotations

S: dict[str, tuple[str, str]] = {
    # navigation and headings
    "app_title": ("型 Katachi — 生成AI活用ワークショップ", "Katachi (型) — gen-AI adoption workshop"),
    "tab_workshops": ("ワークショップ", "Workshops"),
    "tab_room": ("進行中のワークショップ", "Workshop room"),
    "tab_docs": ("社内文書", "Documents"),
    "my_workshops": ("自分のワークショップ", "My workshops"),
    "open": ("開く", "Open"),
    "refresh": ("更新", "Refresh"),
    "create_head": ("新しいワークショップ", "New workshop"),
    "company": ("会社ID", "Company id"),
    "title": ("タイトル", "Title"),
    "departments": ("部署（カンマ区切り）", "Departments (comma-separated)"),
    "ws_lang": ("出力の言語", "Output language"),
    "mode": ("形式", "Format"),
    "mode_live": ("ライブ（参加者あり）", "Live (with participants)"),
    "mode_self": ("セルフサービス（一人で）", "Self-service (on my own)"),
    "dots": ("1人あたりの投票ドット数", "Dots per participant"),
    "create": ("作成", "Create"),
    "join_head": ("参加コードで参加", "Join with a code"),
    "join_code": ("参加コード", "Join code"),
    "join": ("参加", "Join"),
    "workshop": ("ワークショップ", "Workshop"),
    "logout": ("ログアウト", "Log out"),
    # intake
    "pain_point": ("課題（Enter で送信）", "Pain point (Enter to send)"),
    "department": ("部署", "Department"),
    "anonymous": ("匿名で送る", "Send anonymously"),
    "submit": ("送信", "Send"),
    "pain_list": ("集まった課題", "Pain points so far"),
    "ids": ("番号（例: 1,3）", "Numbers (e.g. 1,3)"),
    "merge": ("まとめる", "Merge"),
    "delete": ("削除", "Delete"),
    "edit_text": ("新しい文面", "New wording"),
    "edit": ("書き換え", "Edit"),
    "start": ("締め切ってテーマ案を作る", "Close intake and propose themes"),
    "facilitator_tools": ("ファシリテーター操作", "Facilitator controls"),
    # timer
    "timer_minutes": ("タイマー（分）", "Timer (minutes)"),
    "timer_label": ("活動名", "Activity"),
    "timer_set": ("タイマー開始", "Start timer"),
    "timer_stop": ("タイマー停止", "Stop timer"),
    # themes
    "candidate": ("候補", "Candidate"),
    "dot_add": ("● 投票", "● Place a dot"),
    "dot_remove": ("○ 取り消し", "○ Take back"),
    "choose": ("このテーマに決定", "Choose this theme"),
    "feedback": ("次の案への要望", "What the next round should change"),
    "regenerate": ("別の案を作る", "Propose other themes"),
    "edit_theme": ("テーマを編集して決定", "Edit the theme and choose it"),
    "problem": ("経営課題", "Business problem"),
    "outcome": ("望む成果", "Desired outcome"),
    "why_now": ("なぜ今", "Why now"),
    # KPIs / use cases / playbook
    "approve": ("承認して次へ", "Approve and continue"),
    "save_edits": ("編集を保存して次へ", "Save edits and continue"),
    "reject": ("やり直し（要望つき）", "Redo with feedback"),
    "kpi_table": ("KPI（表の中で直接編集できます）", "KPIs (edit in the table)"),
    "uc_table": ("ユースケース（表の中で直接編集できます）", "Use cases (edit in the table)"),
    "drop_ids": ("外すID（例: U2,H1）", "Ids to drop (e.g. U2,H1)"),
    "sections": ("作り直す章", "Sections to regenerate"),
    "comment": ("コメント（作り直しの指示）", "Comment (what to change)"),
    "request_changes": ("選んだ章を作り直す", "Regenerate the chosen sections"),
    "download": ("ダウンロード", "Download"),
    "continue": ("再実行", "Run again"),
    # documents
    "upload": ("文書をアップロード（md txt pdf docx xlsx pptx csv html）", "Upload documents (md txt pdf docx xlsx pptx csv html)"),
    "ingest": ("取り込む", "Ingest"),
    "dept_override": ("部署（空欄なら自動判定）", "Department (blank: guessed)"),
    "findings_head": ("設計上の指摘", "Design findings"),
    "citations_head": ("出典", "Sources"),
    "participants": ("参加者", "Participants"),
    # dynamic text
    "stage_intake": ("課題出し", "Pain points"),
    "stage_themes": ("テーマ", "Theme"),
    "stage_kpis": ("KPI", "KPIs"),
    "stage_usecases": ("ユースケース", "Use cases"),
    "stage_playbook": ("型プレイブック", "Playbook"),
    "stage_done": ("完了", "Done"),
    "no_workshop": ("ワークショップを選ぶか、参加コードで参加してください。", "Open a workshop, or join one with a code."),
    "join_info": ("参加コード: <b>{code}</b> — 参加者はログイン画面で名前とこのコードを入力します（{url}）",
                  "Join code: <b>{code}</b> — participants log in with their name and this code ({url})"),
    "job_queued": ("モデルの順番待ち（前に {ahead} 件）", "Waiting for the model ({ahead} ahead)"),
    "job_running": ("生成中: {label}（{secs} 秒経過{node}）", "Generating: {label} ({secs} s{node})"),
    "job_node": ("、直近の工程: {node}", ", last step: {node}"),
    "job_failed": ("失敗しました: {msg}", "Failed: {msg}"),
    "waiting_facilitator": ("ファシリテーターの判断を待っています。", "Waiting for the facilitator's decision."),
    "dots_left": ("残りのドット: {n}", "Dots left: {n}"),
    "votes_tally": ("{dots} 票（{voters} 人が投票）", "{dots} dots ({voters} voters)"),
    "your_dots": ("あなたの票: {n}", "your dots: {n}"),
    "timer_left": ("{label} 残り {mm}:{ss}", "{label}: {mm}:{ss} left"),
    "timer_over": ("{label} 時間です", "{label}: time is up"),
    "anon": ("匿名", "anonymous"),
    "no_points": ("まだ課題はありません。", "No pain points yet."),
    "unsupported": ("社内文書の裏づけなし", "no support in the company's documents"),
    "saved": ("保存しました。", "Saved."),
    "sent": ("送信しました。", "Sent."),
    "queued": ("受け付けました。生成が終わるとこの画面が更新されます。", "Accepted. This page updates when generation finishes."),
    "ingest_done": ("{ok} 件取り込み、{skipped} 件スキップ（{chunks} チャンク追加）", "{ok} ingested, {skipped} skipped ({chunks} chunks added)"),
    "store_stats": ("{company}: 文書 {documents} 件 / チャンク {chunks}", "{company}: {documents} documents / {chunks} chunks"),
    "done_head": ("プレイブックが承認されました。", "The playbook is approved."),
    "pick_candidate": ("候補を選んでください。", "Pick a candidate."),
    "pain_groups": ("課題のグループ（{n}）", "Pain-point groups ({n})"),
    # review workspace
    "tab_review": ("レビュー", "Review"),
    "review_queue": ("レビュー待ちのプレイブック", "Playbooks to review"),
    "section": ("章", "Section"),
    "comment_text": ("コメント", "Comment"),
    "add_comment": ("コメントする", "Comment"),
    "approve_section": ("この章を承認", "Approve this section"),
    "request_section": ("この章の変更を依頼", "Request changes to this section"),
    "send_back": ("依頼した章を作り直す", "Regenerate the sections with requests"),
    "approve_playbook": ("プレイブック全体を承認", "Approve the whole playbook"),
    "submit_review": ("レビューに回す", "Send for review"),
    "edit_section": ("章を手で編集（JSON）", "Edit the section by hand (JSON)"),
    "reason": ("理由", "Reason"),
    "save_edit": ("編集を保存（新しい版）", "Save the edit (new version)"),
    "versions": ("版と差分", "Versions and diffs"),
    "compare": ("比較", "Compare"),
    "rollback": ("この版に戻す", "Roll back to this version"),
    "export": ("書き出し", "Export"),
    "format": ("形式", "Format"),
    "version": ("版", "Version"),
    "audit": ("監査ログ", "Audit log"),
    "sec_theme": ("テーマ", "Theme"), "sec_kpis": ("KPI", "KPI"), "sec_usecases": ("ユースケース", "Use cases"),
    "sec_handoffs": ("部署間の引き継ぎ", "Hand-offs"), "sec_procedures": ("標準手順", "Procedure"),
    "sec_weekly_review": ("週次レビュー", "Weekly review"), "sec_glossary": ("用語集", "Glossary"),
    "sec_training": ("研修計画", "Training plan"), "sec_roles": ("役割", "Roles"),
    "sec_rollout": ("展開計画", "Roll-out"),
    "state_open": ("未確認", "open"), "state_approved": ("承認済み", "approved"),
    "state_changes_requested": ("変更依頼中", "changes requested"),
    "status_draft": ("下書き", "Draft"), "status_in_review": ("レビュー中", "In review"),
    "status_changes_requested": ("変更依頼中", "Changes requested"), "status_approved": ("承認済み", "Approved"),
    "regenerating": ("作り直し中…", "regenerating…"),
    "change_request": ("変更依頼", "change request"),
    "comments": ("コメント", "Comments"),
    "n_comments": ("コメント {n} 件", "{n} comments"),
    "diff_added": ("追加", "added"), "diff_removed": ("削除", "removed"), "diff_changed": ("変更", "changed"),
    "diff_same": ("同じ", "same"), "diff_none": ("違いはありません。", "No differences."),
    "col_version": ("版", "Version"), "col_status": ("状態", "Status"), "col_by": ("担当", "By"),
    "col_at": ("日時", "When"), "col_action": ("操作", "Action"), "col_detail": ("内容", "Detail"),
    "col_stage": ("段階", "Stage"),
    "col_created": ("作成日時", "Created"),
}


def tr(key: str, lang: str, **kw) -> str:
    ja, en = S[key]
    text = ja if lang == "ja" else en
    return text.format(**kw) if kw else text


def ui_lang(raw: str | None) -> str:
    """What the page reports (``ja``, ``ja-JP``, ``en-US``...) → ja or en."""
    return "ja" if (raw or "").lower().startswith("ja") else "en"


def i18n():
    import gradio as gr

    return gr.I18n(ja={k: v[0] for k, v in S.items()}, en={k: v[1] for k, v in S.items()})
