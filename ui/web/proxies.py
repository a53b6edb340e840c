"""Which address a request comes from: the one that connected, unless that is a trusted proxy.

``X-Forwarded-For`` is whatever the sender wrote, so it counts only when the connecting address is one
of ``KATACHI_TRUSTED_PROXIES`` (addresses or networks, comma-separated; empty: none). Then the header
is read from the right — each trusted proxy appended the address it saw — and the first address that
is not a trusted proxy is the client; anything left of it was written by the client and is ignored.

uvicorn, which Gradio starts, has its own rule: it trusts the header from 127.0.0.1 and ::1 (measured:
200 guesses from loopback with a new header each time, none refused). :func:`install` puts this rule
in its place in the running server.
"""

from __future__ import annotations

import ipaddress
import logging

from katachi.core.errors import KatachiError

log = logging.getLogger(__name__)


def parse_proxies(text: str) -> list:
    """``"10.0.0.5, 172.28.0.0/24"`` → networks. A wrong entry is an error, not silently no proxy."""
    nets = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise KatachiError("bad_setting", name="KATACHI_TRUSTED_PROXIES", detail=str(exc)) from exc
    return nets


def _ip(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 10.0.0.1:5000
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_of(peer: str, forwarded: list[str], trusted: list) -> str:
    """The client address of a request that came from ``peer`` with these ``X-Forwarded-For`` values."""

    def is_trusted(addr) -> bool:
        return addr is not None and any(addr in net for net in trusted)

    if not trusted or not is_trusted(_ip(peer)):
        return peer
    hops = [h for value in forwarded for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        addr = _ip(hop)
        if addr is None:  # not an address: nothing left of it can be believed
            return peer
        if not is_trusted(addr):
            return str(addr)
    return peer


class ClientAddress:
    """ASGI middleware: ``scope["client"]`` becomes the address :func:`client_of` names."""

    def __init__(self, app, trusted: list) -> None:
        self.app, self.trusted = app, trusted

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client") or ("", 0)
            forwarded = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-for"]
            addr = client_of(peer[0], forwarded, self.trusted)
            if addr != peer[0]:
                scope = {**scope, "client": (addr, 0)}
        return await self.app(scope, receive, send)


def install(server, trusted: list) -> None:
    """Replace uvicorn's proxy rule in a started ``server`` (a ``uvicorn.Server``): its connections take
    ``server.config.loaded_app`` when they open, so every connection from now on uses this rule."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    app = server.config.loaded_app
    inner = app.app if isinstance(app, ProxyHeadersMiddleware) else app
    server.config.loaded_app = ClientAddress(inner, trusted)
    log.info("client addresses: forwarded ones trusted from %s", ", ".join(map(str, trusted)) or "no proxy")
