"""Katachi's own routes and middleware, without a browser: the doors, the change check, the app's page."""

import asyncio
import json
from contextlib import nullcontext
from types import SimpleNamespace

from katachi.ui.web.pages import join_page, login_page, safe_next
from katachi.ui.web.routes import FRAME_GUARD, LANG_FIRST, AppPage, VersionCheck


def test_the_join_page_shows_the_code_as_text_escaped_and_in_the_readers_language():
    ja = join_page("ja", "<script>alert(1)</script>")
    assert "参加コード" in ja and 'type="text"' in ja and 'type="password"' not in ja
    assert "<script>alert(1)" not in ja and "&lt;script&gt;" in ja
    assert "Join code" in join_page("en", "ABC123") and 'value="ABC123"' in join_page("en", "ABC123")


def test_the_login_page_goes_back_only_to_this_site():
    assert '"/screen?w=abc"' in login_page("ja", "/screen?w=abc")
    assert safe_next("//evil.example/") == "/" and safe_next("https://evil.example/") == "/"
    assert safe_next("/\\evil") == "/" and safe_next(None) == "/"


def _call(app, path="/", method="GET", headers=()):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    asyncio.run(
        app(
            {"type": "http", "method": method, "path": path, "headers": list(headers), "query_string": b""},
            receive,
            send,
        )
    )
    return sent


class _Sessions:
    def __init__(self, known: dict) -> None:
        self.known = known

    def user(self, token):
        return self.known.get(token)

    @staticmethod
    def token_in(headers):
        from katachi.ui.web.sessions import Sessions

        return Sessions.token_in(headers)


def test_the_apps_page_sends_a_stranger_to_the_login_and_puts_the_language_first_for_a_person():
    async def page(scope, receive, send):
        assert not any(k == b"accept-encoding" for k, _ in scope["headers"])  # asked plain, to be read here
        body = b"<!doctype html><html><head><title>x</title></head><body></body></html>"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"70")],
            }
        )
        await send({"type": "http.response.body", "body": body[:30], "more_body": True})
        await send({"type": "http.response.body", "body": body[30:]})

    ctx = SimpleNamespace(sessions=_Sessions({"tok": "fumi"}))
    stranger = _call(AppPage(page, ctx))
    assert stranger[0]["status"] == 303 and dict(stranger[0]["headers"])[b"location"] == b"/login"
    sent = _call(AppPage(page, ctx), headers=[(b"cookie", b"katachi_session=tok"), (b"accept-encoding", b"br")])
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert body.startswith(b"<!doctype html><html><head>" + FRAME_GUARD + LANG_FIRST + b"<title>")
    length = dict(sent[0]["headers"])[b"content-length"]
    assert int(length) == len(body) and sum(k == b"content-length" for k, _ in sent[0]["headers"]) == 1
    zipped = _call(AppPage(page, ctx), headers=[(b"cookie", b"katachi_session=tok"), (b"accept-encoding", b"gzip")])
    import gzip

    assert gzip.decompress(
        b"".join(m.get("body", b"") for m in zipped if m["type"] == "http.response.body")
    ).startswith(b"<!doctype html><html><head>" + FRAME_GUARD + LANG_FIRST)
    for path, method in (("/k/version", "GET"), ("/", "POST"), ("/gradio_api/queue/data", "GET")):
        other = _call(AppPage(page, ctx), path, method, headers=[(b"cookie", b"katachi_session=tok")])
        assert LANG_FIRST not in b"".join(m.get("body", b"") for m in other if m["type"] == "http.response.body")


def test_the_change_check_answers_before_routing_for_the_sessions_person_only():
    from katachi.core.errors import KatachiError

    asked = []

    class FakeRooms:
        db = SimpleNamespace(reading=nullcontext)

        def user(self, name):
            return name

        def view(self, user, wid, cached=False):
            asked.append((user, wid, cached))
            if wid == "gone":
                raise KatachiError("workshop_unknown", workshop=wid)
            return SimpleNamespace(version="v-" + wid)

    ctx = SimpleNamespace(sessions=_Sessions({"tok1": "paul"}), rooms=FakeRooms(), boot="b1")

    async def framework(scope, receive, send):
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"routed"})

    def ask(cookie: bytes, query: bytes, path="/k/version"):
        sent = []

        async def send(m):
            sent.append(m)

        async def receive():
            return {"type": "http.request", "body": b""}

        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": query,
            "headers": [(b"cookie", cookie)] if cookie else [],
        }
        asyncio.run(VersionCheck(framework, ctx)(scope, receive, send))
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return sent[0]["status"], body

    status, body = ask(b"katachi_session=tok1; other=x", b"w=w1")
    assert status == 200 and json.loads(body) == {"v": "v-w1", "b": "b1"} and asked == [("paul", "w1", True)]
    assert ask(b"katachi_session=tok1", b"w=gone") == (
        200,
        json.dumps({"v": "error:workshop_unknown", "b": "b1"}).encode(),
    )
    assert ask(b"katachi_session=nope", b"w=w1")[0] == 401 and ask(b"", b"w=w1")[0] == 401
    assert ask(b"katachi_session=tok1", b"", path="/other") == (299, b"routed")


