"""The ingest report as a terminal table, in the user's language (texts from the ``ingest`` and ``cli``
domains of :mod:`core.i18n`)."""

from __future__ import annotations

import unicodedata

from katachi.core.i18n import t

COLUMNS = ("col_file", "col_status", "col_added", "col_removed", "col_reason")


def ingest_rows(report, lang: str, long_listing: int = 30) -> list[tuple[str, ...]]:
    """One row per file (an unchanged file is left out of a long listing: the summary says enough)."""
    rows: list[tuple[str, ...]] = []
    for f in report.files:
        if f.status == "unchanged" and len(report.files) > long_listing:
            continue
        rows.append(
            (
                f.path,
                t(f"ingest.{f.status}", lang),
                str(f.chunks_added),
                str(f.chunks_removed),
                f.error.message(lang) if f.error else "",
            )
        )
    return rows


def ingest_table(report, lang: str) -> str:
    rows = [tuple(t(f"ingest.{c}", lang) for c in COLUMNS)] + ingest_rows(report, lang)
    widths = [min(max(_w(r[i]) for r in rows), 60) for i in range(4)]
    lines = ["  ".join(_pad(c, widths[i]) for i, c in enumerate(r[:4])) + "  " + r[4] for r in rows]
    lines.append(
        t(
            "cli.ingest_summary",
            lang,
            company=report.company,
            ok=len(report.ingested),
            skipped=len(report.skipped),
            added=report.chunks_added,
            removed=report.chunks_removed,
            seconds=report.seconds,
        )
    )
    return "\n".join(lines)


def _w(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _w(s))
