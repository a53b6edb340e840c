"""The room's inputs and buttons and what each press does on the server.

Each group is shown by the page's stylesheet only where the board says it applies (the stage, whether
the reader runs the workshop; see :mod:`ui.web.room.board`). A press answers the new board and a
notice — two outputs — and empties the fields it used. Every action asks :mod:`ui.policy` on the
server whatever the page showed (a participant's crafted request to approve is refused).
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import gradio as gr

from katachi.agents.schemas import PLAYBOOK_SECTIONS
from katachi.core.errors import KatachiError
from katachi.ui.web.common import LANG_JS, notice, tr, ui_lang
from katachi.ui.web.room import decisions
from katachi.ui.web.scripts import RESTORE_JS, SEND_JS

if TYPE_CHECKING:
    from katachi.ui.policy import User
    from katachi.ui.web.room.handlers import RoomView


class Controls:
    """Mixed into :class:`ui.web.room.page.RoomTab` (``ctx``, ``room``, ``note``, ``lang``, ``current``).

    The facilitator's groups are not even rendered for someone who runs no workshop (set once, as the page
    loads: :meth:`staff_groups`): a participant's phone draws and keeps alive only what it can use (with
    them all rendered and hidden, an idle participant's tab cost twice the CPU)."""

    # The page's, set or defined by RoomTab
    ctx: Any  # ui.web.app.AppContext, which imports this module
    room: gr.HTML
    note: gr.HTML
    lang: gr.Textbox
    current: gr.BrowserState
    _seat: Callable[[str, str | None], tuple[User, str]]
    _view: Callable[[str, str, gr.Request], tuple[User, RoomView]]
    draw: Callable[..., str]

    def fac_groups(self) -> list:
        return [
            self.fac_intake,
            self.fac_themes,
            self.fac_kpis,
            self.fac_usecases,
            self.fac_playbook,
            self.fac_reviewed,
            self.fac_room,
        ]

    def staff_groups(self, request: gr.Request):
        """As the page loads: the facilitator's controls exist for people who may run workshops."""
        from katachi.ui import policy

        try:
            runs = policy.allowed(self.ctx.rooms.user(request.username), "company.create_form")
        except KatachiError:
            runs = False
        return [gr.update(visible=runs)] * len(self.fac_groups())

    def build_controls(self, t) -> None:
        self._activity(t)
        with gr.Group(elem_id="k-intake"):
            self.pain = gr.Textbox(label=t("pain_point"), lines=1, max_lines=1, elem_id="k-pain")
            with gr.Row():
                self.pain_dept = gr.Dropdown(label=t("department"), choices=[], elem_id="k-pain-dept")
                self.send_btn = gr.Button(t("submit"), variant="primary", elem_id="k-send")
        with gr.Group(elem_id="k-fac-intake", elem_classes=["k-fac"], visible=False) as self.fac_intake:
            # Pick the cards to merge, reword or delete: nobody types ids, which need not match the
            # numbers on screen.
            self.ids = gr.CheckboxGroup(label=t("ids"), choices=[], elem_id="k-ids")
            with gr.Row():
                self.merge_btn = gr.Button(t("merge"), elem_id="k-merge")
                self.delete_btn = gr.Button(t("delete"), elem_id="k-delete")
            with gr.Row():
                self.edit_text = gr.Textbox(label=t("edit_text"), elem_id="k-edit-text")
                self.edit_btn = gr.Button(t("edit"), elem_id="k-edit")
            self.start_btn = gr.Button(t("start"), variant="primary", elem_id="k-start")
        self._themes(t)
        self._kpis(t)
        self._usecases(t)
        with gr.Group(elem_id="k-fac-playbook", elem_classes=["k-fac"], visible=False) as self.fac_playbook:
            self.approve_p = gr.Button(t("approve"), variant="primary", elem_id="k-approve-playbook")
            self.sections = gr.CheckboxGroup(label=t("sections"), choices=list(PLAYBOOK_SECTIONS), elem_id="k-sections")
            self.pb_comment = gr.Textbox(label=t("comment"), elem_id="k-pb-comment")
            self.request_btn = gr.Button(t("request_changes"), elem_id="k-request-changes")
        self._reviewed(t)
        self._room_tools(t)

    def _reviewed(self, t) -> None:
        """The gate of any stage with no controls of its own (graphs.stages.reviewed): approve or send back."""
        with gr.Group(elem_id="k-fac-reviewed", elem_classes=["k-fac"], visible=False) as self.fac_reviewed:
            self.approve_r = gr.Button(t("approve"), variant="primary", elem_id="k-approve-reviewed")
            self.r_feedback = gr.Textbox(label=t("feedback"), elem_id="k-reviewed-feedback")
            self.reject_r = gr.Button(t("reject"), elem_id="k-reject-reviewed")

    def _activity(self, t) -> None:
        """What participants do while the model works (and after): one activity on screen at a time."""
        with gr.Group(elem_id="k-activity"):
            self.act_head = gr.HTML(elem_id="k-act-head")
            self.act_kind = gr.Radio(choices=[], label=t("act_choose"), elem_id="k-act-kind")
            self.act_target = gr.Dropdown(choices=[], label=t("act_target"), elem_id="k-act-target")
            with gr.Row():
                self.act_a = gr.Radio(choices=[1, 2, 3, 4, 5], label=t("act_impact"), elem_id="k-act-a")
                self.act_b = gr.Radio(choices=[1, 2, 3, 4, 5], label=t("act_urgency"), elem_id="k-act-b")
            self.act_text = gr.Textbox(label=t("act_why"), elem_id="k-act-text")
            self.act_send = gr.Button(t("act_send"), variant="primary", elem_id="k-act-send")

    def _themes(self, t) -> None:
        with gr.Group(elem_id="k-fac-themes", elem_classes=["k-fac"], visible=False) as self.fac_themes:
            self.cand = gr.Radio(label=t("candidate"), choices=[], elem_id="k-cand")
            self.choose_btn = gr.Button(t("choose"), variant="primary", elem_id="k-choose")
            self.th_title = gr.Textbox(label=t("title"), elem_id="k-th-title")
            self.th_problem = gr.Textbox(label=t("problem"), lines=2, elem_id="k-th-problem")
            self.th_outcome = gr.Textbox(label=t("outcome"), lines=2, elem_id="k-th-outcome")
            self.edit_theme_btn = gr.Button(t("edit_theme"), elem_id="k-edit-theme")
            self.th_feedback = gr.Textbox(label=t("feedback"), elem_id="k-th-feedback")
            self.regen_btn = gr.Button(t("regenerate"), elem_id="k-regen")

    def _kpis(self, t) -> None:
        with gr.Group(elem_id="k-fac-kpis", elem_classes=["k-fac"], visible=False) as self.fac_kpis:
            self.kpi_df = gr.Dataframe(
                headers=decisions.KPI_COLS,
                type="array",
                interactive=True,
                static_columns=[0],
                label=t("kpi_table"),
                elem_id="k-kpi-df",
                wrap=True,
            )
            with gr.Row():
                self.approve_k = gr.Button(t("approve"), variant="primary", elem_id="k-approve-kpis")
                self.save_k = gr.Button(t("save_edits"), elem_id="k-save-kpis")
            self.k_feedback = gr.Textbox(label=t("feedback"), elem_id="k-kpi-feedback")
            self.reject_k = gr.Button(t("reject"), elem_id="k-reject-kpis")

    def _usecases(self, t) -> None:
        with gr.Group(elem_id="k-fac-usecases", elem_classes=["k-fac"], visible=False) as self.fac_usecases:
            # the id column is the use case's own: not edited, and no column is added or removed
            self.uc_df = gr.Dataframe(
                headers=decisions.UC_COLS,
                type="array",
                interactive=True,
                static_columns=[0],
                label=t("uc_table"),
                elem_id="k-uc-df",
                wrap=True,
            )
            with gr.Accordion(t("uc_add_head"), open=False, elem_id="k-uc-add"):
                with gr.Row():
                    self.uc_new_dept = gr.Dropdown(label=t("kcol_department"), choices=[], elem_id="k-uc-new-dept")
                    self.uc_new_kpi = gr.Dropdown(label=t("kcol_kpi_id"), choices=[], elem_id="k-uc-new-kpi")
                self.uc_new_title = gr.Textbox(label=t("kcol_title"), elem_id="k-uc-new-title")
                with gr.Row():
                    self.uc_new_who = gr.Textbox(label=t("kcol_who"), elem_id="k-uc-new-who")
                    self.uc_new_when = gr.Textbox(label=t("kcol_when"), elem_id="k-uc-new-when")
                with gr.Row():
                    self.uc_new_input = gr.Textbox(label=t("kcol_input"), elem_id="k-uc-new-input")
                    self.uc_new_output = gr.Textbox(label=t("kcol_output"), elem_id="k-uc-new-output")
                self.uc_add = gr.Button(t("uc_add"), elem_id="k-uc-add-btn")
            self.uc_new = [
                self.uc_new_dept,
                self.uc_new_kpi,
                self.uc_new_title,
                self.uc_new_who,
                self.uc_new_when,
                self.uc_new_input,
                self.uc_new_output,
            ]
            self.drop = gr.Textbox(label=t("drop_ids"), elem_id="k-drop")
            self.approve_u = gr.Button(t("approve"), variant="primary", elem_id="k-approve-usecases")
            self.u_feedback = gr.Textbox(label=t("feedback"), elem_id="k-uc-feedback")
            self.reject_u = gr.Button(t("reject"), elem_id="k-reject-usecases")

    def _room_tools(self, t) -> None:
        with gr.Group(elem_id="k-fac-room", elem_classes=["k-fac"], visible=False) as self.fac_room:
            with gr.Row():
                self.reveal_btn = gr.Button(t("reveal"), variant="primary", elem_id="k-reveal")
                self.votes_btn = gr.Button(t("show_votes"), elem_id="k-show-votes")
                self.retry_btn = gr.Button(t("continue"), elem_id="k-retry")
                self.renew_btn = gr.Button(t("renew_code"), elem_id="k-renew-code")
            with gr.Row():
                self.minutes = gr.Number(value=5, precision=1, minimum=0, label=t("timer_minutes"), elem_id="k-minutes")
                self.timer_label = gr.Textbox(label=t("timer_label"), elem_id="k-timer-label")
                self.timer_set = gr.Button(t("timer_set"), elem_id="k-timer-set")
                self.timer_stop = gr.Button(t("timer_stop"), elem_id="k-timer-stop")
            # anonymity is set per activity, for everyone, by the facilitator: a participant's own
            # checkbox would stay ticked and send the next pain point anonymously too
            self.anon_acts = gr.CheckboxGroup(label=t("anon_acts"), choices=[], elem_id="k-anon-acts")

    # -- presses ---------------------------------------------------------------------------------------
    def _act(self, fn, ok: str = "saved", clear: tuple = (), restore: bool = False):
        """A button handler: run ``fn(rooms, user, wid, view, *inputs)``, then the new board at once.
        ``restore``: a refused text is handed back to the page (:data:`RESTORE_JS` puts it back)."""

        def handler(lang, wid, *args, request: gr.Request):
            lg = ui_lang(lang)
            try:
                user, wid = self._seat(wid, request.username)
                view = self.ctx.rooms.view(user, wid)
                said = fn(self.ctx.rooms, user, wid, view, *args)
            except KatachiError as err:  # inputs untouched: nothing typed is lost
                note = notice(lg, err)
                if restore and args and isinstance(args[0], str):
                    note = note.replace("<div ", f'<div data-restore="{html.escape(args[0])}" ', 1)
                return {self.note: note}
            out: dict[Any, Any] = {
                self.room: self.draw(lang, wid, request.username),
                self.note: notice(lg, ok=tr(said if said in ("queued", "sent_to_review") else ok, lg)),
            }
            for comp in clear:
                out[comp] = gr.update(value=[]) if isinstance(comp, gr.CheckboxGroup) else ""
            return out

        return handler

    def _bind(
        self,
        trigger,
        fn,
        inputs: list,
        ok: str = "saved",
        clear: tuple = (),
        every_click: bool = False,
        js: str = LANG_JS,
        restore: bool = False,
    ):
        """``every_click``: each click counts even while the previous one runs (Gradio drops them by default)."""
        bound = _bound(self._act(fn, ok, clear, restore), len(inputs))
        owner = getattr(trigger, "__self__", None)
        name = (getattr(owner, "elem_id", None) or "").removeprefix("k-").replace("-", "_") or None
        if name and trigger.__name__ == "submit":
            name += "_enter"
        return trigger(
            bound,
            [self.lang, self.current, *inputs],
            [self.room, self.note, *clear],
            js=js,
            concurrency_id="actions",
            concurrency_limit=8,
            api_name=name,
            show_progress="hidden",
            trigger_mode="multiple" if every_click else "once",
        )

    def wire_actions(self) -> None:
        b = self._bind
        send = lambda r, u, w, v, text, dept: r.submit(u, w, text, dept or "")  # noqa: E731
        for trig in (self.pain.submit, self.send_btn.click):
            # Every submission counts (Gradio drops a click while the last one runs); the box is emptied
            # in the browser as it sends, and a refused text is put back: nothing typed is lost.
            b(trig, send, [self.pain, self.pain_dept], ok="sent", every_click=True, js=SEND_JS, restore=True).then(
                None, None, None, js=RESTORE_JS
            )
        b(
            self.act_send.click,
            lambda r, u, w, v, kind, target, a, bb, text: r.answer(
                u, w, kind or (v.activities[0] if v.activities else ""), target or "", a or 0, bb or 0, text or ""
            ),
            [self.act_kind, self.act_target, self.act_a, self.act_b, self.act_text],
            ok="act_thanks",
            clear=(self.act_text,),
            every_click=True,
        )
        b(self.anon_acts.input, lambda r, u, w, v, acts: r.set_anonymous(u, w, acts or []), [self.anon_acts])
        b(self.merge_btn.click, lambda r, u, w, v, ids: r.merge_points(u, w, _ids(ids)), [self.ids], clear=(self.ids,))
        b(
            self.delete_btn.click,
            lambda r, u, w, v, ids: r.delete_points(u, w, _ids(ids)),
            [self.ids],
            clear=(self.ids,),
        )
        b(
            self.edit_btn.click,
            lambda r, u, w, v, ids, text: r.edit_point(u, w, _one(ids), text),
            [self.ids, self.edit_text],
            clear=(self.ids, self.edit_text),
        )
        b(self.start_btn.click, lambda r, u, w, v: r.start(u, w), [], ok="queued")
        self._wire_gates()
        self._wire_reviewed()
        b(
            self.timer_set.click,
            lambda r, u, w, v, m, lab: r.set_timer(u, w, m or 0, lab),
            [self.minutes, self.timer_label],
        )
        b(self.timer_stop.click, lambda r, u, w, v: r.set_timer(u, w, 0), [])
        b(self.retry_btn.click, lambda r, u, w, v: r.retry(u, w), [], ok="queued")
        b(self.renew_btn.click, lambda r, u, w, v: r.renew_code(u, w), [], ok="code_renewed")
        b(self.reveal_btn.click, lambda r, u, w, v: r.reveal(u, w), [], ok="revealed")
        b(self.votes_btn.click, lambda r, u, w, v: r.show_votes(u, w), [], ok="revealed")

    def _wire_gates(self) -> None:
        """The gates with controls of their own, one stage after another."""
        self._wire_themes()
        self._wire_kpis()
        self._wire_usecases()
        self._wire_playbook()

    def _wire_themes(self) -> None:
        b = self._bind
        b(
            self.choose_btn.click,
            lambda r, u, w, v, c: r.decide(u, w, _gate("themes", decisions.theme_choice(_pick(c)))),
            [self.cand],
            ok="queued",
        )
        b(
            self.edit_theme_btn.click,
            lambda r, u, w, v, c, t1, t2, t3: r.decide(
                u, w, _gate("themes", decisions.theme_edit(v.values.get("theme_candidates") or [], c, t1, t2, t3))
            ),
            [self.cand, self.th_title, self.th_problem, self.th_outcome],
            ok="queued",
        )
        b(
            self.regen_btn.click,
            lambda r, u, w, v, fb: r.decide(u, w, _gate("themes", {"action": "regenerate", "feedback": fb})),
            [self.th_feedback],
            ok="queued",
            clear=(self.th_feedback,),
        )

    def _wire_kpis(self) -> None:
        b = self._bind
        b(
            self.approve_k.click,
            lambda r, u, w, v: r.decide(u, w, _gate("kpis", {"action": "approve"})),
            [],
            ok="queued",
        )
        b(
            self.save_k.click,
            lambda r, u, w, v, df: r.decide(u, w, _gate("kpis", decisions.kpi_edit(v.values.get("kpis") or [], df))),
            [self.kpi_df],
            ok="queued",
        )
        b(
            self.reject_k.click,
            lambda r, u, w, v, fb: r.decide(u, w, _gate("kpis", {"action": "reject", "feedback": fb})),
            [self.k_feedback],
            ok="queued",
            clear=(self.k_feedback,),
        )

    def _wire_usecases(self) -> None:
        b = self._bind
        b(
            self.approve_u.click,
            lambda r, u, w, v, df, drop: r.decide(
                u, w, _gate("usecases", decisions.usecase_decision(v.values.get("use_cases") or [], df, drop or ""))
            ),
            [self.uc_df, self.drop],
            ok="queued",
            clear=(self.drop,),
        )
        b(
            self.reject_u.click,
            lambda r, u, w, v, fb: r.decide(u, w, _gate("usecases", {"action": "reject", "feedback": fb})),
            [self.u_feedback],
            ok="queued",
            clear=(self.u_feedback,),
        )

    def _wire_playbook(self) -> None:
        b = self._bind
        b(
            self.approve_p.click,
            lambda r, u, w, v: r.decide(u, w, _gate("playbook", {"action": "approve"})),
            [],
            ok="queued",
        )
        b(
            self.request_btn.click,
            lambda r, u, w, v, secs, cm: r.decide(u, w, _gate("playbook", decisions.playbook_changes(secs, cm))),
            [self.sections, self.pb_comment],
            ok="queued",
            clear=(self.pb_comment,),
        )

    def _wire_reviewed(self) -> None:
        """The open gate's own stage is the one decided: the board says which (``view.stage``)."""
        b = self._bind
        b(
            self.approve_r.click,
            lambda r, u, w, v: r.decide(u, w, {"action": "approve", "gate": v.stage}),
            [],
            ok="queued",
        )
        b(
            self.reject_r.click,
            lambda r, u, w, v, fb: r.decide(u, w, {"action": "reject", "feedback": fb, "gate": v.stage}),
            [self.r_feedback],
            ok="queued",
            clear=(self.r_feedback,),
        )

    def add_usecase(self, lang, wid, table, dept, kpi, title, who, when, inp, out, request: gr.Request):
        """A use case the facilitator adds: a row of the table with the next id, every field it needs
        asked for by name, not through the table's hidden cell menu (which also offers to delete a column)."""
        lg = ui_lang(lang)
        try:
            _, view = self._view(lg, wid, request)
            if not view.can_facilitate or view.stage != "usecases":
                raise KatachiError("forbidden", action="workshop.facilitate")
            rows = decisions.add_row(
                table,
                {
                    "department": dept,
                    "kpi_id": kpi,
                    "title": title,
                    "who": who,
                    "when": when,
                    "input": inp,
                    "output": out,
                },
            )
        except KatachiError as err:
            return {self.note: notice(lg, err)}
        return {
            self.uc_df: rows,
            self.note: notice(lg, ok=tr("uc_added", lg, id=rows[-1][0])),
            **{c: "" for c in self.uc_new[2:]},
        }


def _bound(handler, n_inputs: int):
    """``handler`` with the explicit signature Gradio reads (lang, wid, inputs…, request)."""
    params = [
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for n in ["lang", "wid"] + [f"a{i}" for i in range(n_inputs)]
    ]
    # Gradio fills a parameter annotated gr.Request by its position in the signature.
    params.append(inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request))

    def bound(*args):
        return handler(*args[:-1], request=args[-1])

    # what inspect.signature reads first; typeshed's function type does not declare it
    bound.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    bound.__annotations__ = {"request": gr.Request}
    return bound


def _gate(name: str, decision: dict) -> dict:
    """A facilitator's decision, for the gate it was made at."""
    return {**decision, "gate": name}


def _ids(picked) -> list[int]:
    """The pain points ticked (ids from the choices' values)."""
    return [int(x) for x in picked or [] if str(x).isdigit()]


def _one(picked) -> int:
    """Rewording takes exactly one card: with two ticked, changing only the first would go unnoticed."""
    ids = _ids(picked)
    if len(ids) != 1:
        raise KatachiError("pick_one", count=len(ids))
    return ids[0]


def _pick(c) -> int:
    if c in (None, ""):
        raise KatachiError("no_candidate", index="-")
    return int(c)
