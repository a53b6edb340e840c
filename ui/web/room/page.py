"""The workshop room: the board (one HTML, :mod:`ui.web.room.board`), the participants' activity,
and the facilitator's controls per stage.

Few outputs per event. The board's script (:data:`ui.web.scripts.ROOM_JS`) asks the server once a
second whether the room changed and then fires the board's ``refresh`` (one output: the board); when
the board says a new gate is open it fires ``fill`` (the gate's editable fields, the document), and
the dot buttons on the cards fire ``vote``. The controls are shown or hidden by the stylesheet from
the board's ``data-`` attributes, so no redraw updates a component's visibility, and nobody's
half-typed text is overwritten: fields are filled only when a new gate opens.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from katachi.agents.schemas import PLAYBOOK_SECTIONS
from katachi.core.errors import KatachiError
from katachi.ui.web.common import LANG_JS, notice, section_label, tr, ui_lang
from katachi.ui.web.room import board, decisions
from katachi.ui.web.room.activities import ANONYMITY
from katachi.ui.web.room.controls import Controls
from katachi.ui.web.scripts import ROOM_JS

log = logging.getLogger(__name__)
CALM = {"guest_expired"}  # said to a participant as something to wait for, not as an error


class RoomTab(Controls):
    def __init__(self, ctx, t, lang, current) -> None:
        self.ctx, self.lang, self.current = ctx, lang, current
        self.room = gr.HTML(elem_id="k-room", js_on_load=ROOM_JS)
        self.note = gr.HTML(elem_id="k-room-notice")
        self.build_controls(t)
        self.doc = gr.HTML(elem_id="k-doc")  # the playbook, the 完了 page: drawn once per gate
        self.fill_outputs = [
            self.doc,
            self.th_title,
            self.th_problem,
            self.th_outcome,
            self.kpi_df,
            self.uc_df,
            self.cand,
            self.sections,
            self.pain_dept,
            self.anon_acts,
            self.act_kind,
            self.act_head,
            self.act_target,
            self.act_a,
            self.act_b,
            self.act_text,
            self.uc_new_dept,
            self.uc_new_kpi,
        ]

    # -- who and which workshop ------------------------------------------------------------------------
    def _seat(self, wid: str, username: str | None):
        """(user, workshop id): a guest's workshop is the one their seat is in, whatever the browser
        remembers (so a browser that joined an earlier workshop is not stuck on it)."""
        user = self.ctx.rooms.user(username)
        return user, (user.guest_of or wid or "")

    def _view(self, lang: str, wid: str, request: gr.Request):
        user, wid = self._seat(wid, request.username)
        return user, self.ctx.rooms.view(user, wid)

    # -- the board -------------------------------------------------------------------------------------
    def draw(self, lang: str, wid: str, username: str | None, cached: bool = False) -> str:
        lg = ui_lang(lang)
        try:
            user, wid = self._seat(wid, username)
            if not wid:
                return f'<div class="k-room" data-stage="none"><p>{tr("no_workshop", lg)}</p></div>'
            view = self.ctx.rooms.view(user, wid, cached=cached)
        except KatachiError as err:
            said = notice(lg, err)
            if err.code in CALM:
                said = said.replace("k-notice k-error", "k-notice k-wait", 1)
            return (
                f'<div class="k-room" data-workshop="{board.e(wid or "")}" data-stage="none" '
                f'data-version="error:{err.code}">{said}</div>'
            )
        ws = view.workshop
        if view.can_facilitate and ws["mode"] == "live" and ws.get("join_code") and not ws.get("opened"):
            self.ctx.db.open_room(wid, self.ctx.settings.join_code_hours)  # the code's window starts now
            ws.update(self.ctx.db.workshop(wid) or {})
        return board.room(view, lg, gate_key(view, lg), self.ctx.public_url, self.ctx.join_warning)

    def poll(self, lang, wid, request: gr.Request):
        return self.draw(lang, wid, request.username, cached=True)

    def force(self, lang, wid, request: gr.Request):
        """The first draw of a page (or after opening a workshop): the board, and the workshop it is."""
        try:
            _, wid = self._seat(wid, request.username)
        except KatachiError:
            pass
        return self.draw(lang, wid, request.username), wid or ""

    def fill(self, lang, wid, request: gr.Request) -> dict:
        """A new gate (or stage, or language): what it puts into the editable fields, and the document."""
        lg = ui_lang(lang)
        try:
            _, view = self._view(lg, wid, request)
        except KatachiError:
            return {self.doc: ""}
        v = view.values
        out: dict = {
            self.doc: board.document(view, lg),
            self.pain_dept: gr.update(choices=[""] + view.workshop["departments"]),
            self.cand: gr.update(
                choices=[(f"{tr('candidate', lg)} {i + 1}", i) for i in range(len(v.get("theme_candidates") or []))]
            ),
            self.anon_acts: gr.update(
                choices=[(tr("anon_" + a, lg), a) for a in ANONYMITY], value=list(view.workshop.get("anonymous") or [])
            ),
        }
        procs = [(f"procedures:{u['id']}", u.get("title", "")) for u in v.get("use_cases") or []]
        out[self.sections] = gr.update(
            choices=[(section_label(n, lg), n) for n in PLAYBOOK_SECTIONS]
            + [(f"{section_label(n, lg)}: {title}", n) for n, title in procs],
            value=[],
        )
        out.update(self._gate_fields(view, lg))
        acts = view.activities
        out[self.act_kind] = gr.update(
            choices=[(tr("actname_" + k, lg), k) for k in acts], value=acts[0] if acts else None
        )
        out.update(self._activity_inputs(acts[0] if acts else "", view, lg))
        return out

    def _gate_fields(self, view, lg: str) -> dict:
        v = view.values
        out: dict[Any, Any] = {}
        cands = v.get("theme_candidates") or []
        if view.stage == "themes" and cands:
            best = max(range(len(cands)), key=lambda i: view.tally[i] if i < len(view.tally) else 0)
            out.update(
                {
                    self.th_title: cands[best]["title"],
                    self.th_problem: cands[best]["problem"],
                    self.th_outcome: cands[best]["outcome"],
                }
            )
        if view.stage == "kpis":
            out[self.kpi_df] = gr.update(
                value=decisions.kpi_rows(v.get("kpis") or []), headers=[tr("kcol_" + c, lg) for c in decisions.KPI_COLS]
            )
        if view.stage == "usecases":
            out[self.uc_df] = gr.update(
                value=decisions.uc_rows(v.get("use_cases") or []),
                headers=[tr("kcol_" + c, lg) for c in decisions.UC_COLS],
            )
            out[self.uc_new_dept] = gr.update(choices=view.workshop["departments"], value=None)
            out[self.uc_new_kpi] = gr.update(
                choices=[(f"{k['id']} {k['name']}", k["id"]) for k in v.get("kpis") or []], value=None
            )
        return out

    def _activity_inputs(self, kind: str, view, lg: str) -> dict:
        """The inputs of one activity and its header (what is asked, whether answers carry the name). Which
        inputs it uses is said by the header's data- attributes and shown by the stylesheet: an input
        made invisible by an update while its event runs keeps the app's progress timer ticking for ever
        (measured: five of them double an idle tab's CPU)."""
        from katachi.ui.web.room.activities import targets
        from katachi.ui.web.room.render import activity_head

        choices = targets(kind, view.values)
        scales = {
            "pain": ("act_impact", "act_urgency"),
            "usecase": ("act_impact", "act_feasibility"),
            "endorse": ("act_endorse", ""),
            "kpi": ("", ""),
        }.get(kind, ("", ""))
        uses = {
            "kinds": len(view.activities),
            "target": int(len(choices) > 1),
            "a": int(bool(scales[0])),
            "b": int(bool(scales[1])),
            "text": int(kind in ("endorse", "kpi")),
        }
        return {
            self.act_head: activity_head(kind, view.workshop, lg, uses),
            self.act_target: gr.update(
                choices=choices,
                value=choices[0][1] if len(choices) == 1 else None,
                label=tr("act_target_" + kind, lg) if kind else "",
            ),
            self.act_a: gr.update(label=tr(scales[0], lg) if scales[0] else "", value=None),
            self.act_b: gr.update(label=tr(scales[1], lg) if scales[1] else "", value=None),
            self.act_text: gr.update(value="", label=tr("act_why" if kind == "endorse" else "act_comment", lg)),
        }

    def pick_activity(self, lang, wid, kind, request: gr.Request):
        """Another open activity picked: its inputs and its header."""
        try:
            _, view = self._view(lang, wid, request)
        except KatachiError:
            return {}
        return self._activity_inputs(kind if kind in view.activities else "", view, ui_lang(lang))

    def pick_candidate(self, lang, wid, index, request: gr.Request):
        """The edit fields follow the candidate the facilitator picks (participants have none to fill)."""
        try:
            _, view = self._view(lang, wid, request)
            cand = (view.values.get("theme_candidates") or [])[int(index)]
        except (KatachiError, IndexError, TypeError, ValueError):
            return gr.skip(), gr.skip(), gr.skip()
        if not view.can_facilitate:
            return gr.skip(), gr.skip(), gr.skip()
        return cand["title"], cand["problem"], cand["outcome"]

    def point_choices(self, lang, wid, request: gr.Request):
        """The facilitator's pick list of pain points (to merge, reword, delete), numbered as on the board."""
        try:
            _, view = self._view(lang, wid, request)
        except KatachiError:
            return gr.skip()
        return gr.update(choices=[(f"{n}. {p['text'][:40]}", p["id"]) for n, p in enumerate(view.points, 1)])

    # -- wiring ----------------------------------------------------------------------------------------
    def wire(self) -> None:
        ins = [self.lang, self.current]
        quiet: dict[str, Any] = {"js": LANG_JS, "show_progress": "hidden"}
        self.room.refresh(
            self.poll,
            ins,
            [self.room],
            api_name="poll",
            trigger_mode="once",
            concurrency_id="poll",
            concurrency_limit=32,
            **quiet,
        )
        self.room.fill(self.fill, ins, self.fill_outputs, api_name="fill", trigger_mode="always_last", **quiet)
        self.room.points(self.point_choices, ins, [self.ids], api_name="points", trigger_mode="always_last", **quiet)
        self.room.vote(
            self.vote,
            ins,
            [self.room, self.note],
            api_name="vote",
            trigger_mode="multiple",
            concurrency_id="actions",
            concurrency_limit=8,
            **quiet,
        )
        self.act_kind.input(
            self.pick_activity,
            [self.lang, self.current, self.act_kind],
            [self.act_head, self.act_target, self.act_a, self.act_b, self.act_text],
            **quiet,
        )
        self.cand.input(
            self.pick_candidate,
            [self.lang, self.current, self.cand],
            [self.th_title, self.th_problem, self.th_outcome],
            **quiet,
        )
        self.uc_add.click(
            self.add_usecase,
            [self.lang, self.current, self.uc_df, *self.uc_new],
            [self.uc_df, self.note, *self.uc_new[2:]],
            **quiet,
        )
        self.wire_actions()

    def vote(self, lang, wid, evt: gr.EventData, request: gr.Request):
        """A dot button on a card: one dot more or less on that candidate."""
        lg = ui_lang(lang)
        try:
            user, wid = self._seat(wid, request.username)
            index, delta = int(evt.index), int(evt.delta)
            self.ctx.rooms.vote(user, wid, index, +1 if delta > 0 else -1)
        except KatachiError as err:
            return {self.note: notice(lg, err)}
        except (AttributeError, TypeError, ValueError):
            return {self.note: ""}
        return {self.room: self.draw(lang, wid, request.username), self.note: notice(lg, ok=tr("saved", lg))}

    def on_load(self, demo) -> None:
        demo.load(self.force, [self.lang, self.current], [self.room, self.current], js=LANG_JS, show_progress="hidden")
        demo.load(self.staff_groups, None, self.fac_groups(), show_progress="hidden")


def gate_key(view, lg: str) -> str:
    """Changes when the editable fields or the document must be filled again: a new stage or gate, what
    the room may see of it, the playbook's version, the review, the open activities, the language."""
    v = view.values
    return (
        f"{view.stage}:{len(v.get('decisions') or [])}:{len(v.get('versions') or [])}:{bool(view.gate)}:"
        f"{view.hidden}:{view.revealed}:{view.review}:{lg}:{','.join(view.activities)}"
    )
