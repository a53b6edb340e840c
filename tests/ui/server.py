"""Start the real web app in this process on a free port, over the fake model and passages; restart it."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.ui.roomkit import make_rooms


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(tmp: Path, responder=None, port: int | None = None, users: bool = True):
    """(context, running server, its address). ``users``: make the test accounts (not again after a restart)."""
    from katachi.core.settings import get_settings
    from katachi.ui.web.app import AppContext, launch

    rooms = make_rooms(tmp, responder, users=users)
    ctx = AppContext(get_settings(), rooms.db, rooms)
    port = port or free_port()
    running = launch(ctx, port=port, block=False)
    return ctx, running, f"http://127.0.0.1:{port}/"


def restart(tmp: Path, running, url: str, responder=None, down_s: float = 0.0, while_down=None):
    """Stop the server, keep it down ``down_s`` seconds (``while_down()`` is called then), and start a new
    process's worth of it on the same address and data: nothing in memory survives."""
    import time

    running.close()
    end = time.time() + down_s
    if while_down is not None:
        while_down()
    time.sleep(max(0.0, end - time.time()))
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    return start_app(tmp, responder, port=port, users=False)


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
