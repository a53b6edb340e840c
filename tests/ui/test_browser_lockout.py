"""A locked account says so on the login page itself (a login form that knows only "incorrect
credentials" once showed nothing), in headless Chromium; skipped without /usr/bin/chromium."""

from __future__ import annotations

import os

import pytest

from tests.ui.browser import Browser, chromium_path

pytestmark = pytest.mark.browser

if chromium_path() is None:
    if os.environ.get("KATACHI_REQUIRE_BROWSER") == "1":
        raise RuntimeError("KATACHI_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing (apt-get install chromium)")
    pytest.skip("headless Chromium not installed (apt-get install chromium)", allow_module_level=True)


def test_the_login_page_says_the_account_is_locked(tmp_path):
    import httpx

    from katachi.core.settings import get_settings
    from katachi.ui.web.app import AppContext, launch
    from tests.ui.roomkit import make_rooms
    from tests.ui.server import free_port, wait_http

    rooms = make_rooms(tmp_path)
    settings = get_settings().model_copy(
        update={"login_failures_account_all": 3, "login_delay_s": 600, "trusted_proxies": "127.0.0.1"}
    )
    port = free_port()
    demo = launch(AppContext(settings, rooms.db, rooms), port=port, block=False)
    url = f"http://127.0.0.1:{port}/"
    browser = Browser()
    try:
        wait_http(url)
        for i in range(4):  # from four other machines
            httpx.post(
                url + "login",
                data={"username": "fumi", "password": f"wrong-pass-{i}"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            )
        page = browser.page("ja-JP", "login-locked")
        page.page_.goto(url)
        inputs = page.page_.locator("input")
        inputs.nth(0).fill("fumi")
        inputs.nth(1).fill("facil-pass-1")
        page.page_.locator("button").first.click()
        page.wait(lambda: page.text("#msg").strip() != "", timeout=15)
        notice = page.text("#msg")
        assert "fumi" in notice and "ロック" in notice, notice
        page.page_.screenshot(path=str(tmp_path / "locked.png"))
        assert not page.errors
    finally:
        browser.close()
        demo.close()
