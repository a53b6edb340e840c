"""Check-ins as CSV: export (UTF-8 with BOM, so Excel opens it in Japanese) and import (any encoding
Excel saves, Shift_JIS included). Import validates every row like a typed check-in and reports each."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from katachi.core.errors import KatachiError

COLUMNS = ("week", "kind", "item", "value", "unit", "status", "blockers", "ai_tried", "note", "by", "correction")
JA = {
    "週": "week",
    "種類": "kind",
    "項目": "item",
    "値": "value",
    "単位": "unit",
    "状態": "status",
    "障害": "blockers",
    "AIで試したこと": "ai_tried",
    "メモ": "note",
    "記入者": "by",
    "訂正理由": "correction",
}


@dataclass
class ImportReport:
    added: int = 0
    corrected: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, KatachiError]] = field(default_factory=list)  # (line, item, error)


def export_csv(svc, thread: str, include_history: bool = False) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS + (("superseded_by",) if include_history else ()))
    for c in svc.db.checkins(thread, include_superseded=include_history):
        row = [
            c["week"],
            c["kind"],
            c["item"],
            "" if c["value"] is None else f"{c['value']:g}",
            c["unit"],
            c["status"],
            c["blockers"],
            c["ai_tried"],
            c["note"],
            c["by"],
            c["correction"],
        ]
        w.writerow(row + ([c["superseded_by"] or ""] if include_history else []))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def import_csv(svc, thread: str, data: bytes, by: str = "") -> ImportReport:
    from katachi.knowledge.encodings import decode_text

    if not data.strip():
        raise KatachiError("upload_empty")
    text, _ = decode_text(data)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise KatachiError("upload_empty")
    head = [JA.get(h.strip(), h.strip().lower()) for h in rows[0]]
    missing = [c for c in ("week", "kind", "item") if c not in head]
    if missing:
        raise KatachiError("csv_columns", missing=", ".join(missing), expected=", ".join(COLUMNS))
    report = ImportReport()
    for line, raw in enumerate(rows[1:], start=2):
        if not any(x.strip() for x in raw):
            continue
        r = dict(zip(head, (x.strip() for x in raw)))
        existing = svc.db.current(
            thread,
            "usecase" if r.get("kind", "").lower().startswith("u") else "kpi",
            r.get("item", "").upper(),
            r.get("week", ""),
        )
        if existing and _same(existing, r):
            report.unchanged += 1  # importing the same file twice changes nothing
            continue
        try:
            svc.checkin(
                thread,
                r.get("kind", ""),
                r.get("item", ""),
                r.get("week") or None,
                r.get("value"),
                r.get("unit", ""),
                r.get("status", ""),
                r.get("blockers", ""),
                r.get("ai_tried", ""),
                r.get("note", ""),
                r.get("by") or by,
                r.get("correction", ""),
            )
        except KatachiError as err:
            report.errors.append((line, r.get("item", ""), err))
            continue
        if r.get("correction"):
            report.corrected += 1
        else:
            report.added += 1
    return report


def _same(existing: dict, r: dict) -> bool:
    from katachi.tracker.trend import to_float

    v = to_float(r.get("value"))
    return (
        (existing["value"] == v or (existing["value"] is None and v is None))
        and existing["status"] == (r.get("status") or "").lower()
        and existing["note"] == (r.get("note") or "")
    )
