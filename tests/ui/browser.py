"""Small helpers over Playwright for the web-app tests (headless Debian Chromium, no download)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(p).exists():
            return p
    return shutil.which("chromium")


class Browser:
    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        SHOTS.mkdir(parents=True, exist_ok=True)
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=chromium_path(), args=ARGS)

    def page(self, locale: str, name: str, width: int = 1280) -> Page:
        ctx = self._browser.new_context(locale=locale, viewport={"width": width, "height": 900})
        return Page(ctx, ctx.new_page(), name)

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


class Page:
    def __init__(self, ctx, page, name: str) -> None:
        self.ctx, self.page_, self.name = ctx, page, name
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    # -- basics ---------------------------------------------------------------------------------------
    def _input(self, sel: str):
        return self.page_.locator(f"{sel} textarea, {sel} input:not([type=checkbox]):not([type=radio])").first

    def fill(self, sel: str, text: str) -> None:
        self._input(sel).fill(text)

    def value(self, sel: str) -> str:
        return self._input(sel).input_value()

    def press(self, sel: str, key: str) -> None:
        self._input(sel).press(key)

    def click(self, sel: str) -> None:
        self.page_.locator(sel).first.click()

    def check(self, sel: str) -> None:
        self.page_.locator(f"{sel} input[type=checkbox]").first.check()

    def text(self, sel: str) -> str:
        loc = self.page_.locator(sel)
        return loc.first.inner_text() if loc.count() else ""

    def attr(self, sel: str, name: str) -> str | None:
        loc = self.page_.locator(sel)
        return loc.first.get_attribute(name) if loc.count() else None

    def count(self, sel: str) -> int:
        return self.page_.locator(sel).count()

    def wait(self, cond, timeout: float = 15.0) -> None:
        end = time.time() + timeout
        while time.time() < end:
            if cond():
                return
            self.page_.wait_for_timeout(100)
        self.shot("timeout")
        raise AssertionError(f"{self.name}: condition not met in {timeout}s")

    def wait_text(self, sel: str, text: str, timeout: float = 15.0) -> None:
        self.wait(lambda: text in self.text(sel), timeout)

    def shot(self, name: str) -> Path:
        path = SHOTS / f"{name}-{self.name}.png"
        self.page_.screenshot(path=str(path), full_page=True)
        return path

    # -- app steps ------------------------------------------------------------------------------------
    def login(self, url: str, user: str, password: str) -> None:
        self.page_.goto(url)
        inputs = self.page_.locator("input")
        inputs.nth(0).fill(user)
        inputs.nth(1).fill(password)
        self.page_.locator("button").first.click()
        self.page_.wait_for_selector("#k-who [data-user]", timeout=20000)

    def create_workshop(self, title: str, depts: str, invite: str = "") -> None:
        self.fill("#k-title-in", title)
        self.fill("#k-depts", depts)
        if invite:
            self.fill("#k-invite", invite)
        self.click("#k-create")
        self.wait_stage("intake")

    def stage(self) -> str | None:
        return self.attr("#k-room h3[data-workshop]", "data-stage")

    def workshop_id(self) -> str | None:
        return self.attr("#k-room h3[data-workshop]", "data-workshop")

    def wait_stage(self, stage: str, timeout: float = 15.0) -> None:
        self.wait(lambda: self.stage() == stage, timeout)

    def join_code(self) -> str:
        return self.attr("#k-join-info .k-join", "data-code") or ""

    def open_in_tab(self, tab: str | None, pick: str, button: str, title: str) -> None:
        """Go to a tab, choose the workshop titled ``title`` in its dropdown and press its open button.

        The choices read as people tell workshops apart (title, company, date), never as internal ids."""
        if tab:
            self.page_.get_by_role("tab", name=tab).click()
        self.page_.locator(f"{pick} input").click()
        options = self.page_.get_by_role("option")
        options.first.wait_for()
        texts = options.all_inner_texts()
        assert not any(re.search(r"\b[0-9a-f]{12}\b", x) for x in texts), texts  # no internal id shown
        options.filter(has_text=title).first.click()
        self.click(button)

    def pick_radio(self, sel: str, index: int) -> None:
        self.page_.locator(f"{sel} label").nth(index).click()

    def ime_type(self, sel: str, reading: str, committed: str) -> None:
        """Type like a Japanese IME: compose the reading, press the confirming Enter, commit the kanji."""
        box = self._input(sel)
        box.click()
        cdp = self.ctx.new_cdp_session(self.page_)
        cdp.send(
            "Input.imeSetComposition", {"text": reading, "selectionStart": len(reading), "selectionEnd": len(reading)}
        )
        self.page_.wait_for_timeout(100)
        # Chrome reports the conversion-confirming Enter with isComposing and keyCode 229.
        box.evaluate("""el => { for (const t of ['keydown', 'keypress']) el.dispatchEvent(new KeyboardEvent(t,
            {key: 'Enter', code: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true})); }""")
        cdp.send("Input.insertText", {"text": committed})
        cdp.detach()

    def type_more(self, sel: str, text: str) -> None:
        box = self._input(sel)
        box.press("End")
        self.page_.wait_for_timeout(200)
        box.type(text)
