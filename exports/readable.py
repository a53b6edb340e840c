"""Codes as the words people read: finding severities, section names, statuses, audit actions, version
reasons and file names. The state keeps the codes (tools, tests and the JSON export read them); every
document and page shows these words instead (an executive is never shown ``[warning]
procedure_steps_dropped`` or ``not_started``). The words are the ones the web pages already use, so
both say the same."""

from __future__ import annotations

import re
import unicodedata

from katachi.core.i18n import has, t
from katachi.graphs.stages import SPECS
from katachi.graphs.stages import label as stage_label
from katachi.graphs.versions import SECTION_KINDS

# the sections a reviewer addresses, and the stages drawn by the generic view (their sections are their names)
SECTIONS = (*SECTION_KINDS, *(s.name for s in SPECS if s.fields))
# a section code where the graph writes one: at the start of a "; " or ", " separated part, before ": " or the end
_SECTION = re.compile(r"(?:(?<=^)|(?<=; )|(?<=, ))(?:" + "|".join(SECTIONS) + r")(?::[^,;:\s]+)?(?=: |, |; |$)")


def severity(code: str, lang: str) -> str:
    return t(f"web.severity_{code}", lang) if has(f"web.severity_{code}") else ""


def status(code: str, lang: str) -> str:
    """A KPI's or a use case's tracker status (``not_started`` → 未着手)."""
    return t(f"web.st_{code}", lang) if has(f"web.st_{code}") else code.replace("_", " ")


def section(name: str, lang: str) -> str:
    """A playbook section as people call it: 「標準手順 U1」, not ``procedures:U1``."""
    kind, _, key = name.partition(":")
    if kind not in SECTIONS:
        return name
    base = t(f"web.sec_{kind}", lang) if kind in SECTION_KINDS else stage_label(kind, lang)
    return f"{base} {key}" if key else base


def sections_in(text: str, lang: str) -> str:
    """Section codes inside a free text (an audit detail, a version's reason) replaced by their names."""
    return _SECTION.sub(lambda m: section(m.group(0), lang), text or "")


def finding(f: dict, lang: str) -> str:
    """One finding as a sentence: its weight in words, the item, what is wrong and the fix; no rule id."""
    head = " · ".join(x for x in (severity(f.get("severity", ""), lang), f.get("item") or "") if x)
    text = f"{head}: {f['message']}" if head else f["message"]
    return text + (f" → {f['fix']}" if f.get("fix") else "")


def action(what: str, lang: str) -> str:
    """An audit row's action: ``usecases: approve`` → 「ユースケース: 承認」, ``review: sent back`` → 「レビュー: 差し戻し」."""
    where, _, act = (what or "").partition(": ")
    key = re.sub(r"\W+", "_", act.strip().lower())
    if where == "review":
        word = t(f"doc.rev_{key}", lang) if has(f"doc.rev_{key}") else act
        return f"{t('doc.review', lang)}: {word}"
    word = t(f"doc.act_{key}", lang) if has(f"doc.act_{key}") else act.replace("_", " ")
    place = t(f"stage.{where}", lang) if has(f"stage.{where}") else where
    return f"{place}: {word}" if where else word


def reason(text: str, lang: str) -> str:
    """A version's reason as written by the graph (``generated``, ``rollback to v1``, ``edit: theme``)."""
    text = text or ""
    if text == "generated":
        return t("doc.reason_generated", lang)
    m = re.fullmatch(r"rollback to v(\d+)", text)
    if m:
        return t("doc.reason_rollback", lang, n=m.group(1))
    if text.startswith("edit: "):
        return t("doc.reason_edit", lang, sections=sections_in(text[6:], lang))
    return sections_in(text, lang)


# details the app writes as fixed English phrases (the audit log keeps them as written)
_DETAILS = {"from the room": "doc.detail_from_room"}


def detail(text: str, lang: str) -> str:
    """An audit row's detail in the reader's words."""
    return t(_DETAILS[text], lang) if text in _DETAILS else sections_in(text, lang)


def local_time(stamp: str, tz: str) -> str:
    """An ISO time (as the log stores it, in UTC) in the workshop's time zone: 「2026-05-01 14:03」."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        when = datetime.fromisoformat(stamp)
        return (
            when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if when.tzinfo else when.strftime("%Y-%m-%d %H:%M")
        )
    except (TypeError, ValueError, KeyError):
        return stamp or ""


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(values: dict, kind: str, ext: str, version: int | None = None) -> str:
    """A download's name people recognise: company, theme and what it is (「acme-提案の高速化-デッキ-v2.pptx」),
    never the workshop's internal id."""
    lang = values.get("lang", "ja")
    title = ((values.get("theme") or {}).get("title") or "")[:30]
    parts = [values.get("company") or "", title, t(f"doc.file_{kind}", lang)] + ([f"v{version}"] if version else [])
    name = "-".join(p for p in (_UNSAFE.sub(" ", unicodedata.normalize("NFC", x)).strip() for x in parts) if p)
    return re.sub(r"\s+", "-", name) + f".{ext}"
