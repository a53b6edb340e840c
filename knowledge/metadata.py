"""Metadata guessed from a document: its department, and whether a chunk reads like an instruction
to a model (prompt injection, see :mod:`knowledge.injection`). Both are stored with the chunk; neither
changes the text."""

from __future__ import annotations

import re
import unicodedata

from katachi.knowledge.injection import looks_like_instruction  # noqa: F401 — stored with each chunk (store.py)

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
