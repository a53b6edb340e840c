"""The lockouts over HTTP, against the real web app: a room of 40 behind one address with typos gets in,
a rotating X-Forwarded-For does not make a guesser many people, and an attacker guessing the
facilitator's password slows down only the attacker.

Each scenario starts the app once. Behind a proxy is played by trusting 127.0.0.1 (the test's own
address) and sending the header the proxy would add."""

from __future__ import annotations

import pytest

from tests.ui.roomkit import make_rooms
from tests.ui.server import free_port, wait_http

pytestmark = pytest.mark.slow  # logins over HTTP that wait out the real throttle


def _start(tmp, **update):
    from katachi.core.settings import get_settings
    from katachi.ui.web.app import AppContext, launch

    rooms = make_rooms(tmp)
    settings = get_settings().model_copy(update=update)
    ctx = AppContext(settings, rooms.db, rooms)
    port = free_port()
    demo = launch(ctx, port=port, block=False)
    url = f"http://127.0.0.1:{port}/"
    wait_http(url)
    return ctx, demo, url


@pytest.fixture
def app(tmp_path):
    started = []

    def start(**update):
        started.append(_start(tmp_path, **update))
        return started[-1]

    yield start
    for _, demo, _ in started:
        demo.close()


def _login(client, name: str, secret: str, via: str | None = None, multipart: bool = False):
    headers = {"X-Forwarded-For": via} if via else {}
    if multipart:  # what Gradio's own login form sends (FormData)
        return client.post("login", files={"username": (None, name), "password": (None, secret)}, headers=headers)
    return client.post("login", data={"username": name, "password": secret}, headers=headers)


def _code(ctx) -> str:
    fac = ctx.rooms.user("fumi")
    return ctx.rooms.create(fac, "acme", "営業改革", ["営業"], "ja", "live")["join_code"]


def test_a_room_of_forty_behind_one_address_gets_in_despite_typos(app):
    import httpx

    ctx, _, url = app(trusted_proxies="127.0.0.1")
    code = _code(ctx)
    typo = code[:5] + ("A" if code[5] != "A" else "B")
    statuses = []
    with httpx.Client(base_url=url, timeout=30) as c:
        for i in range(40):
            if i % 6 == 0:  # seven people mistype the code once, then type it again
                statuses.append(("typo", _login(c, f"参加者{i}", typo, via="203.0.113.7").status_code))
            statuses.append(
                ("in", _login(c, f"参加者{i}", code.lower() if i % 2 else code, via="203.0.113.7").status_code)
            )
    assert [s for kind, s in statuses if kind == "typo"] == [400] * 7
    assert [s for kind, s in statuses if kind == "in"] == [200] * 40
    wid = ctx.db.by_code(code)["id"]
    assert len([p for p in ctx.db.participants(wid) if "#" in p]) == 40


def test_a_rotating_forwarded_header_from_an_unconfigured_client_is_one_guesser(app):
    import httpx

    ctx, _, url = app()  # no trusted proxy: the header is whatever the client wrote
    code = _code(ctx)
    statuses = []
    with httpx.Client(base_url=url, timeout=30) as c:
        for i in range(60):
            statuses.append(_login(c, "guesser", f"Q{i:05d}", via=f"10.{i // 250}.{i % 250}.1").status_code)
        answer = _login(c, "late", code, via="10.9.9.9")
    assert statuses[:10] == [400] * 10  # the free tries
    assert statuses.count(429) >= 40  # then the waits: most guesses are not even checked
    assert answer.status_code == 429 and answer.headers["retry-after"].isdigit()
    assert "秒" in answer.json()["detail"]  # said in the reader's language (ja by default)


