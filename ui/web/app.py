"""``katachi ui``: the web app. Login, the workshop list, the room, review, the tracker, documents.

Pages are thin: every click calls a handler in :mod:`ui.web.room.handlers` (and its siblings) that
checks the caller's role on the server. Model work runs in :mod:`ui.web.jobs`; the room asks whether
anything changed and redraws only then. The web server is Katachi's own (:mod:`ui.web.server`).
"""

from __future__ import annotations

import functools
import html
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gradio as gr

from katachi.core.errors import KatachiError
from katachi.core.i18n import LANGS
from katachi.core.i18n import t as text_of
from katachi.core.settings import Settings
from katachi.ui import policy
from katachi.ui.web.appdb import AppDB, open_app_db
from katachi.ui.web.jobs import ModelJobs
from katachi.ui.web.room.handlers import Rooms
from katachi.ui.web.scripts import LANG_SWITCH, RELOAD

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    db: AppDB
    rooms: Rooms
    public_url: str = ""  # where participants join: the setting, else the address the app listens on
    join_warning: str = ""  # why phones may not reach public_url (a web message code), checked at start
    sessions: Any = None  # the login sessions (ui.web.sessions.Sessions), once the app is launched
    auth: Any = None  # the login check (ui.web.auth.Authenticator), once launched
    throttle: Any = None  # failed logins and join codes (ui.web.throttle.LoginThrottle), once launched
    boot: str = ""  # this process's start: a page that sees it change reloads (the server restarted)

    @property
    def exports_dir(self) -> Path:
        return self.settings.data_dir / "exports"

    @functools.cached_property
    def tracker(self):
        """The weekly tracker over the same workshop store (and, in tests, the same fake model)."""
        from katachi.tracker.tracker import TrackerService

        svc = self.rooms.service
        return TrackerService(svc)


def make_context(settings: Settings, service=None, workers: int | None = None) -> AppContext:
    from katachi.graphs.service import WorkshopService

    s = settings
    db = open_app_db(s)
    svc = service or WorkshopService(s)
    if s.job_queue == "database":  # `katachi worker` processes do the model work; this one enqueues
        from katachi.ui.web.jobqueue import DBJobs

        jobs: DBJobs | ModelJobs = DBJobs(db, s.job_lease_s)
    else:  # one embedded model serves one request at a time; a hosted API takes a few in parallel
        jobs = ModelJobs(workers or (1 if s.provider == "local" else 4), service=svc)
    return AppContext(s, db, Rooms(db, svc, jobs))


def ensure_admin(ctx: AppContext) -> tuple[str, str] | None:
    """No admin yet (a first start, or accounts made with ``katachi user add`` before it): an admin
    account with a random password, printed once. Returns (username, password)."""
    from katachi.ui.web.auth import add_user

    users = ctx.db.users()
    if any(u["role"] == "admin" for u in users):
        return None
    taken = {u["username"] for u in users}
    name = next(n for n in ["admin"] + [f"admin{i}" for i in range(2, 100)] if n not in taken)
    password = secrets.token_urlsafe(12)
    add_user(ctx.db, name, password, "admin", [])
    return name, password


def build(ctx: AppContext):
    from katachi.ui.web.common import BROWSER_SECRET, LANG_JS, i18n
    from katachi.ui.web.documents import page as app_docs
    from katachi.ui.web.review import page as app_review
    from katachi.ui.web.room import page as app_room
    from katachi.ui.web.tracker import page as app_tracker
    from katachi.ui.web.workshops import page as app_workshops

    t = i18n()
    with gr.Blocks(title="Katachi 型") as demo:
        lang = gr.Textbox(visible=False, value="ja", elem_id="k-lang")
        current = gr.BrowserState("", storage_key="katachi_workshop", secret=BROWSER_SECRET)
        with gr.Row(elem_id="k-header"):
            gr.Markdown(t("app_title"), elem_id="k-title")
            who = gr.HTML(elem_id="k-who")
            # One language per person, saved with them and switched here (not only in Gradio's developer settings)
            switch = gr.HTML(lang_switch(""), elem_id="k-lang-switch", js_on_load=LANG_SWITCH, scale=0)
            gr.Button(t("logout"), link="/logout", size="sm", scale=0, elem_id="k-logout")
        with gr.Tabs() as tabs:
            with gr.Tab(t("tab_workshops"), id="workshops", elem_id="k-workshops-tab") as ws_tab_item:
                ws_tab = app_workshops.WorkshopsTab(ctx, t, lang, current)
            with gr.Tab(t("tab_room"), id="room", elem_id="k-room-tab"):
                room = app_room.RoomTab(ctx, t, lang, current)
            # the staff's tabs are shown to whom the policy allows them, once the page knows who it is
            with gr.Tab(t("tab_review"), id="review", elem_id="k-review-tab", visible=False) as review_tab:
                review = app_review.ReviewTab(ctx, t, lang)
            with gr.Tab(t("tab_tracker"), id="tracker", elem_id="k-tracker-tab", visible=False) as tracker_tab:
                tracker = app_tracker.TrackerTab(ctx, t, lang)
            with gr.Tab(t("tab_docs"), id="docs", elem_id="k-docs-tab", visible=False) as docs_tab:
                docs = app_docs.DocsTab(ctx, t, lang)
        for part in (room, review, tracker, docs):
            part.wire()
        ws_tab.wire(tabs, room)
        page_tabs = [ws_tab_item, review_tab, tracker_tab, docs_tab]

        def loaded(code_lang, wid, request: gr.Request):
            return on_load(ctx, code_lang, wid, request)

        def chosen(evt: gr.EventData, request: gr.Request):
            save_lang(ctx, getattr(evt, "lang", ""), request)

        demo.load(loaded, [lang, current], [who, tabs, *page_tabs, switch], js=LANG_JS, show_progress="hidden")
        switch.choose(chosen, None, None, show_progress="hidden", api_name="choose_language").then(None, js=RELOAD)
        for loads in (ws_tab, docs, room, review, tracker):
            loads.on_load(demo)
    return demo


