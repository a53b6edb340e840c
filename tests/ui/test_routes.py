"""The app's own routes and middleware, without a browser: the join page, the change check's answer,
and the script put first in the page."""
import asyncio

from ui.web.routes import FRAME_GUARD, LOGIN_NOTICE, FirstInHead, join_page


def test_the_join_page_shows_the_code_as_text_escaped_and_in_the_readers_language():
    ja = join_page("ja", '<script>alert(1)</script>')
    assert "参加コード" in ja and 'type="text"' in ja and 'type="password"' not in ja
    assert "<script>alert(1)" not in ja and "&lt;script&gt;" in ja
    assert "Join code" in join_page("en", "ABC123") and 'value="ABC123"' in join_page("en", "ABC123")


def _call(app, path="/", method="GET"):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    asyncio.run(app({"type": "http", "method": method, "path": path, "headers": []}, receive, send))
    return sent


def test_the_frame_guard_goes_first_in_the_page_head_and_nowhere_else():
    async def page(scope, receive, send):
        body = b"<!doctype html><html><head><title>x</title></head><body></body></html>"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"70")]})
        await send({"type": "http.response.body", "body": body[:30], "more_body": True})
        await send({"type": "http.response.body", "body": body[30:]})

    sent = _call(FirstInHead(page))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert body.startswith(b"<!doctype html><html><head>" + FRAME_GUARD + LOGIN_NOTICE + b"<title>")
    length = dict(sent[0]["headers"])[b"content-length"]
    assert int(length) == len(body) and sum(k == b"content-length" for k, _ in sent[0]["headers"]) == 1
    for path, method in (("/k/version", "GET"), ("/", "POST"), ("/gradio_api/queue/data", "GET")):
        other = _call(FirstInHead(page), path, method)
        assert FRAME_GUARD not in b"".join(m.get("body", b"") for m in other if m["type"] == "http.response.body")


def test_the_change_check_answers_before_routing_for_the_sessions_person_only():
    import json
    from contextlib import nullcontext
    from types import SimpleNamespace

    from core.errors import KatachiError
    from ui.web.routes import VersionCheck

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

    ctx = SimpleNamespace(tokens={"tok1": "paul"}, rooms=FakeRooms())

    async def framework(scope, receive, send):
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"routed"})

    def ask(cookie: str, query: bytes, path="/k/version"):
        sent = []

        async def send(m):
            sent.append(m)

        scope = {"type": "http", "method": "GET", "path": path, "query_string": query,
                 "headers": [(b"cookie", cookie.encode())] if cookie else []}
        asyncio.run(VersionCheck(framework, ctx)(scope, None, send))
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    assert ask("", b"w=abc") == (401, json.dumps({"error": "login"}).encode())
    assert ask("access-token-unsecure-7860=nope", b"w=abc")[0] == 401
    status, body = ask("lang=ja; access-token-unsecure-7860=tok1", b"w=abc")
    assert status == 200 and json.loads(body) == {"v": "v-abc"} and asked[-1] == ("paul", "abc", True)
    assert json.loads(ask("access-token=tok1", b"w=gone")[1]) == {"v": "error:workshop_unknown"}
    assert ask("access-token=tok1", b"", path="/join") == (299, b"routed")


def test_forwarded_addresses_count_only_from_a_trusted_proxy():
    from ui.web.proxies import client_of, parse_proxies

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

    from core.errors import KatachiError
    from ui.web.proxies import parse_proxies

    with pytest.raises(KatachiError) as e:
        parse_proxies("10.0.0.5, nginx")
    assert e.value.code == "bad_setting" and "KATACHI_TRUSTED_PROXIES" in e.value.message("en")


def test_the_client_address_middleware_rewrites_only_behind_a_proxy():
    from ui.web.proxies import ClientAddress, parse_proxies

    seen = []

    async def app(scope, receive, send):
        seen.append(scope["client"][0])

    def call(peer, header):
        scope = {"type": "http", "client": (peer, 1234), "headers": [(b"x-forwarded-for", header.encode())]}
        asyncio.run(ClientAddress(app, parse_proxies("10.0.0.5"))(scope, None, None))

    call("10.0.0.5", "203.0.113.7")
    call("198.51.100.1", "203.0.113.7")
    assert seen == ["203.0.113.7", "198.51.100.1"]
