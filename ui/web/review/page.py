"""The review tab: queue, section-by-section review with comments, send-back, edits, versions,
diffs, rollback, exports and the audit log. Handlers live in :mod:`ui.review`."""

from __future__ import annotations

import json
import logging

import gradio as gr

from katachi.core.errors import KatachiError
from katachi.exports.exports import FORMATS
from katachi.ui.web.common import BROWSER_SECRET, LANG_JS, notice, section_label, tr, ui_lang, workshop_choices
from katachi.ui.web.review import render as rr
from katachi.ui.web.review.handlers import Reviews

log = logging.getLogger(__name__)
EXPORTS = FORMATS  # the reviewer may take every format
# a section clicked in the overview: the overview's own event carries which one
JUMP_JS = """element.addEventListener('click', (ev) => {
  const li = ev.target.closest('.k-sec[data-section]');
  if (li && element.contains(li)) trigger('jump', {section: li.dataset.section});
});"""


class ReviewTab:
    def __init__(self, ctx, t, lang) -> None:
        self.ctx, self.lang = ctx, lang
        self.reviews = Reviews(ctx.rooms)
        self.wid = gr.BrowserState("", storage_key="katachi_review", secret=BROWSER_SECRET)
        self.seen = gr.State("")
        self.note = gr.HTML(elem_id="k-rv-notice")
        self._build_queue(t)
        self.head = gr.HTML(elem_id="k-rv-head")
        with gr.Row():
            with gr.Column(scale=1):
                self._build_overview(t)
            with gr.Column(scale=2):
                self._build_section(t)
        self._build_versions(t)
        self._build_exports(t)
        self.audit = gr.Dataframe(interactive=False, label=t("audit"), elem_id="k-rv-audit", wrap=True)
        self.tick = gr.Timer(2.0)
        self.view_outputs = [
            self.head,
            self.overview,
            self.section,
            self.section_html,
            self.code,
            self.ver_a,
            self.ver_b,
            self.ver,
            self.audit,
            self.queue,
            self.seen,
        ]

    def _build_queue(self, t) -> None:
        with gr.Row():
            self.queue = gr.Dataframe(
                interactive=False, label=t("review_queue"), elem_id="k-rv-queue", wrap=True, scale=3
            )
            with gr.Column(scale=1):
                self.pick = gr.Dropdown(label=t("workshop"), choices=[], elem_id="k-rv-pick")
                self.open_btn = gr.Button(t("open"), variant="primary", elem_id="k-rv-open")

    def _build_overview(self, t) -> None:
        """The playbook's sections at a glance and the decisions on the whole playbook."""
        # a click on a section in the overview shows it (the overview's own event, with the section)
        self.overview = gr.HTML(elem_id="k-rv-overview", js_on_load=JUMP_JS)
        self.submit_btn = gr.Button(t("submit_review"), elem_id="k-rv-submit")
        self.send_btn = gr.Button(t("send_back"), elem_id="k-rv-send")
        self.approve_btn = gr.Button(t("approve_playbook"), variant="primary", elem_id="k-rv-approve")
        self.confirm = gr.Checkbox(label=t("approve_unreviewed"), value=False, elem_id="k-rv-confirm")
        self.revise_btn = gr.Button(t("revise_playbook"), elem_id="k-rv-revise")

    def _build_section(self, t) -> None:
        """One section: shown, commented on, approved or asked to change, edited as JSON."""
        self.section = gr.Dropdown(label=t("section"), choices=[], elem_id="k-rv-section")
        self.section_html = gr.HTML(elem_id="k-rv-section-html")
        self.comment = gr.Textbox(label=t("comment_text"), lines=2, elem_id="k-rv-comment")
        with gr.Row():
            self.comment_btn = gr.Button(t("add_comment"), elem_id="k-rv-comment-btn")
            self.ok_btn = gr.Button(t("approve_section"), elem_id="k-rv-ok")
            self.req_btn = gr.Button(t("request_section"), elem_id="k-rv-request")
        with gr.Accordion(t("edit_section"), open=False):
            self.code = gr.Code(language="json", elem_id="k-rv-code")
            self.reason = gr.Textbox(label=t("reason"), elem_id="k-rv-reason")
            self.save_btn = gr.Button(t("save_edit"), elem_id="k-rv-save")

    def _build_versions(self, t) -> None:
        with gr.Accordion(t("versions"), open=False):
            with gr.Row():
                self.ver_a = gr.Dropdown(label="A", choices=[], elem_id="k-rv-a")
                self.ver_b = gr.Dropdown(label="B", choices=[], elem_id="k-rv-b")
                self.diff_btn = gr.Button(t("compare"), elem_id="k-rv-diff")
                self.rollback_btn = gr.Button(t("rollback"), elem_id="k-rv-rollback")
            self.diff_html = gr.HTML(elem_id="k-rv-diff-html")

    def _build_exports(self, t) -> None:
        with gr.Accordion(t("export"), open=False):
            with gr.Row():
                self.fmt = gr.Radio(
                    [(t("fmt_" + f.replace("-", "_")), f) for f in EXPORTS],
                    value="docx",
                    label=t("format"),
                    elem_id="k-rv-fmt",
                )
                self.ver = gr.Dropdown(label=t("version"), choices=[], elem_id="k-rv-ver")
                self.export_btn = gr.Button(t("export"), elem_id="k-rv-export")
            self.file = gr.File(label=t("download"), interactive=False, elem_id="k-rv-file")

    # -- drawing ---------------------------------------------------------------------------------------
    def _user(self, request: gr.Request):
        return self.ctx.rooms.user(request.username)

    def load(self, lang, request: gr.Request):
        lg = ui_lang(lang)
        try:
            rows = self.reviews.queue(self._user(request))
        except KatachiError:
            return gr.skip(), gr.skip()
        head = [
            tr("title", lg),
            tr("company", lg),
            tr("col_status", lg),
            tr("col_version", lg),
            tr("col_by", lg),
            tr("col_at", lg),
        ]
        data = [self._cells(r, lg) for r in rows]
        return (
            gr.update(value=data or [[""] * len(head)], headers=head),
            gr.update(choices=workshop_choices(rows, lg)),
        )

    @staticmethod
    def _cells(r: dict, lg: str) -> list[str]:
        """One queue row as shown (no internal id: a clicked row is found again by what it shows)."""
        return [r["title"], r["company"], tr("status_" + r["status"], lg), f"v{r['version']}", r["by"], r["at"]]

    def draw(self, lang, wid, section, seen, request: gr.Request, force: bool = True) -> dict:
        lg = ui_lang(lang)
        unchanged = {self.seen: seen}  # Gradio needs at least one output in a dict answer
        if not wid:
            return unchanged
        try:
            v = self.reviews.view(self._user(request), wid)
        except KatachiError as err:
            return {self.note: notice(lg, err)} if force else unchanged
        key = f"{v.version}:{v.status}:{v.busy}:{sum(len(c) for c in v.comments.values())}:{v.states}:{lg}"
        if key == seen and not force:
            return unchanged
        names = list(v.sections)
        section = section if section in names else names[0]
        versions = [
            (f"v{x['n']} · {x.get('by', '')} · {x.get('reason', '')[:40]}", x["n"])
            for x in v.values.get("versions") or []
        ]
        audit = self.reviews.audit(wid)
        from katachi.exports.exports import audit_rows

        rows = rr.audit(audit_rows(v.values, audit), lg, self.ctx.settings.timezone)
        return {
            self.head: rr.header(v, lg),
            self.overview: rr.overview(v, lg),
            self.section: gr.update(choices=[(section_label(n, lg), n) for n in names], value=section),
            self.section_html: rr.section(v, section, lg),
            self.code: json.dumps(v.sections[section], ensure_ascii=False, indent=2),
            self.ver_a: gr.update(choices=versions, value=versions[0][1] if versions else None),
            self.ver_b: gr.update(choices=versions, value=versions[-1][1] if versions else None),
            self.ver: gr.update(choices=versions, value=versions[-1][1] if versions else None),
            self.audit: gr.update(
                value=rows or [["", "", "", ""]],
                headers=[tr("col_at", lg), tr("col_by", lg), tr("col_action", lg), tr("col_detail", lg)],
            ),
            self.queue: self.load(lang, request)[0],
            self.seen: key,
        }

    def poll(self, lang, wid, section, seen, request: gr.Request):
        return self.draw(lang, wid, section, seen, request, force=False)

    def open(self, lang, wid, request: gr.Request):
        return {self.wid: wid, self.note: "", **self.draw(lang, wid, None, "", request)}

    def show_section(self, lang, wid, section, request: gr.Request):
        lg = ui_lang(lang)
        try:
            v = self.reviews.view(self._user(request), wid)
        except KatachiError as err:
            return notice(lg, err), gr.skip(), gr.skip()
        if section not in v.sections:
            return gr.skip(), gr.skip(), gr.skip()
        return "", rr.section(v, section, lg), json.dumps(v.sections[section], ensure_ascii=False, indent=2)

    def jump_to(self, lang, wid, evt: gr.EventData, request: gr.Request):
        """A section clicked in the overview: shown, and picked in the section list."""
        section = str(getattr(evt, "section", "") or "")
        note, html, code = self.show_section(lang, wid, section, request)
        return note, html, code, gr.update(value=section) if isinstance(html, str) and html else gr.skip()

    def open_row(self, lang, evt: gr.SelectData, request: gr.Request):
        """The clicked row's playbook: the row shown at that place, if the queue still shows it there, else
        the first row that shows the same words (the queue may have changed since it was drawn)."""
        lg = ui_lang(lang)
        shown = [str(c) for c in (evt.row_value or [])]
        try:
            rows = self.reviews.queue(self._user(request))
        except KatachiError as err:
            return {self.note: notice(lg, err)}
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        same = [i for i, r in enumerate(rows) if [str(c) for c in self._cells(r, lg)] == shown]
        if not same:
            return {self.note: ""}
        at = index if index in same else same[0]
        return self.open(lang, rows[at]["id"], request)

    def act(self, fn, ok: str = "saved", clear: bool = False):
        def handler(lang, wid, section, comment, code, reason, ver_a, ver_b, fmt, ver, request: gr.Request):
            lg = ui_lang(lang)
            try:
                extra = fn(self._user(request), wid, section, comment, code, reason, ver_a, ver_b, fmt, ver, lg)
            except KatachiError as err:
                return {self.note: notice(lg, err)}  # what was typed stays
            except json.JSONDecodeError as exc:
                return {self.note: notice(lg, KatachiError("bad_decision", detail=f"JSON: {exc}"))}
            out = {**self.draw(lang, wid, section, "", request), self.note: notice(lg, ok=tr(ok, lg))}
            if clear:
                out[self.comment] = ""
            if isinstance(extra, dict):  # an action may answer what it did (send_back: the sections), not outputs
                out.update(extra)
            return out

        return handler

    def wire(self) -> None:
        self._wire_sections()
        self._wire_decisions()
        self._wire_versions()
        self._wire_exports()
        self._wire_navigation()
        self._wire_poll()

    def _action_inputs(self) -> list:
        """What every action receives (:meth:`act`'s handler, in this order)."""
        return [
            self.lang,
            self.wid,
            self.section,
            self.comment,
            self.code,
            self.reason,
            self.ver_a,
            self.ver_b,
            self.fmt,
            self.ver,
        ]

    def _action_outputs(self) -> list:
        return [*self.view_outputs, self.note, self.comment, self.diff_html, self.file]

    def _bind(self, btn, fn, api, ok="saved", clear=False) -> None:
        btn.click(
            self.act(fn, ok, clear),
            self._action_inputs(),
            self._action_outputs(),
            js=LANG_JS,
            api_name=api,
            concurrency_id="review",
            concurrency_limit=4,
        )

    def _wire_sections(self) -> None:
        r, bind = self.reviews, self._bind
        bind(self.comment_btn, lambda u, w, s, c, *_: r.comment(u, w, s, c), "review_comment", clear=True)
        bind(self.req_btn, lambda u, w, s, c, *_: r.comment(u, w, s, c, request=True), "review_request", clear=True)
        bind(self.ok_btn, lambda u, w, s, *_: r.approve_section(u, w, s), "review_approve_section")

    def _wire_decisions(self) -> None:
        """The whole playbook: submitted, sent back, approved (sections nobody approved need the box ticked),
        revised."""
        r, bind = self.reviews, self._bind
        bind(self.submit_btn, lambda u, w, *_: r.submit(u, w), "review_submit")
        bind(self.send_btn, lambda u, w, *_: r.send_back(u, w), "review_send_back", ok="queued")
        plain = self.act(lambda u, w, *_: r.approve(u, w, confirm=False))
        confirmed = self.act(lambda u, w, *_: r.approve(u, w, confirm=True))

        def approve(lang, wid, section, comment, code, reason, ver_a, ver_b, fmt, ver, confirm, request: gr.Request):
            return (confirmed if confirm else plain)(
                lang, wid, section, comment, code, reason, ver_a, ver_b, fmt, ver, request=request
            )

        self.approve_btn.click(
            approve,
            self._action_inputs() + [self.confirm],
            self._action_outputs(),
            js=LANG_JS,
            api_name="review_approve",
            concurrency_id="review",
            concurrency_limit=4,
        )
        bind(
            self.revise_btn,
            lambda u, w, s, c, code, reason, *_: r.revise(u, w, reason or c or ""),
            "review_revise",
            ok="revised",
            clear=True,
        )

    def _wire_versions(self) -> None:
        """A section edited (a new version), a version rolled back to, two versions compared."""
        r, bind = self.reviews, self._bind
        bind(
            self.save_btn, lambda u, w, s, c, code, reason, *_: r.edit(u, w, s, json.loads(code), reason), "review_edit"
        )
        bind(
            self.rollback_btn,
            lambda u, w, s, c, code, reason, a, *_: r.rollback(u, w, int(a or 0), reason),
            "review_rollback",
        )
        bind(
            self.diff_btn,
            lambda u, w, s, c, code, reason, a, b, fmt, ver, lg: {
                self.diff_html: rr.diff(r.diff(u, w, a or 1, b or 1), a, b, lg)
            },
            "review_diff",
            ok="saved",
        )

    def _wire_exports(self) -> None:
        self._bind(
            self.export_btn, lambda u, w, *rest: {self.file: self._export(u, w, rest[-3], rest[-2])}, "review_export"
        )

    def _wire_navigation(self) -> None:
        """Which playbook and which section are shown."""
        self.open_btn.click(self.open, [self.lang, self.pick], [*self.view_outputs, self.wid, self.note], js=LANG_JS)
        self.section.input(
            self.show_section,
            [self.lang, self.wid, self.section],
            [self.note, self.section_html, self.code],
            js=LANG_JS,
        )
        self.overview.jump(
            self.jump_to,
            [self.lang, self.wid],
            [self.note, self.section_html, self.code, self.section],
            js=LANG_JS,
            show_progress="hidden",
            api_name="review_jump",
        )
        # a click on a row of the queue opens that playbook
        self.queue.select(self.open_row, [self.lang], [*self.view_outputs, self.wid, self.note], js=LANG_JS)

    def _wire_poll(self) -> None:
        self.tick.tick(
            self.poll,
            [self.lang, self.wid, self.section, self.seen],
            self.view_outputs,
            js=LANG_JS,
            show_progress="hidden",
            trigger_mode="once",
            concurrency_id="poll",
        )

    def _export(self, user, wid, fmt, version) -> str:
        name, data = self.reviews.export(
            user, wid, fmt or "docx", int(version) if version else None, tracker_url=self.ctx.public_url
        )
        path = self.ctx.exports_dir / wid / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)

    def on_load(self, demo) -> None:

        demo.load(self.load, [self.lang], [self.queue, self.pick], js=LANG_JS)
        demo.load(self.reopen, [self.lang, self.wid], self.view_outputs, js=LANG_JS)

    def reopen(self, lang, wid, request: gr.Request):
        """After a refresh: the playbook under review is shown again."""
        return self.draw(lang, wid, None, "", request)
