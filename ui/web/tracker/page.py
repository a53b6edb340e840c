"""The weekly PDCA tab: KPI trends and projections, check-ins, the weekly review pack, proven 型 and
their roll-out, CSV in and out. Validation lives in :mod:`graphs.tracker`; this page only calls it."""

from __future__ import annotations

import datetime as dt
import html
import logging

import gradio as gr

from katachi.core.errors import KatachiError
from katachi.ui import policy
from katachi.ui.web.common import BROWSER_SECRET, LANG_JS, notice, tr, ui_lang, workshop_choices
from katachi.ui.web.tracker.handlers import queue_tracker_job

STATUSES = ("on_track", "at_risk", "off_track", "not_started", "running", "stuck", "done")

log = logging.getLogger(__name__)
e = html.escape


class TrackerTab:
    def __init__(self, ctx, t, lang) -> None:
        self.ctx, self.lang = ctx, lang
        self.wid = gr.BrowserState("", storage_key="katachi_tracker", secret=BROWSER_SECRET)
        self.seen = gr.State("")
        self.note = gr.HTML(elem_id="k-tr-notice")
        with gr.Row():
            self.pick = gr.Dropdown(label=t("tracker_pick"), choices=[], elem_id="k-tr-pick", scale=3)
            self.open_btn = gr.Button(t("open"), variant="primary", elem_id="k-tr-open", scale=1)
        self.summary = gr.HTML(elem_id="k-tr-summary")
        with gr.Row():
            with gr.Column(scale=2):
                self.kpi = gr.Dropdown(label="KPI", choices=[], elem_id="k-tr-kpi")
                self.plot = gr.Image(type="filepath", interactive=False, elem_id="k-tr-plot", show_label=False)
            with gr.Column(scale=2):
                self._build_checkin(t)
        self.history = gr.Dataframe(interactive=False, label=t("checkins"), elem_id="k-tr-history", wrap=True)
        self._build_pack(t)
        self._build_rollout(t)
        self._build_csv(t)
        self.tick = gr.Timer(2.0)
        self.outputs = [
            self.summary,
            self.kpi,
            self.plot,
            self.item,
            self.history,
            self.pack_md,
            self.uc,
            self.adapt_md,
            self.seen,
        ]

    def _build_checkin(self, t) -> None:
        """A week's check-in on a KPI or a use case."""
        gr.Markdown(t("checkin_head"))
        self.kind = gr.Radio(
            [("KPI", "kpi"), (t("use_case"), "usecase")], value="kpi", label=t("kind"), elem_id="k-tr-kind"
        )
        self.item = gr.Dropdown(label=t("item"), choices=[], elem_id="k-tr-item", allow_custom_value=True)
        with gr.Row():
            self.week = gr.Textbox(label=t("week"), value=dt.date.today().isoformat(), elem_id="k-tr-week")
            self.value = gr.Textbox(label=t("value"), elem_id="k-tr-value")
            self.unit = gr.Textbox(label=t("unit"), elem_id="k-tr-unit")
        self.status = gr.Dropdown(
            label=t("status"),
            choices=[("", "")] + [(t("st_" + st), st) for st in STATUSES],
            value="",
            elem_id="k-tr-status",
        )
        self.blockers = gr.Textbox(label=t("blockers"), elem_id="k-tr-blockers")
        self.ai_tried = gr.Textbox(label=t("ai_tried"), elem_id="k-tr-ai")
        self.memo = gr.Textbox(label=t("memo"), elem_id="k-tr-memo")
        self.correct = gr.Textbox(label=t("correction"), elem_id="k-tr-correct")
        self.checkin_btn = gr.Button(t("checkin"), variant="primary", elem_id="k-tr-checkin")

    def _build_pack(self, t) -> None:
        with gr.Accordion(t("pack_head"), open=False):
            with gr.Row():
                self.pack_btn = gr.Button(t("pack_make"), elem_id="k-tr-pack-btn")
                self.pack_pptx = gr.Button(t("pack_pptx"), elem_id="k-tr-pack-pptx")
                self.pack_pdf = gr.Button(t("pack_pdf"), elem_id="k-tr-pack-pdf")
            self.pack_file = gr.File(interactive=False, elem_id="k-tr-pack-file", show_label=False)
            self.pack_md = gr.Markdown(elem_id="k-tr-pack")

    def _build_rollout(self, t) -> None:
        with gr.Accordion(t("rollout_head"), open=False):
            with gr.Row():
                self.uc = gr.Dropdown(label=t("use_case"), choices=[], elem_id="k-tr-uc")
                self.prove_btn = gr.Button(t("prove"), elem_id="k-tr-prove")
                self.dept = gr.Textbox(label=t("department"), elem_id="k-tr-dept")
                self.adapt_btn = gr.Button(t("adapt"), elem_id="k-tr-adapt")
            self.adapt_md = gr.Markdown(elem_id="k-tr-adapted")

    def _build_csv(self, t) -> None:
        with gr.Accordion("CSV", open=False):
            with gr.Row():
                self.csv_out_btn = gr.Button(t("csv_export"), elem_id="k-tr-csv-out")
                self.csv_file = gr.File(label=t("csv_import"), file_types=[".csv"], elem_id="k-tr-csv-in")
                self.csv_in_btn = gr.Button(t("csv_import"), elem_id="k-tr-csv-in-btn")
            self.csv_dl = gr.File(interactive=False, elem_id="k-tr-csv-dl", show_label=False)

    # -- access and drawing -----------------------------------------------------------------------------
    def _allowed(self, user, wid: str) -> dict:
        ws = self.ctx.db.workshop(wid or "")
        if not policy.allowed(user, "tracker.see", workshop=ws, joined=wid in self.ctx.db.joined(user.name)):
            raise KatachiError("workshop_unknown", workshop=wid)
        return ws

    def choices(self, lang, request: gr.Request):
        try:
            user = self.ctx.rooms.user(request.username)
        except KatachiError:
            return gr.skip()
        rows = [w for w in self.ctx.rooms.my_workshops(user) if w["stage"] == "done"]
        return gr.update(choices=workshop_choices(rows, ui_lang(lang)))

    def draw(self, lang, wid, kpi, kind, seen, request: gr.Request, force: bool = True) -> dict:
        lg = ui_lang(lang)
        keep = {self.seen: seen}
        if not wid:
            return keep
        tracker = self.ctx.tracker
        try:
            self._allowed(self.ctx.rooms.user(request.username), wid)
            s = tracker.summary(wid)
        except KatachiError as err:
            return {self.note: notice(lg, err), self.seen: "err"} if force else keep
        rows = tracker.db.checkins(wid)
        packs, adapted = tracker.db.packs(wid), tracker.db.adaptations(wid)
        busy = self.ctx.rooms.jobs.status("tracker:" + wid)
        key = f"{len(rows)}:{rows[-1]['id'] if rows else 0}:{len(packs)}:{len(adapted)}:{busy.state}:{kpi}:{kind}:{lg}"
        if key == seen and not force:
            return keep
        ids = [k["id"] for k in s["kpis"]]
        kpi = kpi if kpi in ids else (ids[0] if ids else None)
        out = {self.summary: summary_html(s, busy, lg), self.seen: key, **self._pickers(s, kpi, kind)}
        if kpi:
            out[self.plot] = self._plot(wid, kpi)
        out[self.history] = _history(rows, lg)
        if packs:
            from katachi.tracker.pack import pack_markdown

            out[self.pack_md] = pack_markdown(packs[-1]["content"])  # notes as [1], not [^1]
        if adapted:
            out[self.adapt_md] = _adapted(adapted[-1]["content"])
        return out

    def _pickers(self, s: dict, kpi: str | None, kind: str) -> dict:
        """The KPI shown, the use cases to prove or adapt, and the items a check-in of ``kind`` is about."""
        items = s["kpis"] if kind != "usecase" else s["use_cases"]
        return {
            self.kpi: gr.update(choices=[(f"{k['id']} {k['name']}", k["id"]) for k in s["kpis"]], value=kpi),
            self.uc: gr.update(choices=[(f"{u['id']} {u['title']}", u["id"]) for u in s["use_cases"]]),
            self.item: gr.update(choices=[(f"{x['id']} {x.get('name') or x.get('title')}", x["id"]) for x in items]),
        }

    def _plot(self, wid: str, kpi: str) -> str:
        """The KPI's trend as an image file (the page shows files, not bytes)."""
        path = self.ctx.exports_dir / wid / f"trend-{kpi}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.ctx.tracker.plot(wid, kpi))
        return str(path)

    def poll(self, lang, wid, kpi, kind, seen, request: gr.Request):
        return self.draw(lang, wid, kpi, kind, seen, request, force=False)

    def open(self, lang, wid, kpi, kind, request: gr.Request):
        return {self.wid: wid, self.note: "", **self.draw(lang, wid, kpi, kind, "", request)}

    # -- actions -----------------------------------------------------------------------------------------
    def do_checkin(
        self,
        lang,
        wid,
        kpi,
        kind,
        item,
        week,
        value,
        unit,
        status,
        blockers,
        ai_tried,
        memo,
        correct,
        request: gr.Request,
    ):
        lg = ui_lang(lang)
        try:
            user = self.ctx.rooms.user(request.username)
            self._allowed(user, wid)
            self.ctx.tracker.checkin(
                wid, kind, item or "", week, value, unit, status, blockers, ai_tried, memo, user.name, correct
            )
        except KatachiError as err:
            return {self.note: notice(lg, err)}  # the form keeps what was typed
        out = self.draw(lang, wid, kpi, kind, "", request)
        out.update(
            {
                self.note: notice(lg, ok=tr("saved", lg)),
                self.value: "",
                self.blockers: "",
                self.ai_tried: "",
                self.memo: "",
                self.correct: "",
            }
        )
        return out

    def model_job(self, what: str):
        def handler(lang, wid, uc, dept, request: gr.Request):
            lg = ui_lang(lang)
            try:
                user = self.ctx.rooms.user(request.username)
                ws = self._allowed(user, wid)
                policy.require(user, "tracker.manage", workshop=ws, joined=True)
                tracker = self.ctx.tracker
                if what == "prove":
                    tracker.prove(wid, uc or "", by=user.name)
                else:
                    queue_tracker_job(self.ctx.rooms.jobs, tracker, wid, what, user.name, uc or "", dept or "")
            except KatachiError as err:
                return notice(lg, err)
            return notice(lg, ok=tr("saved" if what == "prove" else "queued", lg))

        return handler

    def pack_export(self, fmt: str):
        """The latest weekly pack as slides (in the consultancy's template) or as a PDF, with the trends."""
        from katachi.exports.readable import file_name

        def handler(lang, wid, request: gr.Request):
            lg = ui_lang(lang)
            try:
                self._allowed(self.ctx.rooms.user(request.username), wid)
                tracker = self.ctx.tracker
                data = tracker.pack_file(wid, fmt, self.ctx.settings.pptx_template)
                path = self.ctx.exports_dir / wid / file_name(tracker.playbook(wid), "pack", fmt)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            except KatachiError as err:
                return notice(lg, err), gr.skip()
            return "", str(path)

        return handler

    def csv_export(self, lang, wid, request: gr.Request):
        from katachi.exports.readable import file_name
        from katachi.tracker.csv_io import export_csv

        lg = ui_lang(lang)
        try:
            self._allowed(self.ctx.rooms.user(request.username), wid)
            path = self.ctx.exports_dir / wid / file_name(self.ctx.tracker.playbook(wid), "checkins", "csv")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(export_csv(self.ctx.tracker, wid, include_history=True))
        except KatachiError as err:
            return notice(lg, err), gr.skip()
        return "", str(path)

    def csv_import(self, lang, wid, file, request: gr.Request):
        from pathlib import Path

        from katachi.tracker.csv_io import import_csv

        lg = ui_lang(lang)
        try:
            user = self.ctx.rooms.user(request.username)
            self._allowed(user, wid)
            if not file:
                raise KatachiError("upload_empty")
            rep = import_csv(self.ctx.tracker, wid, Path(file).read_bytes(), by=user.name)
        except KatachiError as err:
            return notice(lg, err)
        errs = "".join(f"<li>{line}: {e(item)} — {e(err.message(lg))}</li>" for line, item, err in rep.errors)
        text = tr(
            "csv_report", lg, added=rep.added, corrected=rep.corrected, unchanged=rep.unchanged, errors=len(rep.errors)
        )
        return (
            f'<div class="k-notice" data-code="{"ok" if not rep.errors else "csv_errors"}">{text}<ul>{errs}</ul></div>'
        )

    def wire(self) -> None:

        base = [self.lang, self.wid, self.kpi, self.kind]
        self.open_btn.click(
            self.open, [self.lang, self.pick, self.kpi, self.kind], [*self.outputs, self.wid, self.note], js=LANG_JS
        )
        for comp in (self.kpi, self.kind):
            comp.input(self.draw, [*base, self.seen], self.outputs, js=LANG_JS, show_progress="hidden")
        form = [
            self.item,
            self.week,
            self.value,
            self.unit,
            self.status,
            self.blockers,
            self.ai_tried,
            self.memo,
            self.correct,
        ]
        self.checkin_btn.click(
            self.do_checkin,
            [*base, *form],
            [*self.outputs, self.note, self.value, self.blockers, self.ai_tried, self.memo, self.correct],
            js=LANG_JS,
            api_name="checkin",
        )
        for btn, what in ((self.pack_btn, "pack"), (self.prove_btn, "prove"), (self.adapt_btn, "adapt")):
            btn.click(
                self.model_job(what),
                [self.lang, self.wid, self.uc, self.dept],
                [self.note],
                js=LANG_JS,
                api_name=f"tracker_{what}",
            )
        self.csv_out_btn.click(self.csv_export, [self.lang, self.wid], [self.note, self.csv_dl], js=LANG_JS)
        for btn, fmt in ((self.pack_pptx, "pptx"), (self.pack_pdf, "pdf")):
            btn.click(
                self.pack_export(fmt),
                [self.lang, self.wid],
                [self.note, self.pack_file],
                js=LANG_JS,
                api_name=f"tracker_pack_{fmt}",
            )
        self.csv_in_btn.click(self.csv_import, [self.lang, self.wid, self.csv_file], [self.note], js=LANG_JS)
        self.tick.tick(
            self.poll,
            [*base, self.seen],
            self.outputs,
            js=LANG_JS,
            show_progress="hidden",
            trigger_mode="once",
            concurrency_id="poll",
        )

    def on_load(self, demo) -> None:

        demo.load(self.choices, [self.lang], [self.pick], js=LANG_JS)
        demo.load(self.reopen, [self.lang, self.wid, self.kpi, self.kind], self.outputs, js=LANG_JS)

    def reopen(self, lang, wid, kpi, kind, request: gr.Request):
        return self.draw(lang, wid, kpi, kind, "", request)