def test_an_attacker_guessing_the_facilitators_password_slows_down_only_the_attacker(app):
    import httpx

    ctx, _, url = app(trusted_proxies="127.0.0.1", login_failures_account_all=30)
    with httpx.Client(base_url=url, timeout=30) as attacker, httpx.Client(base_url=url, timeout=30) as fac:
        tries = [_login(attacker, "fumi", f"guess-{i:04d}", via="198.51.100.66").status_code for i in range(25)]
        assert tries[:5] == [400] * 5 and tries.count(429) >= 15
        # the facilitator, from her own machine, with the right password: in at once
        assert _login(fac, "fumi", "facil-pass-1", via="192.0.2.10", multipart=True).status_code == 200
        assert fac.get("gradio_api/login_check").status_code == 200
        assert httpx.get(url + "gradio_api/login_check").status_code == 401  # (a browser without a session)
        # many machines together lock the account: the login says so, the open session goes on
        for i in range(40):
            _login(attacker, "fumi", f"spray-{i:04d}", via=f"198.51.{i}.1")
        locked = _login(httpx.Client(base_url=url), "fumi", "facil-pass-1", via="192.0.2.11")
        assert locked.status_code == 429 and locked.json()["code"] == "account_locked"
        assert "fumi" in locked.json()["detail"]
        en = httpx.post(
            url + "login",
            data={"username": "fumi", "password": "facil-pass-1"},
            headers={"X-Forwarded-For": "192.0.2.12", "Accept-Language": "en-US,en"},
        )
        assert "already logged in keeps working" in en.json()["detail"]
        assert fac.get("gradio_api/login_check").status_code == 200  # her open session
        # a guest who types her name with the room's code is not her and is not held by her lock
        code = _code(ctx)
        assert _login(httpx.Client(base_url=url), "fumi", code, via="203.0.113.7").status_code == 200


def test_the_login_form_is_read_with_a_limit(app):
    import httpx

    _, _, url = app()
    r = httpx.post(
        url + "login",
        content=b"username=a&password=" + b"x" * 100_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413


def test_no_request_body_is_read_without_bound(app):
    """A pain point of a gigabyte was read whole before it was refused; now a body over the limit is
    refused as it arrives, stated or not."""
    import httpx

    _, _, url = app()
    big = b'{"data": ["' + b"x" * (5 * 2**20) + b'"], "fn_index": 0, "session_hash": "s"}'
    stated = httpx.post(url + "gradio_api/queue/join", content=big, headers={"content-type": "application/json"})
    assert stated.status_code == 413

    def chunks():
        for i in range(0, len(big), 2**16):
            yield big[i : i + 2**16]

    unstated = httpx.post(url + "gradio_api/queue/join", content=chunks(), headers={"content-type": "application/json"})
    assert unstated.status_code == 413
    assert httpx.get(url + "join").status_code == 200  # everything else as before


def test_joining_by_code_through_the_apps_api_is_throttled_and_answers_alike(app):
    """The workshops tab's join (an API anyone logged in can call): a wrong code and another company's live
    code get the same answer, and guessing from one client is slowed like the login form."""
    import re

    from gradio_client import Client

    ctx, _, url = app(login_failures_per_client=3, login_delay_s=30)
    from katachi.ui.web.auth import add_user

    add_user(ctx.db, "bfac", "facil-pass-2", "facilitator", ["beta"])
    foreign = ctx.rooms.create(ctx.rooms.user("bfac"), "beta", "B", ["営業"], "ja", "live")["join_code"]
    client = Client(url, auth=("other", "other-pass-1"), verbose=False)

    def join(code: str) -> str:
        out = client.predict("en", code, api_name="/join")
        notes = [re.search(r'data-code="([^"]+)"', o) for o in out if isinstance(o, str) and "k-notice" in o]
        return next((m.group(1) for m in notes if m), "no-notice")

    answers = [join("ZZZZZZ"), join(foreign), join("YYYYYY"), join("XXXXXX")]
    assert answers == ["join_code_unknown"] * 4  # another company's live code: the same answer
    good = ctx.rooms.create(ctx.rooms.user("admin"), "globex", "G", ["営業"], "ja", "live")
    assert join(good["join_code"]) == "login_wait"  # past the free tries: even a good code waits
    assert not ctx.db.joined("other")
