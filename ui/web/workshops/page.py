"""The workshops tab: my workshops (resume any time), create one, join with a code."""

from __future__ import annotations

import datetime as dt

import gradio as gr

from katachi.core.errors import KatachiError
from katachi.core.i18n import LANGS
from katachi.graphs.stages import label as stage_label
from katachi.ui import policy
from katachi.ui.web.common import LANG_JS, notice, tr, ui_lang, workshop_choices


class WorkshopsTab:
    def __init__(self, ctx, t, lang, current) -> None:
        self.ctx, self.lang, self.current = ctx, lang, current
        self.note = gr.HTML(elem_id="k-ws-notice")
        with gr.Row():
            with gr.Column(scale=3):
                gr.Markdown(t("my_workshops"))
                self.table = gr.Dataframe(interactive=False, elem_id="k-ws-table", wrap=True)
                with gr.Row():
                    self.pick = gr.Dropdown(label=t("workshop"), choices=[], elem_id="k-ws-pick", scale=3)
                    self.open_btn = gr.Button(t("open"), variant="primary", elem_id="k-ws-open", scale=1)
                    self.refresh_btn = gr.Button(t("refresh"), elem_id="k-ws-refresh", scale=1)
            with gr.Column(scale=2):
                with gr.Group(visible=False) as self.create_g:
                    gr.Markdown(t("create_head"))
                    self.company = gr.Dropdown(
                        label=t("company"), choices=[], allow_custom_value=True, elem_id="k-company"
                    )
                    self.title = gr.Textbox(label=t("title"), elem_id="k-title-in")
                    self.depts = gr.Textbox(label=t("departments"), elem_id="k-depts")
                    self.ws_lang = gr.Radio(list(LANGS), value="ja", label=t("ws_lang"), elem_id="k-ws-lang")
                    self.mode = gr.Radio(
                        [(t("mode_live"), "live"), (t("mode_self"), "self")],
                        value="live",
                        label=t("mode"),
                        elem_id="k-mode",
                    )
                    self.dots = gr.Number(value=3, precision=0, minimum=1, maximum=10, label=t("dots"))
                    self.invite = gr.Textbox(label=t("invite"), elem_id="k-invite")
                    self.with_review = gr.Checkbox(label=t("with_review"), value=True, elem_id="k-with-review")
                    self.create_btn = gr.Button(t("create"), variant="primary", elem_id="k-create")
                gr.Markdown(t("join_head"))
                with gr.Row():
                    self.code = gr.Textbox(label=t("join_code"), elem_id="k-join-code", scale=2)
                    self.join_btn = gr.Button(t("join"), elem_id="k-join", scale=1)

    # -- handlers ----------------------------------------------------------------------------------
    def _listing(self, user, lang):
        rows = self.ctx.rooms.my_workshops(user)
        head = [
            tr("title", lang),
            tr("company", lang),
            tr("mode", lang),
            tr("join_code", lang),
            tr("col_stage", lang),
            tr("col_created", lang),
        ]
        data = [
            [
                w["title"],
                w["company"],
                tr("mode_" + w["mode"], lang),
                w["join_code"] or "",
                stage_label(w["stage"], lang),
                dt.datetime.fromtimestamp(w["created"]).strftime("%Y-%m-%d %H:%M"),
            ]
            for w in rows
        ]
        return gr.update(value=data or [[""] * len(head)], headers=head), gr.update(
            choices=workshop_choices(rows, lang)
        )

    def load(self, lang, request: gr.Request):
        lg = ui_lang(lang)
        try:
            user = self.ctx.rooms.user(request.username)
        except KatachiError as err:
            return notice(lg, err), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        table, pick = self._listing(user, lg)
        can_create = policy.allowed(user, "company.create_form")
        companies = _all_companies(self.ctx, user) if policy.allowed(user, "company.list_all") else user.companies
        return (
            "",
            table,
            pick,
            gr.update(visible=can_create),
            gr.update(choices=companies, value=companies[0] if companies else None),
        )

    def create(self, lang, company, title, depts, ws_lang, mode, dots, invite, with_review, request: gr.Request):
        lg = ui_lang(lang)
        try:
            user = self.ctx.rooms.user(request.username)
            parts = [d for d in depts.replace("、", ",").replace("，", ",").split(",")]
            names = (invite or "").replace("、", ",").replace("，", ",").split(",")
            ws = self.ctx.rooms.create(
                user, company or "", title or "", parts, ws_lang, mode, int(dots or 3), names, review=bool(with_review)
            )
        except KatachiError as err:
            return notice(lg, err), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        table, pick = self._listing(user, lg)
        return notice(lg, ok=tr("saved", lg)), table, pick, ws["id"], gr.Tabs(selected="room")

    def join(self, lang, code, request: gr.Request):
        lg = ui_lang(lang)
        try:
            user = self.ctx.rooms.user(request.username)
            attempt = lambda: self.ctx.rooms.join(user, code)  # noqa: E731
            client = request.client.host if request.client else "?"  # as ui.web.proxies resolved it
            ws = self.ctx.throttle.try_code(client, attempt) if self.ctx.throttle else attempt()
        except KatachiError as err:
            return notice(lg, err), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        table, pick = self._listing(user, lg)
        return notice(lg, ok=tr("saved", lg)), table, pick, ws["id"], gr.Tabs(selected="room")

    def open(self, lang, wid, request: gr.Request):
        lg = ui_lang(lang)
        try:
            self.ctx.rooms.view(self.ctx.rooms.user(request.username), wid or "")
        except KatachiError as err:
            return notice(lg, err), gr.skip(), gr.skip()
        return "", wid, gr.Tabs(selected="room")

    def wire(self, tabs, room) -> None:

        outs = [self.note, self.table, self.pick, self.current, tabs]
        self.create_btn.click(
            self.create,
            [
                self.lang,
                self.company,
                self.title,
                self.depts,
                self.ws_lang,
                self.mode,
                self.dots,
                self.invite,
                self.with_review,
            ],
            outs,
            js=LANG_JS,
        ).then(room.force, [self.lang, self.current], [room.room, self.current], js=LANG_JS, show_progress="hidden")
        for ev in (self.join_btn.click, self.code.submit):
            ev(self.join, [self.lang, self.code], outs, js=LANG_JS).then(
                room.force, [self.lang, self.current], [room.room, self.current], js=LANG_JS, show_progress="hidden"
            )
        self.open_btn.click(self.open, [self.lang, self.pick], [self.note, self.current, tabs], js=LANG_JS).then(
            room.force, [self.lang, self.current], [room.room, self.current], js=LANG_JS, show_progress="hidden"
        )
        self.refresh_btn.click(
            self.load, [self.lang], [self.note, self.table, self.pick, self.create_g, self.company], js=LANG_JS
        )

    def on_load(self, demo) -> None:

        demo.load(self.load, [self.lang], [self.note, self.table, self.pick, self.create_g, self.company], js=LANG_JS)


def _all_companies(ctx, user) -> list[str]:
    from katachi.knowledge.store import list_companies

    return sorted(set(list_companies(ctx.settings)) | set(user.companies))