def _history(rows: list[dict], lg: str):
    """The check-ins as a table; statuses in words (people read 順調, not on_track)."""
    st = lambda v: tr("st_" + v, lg) if v in STATUSES else v  # noqa: E731
    kinds = {"kpi": "KPI", "usecase": tr("use_case", lg)}
    return gr.update(
        value=[
            [
                c["week"],
                kinds.get(c["kind"], c["kind"]),
                c["item"],
                "" if c["value"] is None else f"{c['value']:g}",
                c["unit"],
                st(c["status"]),
                c["blockers"],
                c["ai_tried"],
                c["note"],
                c["by"],
                c["correction"],
            ]
            for c in rows
        ]
        or [[""] * 11],
        headers=[
            tr(h, lg)
            for h in (
                "week",
                "kind",
                "item",
                "value",
                "unit",
                "status",
                "blockers",
                "ai_tried",
                "memo",
                "col_by",
                "correction",
            )
        ],
    )


def _adapted(a: dict) -> str:
    """The latest 型 adapted to another department, as Markdown."""
    return (
        f"### {a['title']} ({a['source_department']} → {a['department']})\n\n"
        + "\n".join(f"{i}. {x}" for i, x in enumerate(a["steps"], 1))
        + f"\n\n```text\n{a['prompt_template']}\n```\n\n{a['result']}"
    )


