"""``katachi ui``: the Gradio app. Login, the workshop list, the room, company documents.

Pages are thin: every click calls a handler in :mod:`ui.rooms` that checks the caller's role on the
server. Model work runs in :mod:`ui.jobs`; pages poll (``gr.Timer``) and redraw only what changed.
"""
from __future__ import annotations

import functools
import html
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from core.errors import KatachiError
from core.i18n import t as text_of
from ui import policy
from core.settings import Settings

from ui.web.appdb import AppDB, open_app_db
from ui.web.jobs import ModelJobs
from ui.web.room.handlers import Rooms
from ui.web.scripts import APPLY_LANG, HIDE_TABS, IME_GUARD, ROOM_POLL

log = logging.getLogger(__name__)

@dataclass
class AppContext:
    settings: Settings
    db: AppDB
    rooms: Rooms
    public_url: str = ""  # where participants join: the setting, else the address the app listens on
    tokens: Any = None  # the login sessions (ui.web.auth.GuestTokens), once the app is launched
    throttle: Any = None  # failed logins and join codes (ui.web.throttle.LoginThrottle), once launched

    @property
    def exports_dir(self) -> Path:
        return self.settings.data_dir / "exports"

    @functools.cached_property
    def tracker(self):
        """The weekly tracker over the same workshop store (and, in tests, the same fake model)."""
        from graphs.pdca.tracker import TrackerService

        svc = self.rooms.service
        return TrackerService(svc)


def make_context(settings: Settings, service=None, workers: int | None = None) -> AppContext:
    from graphs.service import WorkshopService

    s = settings
    db = open_app_db(s)
    svc = service or WorkshopService(s)
    if s.job_queue == "database":  # `katachi worker` processes do the model work; this one enqueues
        from ui.web.jobqueue import DBJobs

        jobs = DBJobs(db, s.job_lease_s)
    else:  # one embedded model serves one request at a time; a hosted API takes a few in parallel
        jobs = ModelJobs(workers or (1 if s.provider == "local" else 4), service=svc)
    return AppContext(s, db, Rooms(db, svc, jobs))


def ensure_admin(ctx: AppContext) -> tuple[str, str] | None:
    """No admin yet (a first start, or accounts made with ``katachi user add`` before it): an admin
    account with a random password, printed once. Returns (username, password)."""
    from ui.web.auth import add_user

    users = ctx.db.users()
    if any(u["role"] == "admin" for u in users):
        return None
    taken = {u["username"] for u in users}
    name = next(n for n in ["admin"] + [f"admin{i}" for i in range(2, 100)] if n not in taken)
    password = secrets.token_urlsafe(12)
    add_user(ctx.db, name, password, "admin", [])
    return name, password


def build(ctx: AppContext):
    from ui.web.documents import page as app_docs
    from ui.web.review import page as app_review
    from ui.web.room import page as app_room
    from ui.web.tracker import page as app_tracker
    from ui.web.workshops import page as app_workshops
    from ui.web.common import LANG_JS, i18n

    t = i18n()
    with gr.Blocks(title="Katachi 型") as demo:
        lang = gr.Textbox(visible=False, value="ja", elem_id="k-lang")
        current = gr.BrowserState("", storage_key="katachi_workshop")
        with gr.Row(elem_id="k-header"):
            gr.Markdown(t("app_title"), elem_id="k-title")
            who = gr.HTML(elem_id="k-who")
            # One language per person, saved with them (it was once only in Gradio's developer settings)
            switch = gr.Radio([("日本語", "ja"), ("English", "en")], value=None, show_label=False, scale=0,
                              elem_id="k-lang-switch", container=False)
            gr.Button(t("logout"), link="/logout", size="sm", scale=0, elem_id="k-logout")
        with gr.Tabs() as tabs:
            with gr.Tab(t("tab_workshops"), id="workshops"):
                ws_tab = app_workshops.WorkshopsTab(ctx, t, lang, current)
            with gr.Tab(t("tab_room"), id="room", elem_id="k-room-tab"):
                room = app_room.RoomTab(ctx, t, lang, current)
            with gr.Tab(t("tab_review"), id="review", elem_id="k-review-tab") as review_tab:
                review = app_review.ReviewTab(ctx, t, lang)
            with gr.Tab(t("tab_tracker"), id="tracker", elem_id="k-tracker-tab") as tracker_tab:
                tracker = app_tracker.TrackerTab(ctx, t, lang)
            with gr.Tab(t("tab_docs"), id="docs", elem_id="k-docs-tab") as docs_tab:
                docs = app_docs.DocsTab(ctx, t, lang)
        ws_tab.wire(tabs, room)
        room.wire()
        review.wire()
        tracker.wire()
        docs.wire()

        def on_load(code_lang, wid, request: gr.Request):
            from ui.web.common import ui_lang

            lg = ui_lang(code_lang)
            try:
                user = ctx.rooms.user(request.username)
            except KatachiError as err:
                return (f'<span class="k-error">{err.message(lg)}</span>', gr.skip(), gr.skip(), gr.skip(), gr.skip(),
                        gr.skip())
            lg = ctx.db.lang_of(user.name) or lg  # what this person chose, on any device
            # Back after a refresh or a restart: straight into the workshop that was open.
            room_first = gr.Tabs(selected="room") if (user.guest_of or wid) else gr.skip()
            role = text_of(f"role.{user.role}", lg)
            # Participants see their room, not tabs that would stay blank for them. Gradio does not hide
            # a tab's button on an update, so the page hides the buttons the policy names (see HIDE_TABS).
            hide = [tab for tab, action in (("review", "review.tab"), ("tracker", "page.tracker"),
                                            ("docs", "page.documents")) if not policy.allowed(user, action)]
            return (f'<span data-user="{html.escape(user.name)}" data-role="{user.role}" data-hide="{" ".join(hide)}">'
                    f'{html.escape(user.display)} · {role}</span>',
                    room_first, gr.Tab(visible="review" not in hide), gr.Tab(visible="tracker" not in hide),
                    gr.Tab(visible="docs" not in hide), lg)

        def save_lang(chosen, request: gr.Request):
            if chosen in ("ja", "en") and request.username:
                ctx.db.set_lang(request.username, chosen)

        demo.load(on_load, [lang, current], [who, tabs, review_tab, tracker_tab, docs_tab, switch],
                  js=LANG_JS).then(None, [switch], None, js=APPLY_LANG).then(None, None, None, js=HIDE_TABS)
        switch.input(save_lang, [switch], None, js=APPLY_LANG, show_progress="hidden")
        ws_tab.on_load(demo)
        docs.on_load(demo)
        room.on_load(demo)
        review.on_load(demo)
        tracker.on_load(demo)
    return demo


