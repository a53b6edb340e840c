"""Katachi's web server: a FastAPI app of its own, with the workshop app (Gradio) mounted on it.

Katachi answers the doors (login, logout, join), sessions (its own cookie, in the database: a restart
or another replica knows the browser), the room's change check, the big screen and the downloads;
the live workshop is the mounted Gradio app, which asks Katachi who a request is through the
supported ``auth_dependency``. uvicorn serves it, started here (so the client address rule of
:mod:`ui.web.proxies` is a middleware like any other, and uvicorn's own proxy rule is off).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger(__name__)


def create_app(ctx, demo, host: str, port: int, trusted: list):
    """The FastAPI app: Katachi's routes, then the workshop app ``demo`` (built by ui.web.app) mounted at
    ``/``, then the middleware (the last added runs first: client address, body limit, change check,
    the app's page)."""
    import gradio as gr
    from fastapi import FastAPI

    from katachi.exports.html import CSS as PAGE_CSS
    from katachi.ui.web.bodylimit import BodyLimit
    from katachi.ui.web.common import i18n
    from katachi.ui.web.proxies import ClientAddress
    from katachi.ui.web.review.render import CSS as REVIEW_CSS
    from katachi.ui.web.room.render import CSS
    from katachi.ui.web.routes import AppPage, VersionCheck, add_routes
    from katachi.ui.web.scripts import IME_GUARD

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    add_routes(app, ctx)
    demo.queue(default_concurrency_limit=16)
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        auth_dependency=ctx.sessions.of_request,
        server_name=host,
        server_port=port,
        footer_links=[],
        run_history=False,
        mcp_server=False,
        ssr_mode=False,
        i18n=i18n(),
        css=CSS + REVIEW_CSS + PAGE_CSS,
        head=IME_GUARD,
        theme=gr.themes.Soft(),
        max_file_size=int(ctx.settings.max_file_mb * 2**20),
    )  # refused while it arrives
    app.add_middleware(AppPage, ctx=ctx)
    app.add_middleware(VersionCheck, ctx=ctx)
    app.add_middleware(BodyLimit)
    app.add_middleware(ClientAddress, trusted=trusted)
    return app


@dataclass
class Running:
    """A started server: ``close()`` stops it (tests and benchmarks start and stop several)."""

    server: uvicorn.Server
    thread: threading.Thread | None
    demo: object
    url: str

    def close(self) -> None:
        # Streams still open (every tab keeps one) are cut after the grace period; uvicorn reports each
        # as an error, which a deliberate stop is not.
        quiet = logging.getLogger("uvicorn.error")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)
        try:
            self.server.should_exit = True
            if self.thread is not None:
                self.thread.join(timeout=15)
        finally:
            quiet.setLevel(level)


def serve(app, demo, host: str, port: int, block: bool) -> Running:
    import uvicorn

    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", proxy_headers=False, lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    url = f"http://{host}:{port}/"
    if block:
        server.run()
        return Running(server, None, demo, url)
    thread = threading.Thread(target=server.run, name="katachi-web", daemon=True)
    thread.start()
    end = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > end:
            raise RuntimeError(f"the web server did not start on {host}:{port}")
        time.sleep(0.05)
    return Running(server, thread, demo, url)