def _num(x, fmt: str = "g") -> str:
    return "-" if x is None else format(x, fmt)


def summary_html(s: dict, busy, lang: str) -> str:
    from katachi.tracker.pack import labels, state_label

    lab = labels(lang)
    rows = []
    for k in s["kpis"]:
        cells = [
            k["id"],
            k["name"],
            str(k["baseline"]),
            _num(k["last"]),
            f"{k['target']} {k['unit']}",
            k["deadline"],
            _num(k["projected"], ".3g"),
            state_label(k, lab),
        ]
        rows.append(
            f'<tr data-kpi="{e(k["id"])}" data-hit="{int(k["hit"])}">'
            + "".join(f"<td>{e(c)}</td>" for c in cells)
            + "</tr>"
        )
    from katachi.exports.readable import severity, status

    # people read 未着手 and 注意; the codes stay in the markup for tools and tests
    ucs = "".join(
        f'<li data-uc="{e(u["id"])}" data-status="{e(u["status"])}">{e(u["id"])} [{e(u["department"])}] '
        f"{e(u['title'])}: {e(status(u['status'], lang))}{' ★' if u['proven'] else ''}</li>"
        for u in s["use_cases"]
    )
    found = "".join(
        f'<li class="k-finding k-{e(f["severity"])}" data-rule="{e(f["rule"])}">'
        f"<b>{e(severity(f['severity'], lang))}</b> {e(f['item'])}: {e(f['message'])}<br>→ {e(f['fix'])}</li>"
        for f in s["findings"]
    )
    job = ""
    if busy.state in ("queued", "running"):
        job = f'<p class="k-job" data-state="{busy.state}">{tr("regenerating", lang)}</p>'
    elif busy.state == "failed" and busy.error:
        job = f'<p class="k-error" data-state="failed">{e(busy.error.message(lang))}</p>'
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "ID",
            "KPI",
            tr("baseline", lang),
            tr("latest", lang),
            tr("target", lang),
            tr("deadline", lang),
            tr("projected", lang),
            "",
        )
    )
    return (
        f'<h3 data-tracker="{e(s["thread"])}">{e(s["title"])} <small>({e(s["company"])})</small></h3>{job}'
        f'<table class="k-table"><tr>{head}</tr>{"".join(rows)}</table><ul>{ucs}</ul>'
        + (f'<div class="k-findings"><h4>{tr("findings_head", lang)}</h4><ul>{found}</ul></div>' if found else "")
    )
