"""The app's own routes and middleware, without a browser: the join page, the change check's answer,
and the script put first in the page."""
import asyncio

from ui.web.routes import FRAME_GUARD, FirstInHead, join_page


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
    assert body.startswith(b"<!doctype html><html><head>" + FRAME_GUARD + b"<title>")
    length = dict(sent[0]["headers"])[b"content-length"]
    assert int(length) == len(body) and sum(k == b"content-length" for k, _ in sent[0]["headers"]) == 1
    for path, method in (("/k/version", "GET"), ("/", "POST"), ("/gradio_api/queue/data", "GET")):
        other = _call(FirstInHead(page), path, method)
        assert FRAME_GUARD not in b"".join(m.get("body", b"") for m in other if m["type"] == "http.response.body")
