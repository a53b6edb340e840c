"""The live room in headless Chromium with three participants — one on a phone (390×844) who joins
through the QR code's page — over a scripted model that takes its time for the use cases, so the
drafts and the participants' activities can be seen while it works. Screenshots go to
``test-artifacts/screenshots`` (``room-*``)."""
from __future__ import annotations

import os
import time

import pytest

from tests.ui.browser import Browser, chromium_path

pytestmark = pytest.mark.browser

if chromium_path() is None:
    if os.environ.get("KATACHI_REQUIRE_BROWSER") == "1":
        raise RuntimeError("KATACHI_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing (apt-get install chromium)")
    pytest.skip("headless Chromium not installed (apt-get install chromium)", allow_module_level=True)


class SlowUseCases:
    """The scripted model, with each department's use cases after the first taking a few seconds."""

    def __init__(self) -> None:
        from tests.workshop_fakes import WorkshopResponder

        self.inner, self.seen = WorkshopResponder(), 0

    def __call__(self, messages, kwargs):
        if kwargs["response_format"]["json_schema"]["name"] == "UseCasesOut":
            self.seen += 1
            if self.seen > 1:
                time.sleep(4)
        return self.inner(messages, kwargs)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from core.settings import reset_settings
    from tests.ui.server import start_app

    tmp = tmp_path_factory.mktemp("room")
    os.environ["KATACHI_DATA_DIR"] = str(tmp / "data")
    reset_settings()
    ctx, demo, url = start_app(tmp, SlowUseCases())
    yield ctx, url
    demo.close()


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


def phone(browser, name: str):
    ctx = browser._browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True,
                                       has_touch=True)
    from tests.ui.browser import Page

    return Page(ctx, ctx.new_page(), name)


def join(page, link: str, name: str) -> None:
    """The join page the QR code opens: the code is already there, the name is typed."""
    page.page_.goto(link)
    assert page.page_.locator("#code").get_attribute("type") == "text"  # not a masked password field
    page.page_.locator("#name").fill(name)
    page.page_.locator("button[type=submit]").click()
    page.page_.wait_for_selector("#k-who [data-user]", timeout=20000)