def test_forwarded_addresses_count_only_from_a_trusted_proxy():
    from katachi.ui.web.proxies import client_of, parse_proxies

    none, nginx = parse_proxies(""), parse_proxies("10.0.0.5, 172.28.0.0/24")
    assert client_of("127.0.0.1", ["1.2.3.4"], none) == "127.0.0.1"  # nobody trusted: the header is ignored
    assert client_of("192.0.2.9", ["1.2.3.4"], nginx) == "192.0.2.9"  # not a proxy: ignored too
    assert client_of("10.0.0.5", ["203.0.113.7"], nginx) == "203.0.113.7"
    # what the client wrote stands left of what the proxies added: read from the right
    assert client_of("10.0.0.5", ["6.6.6.6, 203.0.113.7"], nginx) == "203.0.113.7"
    assert client_of("172.28.0.3", ["6.6.6.6", "203.0.113.7, 10.0.0.5"], nginx) == "203.0.113.7"
    assert client_of("10.0.0.5", ["203.0.113.7:5123"], nginx) == "203.0.113.7"
    assert client_of("10.0.0.5", ["[2001:db8::1]:443"], nginx) == "2001:db8::1"
    assert client_of("10.0.0.5", ["not-an-address"], nginx) == "10.0.0.5"
    assert client_of("10.0.0.5", [], nginx) == "10.0.0.5"


def test_a_wrong_trusted_proxy_setting_is_an_error():
    import pytest

    from katachi.core.errors import KatachiError
    from katachi.ui.web.proxies import parse_proxies

    with pytest.raises(KatachiError) as e:
        parse_proxies("10.0.0.5, nginx")
    assert e.value.code == "bad_setting" and "KATACHI_TRUSTED_PROXIES" in e.value.message("en")


def test_the_client_address_middleware_rewrites_only_behind_a_proxy():
    from katachi.ui.web.proxies import ClientAddress, parse_proxies

    seen = []

    async def app(scope, receive, send):
        seen.append(scope["client"][0])

    def call(peer, header):
        scope = {"type": "http", "client": (peer, 1234), "headers": [(b"x-forwarded-for", header.encode())]}
        asyncio.run(ClientAddress(app, parse_proxies("10.0.0.5"))(scope, None, None))

    call("10.0.0.5", "203.0.113.7")
    call("198.51.100.1", "203.0.113.7")
    assert seen == ["203.0.113.7", "198.51.100.1"]


def test_the_join_address_is_checked_at_start():
    """The QR code pointed to 127.0.0.1 with no warning: phones cannot open it."""
    import pytest

    from katachi.core.errors import KatachiError
    from katachi.ui.web.app import join_address

    assert join_address("", "127.0.0.1", 7860) == ("http://127.0.0.1:7860/", "join_url_local")
    assert join_address("http://localhost:7860/", "0.0.0.0", 7860)[1] == "join_url_loopback"
    assert join_address("http://127.0.0.1:7860/", "192.168.1.20", 7860)[1] == "join_url_loopback"
    assert join_address("http://[::1]:7860/", "0.0.0.0", 7860)[1] == "join_url_loopback"
    assert join_address("http://192.168.1.20:7860/", "0.0.0.0", 7860) == ("http://192.168.1.20:7860/", "")
    assert join_address("https://room.example.com/", "127.0.0.1", 7860)[1] == ""  # behind a proxy: fine
    with pytest.raises(KatachiError) as e:
        join_address("room.example.com", "0.0.0.0", 7860)
    assert e.value.code == "bad_setting" and "KATACHI_PUBLIC_URL" in e.value.message("en")


def test_the_frame_guard_still_finds_the_status_tracker_in_the_installed_workshop_app():
    """FRAME_GUARD knows the status tracker by its module's name in a call's stack (a touch of the app's
    internals, kept because an idle tab costs over twice the CPU without it): an upgrade that renames the
    module or stops it asking for frames would quietly bring the cost back, so it fails here instead."""
    import re
    from pathlib import Path

    import gradio

    assets = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
    name = re.search(rb"/(\w+)/\.test\(new Error\(\)\.stack", FRAME_GUARD).group(1).decode()
    modules = [p for p in assets.glob("*.js") if p.name.startswith(name + "-")]
    assert modules, f"no {name}-*.js in {assets}"
    assert any("window.requestAnimationFrame" in p.read_text(encoding="utf-8", errors="ignore") for p in modules)