def listen_url(host: str, port: int) -> str:
    """The address to show participants when none is configured: a wildcard host becomes this machine's
    name on the network (resolved locally), which people in the room can reach."""
    import socket

    if host in ("0.0.0.0", "::", ""):
        try:
            host = socket.gethostbyname(socket.gethostname())
        except OSError:
            host = socket.gethostname()
    return f"http://{host}:{port}/"


def launch(ctx: AppContext, host: str = "127.0.0.1", port: int = 7860, block: bool = True):
    from starlette.middleware import Middleware

    from ui.web.auth import Authenticator, GuestTokens
    from graphs.documents.html import CSS as PAGE_CSS
    from ui.web.room.render import CSS
    from ui.web.review.render import CSS as REVIEW_CSS
    from ui.web.common import i18n
    from ui.web.bodylimit import BodyLimit
    from ui.web.login import LoginGuard
    from ui.web.proxies import install as trust_proxies
    from ui.web.proxies import parse_proxies
    from ui.web.routes import FirstInHead, VersionCheck
    from ui.web.throttle import LoginThrottle

    from knowledge.library.catalog import load_library
    from ui.web import fast_skip

    s = ctx.settings
    trusted = parse_proxies(s.trusted_proxies)  # a wrong setting stops the start, before anything listens
    ctx.public_url = s.public_url or listen_url(host, port)
    # Parsed once per process (~1.6 s here); done now, not in the first playbook redraw of a live room.
    load_library()
    fast_skip.install()
    demo = build(ctx)
    demo.queue(default_concurrency_limit=16)
    auth = Authenticator(ctx.db, ctx.rooms.is_done, s)
    ctx.throttle = LoginThrottle.from_settings(ctx.db, s)
    demo.launch(server_name=host, server_port=port, auth=auth,
                auth_message="Katachi 型 — アカウント、または 名前 + 参加コード でログイン / "
                             "log in with your account, or your name + the join code",
                i18n=i18n(), css=CSS + REVIEW_CSS + PAGE_CSS, head=IME_GUARD + ROOM_POLL, prevent_thread_lock=True, quiet=not block,
                ssr_mode=False, footer_links=[], theme=gr.themes.Soft(),
                max_file_size=int(s.max_file_mb * 2**20),  # an upload is refused while it arrives, not after
                app_kwargs={"middleware": [Middleware(BodyLimit), Middleware(LoginGuard, throttle=ctx.throttle),
                                           Middleware(VersionCheck, ctx=ctx), Middleware(FirstInHead)]})
    trust_proxies(demo.server, trusted)  # every connection from now on: forwarded addresses only from proxies
    # Before anyone can log in: sessions of guests become name#workshop (see ui.web.auth).
    demo.server_app.tokens = ctx.tokens = GuestTokens(auth, demo.server_app.tokens)
    from ui.web.routes import add_routes

    add_routes(demo.server_app, ctx)
    if block:
        demo.block_thread()
    return demo
