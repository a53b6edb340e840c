"""Start the real web app in this process on a free port, over the fake model and passages."""
from __future__ import annotations

import socket
from pathlib import Path

from tests.ui.roomkit import make_rooms


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(tmp: Path, responder=None):
    from core.settings import get_settings
    from ui.web.app import AppContext, launch

    rooms = make_rooms(tmp, responder)
    ctx = AppContext(get_settings(), rooms.db, rooms)
    port = free_port()
    demo = launch(ctx, port=port, block=False)
    return ctx, demo, f"http://127.0.0.1:{port}/"


def wait_http(url: str, timeout: float = 120) -> None:
    """Until the app at ``url`` answers (its join page needs no login)."""
    import time
    import urllib.request

    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(url + "join", timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not come up")