def test_three_participants_phone_and_desktop_activities_drafts_and_big_screen(app, browser):
    ctx, url = app
    fac = browser.page("ja-JP", "room-facilitator")
    fac.login(url, "fumi", "facil-pass-1")
    fac.create_workshop("営業の型づくり", "営業,カスタマーサクセス")
    link = fac.attr("#k-join-info .k-join", "data-url")
    code = fac.join_code()
    assert link.endswith(f"/join?code={code}") and link.startswith(url.rstrip("/"))

    hanako = phone(browser, "room-phone")
    join(hanako, link, "花子")
    ken = browser.page("en-US", "room-en")
    join(ken, link, "Ken")
    taro = browser.page("ja-JP", "room-ja")
    taro.page_.goto(url.rstrip("/") + "/join?code=NOPE99")
    taro.page_.locator("#name").fill("太郎")
    taro.page_.locator("button[type=submit]").click()
    taro.wait(lambda: "コード" in taro.page_.locator("#msg").inner_text())  # refused, with a reason
    join(taro, link, "太郎")
    for p in (hanako, ken, taro):
        p.wait_stage("intake", timeout=20)
        # participants see their room, not the review, tracker or documents tabs
        p.wait(lambda p=p: not p.page_.get_by_role("tab", name="レビュー").count()
               and not p.page_.get_by_role("tab", name="Review").count(), timeout=10)

    # The phone: the title on one line, nothing wider than the screen.
    box = hanako.page_.locator("#k-title").bounding_box()
    assert box["height"] < 40, box
    assert hanako.page_.evaluate("document.documentElement.scrollWidth") <= 392
    hanako.fill("#k-pain", "提案書の作成に2日かかる")
    hanako.press("#k-pain", "Enter")
    ken.fill("#k-pain", "Hand-offs lose the customer's goals")
    ken.click("#k-send")
    taro.fill("#k-pain", "引き継ぎで顧客情報が失われる")
    taro.click("#k-send")
    fac.wait(lambda: fac.count("#k-points li") == 3, timeout=20)
    # Feedback next to the action on the phone: the notice is on screen, not above the fold.
    hanako.wait(lambda: hanako.count("#k-room-notice .k-notice") == 1)
    nb = hanako.page_.locator("#k-room-notice .k-notice").bounding_box()
    assert nb and 0 <= nb["y"] and nb["y"] + nb["height"] <= 844, nb
    hanako.shot("room-01-intake")

    fac.click("#k-start")
    fac.wait(lambda: fac.count("#k-cards .k-card") >= 2, timeout=30)
    # While the facilitator checks the candidates, participants rate the pain points.
    for p in (hanako, taro):
        p.wait(lambda p=p: p.attr("#k-act-head .k-act", "data-activity") == "pain", timeout=20)
    taro.page_.locator("#k-act-target input").click()
    taro.page_.get_by_role("option").first.click()
    taro.pick_radio("#k-act-a", 4)
    taro.pick_radio("#k-act-b", 3)
    taro.click("#k-act-send")
    fac.wait(lambda: "P1" in fac.text("#k-voice"), timeout=20)
    assert "5 × 4" in fac.text("#k-voice") or "5.0 × 4.0" in fac.text("#k-voice")

    # The phone votes with the buttons on each card, once the facilitator has shown the candidates.
    fac.click("#k-reveal")
    hanako.wait(lambda: hanako.count("#k-cards .k-card") >= 2, timeout=20)
    hanako.shot("room-02-themes")
    vote = hanako.page_.locator('#k-cards .k-card[data-index="1"] .k-vote[data-delta="1"]')
    assert vote.is_visible() and not hanako.page_.locator("#k-dot-add").is_visible()
    vote.click()
    fac.wait(lambda: fac.attr('#k-cards .k-card[data-index="1"] .k-tally', "data-dots") == "1", timeout=20)

    # The big screen: join details gone (intake is over), the cards and the tally large, no controls.
    present = browser.page("ja-JP", "room-bigscreen", width=1600)
    present.login(url, "fumi", "facil-pass-1")
    present.open_in_tab(None, "#k-ws-pick", "#k-ws-open", fac.workshop_id())
    present.wait_stage("themes", timeout=20)
    present.page_.locator("#k-present input").check()
    present.wait(lambda: "k-presenting" in (present.page_.evaluate("document.body.className") or ""))
    assert present.page_.locator("#k-cards .k-card").first.is_visible()
    assert not present.page_.locator("#k-choose").is_visible() and not present.page_.locator("#k-act-send").is_visible()
    assert present.page_.locator("#k-act-head .k-act-ask").is_visible()  # what the room is asked to do now
    present.shot("room-03-bigscreen")

    fac.pick_radio("#k-cand", 1)
    fac.click("#k-choose")
    fac.wait_stage("kpis", timeout=30)
    # Endorsement while the KPIs are checked: anonymous by default; the dissent is what the facilitator sees.
    ken.wait(lambda: ken.attr("#k-act-head .k-act", "data-activity") == "endorse", timeout=20)
    assert ken.attr("#k-act-head .k-act", "data-anonymous") == "true"
    ken.pick_radio("#k-act-a", 1)
    ken.fill("#k-act-text", "Hand-offs first")
    ken.click("#k-act-send")
    hanako.wait(lambda: hanako.attr("#k-act-head .k-act", "data-activity") == "endorse", timeout=20)
    hanako.pick_radio("#k-act-a", 4)
    hanako.click("#k-act-send")
    fac.wait(lambda: fac.attr("#k-voice .k-endorse", "data-n") == "2", timeout=20)
    assert "Hand-offs first" in fac.text("#k-voice .k-dissent") and "Ken" not in fac.text("#k-voice")
    fac.shot("room-04-endorsement")

    # Use cases are written department by department: the first department's drafts reach the
    # facilitator while the next is still being written; the room sees how many are ready.
    fac.click("#k-approve-kpis")
    fac.wait(lambda: fac.count("#k-job .k-draft[data-draft=usecases]") >= 1, timeout=30)
    assert fac.attr("#k-job .k-job", "data-state") == "running"
    taro.wait(lambda: taro.count("#k-job .k-drafts[data-count]") == 1, timeout=20)
    assert taro.count("#k-job .k-draft") == 0  # participants get the count, not unchecked content
    fac.shot("room-05-drafts")
    assert ctx.rooms.jobs.wait_idle(fac.workshop_id(), 40).state == "idle"
    fac.wait(lambda: fac.count("#k-usecases .k-uc") >= 2, timeout=20)  # the checked use cases replace the drafts
    assert fac.count("#k-job .k-draft") == 0
    rec = ctx.rooms.service.snapshot(fac.workshop_id()).values["decisions"]
    assert rec[0]["room"]["ratings"]["P1"]["n"] == 1 and rec[1]["room"]["endorsement"]["n"] == 2
    for p in (fac, hanako, ken, taro):
        assert not p.errors, (p.name, p.errors)