# The tabs a person sees (the rules are ui.policy's): a guest came for one room and sees only it; the
# staff's tabs are not offered to a participant at all, not even in a phone's tab-bar overflow menu
# (where 社内文書 would open a blank page). A tab is hidden with visible="hidden": the app
# takes a tab away on an update only so.
PAGE_TABS = (
    ("workshops", "page.workshops"),
    ("review", "review.tab"),
    ("tracker", "page.tracker"),
    ("docs", "page.documents"),
)


def on_load(ctx: AppContext, code_lang, wid, request: gr.Request):
    from katachi.ui.web.common import ui_lang

    lg = ui_lang(code_lang)
    try:
        user = ctx.rooms.user(request.username)
    except KatachiError as err:
        seat = policy.split_guest(request.username or "")
        if seat is None:
            return (
                f'<span class="k-error">{html.escape(err.message(lg))}</span>',
                gr.skip(),
                *[gr.skip()] * len(PAGE_TABS),
                gr.skip(),
            )
        # a seat whose code expired: still this person in their room, which says what happened
        assert request.username  # the seat was read from it
        user = policy.User(request.username, "participant", guest_of=seat[1], display=seat[0])
    lg = ctx.db.lang_of(user.name) or lg  # what this person chose, on any device
    # Back after a refresh or a restart: straight into the workshop that was open.
    room_first = gr.Tabs(selected="room") if (user.guest_of or wid) else gr.skip()
    role = text_of(f"role.{user.role}", lg)
    shown = [policy.allowed(user, action) for _, action in PAGE_TABS]
    return (
        f'<span data-user="{html.escape(user.name)}" data-role="{user.role}">'
        f"{html.escape(user.display)} · {role}</span>",
        room_first,
        *[gr.Tab(visible=True if ok else "hidden") for ok in shown],
        lang_switch(ctx.db.lang_of(user.name)),
    )


def lang_switch(chosen: str) -> str:
    """日本語 / English in the header: the person's own choice marked (none yet: the page follows the browser)."""
    return "".join(
        f'<button type="button" data-lang="{code}" aria-pressed="{str(code == chosen).lower()}">{name}</button>'
        for code, name in (("ja", "日本語"), ("en", "English"))
    )


def save_lang(ctx: AppContext, chosen, request: gr.Request):
    if chosen in LANGS and request.username:
        ctx.db.set_lang(request.username, chosen)


def join_address(setting: str, host: str, port: int) -> tuple[str, str]:
    """Where participants join, and why their phones may not reach it (a web message code, or ""):
    ``join_url_loopback`` — the address is this computer itself though the app listens on the network
    (KATACHI_PUBLIC_URL is needed), ``join_url_local`` — the app listens on this computer only. A
    setting that is not an http(s) address stops the start."""
    if setting:
        parts = urlsplit(setting)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise KatachiError("bad_setting", name="KATACHI_PUBLIC_URL", detail=f"not an http(s) address: {setting}")
        url = setting
    else:
        url = listen_url(host, port)
    if not is_loopback(urlsplit(url).hostname or ""):
        return url, ""
    return url, "join_url_local" if is_loopback(host) else "join_url_loopback"


def is_loopback(host: str) -> bool:
    h = (host or "").strip("[]").lower()
    if h in ("localhost", "ip6-localhost") or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


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
    """Start the web server (returns it started, or serves until stopped when ``block``)."""
    from katachi.knowledge.library.catalog import load_library
    from katachi.ui.web.auth import Authenticator
    from katachi.ui.web.proxies import parse_proxies
    from katachi.ui.web.server import create_app, serve
    from katachi.ui.web.sessions import Sessions
    from katachi.ui.web.throttle import LoginThrottle

    s = ctx.settings
    trusted = parse_proxies(s.trusted_proxies)  # a wrong setting stops the start, before anything listens
    ctx.public_url, ctx.join_warning = join_address(s.public_url, host, port)
    if ctx.join_warning:
        log.warning("participants' phones may not reach %s (%s)", ctx.public_url, ctx.join_warning)
    # Parsed once per process (~1.6 s here); done now, not in the first playbook redraw of a live room.
    load_library()
    ctx.boot = secrets.token_hex(6)
    ctx.sessions = Sessions(ctx.db)
    ctx.auth = Authenticator(ctx.db, ctx.rooms.is_done, s)
    ctx.throttle = LoginThrottle.from_settings(ctx.db, s)
    log.info("client addresses: forwarded ones trusted from %s", ", ".join(map(str, trusted)) or "no proxy")
    demo = build(ctx)
    return serve(create_app(ctx, demo, host, port, trusted), demo, host, port, block)
