"""The workshop room: stepper, timer, stage panels, gate actions; polled once a second.

The poll redraws only when the room's version changes, and fills the editable gate fields only when
a new gate opens, so nobody's half-typed text is overwritten by a refresh.
"""
from __future__ import annotations

import inspect
import logging

import gradio as gr

from agents.schemas import PLAYBOOK_SECTIONS
from core.errors import KatachiError

from ui.web.room import decisions
from ui.web.room.activities import ANONYMITY
from ui.web.room import render
from ui.web.room.sent import SentOutputs
from ui.web.common import LANG_JS, notice, section_label, tr, ui_lang

log = logging.getLogger(__name__)
DONE_FILES = ("pptx", "summary-pdf", "summary-docx", "ics", "pdf", "docx")  # the 完了 page's downloads


class RoomTab:
    def __init__(self, ctx, t, lang, current) -> None:
        self.ctx, self.lang, self.current = ctx, lang, current
        self.seen = gr.State("")
        self.gate_key = gr.State("")
        with gr.Row(elem_id="k-room-head"):
            self.title_html = gr.HTML(elem_id="k-room-title")
            self.timer_html = gr.HTML(elem_id="k-timer")
            # The big screen: open the room in a second window on the projector and tick this there.
            # Only what the room should see stays (join code and QR, stage, timer, cards and tally,
            # what was shown), in large type; the controls and the other tabs go.
            self.present = gr.Checkbox(label=t("presenter"), value=False, elem_id="k-present", scale=0)
        self.stepper = gr.HTML(elem_id="k-stepper")
        self.join_html = gr.HTML(elem_id="k-join-info")
        self.job_html = gr.HTML(elem_id="k-job")
        self.note = gr.HTML(elem_id="k-room-notice")
        self.retry_btn = gr.Button(t("continue"), visible=False, elem_id="k-retry")
        with gr.Row():
            self.reveal_btn = gr.Button(t("reveal"), visible=False, variant="primary", elem_id="k-reveal")
            self.votes_btn = gr.Button(t("show_votes"), visible=False, elem_id="k-show-votes")
        g: dict[str, gr.Group] = {}
        with gr.Row():
            with gr.Column(scale=3):
                # What participants do while the model works (and after): one activity on screen at a time.
                with gr.Group(visible=False, elem_id="k-activity") as self.act_group:
                    self.act_head = gr.HTML(elem_id="k-act-head")
                    self.act_kind = gr.Radio(choices=[], label=t("act_choose"), elem_id="k-act-kind")
                    self.act_target = gr.Dropdown(choices=[], label=t("act_target"), elem_id="k-act-target")
                    with gr.Row():
                        self.act_a = gr.Radio(choices=[1, 2, 3, 4, 5], label=t("act_impact"), elem_id="k-act-a")
                        self.act_b = gr.Radio(choices=[1, 2, 3, 4, 5], label=t("act_urgency"), elem_id="k-act-b")
                    self.act_text = gr.Textbox(label=t("act_why"), elem_id="k-act-text")
                    self.act_send = gr.Button(t("act_send"), variant="primary", elem_id="k-act-send")
                with gr.Group(visible=False) as g["intake"]:
                    self.pain = gr.Textbox(label=t("pain_point"), lines=1, max_lines=1, elem_id="k-pain")
                    with gr.Row():
                        self.pain_dept = gr.Dropdown(label=t("department"), choices=[], elem_id="k-pain-dept")
                        self.send_btn = gr.Button(t("submit"), variant="primary", elem_id="k-send")
                    self.points_html = gr.HTML(elem_id="k-points")
                    with gr.Group(visible=False) as self.intake_fac:
                        with gr.Row():
                            # Pick the cards to merge, reword or delete: nobody types ids (they once
                            # differed from the numbers on screen: "1. 11.").
                            self.ids = gr.CheckboxGroup(label=t("ids"), choices=[], elem_id="k-ids")
                            self.merge_btn = gr.Button(t("merge"), elem_id="k-merge")
                            self.delete_btn = gr.Button(t("delete"), elem_id="k-delete")
                        with gr.Row():
                            self.edit_text = gr.Textbox(label=t("edit_text"), elem_id="k-edit-text")
                            self.edit_btn = gr.Button(t("edit"), elem_id="k-edit")
                        self.start_btn = gr.Button(t("start"), variant="primary", elem_id="k-start")
                with gr.Group(visible=False) as g["themes"]:
                    self.cards = gr.HTML(elem_id="k-cards")
                    self.cand = gr.Radio(label=t("candidate"), choices=[], elem_id="k-cand")
                    with gr.Row():
                        self.dot_add = gr.Button(t("dot_add"), elem_id="k-dot-add")
                        self.dot_remove = gr.Button(t("dot_remove"), elem_id="k-dot-remove")
                    with gr.Group(visible=False) as self.themes_fac:
                        self.choose_btn = gr.Button(t("choose"), variant="primary", elem_id="k-choose")
                        self.th_title = gr.Textbox(label=t("title"), elem_id="k-th-title")
                        self.th_problem = gr.Textbox(label=t("problem"), lines=2, elem_id="k-th-problem")
                        self.th_outcome = gr.Textbox(label=t("outcome"), lines=2, elem_id="k-th-outcome")
                        self.edit_theme_btn = gr.Button(t("edit_theme"), elem_id="k-edit-theme")
                        self.th_feedback = gr.Textbox(label=t("feedback"), elem_id="k-th-feedback")
                        self.regen_btn = gr.Button(t("regenerate"), elem_id="k-regen")
                with gr.Group(visible=False) as g["kpis"]:
                    self.kpis_html = gr.HTML(elem_id="k-kpis")
                    with gr.Group(visible=False) as self.kpis_fac:
                        self.kpi_df = gr.Dataframe(headers=decisions.KPI_COLS, type="array", interactive=True,
                                                   label=t("kpi_table"), elem_id="k-kpi-df", wrap=True)
                        with gr.Row():
                            self.approve_k = gr.Button(t("approve"), variant="primary", elem_id="k-approve-kpis")
                            self.save_k = gr.Button(t("save_edits"), elem_id="k-save-kpis")
                        self.k_feedback = gr.Textbox(label=t("feedback"), elem_id="k-kpi-feedback")
                        self.reject_k = gr.Button(t("reject"), elem_id="k-reject-kpis")
                with gr.Group(visible=False) as g["usecases"]:
                    self.uc_html = gr.HTML(elem_id="k-usecases")
                    with gr.Group(visible=False) as self.uc_fac:
                        self.uc_df = gr.Dataframe(headers=decisions.UC_COLS, type="array", interactive=True,
                                                  label=t("uc_table"), elem_id="k-uc-df", wrap=True)
                        self.drop = gr.Textbox(label=t("drop_ids"), elem_id="k-drop")
                        self.approve_u = gr.Button(t("approve"), variant="primary", elem_id="k-approve-usecases")
                        self.u_feedback = gr.Textbox(label=t("feedback"), elem_id="k-uc-feedback")
                        self.reject_u = gr.Button(t("reject"), elem_id="k-reject-usecases")
                with gr.Group(visible=False) as g["playbook"]:
                    self.pb_md = gr.HTML(elem_id="k-playbook")
                    with gr.Group(visible=False) as self.pb_fac:
                        self.approve_p = gr.Button(t("approve"), variant="primary", elem_id="k-approve-playbook")
                        self.sections = gr.CheckboxGroup(label=t("sections"), choices=list(PLAYBOOK_SECTIONS),
                                                         elem_id="k-sections")
                        self.pb_comment = gr.Textbox(label=t("comment"), elem_id="k-pb-comment")
                        self.request_btn = gr.Button(t("request_changes"), elem_id="k-request-changes")
                with gr.Group(visible=False) as g["done"]:
                    # the deck, the summary and the invitation first: the playbook below is long
                    self.files = gr.File(label=t("download"), file_count="multiple", interactive=False,
                                         elem_id="k-files")
                    self.done_md = gr.HTML(elem_id="k-done")
            with gr.Column(scale=1):
                self.voice_html = gr.HTML(elem_id="k-voice")
                self.findings_html = gr.HTML(elem_id="k-findings")
                self.people_html = gr.HTML(elem_id="k-people")
                with gr.Group(visible=False) as self.timer_fac:
                    self.minutes = gr.Number(value=5, precision=1, minimum=0, label=t("timer_minutes"),
                                             elem_id="k-minutes")
                    self.timer_label = gr.Textbox(label=t("timer_label"), elem_id="k-timer-label")
                    with gr.Row():
                        self.timer_set = gr.Button(t("timer_set"), elem_id="k-timer-set")
                        self.timer_stop = gr.Button(t("timer_stop"), elem_id="k-timer-stop")
                    # anonymity is set per activity, for everyone, by the facilitator (a participant's
                    # checkbox once stayed ticked and sent the next pain point anonymously)
                    self.anon_acts = gr.CheckboxGroup(label=t("anon_acts"), choices=[], elem_id="k-anon-acts")
        self.groups = g
        # clicked by the page's change check (ui.web.app.ROOM_POLL) when the room changed
        self.refresh = gr.Button("↻", elem_id="k-refresh", elem_classes=["k-hidden"])
        self.display = [self.title_html, self.timer_html, self.stepper, self.join_html, self.job_html, self.retry_btn,
                        self.reveal_btn, self.votes_btn,
                        self.points_html, self.cards, self.cand, self.kpis_html, self.uc_html, self.pb_md,
                        self.done_md, self.files, self.findings_html, self.people_html, self.pain_dept,
                        self.act_group, self.act_head, self.voice_html,
                        self.intake_fac, self.themes_fac, self.kpis_fac, self.uc_fac, self.pb_fac, self.timer_fac,
                        self.sections, self.ids, self.seen, *g.values()]
        self.fill = [self.th_title, self.th_problem, self.th_outcome, self.kpi_df, self.uc_df, self.gate_key,
                     self.act_kind, self.act_target, self.act_a, self.act_b, self.act_text, self.anon_acts]
        self.clearable = [self.pain, self.edit_text, self.th_feedback, self.k_feedback, self.u_feedback,
                          self.drop, self.pb_comment]
        self.all_outputs = [*self.display, *self.fill, self.note, self.current, *self.clearable]
        # only what the user cannot change on the page (a ticked box differs from what was sent)
        self.watched = {c for c in self.display if isinstance(c, (gr.HTML, gr.Markdown, gr.Button, gr.File,
                                                                  gr.Group, gr.Column, gr.Row))}
        self.sent = SentOutputs()

    # -- drawing ---------------------------------------------------------------------------------------
    def draw(self, lang: str, wid: str, seen: str, gate_key: str, username: str | None, force: bool = False,
             cached: bool = False) -> dict:
        """``cached``: the workshop's shared reads may be up to Rooms.RECENT_S old (the change check's)."""
        lg = ui_lang(lang)
        if not wid:
            if seen == "none" and not force:
                return {self.seen: seen}  # nothing to redraw (a dict answer needs one output)
            return {self.title_html: f"<p>{tr('no_workshop', lg)}</p>", self.seen: "none",
                    **{grp: gr.update(visible=False) for grp in self.groups.values()}}
        try:
            user = self.ctx.rooms.user(username)
            view = self.ctx.rooms.view(user, wid, cached=cached)
        except KatachiError as err:
            if seen == "error:" + err.code and not force:
                return {self.seen: seen}
            return {self.note: notice(lg, err), self.seen: "error:" + err.code,
                    **{grp: gr.update(visible=False) for grp in self.groups.values()}}
        out: dict = {self.timer_html: render.timer(view.workshop, lg), self.job_html: render.job(view, lg)}
        version = view.version + lg
        if version == seen and not force:
            return out
        ws, fac = view.workshop, view.can_facilitate
        out[self.seen] = version
        out[self.title_html] = (f'<h3 data-workshop="{ws["id"]}" data-stage="{view.stage}" data-version="{view.version}">'
                                f'{render.e(ws["title"])}'
                                f' <small>({render.e(ws["company"])})</small></h3>')
        out[self.stepper] = render.stepper(view.stage, lg)
        out[self.join_html] = (render.join_panel(ws["join_code"], self.ctx.public_url, lg) if ws["join_code"]
                               and view.stage == "intake" and fac else "")  # the facilitator projects it
        for name, grp in self.groups.items():
            out[grp] = gr.update(visible=view.stage == name)
        for grp in (self.intake_fac, self.themes_fac, self.kpis_fac, self.uc_fac, self.pb_fac, self.timer_fac):
            out[grp] = gr.update(visible=fac)
        out[self.retry_btn] = gr.update(visible=fac and view.job.state == "failed")
        live = ws["mode"] == "live" and bool(view.gate)
        out[self.reveal_btn] = gr.update(visible=fac and live and not view.revealed)
        out[self.votes_btn] = gr.update(visible=fac and live and view.revealed and view.stage == "themes"
                                        and not view.votes_shown)
        out[self.points_html] = render.points(view, lg)
        if fac and view.stage == "intake":
            out[self.ids] = gr.update(choices=[(f"{n}. {p['text'][:40]}", p["id"])
                                               for n, p in enumerate(view.points, 1)])
        out[self.people_html] = render.people(view, lg)
        out[self.act_group] = gr.update(visible=bool(view.activities))
        out[self.act_head] = render.activity_head(view, lg)
        out[self.voice_html] = render.voice(view, lg) if fac else ""
        v = view.values
        out[self.findings_html] = render.findings(v, view.stage, lg)
        if view.stage == "themes":
            out[self.cards] = render.theme_cards(view, lg)
        out[self.kpis_html] = render.kpis(v, lg) if view.stage == "kpis" else ""
        out[self.uc_html] = render.usecases(v, lg) if view.stage == "usecases" else ""
        if view.stage in ("playbook", "done") and v.get("theme"):
            from graphs.documents.blocks import build
            from graphs.documents.html import blocks_to_html

            page = blocks_to_html(build(v), contents=tr("contents", lg), sources=tr("sources", lg))
            out[self.pb_md] = page
            out[self.done_md] = f"<p><b>{render.e(tr('done_head', lg))}</b></p>" + page if view.stage == "done" else ""
        if fac and view.gate and not view.revealed:  # the facilitator's preview never reaches the big screen
            for comp in (self.cards, self.kpis_html, self.uc_html, self.pb_md):
                if isinstance(out.get(comp), str) and out[comp]:
                    out[comp] = f'<div class="k-preview" data-revealed="false">{out[comp]}</div>'
        if view.stage == "done" and v.get("theme"):  # what everyone takes home (it once sat under the preview check)
            out[self.files] = self._export(v)
        key = (f"{view.stage}:{len(v.get('decisions') or [])}:{bool(view.gate)}:{view.hidden}:{lg}:"
               f"{','.join(view.activities)}")
        if key != gate_key or force:
            out.update(self._fill(view, lg))
            out[self.gate_key] = key
        return out

    def _fill(self, view, lg: str) -> dict:
        """What a new gate (or stage) puts into the inputs. Only then: redrawing choices on every poll would
        clear a half-made choice (a picked candidate, a department, ticked sections)."""
        v = view.values
        # a new stage or gate: last stage's notice goes (a button's own answer is set after this)
        out: dict = {self.pain_dept: gr.update(choices=[""] + view.workshop["departments"]), self.note: ""}
        n = len(v.get("theme_candidates") or [])
        out[self.cand] = gr.update(choices=[(f"{tr('candidate', lg)} {i + 1}", i) for i in range(n)])
        procs = [(f"procedures:{u['id']}", u.get("title", "")) for u in v.get("use_cases") or []]
        out[self.sections] = gr.update(
            choices=[(section_label(n, lg), n) for n in PLAYBOOK_SECTIONS]
            + [(f"{section_label(n, lg)}: {title}", n) for n, title in procs])
        cands = v.get("theme_candidates") or []
        if view.stage == "themes" and cands:
            best = max(range(len(cands)), key=lambda i: view.tally[i] if i < len(view.tally) else 0)
            out.update({self.th_title: cands[best]["title"], self.th_problem: cands[best]["problem"],
                        self.th_outcome: cands[best]["outcome"]})
        if view.stage == "kpis":
            out[self.kpi_df] = gr.update(value=decisions.kpi_rows(v.get("kpis") or []),
                                         headers=[tr("kcol_" + c, lg) for c in decisions.KPI_COLS])
        if view.stage == "usecases":
            out[self.uc_df] = gr.update(value=decisions.uc_rows(v.get("use_cases") or []),
                                        headers=[tr("kcol_" + c, lg) for c in decisions.UC_COLS])
        out[self.anon_acts] = gr.update(choices=[(tr("anon_" + a, lg), a) for a in ANONYMITY],
                                        value=list(view.workshop.get("anonymous") or []))
        acts = view.activities
        out[self.act_kind] = gr.update(choices=[(tr("actname_" + k, lg), k) for k in acts], value=acts[0] if acts else None,
                                       visible=len(acts) > 1)
        out.update(self._activity_inputs(acts[0] if acts else "", v, lg))
        return out

    def _activity_inputs(self, kind: str, values: dict, lg: str) -> dict:
        """The inputs of one activity: what to rate, which scales, whether a comment is asked."""
        from ui.web.room.activities import targets

        choices = targets(kind, values)
        scales = {"pain": ("act_impact", "act_urgency"), "usecase": ("act_impact", "act_feasibility"),
                  "endorse": ("act_endorse", ""), "kpi": ("", "")}.get(kind, ("", ""))
        return {self.act_target: gr.update(choices=choices, value=choices[0][1] if len(choices) == 1 else None,
                                           visible=len(choices) > 1, label=tr("act_target_" + kind, lg) if kind else ""),
                self.act_a: gr.update(visible=bool(scales[0]), label=tr(scales[0], lg) if scales[0] else "", value=None),
                self.act_b: gr.update(visible=bool(scales[1]), label=tr(scales[1], lg) if scales[1] else "", value=None),
                self.act_text: gr.update(visible=kind in ("endorse", "kpi"), value="",
                                         label=tr("act_why" if kind == "endorse" else "act_comment", lg))}

    def pick_activity(self, lang, wid, kind, request: gr.Request):
        """Another open activity picked: its inputs."""
        try:
            user = self.ctx.rooms.user(request.username)
            view = self.ctx.rooms.view(user, wid or "")
        except KatachiError:
            return {}
        return self._activity_inputs(kind if kind in view.activities else "", view.values, ui_lang(lang))

    def pick_candidate(self, wid, index, request: gr.Request):
        """The edit fields follow the candidate the facilitator picks (participants have none to fill)."""
        try:
            user = self.ctx.rooms.user(request.username)
            view = self.ctx.rooms.view(user, wid or "")
            cand = (view.values.get("theme_candidates") or [])[int(index)]
        except (KatachiError, IndexError, TypeError, ValueError):
            return gr.skip(), gr.skip(), gr.skip()
        if not view.can_facilitate:
            return gr.skip(), gr.skip(), gr.skip()
        return cand["title"], cand["problem"], cand["outcome"]

    def _export(self, values: dict) -> list[str]:
        """The deck, the one-page summary, the weekly review's invitation and the playbook, named after
        the company and theme; made once per version (a redraw finds them)."""
        from graphs.documents.exports import file_name, write

        s = self.ctx.settings
        n = len(values.get("versions") or [])
        folder = self.ctx.exports_dir / values["thread_id"] / f"done-v{n}"
        paths = []
        for fmt in DONE_FILES:
            path = folder / file_name(values, fmt)
            if not path.is_file():  # written aside, then renamed: another tab's redraw never serves half a file
                part = path.with_name(f".{path.name}.part")
                write(values, fmt, part, template=s.pptx_template, tracker_url=self.ctx.public_url, tz=s.timezone)
                part.replace(path)
            paths.append(str(path))
        return paths

    # -- handlers ----------------------------------------------------------------------------------------
    def poll(self, lang, wid, seen, gate_key, request: gr.Request):
        return self._new(request, self.draw(lang, wid, seen, gate_key, request.username, cached=True))

    def _new(self, request: gr.Request, out: dict, fresh: bool = False) -> dict:
        """``out`` less what this tab already shows (``fresh``: the tab shows nothing yet)."""
        out = self.sent.only_new(getattr(request, "session_hash", None), out, self.watched, fresh)
        return out or {self.seen: gr.skip()}

    def force(self, lang, wid, request: gr.Request):
        out = {}
        if not wid:  # a guest came in with a join code: their workshop is the only one there is
            try:
                wid = self.ctx.rooms.user(request.username).guest_of or ""
            except KatachiError:
                wid = ""
            if wid:
                out[self.current] = wid
        return self._new(request, {**self.draw(lang, wid, "", "", request.username, force=True), **out}, fresh=True)

    def _act(self, fn, ok: str = "saved", clear: tuple = ()):
        """A button handler: run ``fn(rooms, user, wid, view, *inputs)``, then redraw at once."""
        def handler(lang, wid, seen, gate_key, *args, request: gr.Request):
            lg = ui_lang(lang)
            try:
                user = self.ctx.rooms.user(request.username)
                view = self.ctx.rooms.view(user, wid or "")
                said = fn(self.ctx.rooms, user, wid, view, *args)
            except KatachiError as err:
                return {self.note: notice(lg, err)}  # inputs untouched: nothing typed is lost
            out = self.draw(lang, wid, "", gate_key, request.username, force=False)
            out[self.note] = notice(lg, ok=tr(said if said in ("queued", "sent_to_review") else ok, lg))
            for comp in clear:
                if isinstance(comp, gr.CheckboxGroup):
                    out[comp] = {**(out.get(comp) or {}), "__type__": "update", "value": []}
                else:
                    out[comp] = False if isinstance(comp, gr.Checkbox) else ""
            return self._new(request, out)
        return handler

    def _bind(self, trigger, fn, inputs: list, ok: str = "saved", clear: tuple = (), every_click: bool = False,
              js: str = LANG_JS) -> None:
        """``every_click``: each click counts even while the previous one runs (Gradio drops them by default)."""

        bound = self._bound(self._act(fn, ok, clear), len(inputs))
        owner = getattr(trigger, "__self__", None)
        name = (getattr(owner, "elem_id", None) or "").removeprefix("k-").replace("-", "_") or None
        if name and trigger.__name__ == "submit":
            name += "_enter"
        trigger(bound, [self.lang, self.current, self.seen, self.gate_key, *inputs], self.all_outputs, js=js,
                concurrency_id="actions", concurrency_limit=8, api_name=name,
                trigger_mode="multiple" if every_click else "once")

    @staticmethod
    def _bound(handler, n_inputs: int):
        """``handler`` with the explicit signature Gradio reads (lang, wid, seen, gate_key, inputs…, request)."""
        params = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                  for n in ["lang", "wid", "seen", "gate_key"] + [f"a{i}" for i in range(n_inputs)]]
        # Gradio fills a parameter annotated gr.Request by its position in the signature.
        params.append(inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request))

        def bound(*args):
            return handler(*args[:-1], request=args[-1])

        bound.__signature__ = inspect.Signature(params)
        bound.__annotations__ = {"request": gr.Request}
        return bound

    def wire(self) -> None:

        self.refresh.click(self.poll, [self.lang, self.current, self.seen, self.gate_key], self.all_outputs, js=LANG_JS,
                       show_progress="hidden", trigger_mode="once", concurrency_id="poll", concurrency_limit=32)
        self.cand.input(self.pick_candidate, [self.current, self.cand], [self.th_title, self.th_problem,
                                                                          self.th_outcome], show_progress="hidden")
        b = self._bind
        send = lambda r, u, w, v, text, dept: r.submit(u, w, text, dept or "")  # noqa: E731
        for trig in (self.pain.submit, self.send_btn.click):
            # Every submission counts (Gradio drops a click while the last one runs), and the box is
            # emptied in the browser as it sends (emptying it in the answer wiped what had been typed
            # since: in four quick Enters one vanished).
            b(trig, send, [self.pain, self.pain_dept], ok="sent", every_click=True, js=SEND_JS)
        b(self.act_send.click, lambda r, u, w, v, kind, target, a, bb, text: r.answer(
            u, w, kind or (v.activities[0] if v.activities else ""), target or "", a or 0, bb or 0, text or ""),
          [self.act_kind, self.act_target, self.act_a, self.act_b, self.act_text], ok="act_thanks",
          clear=(self.act_text,), every_click=True)
        self.act_kind.input(self.pick_activity, [self.lang, self.current, self.act_kind],
                            [self.act_target, self.act_a, self.act_b, self.act_text], js=LANG_JS,
                            show_progress="hidden")
        b(self.anon_acts.input, lambda r, u, w, v, acts: r.set_anonymous(u, w, acts or []), [self.anon_acts])
        b(self.merge_btn.click, lambda r, u, w, v, ids: r.merge_points(u, w, _ids(ids)), [self.ids], clear=(self.ids,))
        b(self.delete_btn.click, lambda r, u, w, v, ids: r.delete_points(u, w, _ids(ids)), [self.ids],
          clear=(self.ids,))
        b(self.edit_btn.click, lambda r, u, w, v, ids, text: r.edit_point(u, w, _one(ids), text),
          [self.ids, self.edit_text], clear=(self.ids, self.edit_text))
        b(self.start_btn.click, lambda r, u, w, v: r.start(u, w), [], ok="queued")
        # Two quick clicks are two dots: the server counts them atomically against the limit.
        b(self.dot_add.click, lambda r, u, w, v, c: r.vote(u, w, _pick(c), +1), [self.cand], every_click=True)
        b(self.dot_remove.click, lambda r, u, w, v, c: r.vote(u, w, _pick(c), -1), [self.cand], every_click=True)
        b(self.choose_btn.click, lambda r, u, w, v, c: r.decide(u, w, {**decisions.theme_choice(_pick(c)), "gate": "themes"}), [self.cand],
          ok="queued")
        b(self.edit_theme_btn.click, lambda r, u, w, v, c, t1, t2, t3: r.decide(
            u, w, {**decisions.theme_edit(v.values.get("theme_candidates") or [], c, t1, t2, t3), "gate": "themes"}),
          [self.cand, self.th_title, self.th_problem, self.th_outcome], ok="queued")
        b(self.regen_btn.click, lambda r, u, w, v, fb: r.decide(u, w, {"action": "regenerate", "feedback": fb, "gate": "themes"}),
          [self.th_feedback], ok="queued", clear=(self.th_feedback,))
        b(self.approve_k.click, lambda r, u, w, v: r.decide(u, w, {"action": "approve", "gate": "kpis"}), [], ok="queued")
        b(self.save_k.click, lambda r, u, w, v, df: r.decide(u, w, {**decisions.kpi_edit(v.values.get("kpis") or [], df), "gate": "kpis"}),
          [self.kpi_df], ok="queued")
        b(self.reject_k.click, lambda r, u, w, v, fb: r.decide(u, w, {"action": "reject", "feedback": fb, "gate": "kpis"}),
          [self.k_feedback], ok="queued", clear=(self.k_feedback,))
        b(self.approve_u.click, lambda r, u, w, v, df, drop: r.decide(
            u, w, {**decisions.usecase_decision(v.values.get("use_cases") or [], df, drop or ""), "gate": "usecases"}),
          [self.uc_df, self.drop], ok="queued", clear=(self.drop,))
        b(self.reject_u.click, lambda r, u, w, v, fb: r.decide(u, w, {"action": "reject", "feedback": fb, "gate": "usecases"}),
          [self.u_feedback], ok="queued", clear=(self.u_feedback,))
        b(self.approve_p.click, lambda r, u, w, v: r.decide(u, w, {"action": "approve", "gate": "playbook"}), [], ok="queued")
        b(self.request_btn.click, lambda r, u, w, v, secs, cm: r.decide(u, w, {**decisions.playbook_changes(secs, cm), "gate": "playbook"}),
          [self.sections, self.pb_comment], ok="queued", clear=(self.pb_comment,))
        b(self.timer_set.click, lambda r, u, w, v, m, lab: r.set_timer(u, w, m or 0, lab), [self.minutes,
                                                                                           self.timer_label])
        b(self.timer_stop.click, lambda r, u, w, v: r.set_timer(u, w, 0), [])
        b(self.retry_btn.click, lambda r, u, w, v: r.retry(u, w), [], ok="queued")
        self.present.change(None, [self.present], None,
                            js="(on) => { document.body.classList.toggle('k-presenting', !!on); return []; }")
        b(self.reveal_btn.click, lambda r, u, w, v: r.reveal(u, w), [], ok="revealed")
        b(self.votes_btn.click, lambda r, u, w, v: r.show_votes(u, w), [], ok="revealed")

    def on_load(self, demo) -> None:

        demo.load(self.force, [self.lang, self.current], self.all_outputs, js=LANG_JS)


# The page's language (as LANG_JS) and, with the text already taken into the request, an empty box at
# once: the next pain point can be typed while this one is saved.
SEND_JS = """(...args) => {
  args[0] = document.documentElement.lang || navigator.language || 'ja';
  const box = document.querySelector('#k-pain textarea, #k-pain input');
  if (box) { box.value = ''; box.dispatchEvent(new Event('input', {bubbles: true})); }
  return args;
}"""


def _ids(picked) -> list[int]:
    """The pain points ticked (ids from the choices' values)."""
    return [int(x) for x in picked or [] if str(x).isdigit()]


def _one(picked) -> int:
    """Rewording takes exactly one card: ticking two once silently changed only the first."""
    ids = _ids(picked)
    if len(ids) != 1:
        raise KatachiError("pick_one", count=len(ids))
    return ids[0]


def _pick(c) -> int:
    if c in (None, ""):
        raise KatachiError("no_candidate", index="-")
    return int(c)
