"""The weekly PDCA tracker: an approved playbook's KPIs and use cases, checked in week after week.

Check-ins are validated (known item, the KPI's unit, a week not in the future nor before the workshop,
one per item and week unless explicitly corrected — corrections keep the old row). From them: trends
and projections, the tracker linter, the weekly review pack, proven 型 and their adaptations.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from katachi.core.errors import KatachiError
from katachi.tracker.store import TrackerDB
from katachi.tracker.trend import Projection, monday, project, to_float

log = logging.getLogger(__name__)

KPI_STATUS = ("on_track", "at_risk", "off_track")
UC_STATUS = ("not_started", "running", "stuck", "done")
_UNIT_ALIASES = [
    {"日", "day", "days", "d"},
    {"時間", "h", "hr", "hrs", "hour", "hours"},
    {"分", "min", "mins", "minutes"},
    {"%", "percent", "パーセント", "pct"},
    {"件", "cases", "items", "count"},
    {"円", "yen", "jpy"},
    {"人", "people", "persons"},
    {"回", "times"},
]


# What a week's value can be, per unit (the first name of each group above): beyond these it is a typo
# or an overflow (e.g. ``--value 1e308``), not a measurement. Other units: ±1e12.
_RANGES = {
    "日": (0, 3650),
    "時間": (0, 100_000),
    "分": (0, 1_000_000),
    "%": (-1000, 10_000),
    "件": (0, 1e10),
    "円": (-1e13, 1e13),
    "人": (0, 1e8),
    "回": (0, 1e10),
}
_ANY = (-1e12, 1e12)
TEXT_LIMITS = {"blockers": 500, "ai_tried": 500, "note": 1000, "correction": 500}


def plausible_range(unit: str) -> tuple[float, float]:
    n = unicodedata.normalize("NFKC", unit or "").strip().lower()
    for group in _UNIT_ALIASES:
        if n in group:
            return next(_RANGES[u] for u in _RANGES if u in group)
    return _ANY


def parse_date(raw: str) -> dt.date:
    """YYYY-MM-DD, or as Excel writes it: 2026/11/23, 2026/1/5, 20261123. Raises ValueError."""
    t = unicodedata.normalize("NFKC", raw).strip().replace("/", "-").replace(".", "-")
    if t.count("-") == 2:
        y, m, d = t.split("-")
        return dt.date(int(y), int(m), int(d[:2]))
    return dt.date.fromisoformat(t)


def same_unit(a: str, b: str) -> bool:
    na, nb = (unicodedata.normalize("NFKC", x or "").strip().lower() for x in (a, b))
    if na == nb:
        return True
    return any(na in group and nb in group for group in _UNIT_ALIASES)


class TrackerService:
    def __init__(
        self, workshops, db_path: Path | None = None, today: Callable[[], dt.date] | None = None, runtime=None
    ) -> None:
        """``workshops``: the :class:`graphs.service.WorkshopService` whose approved playbooks are tracked;
        its settings and model/retriever factories serve the tracker's model work too, unless another
        ``runtime`` (:class:`graphs.runtime.Runtime`) is given."""
        self.workshops = workshops
        self.runtime = runtime or workshops.runtime
        self.settings = self.runtime.settings
        # an explicit file (tests, tools) wins; else the server database when there is one; else the data dir
        url = None if db_path else self.settings.database_url
        self.db = TrackerDB(Path(db_path) if db_path else self.settings.data_dir / "tracker.sqlite", url=url)
        self.today = today or dt.date.today

    # -- the tracker of one approved playbook ----------------------------------------------------------
    def playbook(self, thread: str) -> dict[str, Any]:
        snap = self.workshops.snapshot(thread)
        if not snap.done:
            raise KatachiError("tracker_not_ready", thread_id=thread)
        return snap.values

    def start(self, values: dict) -> dt.date:
        return dt.date.fromisoformat(values.get("today") or self.today().isoformat())

    def checkin(
        self,
        thread: str,
        kind: str,
        item: str,
        week: str | dt.date | None = None,
        value: Any = None,
        unit: str = "",
        status: str = "",
        blockers: str = "",
        ai_tried: str = "",
        note: str = "",
        by: str = "",
        correction: str = "",
    ) -> int:
        texts = {"blockers": blockers, "ai_tried": ai_tried, "note": note, "correction": correction}
        for name, text in texts.items():  # refused with the reason, never cut short without a word
            if len((text or "").strip()) > TEXT_LIMITS[name]:
                raise KatachiError(
                    "checkin_invalid", detail=f"{name}: {len(text.strip())} characters, at most {TEXT_LIMITS[name]}"
                )
        values = self.playbook(thread)
        row = self.validate(values, thread, kind, item, week, value, unit, status, correction)
        row.update(
            blockers=(blockers or "").strip(),
            ai_tried=(ai_tried or "").strip(),
            note=(note or "").strip(),
            by=(by or "")[:120],
        )
        old = self.db.current(thread, row["kind"], row["item"], row["week"])
        return self.db.add_checkin(thread, row, correction.strip(), replaces=old["id"] if old else None)

    def validate(
        self, values: dict, thread: str, kind: str, item: str, week, value, unit: str, status: str, correction: str
    ) -> dict:
        known = {"kpi": "kpi", "usecase": "usecase", "use_case": "usecase", "uc": "usecase"}.get((kind or "").lower())
        if known is None:
            raise KatachiError("checkin_invalid", detail="kind: kpi or usecase")
        kind = known
        items = {k["id"]: k for k in values["kpis"]} if kind == "kpi" else {u["id"]: u for u in values["use_cases"]}
        item = (item or "").strip().upper()
        if item not in items:
            raise KatachiError("checkin_unknown_item", item=item or "-", known=", ".join(items))
        try:
            when = week if isinstance(week, dt.date) else (parse_date(str(week)) if week else self.today())
        except ValueError as exc:
            raise KatachiError("checkin_invalid", detail=f"date '{week}': use YYYY-MM-DD") from exc
        wk, today = monday(when), self.today()
        if wk > monday(today):
            raise KatachiError("checkin_future", week=wk.isoformat(), today=today.isoformat())
        if wk < monday(self.start(values)):
            raise KatachiError("checkin_before_start", week=wk.isoformat(), start=self.start(values).isoformat())
        row: dict[str, Any] = {
            "kind": kind,
            "item": item,
            "week": wk.isoformat(),
            "value": None,
            "unit": "",
            "status": (status or "").strip().lower(),
        }
        if kind == "kpi":
            k = items[item]
            num = to_float(value)
            if num is None:
                raise KatachiError("checkin_invalid", detail=f"{item}: a number is needed, got '{value}'")
            if unit and unit.strip() and not same_unit(unit, k["unit"]):
                raise KatachiError("checkin_unit", item=item, unit=unit, expected=k["unit"])
            low, high = plausible_range(k["unit"])
            if not low <= num <= high:
                raise KatachiError(
                    "checkin_invalid", detail=f"{item}: {value} {k['unit']} is outside {low:g} … {high:g}"
                )
            row.update(value=num, unit=k["unit"])
            if row["status"] and row["status"] not in KPI_STATUS:
                raise KatachiError("checkin_invalid", detail=f"status: one of {', '.join(KPI_STATUS)}")
        else:
            if value not in (None, "") and to_float(value) is not None:
                row["value"] = to_float(value)
                if not _ANY[0] <= row["value"] <= _ANY[1]:
                    raise KatachiError(
                        "checkin_invalid", detail=f"{item}: {value} is outside {_ANY[0]:g} … {_ANY[1]:g}"
                    )
            if row["status"] not in UC_STATUS:
                raise KatachiError("checkin_invalid", detail=f"status: one of {', '.join(UC_STATUS)}")
        if self.db.current(thread, kind, item, row["week"]) and not (correction or "").strip():
            raise KatachiError("checkin_duplicate", item=item, week=row["week"])
        return row

    # -- what the check-ins say --------------------------------------------------------------------------
    def series(self, thread: str, kpi: str, rows: list[dict] | None = None) -> list[tuple[dt.date, float]]:
        rows = self.db.checkins(thread) if rows is None else rows
        return [
            (dt.date.fromisoformat(c["week"]), c["value"])
            for c in rows
            if c["kind"] == "kpi" and c["item"] == kpi and c["value"] is not None
        ]

    def projections(
        self, thread: str, values: dict | None = None, rows: list[dict] | None = None
    ) -> dict[str, Projection]:
        values = values or self.playbook(thread)
        rows = self.db.checkins(thread) if rows is None else rows
        out = {}
        for k in values["kpis"]:
            target = to_float(k["target"])
            if target is None:
                continue
            out[k["id"]] = project(self.series(thread, k["id"], rows), to_float(k["baseline"]), target, k["deadline"])
        return out

    def findings(
        self,
        thread: str,
        values: dict | None = None,
        rows: list[dict] | None = None,
        projections: dict[str, Projection] | None = None,
    ) -> list[dict]:
        from katachi.agents.tracker_lint import lint_tracker

        values = values or self.playbook(thread)
        rows = self.db.checkins(thread) if rows is None else rows
        prs = self.projections(thread, values, rows) if projections is None else projections
        found = lint_tracker(
            values["kpis"], values["use_cases"], rows, prs, self.start(values), self.today(), values["lang"]
        )
        return [f.model_dump() for f in found]

    def summary(self, thread: str) -> dict[str, Any]:
        values = self.playbook(thread)
        rows = self.db.checkins(thread)
        prs = self.projections(thread, values, rows)
        proven = {p["use_case"] for p in self.db.proven(thread)}
        kpis = []
        for k in values["kpis"]:
            pr = prs.get(k["id"])
            kpis.append(
                {
                    **{x: k[x] for x in ("id", "name", "unit", "baseline", "target", "deadline", "owner")},
                    "last": pr.last if pr else None,
                    "progress": pr.progress if pr else None,
                    "projected": pr.projected if pr else None,
                    "reaches": pr.reaches if pr else None,
                    "hit": pr.hit if pr else False,
                    "eta": pr.eta.isoformat() if pr and pr.eta else None,
                    "checkins": sum(1 for c in rows if c["kind"] == "kpi" and c["item"] == k["id"]),
                }
            )
        ucs = []
        for u in values["use_cases"]:
            mine = [c for c in rows if c["kind"] == "usecase" and c["item"] == u["id"]]
            ucs.append(
                {
                    "id": u["id"],
                    "title": u["title"],
                    "department": u["department"],
                    "owner": u["who"],
                    "kpi": u["kpi_id"],
                    "status": mine[-1]["status"] if mine else "not_started",
                    "blockers": mine[-1]["blockers"] if mine else "",
                    "proven": u["id"] in proven,
                }
            )
        return {
            "thread": thread,
            "title": values["theme"]["title"],
            "company": values["company"],
            "lang": values["lang"],
            "kpis": kpis,
            "use_cases": ucs,
            "findings": self.findings(thread, values, rows, prs),
        }

    def plot(self, thread: str, kpi: str) -> bytes:
        from katachi.tracker.trend import plot_png

        values = self.playbook(thread)
        k = next((x for x in values["kpis"] if x["id"] == kpi), None)
        if k is None:
            raise KatachiError("checkin_unknown_item", item=kpi, known=", ".join(x["id"] for x in values["kpis"]))
        pr = self.projections(thread, values)[kpi]
        return plot_png(f"{k['id']} {k['name']}", k["unit"], self.series(thread, kpi), pr, values["lang"])

    def plots(self, thread: str) -> list[tuple[str, str, bytes]]:
        """Each KPI's trend plot with its status line (name, line, PNG), for the pack's slides and PDF."""
        from katachi.tracker.pack import kpi_lines, labels

        values = self.playbook(thread)
        s = self.summary(thread)
        known = self.projections(thread, values)
        return [
            (k["name"], line, self.plot(thread, k["id"]))
            for k, line in zip(s["kpis"], kpi_lines(s, labels(values["lang"])))
            if k["id"] in known
        ]

    def pack_file(self, thread: str, fmt: str, template: Path | None = None, pack: dict | None = None) -> bytes:
        """The latest weekly pack (or ``pack``) as ``md``, ``pptx`` or ``pdf``."""
        from katachi.tracker.pack import pack_markdown
        from katachi.tracker.pack_export import pack_pdf, pack_pptx

        if pack is None:
            packs = self.db.packs(thread)
            if not packs:
                raise KatachiError("pack_missing", thread_id=thread)
            pack = packs[-1]["content"]
        if fmt == "md":
            return pack_markdown(pack).encode("utf-8")
        if fmt == "pptx":
            return pack_pptx(pack, self.plots(thread), template)
        if fmt == "pdf":
            return pack_pdf(pack, self.plots(thread))
        raise KatachiError("export_format", fmt=fmt, formats="md, pptx, pdf")

    # -- model work: the weekly pack, adapting a proven 型 ---------------------------------------------------
    def stage_context(self, values: dict):
        from katachi.agents.common import StageContext

        rt = self.runtime
        return StageContext(
            model_for=rt.model_for,
            retriever=rt.retriever_for(values["company"]),
            company=values["company"],
            lang=values["lang"],
            today=self.today().isoformat(),
            retries=self.settings.structured_retries,
            stall_s=self.settings.stall_s,
        )

    def pack(self, thread: str, by: str = "", feedback: str = "") -> dict[str, Any]:
        from katachi.tracker.pack import build_pack

        values = self.playbook(thread)
        week = monday(self.today())
        recent = [
            c for c in self.db.checkins(thread) if dt.date.fromisoformat(c["week"]) >= week - dt.timedelta(weeks=1)
        ]
        pack = build_pack(self.stage_context(values), thread, values, self.summary(thread), recent, week, feedback)
        pack["id"] = self.db.add_pack(thread, pack["week"], pack, by)
        return pack

    def prove(self, thread: str, use_case: str, by: str = "") -> dict:
        """Mark a use case's 型 as proven: allowed once its KPI's latest value has reached the target."""
        values = self.playbook(thread)
        u = next((x for x in values["use_cases"] if x["id"] == use_case), None)
        if u is None:
            raise KatachiError(
                "checkin_unknown_item", item=use_case, known=", ".join(x["id"] for x in values["use_cases"])
            )
        pr = self.projections(thread, values).get(u["kpi_id"])
        if pr is None or not pr.hit:
            raise KatachiError(
                "not_proven",
                use_case=use_case,
                kpi=u["kpi_id"],
                last="-" if pr is None or pr.last is None else f"{pr.last:g}",
                target="-" if pr is None else f"{pr.target:g}",
            )
        week = max(d for d, _ in self.series(thread, u["kpi_id"]))
        self.db.prove(thread, use_case, u["kpi_id"], week.isoformat(), by)
        pattern = self._to_company_library(thread, values, u)
        return {"use_case": use_case, "kpi": u["kpi_id"], "week": week.isoformat(), "pattern": pattern}

    def _to_company_library(self, thread: str, values: dict, u: dict) -> str:
        """A proven 型 joins the company's own library: its next workshop and the roll-out to another
        department draw from it first. Returns the pattern id ("" when the use case has no procedure)."""
        from katachi.knowledge.library.catalog import load_library
        from katachi.knowledge.library.company import company_library_dir, proven_pattern, save_kpi, save_pattern

        proc = next(
            (p for p in (values.get("playbook") or {}).get("procedures") or [] if p["use_case_id"] == u["id"]), None
        )
        if proc is None:
            return ""
        company = values["company"]
        lib = load_library(self.settings.library_dir, company_library_dir(self.settings, company))
        source = lib.patterns.get(u.get("pattern") or "")
        function = source.function if source else (lib.function_of(u["department"]) or "management")
        kpi = next(k for k in values["kpis"] if k["id"] == u["kpi_id"])
        pattern, own_kpi = proven_pattern(u, proc, kpi, values["lang"], function, thread, source)
        if own_kpi is not None:
            save_kpi(self.settings, company, own_kpi)
        save_pattern(self.settings, company, pattern)
        return pattern.id

    def adapt(self, thread: str, use_case: str, department: str, by: str = "") -> dict:
        from katachi.agents.pdca import adapt

        values = self.playbook(thread)
        if use_case not in {p["use_case"] for p in self.db.proven(thread)}:
            raise KatachiError("not_proven_yet", use_case=use_case)
        department = (department or "").strip()
        if not department:
            raise KatachiError("empty_text", what="department" if values["lang"] == "en" else "部署")
        u = next(x for x in values["use_cases"] if x["id"] == use_case)
        proc = next((p for p in values["playbook"].get("procedures") or [] if p["use_case_id"] == use_case), None)
        if proc is None:
            raise KatachiError("checkin_unknown_item", item=use_case, known="-")
        pr = self.projections(thread, values)[u["kpi_id"]]
        k = next(x for x in values["kpis"] if x["id"] == u["kpi_id"])
        result = f"{k['name']}: {k['baseline']} → {pr.last:g} {k['unit']} (target {k['target']})"
        new, lg = adapt(self.stage_context(values), proc, u["department"], department, result)
        content = {
            **new.model_dump(),
            "department": department,
            "source_department": u["department"],
            "result": result,
            "usage": lg.usage,
        }
        content["id"] = self.db.add_adaptation(thread, use_case, department, content, by)
        return content
