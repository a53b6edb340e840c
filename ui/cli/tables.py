"""Short UI strings and tables for the command line, in Japanese and English."""
from __future__ import annotations

_T = {
    "no_hits": {"ja": "該当する文書はありません。", "en": "No matching passages."},
    "interrupted": {"ja": "中断しました。入力済みの内容は保存されています。", "en": "Interrupted. What was entered is saved."},
    "ingest_head": {"ja": ("ファイル", "状態", "追加", "削除", "理由"), "en": ("file", "status", "added", "removed", "reason")},
    "status": {
        "ja": {"added": "追加", "updated": "更新", "unchanged": "変更なし", "skipped": "スキップ", "removed": "削除"},
        "en": {"added": "added", "updated": "updated", "unchanged": "unchanged", "skipped": "skipped", "removed": "removed"},
    },
    "ingest_summary": {
        "ja": "{company}: 取り込み {ok} 件 / スキップ {skipped} 件 / チャンク追加 {added}・削除 {removed}（{seconds:.1f} 秒）",
        "en": "{company}: {ok} ingested / {skipped} skipped / chunks +{added} -{removed} ({seconds:.1f} s)",
    },
}


def t(key: str, lang: str, **kw) -> str:
    v = _T[key].get(lang) or _T[key]["en"]
    return v.format(**kw) if kw else v


def ingest_table(report, lang: str) -> str:
    head = _T["ingest_head"].get(lang, _T["ingest_head"]["en"])
    names = _T["status"].get(lang, _T["status"]["en"])
    rows = [head]
    for f in report.files:
        if f.status == "unchanged" and len(report.files) > 30:
            continue  # a long, unchanged corpus: the summary line says enough
        rows.append((f.path, names[f.status], str(f.chunks_added), str(f.chunks_removed),
                     f.error.message(lang) if f.error else ""))
    widths = [min(max(_w(r[i]) for r in rows), 60) for i in range(4)]
    lines = ["  ".join(_pad(c, widths[i]) for i, c in enumerate(r[:4])) + "  " + r[4] for r in rows]
    lines.append(t("ingest_summary", lang, company=report.company, ok=len(report.ingested),
                   skipped=len(report.skipped), added=report.chunks_added, removed=report.chunks_removed,
                   seconds=report.seconds))
    return "\n".join(lines)


def _w(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _w(s))
