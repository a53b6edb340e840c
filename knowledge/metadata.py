"""Metadata guessed from a document: its department, and whether a chunk reads like an instruction
to a model (prompt injection). Both are stored with the chunk; neither changes the text."""
from __future__ import annotations

import re
import unicodedata

# department id -> words that name it in paths, headings and free-text department names (ja and en)
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "sales": ("営業", "セールス", "sales", "商談", "deal-desk", "deal desk"),
    "marketing": ("マーケティング", "marketing", "広報", "ブランド", "campaign"),
    "customer_success": ("カスタマーサクセス", "customer-success", "customer success", "csm"),
    "support": ("カスタマーサポート", "サポート", "support", "問い合わせ", "technical-success"),
    "people": ("人事", "採用", "people", "hiring", "hr", "総務", "労務"),
    "finance": ("経理", "財務", "finance", "accounting", "会計", "請求", "collections"),
    "engineering": ("開発", "エンジニアリング", "engineering", "技術部", "development"),
    "product": ("プロダクト", "製品", "product"),
    "legal": ("法務", "legal", "コンプライアンス", "compliance"),
    "executive": ("経営", "役員", "ceo", "executive", "e-group", "取締役"),
}

# Text that talks to the model instead of describing the company's work. Measured on 11 phrasings: the
# first version caught 6 (it missed 「新しい指示：…」, 「前述の指示は無視して」, "Disregard the above…",
# full-width and spaced-out letters); tests/test_injection.py holds the phrasings, ja and en.
_INJECTION = re.compile(
    r"(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+|everything\s+)?(of\s+)?(the\s+|your\s+|my\s+)?"
    r"(previous|prior|above|earlier|preceding|foregoing|system|original)"
    r"|(ignore|disregard|forget)\s+(all|everything|the)\s+(instructions|rules|prompts?|above)"
    r"|new\s+(instructions?|rules|task)\s*:|you\s+are\s+now\s+|system\s*prompt|^\s*(system|assistant)\s*:"
    r"|[\s>]\s*(system|assistant)\s*:|act\s+as\s+(an?\s+)?(ai|assistant|llm)|do\s+not\s+follow\s+the\s+(rules|instructions)"
    r"|</?\s*(documents|system|instructions?|pain_points)\s*>"
    r"|(これまで|以前|上記|前記|前述|先|前|上|元)の(すべての|全ての)?(指示|命令|プロンプト|ルール|設定|制約)"
    r"(を|は|に)?(すべて|全て)?(無視|忘れ|従わ|破棄|取り消)"
    r"|(指示|命令|ルール|制約)(を|は)(すべて|全て)?無視|システムプロンプト|新しい(指示|命令)\s*[:：]"
    r"|あなたは(今から|これから|以後)|として振る舞|以降(は|の)(次の|以下の)?(指示|命令)に従",
    re.I | re.M,
)
_SPACED = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff])\s+(?=[\u3040-\u30ff\u3400-\u9fff])")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def department_of(text: str) -> str | None:
    """The department a name or a path refers to, or None. The earliest mention wins."""
    t = _norm(text)
    best: tuple[int, str] | None = None
    for dept, words in DEPARTMENTS.items():
        for w in words:
            if re.fullmatch(r"[a-z -]+", w):
                m = re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", t)
                i = m.start() if m else -1
            else:
                i = t.find(w)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, dept)
    return best[1] if best else None


def guess_department(rel_path: str, headings: list[str]) -> str | None:
    """From the path first (folders are how companies file things), then from the top headings."""
    parts = rel_path.replace("\\", "/").split("/")
    for part in reversed(parts):
        d = department_of(part.replace("_", " "))
        if d:
            return d
    for h in headings[:3]:
        d = department_of(h)
        if d:
            return d
    return None


def looks_like_instruction(text: str) -> bool:
    """Full-width letters, lines broken mid-sentence and letters spaced apart (「以 前 の 指 示」,
    "i g n o r e") are folded before matching."""
    t = _norm(text)
    flat = re.sub(r"\s+", " ", t)
    joined = _SPACED.sub("", flat)
    letters = re.sub(r"(?<=\b\w) (?=\w\b)", "", flat)  # "i g n o r e" -> "ignore"
    return any(_INJECTION.search(x) for x in (t, flat, joined, letters))
