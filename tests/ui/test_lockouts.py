"""Lockouts that protect without locking people out: failures counted per (what is guessed, who guesses)
with growing waits, forwarded addresses believed only from configured proxies, a guest name kept off
the password path, and the in-app join by code answering alike whatever is wrong with the code."""

from __future__ import annotations

import pytest

from katachi.core.errors import KatachiError
from katachi.ui.web.auth import Authenticator, login_kind
from katachi.ui.web.throttle import Backoff, LoginThrottle, Rule
from tests.ui.roomkit import make_rooms

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def rooms(tmp_path):
    return make_rooms(tmp_path)


def _settings(**update):
    from katachi.core.settings import get_settings

    return get_settings().model_copy(update=update)


def _throttle(db, now, **update):
    return LoginThrottle.from_settings(db, _settings(**update), clock=lambda: now[0])


def test_waits_grow_after_the_free_failures_and_stop_at_the_longest():
    rule = Rule(free=3, window_s=600, first_s=1, max_s=60)
    assert [rule.wait_after(n) for n in range(1, 11)] == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60]
    assert rule.wait_after(10_000) == 60


def test_a_password_guesser_slows_itself_down_and_not_the_facilitator(rooms):
    now = [1000.0]
    throttle = _throttle(rooms.db, now)
    for _ in range(5):  # the free failures: nobody waits
        throttle.failed("account", "fumi", "198.51.100.66")
    assert throttle.wait("account", "fumi", "198.51.100.66") == ("", 0.0)
    throttle.failed("account", "fumi", "198.51.100.66")
    why, left = throttle.wait("account", "fumi", "198.51.100.66")
    assert why == "login_wait" and 0 < left <= 1
    for _ in range(8):
        now[0] += throttle.wait("account", "fumi", "198.51.100.66")[1]
        throttle.failed("account", "fumi", "198.51.100.66")
    assert throttle.wait("account", "fumi", "198.51.100.66")[1] == 256  # 1, 2, 4 … doubling
    assert throttle.wait("account", "fumi", "192.0.2.10") == ("", 0.0)  # the facilitator's own machine
    assert throttle.wait("code", "", "198.51.100.66") == ("", 0.0)  # and join codes are another count


def test_failures_from_many_places_lock_the_account_and_the_answer_says_so(rooms):
    from katachi.core.i18n import t

    now = [1000.0]
    throttle = _throttle(rooms.db, now, login_failures_account_all=20)
    for i in range(21):
        throttle.failed("account", "fumi", f"10.1.0.{i}")
    why, left = throttle.wait("account", "fumi", "192.0.2.10")
    assert why == "account_locked" and left > 0
    assert "ロック" in t("error.account_locked", "ja", user="fumi", seconds=1)
    assert "already logged in keeps working" in t("error.account_locked", "en", user="fumi", seconds=1)
    assert throttle.wait("account", "paul", "192.0.2.10") == ("", 0.0)


def test_a_success_forgives_the_password_but_never_the_codes(rooms):
    now = [1000.0]
    throttle = _throttle(rooms.db, now, login_failures_per_account=2, login_failures_per_client=2)
    for _ in range(3):
        throttle.failed("account", "fumi", "10.0.0.1")
        throttle.failed("code", "", "10.0.0.1")
    now[0] += 5
    throttle.succeeded("account", "fumi", "10.0.0.1")
    throttle.succeeded("code", "", "10.0.0.1")  # a valid code of one's own does not reset a guesser
    throttle.failed("account", "fumi", "10.0.0.1")
    throttle.failed("code", "", "10.0.0.1")
    assert throttle.wait("account", "fumi", "10.0.0.1") == ("", 0.0)
    assert throttle.wait("code", "", "10.0.0.1")[1] > 0


def test_counts_are_shared_by_replicas_and_outlive_a_restart(rooms):
    from katachi.ui.web.appdb import AppDB

    now = [1000.0]
    one, two = _throttle(rooms.db, now), _throttle(AppDB(url=rooms.db.url), now)
    for t in (one, two, one, two, one, two):
        t.failed("account", "fumi", "10.0.0.9")
    assert one.wait("account", "fumi", "10.0.0.9")[1] > 0 and two.wait("account", "fumi", "10.0.0.9")[1] > 0
    assert _throttle(AppDB(url=rooms.db.url), now).wait("account", "fumi", "10.0.0.9")[1] > 0


def test_old_failures_leave_the_window(rooms):
    now = [1000.0]
    backoff = Backoff(rooms.db, Rule(free=2, window_s=60, first_s=1, max_s=10), clock=lambda: now[0])
    backoff.fail("k")
    backoff.fail("k")
    now[0] += 61
    assert backoff.fail("k") == 0  # the first two went out of the window


def test_a_join_code_is_never_a_password():
    assert login_kind("ABC123") == "code" and login_kind(" abc12 ") == "code"
    assert login_kind("facil-pass-1") == "account" and login_kind("12345678") == "account"


def test_a_guest_named_like_an_account_never_reaches_its_password(rooms):
    """Five participants who type the facilitator's user name as their name join as guests; the
    facilitator's password was never checked, so nothing about the account was counted."""
    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業", ["営業"], "ja", "live")
    auth = Authenticator(rooms.db)
    seats = {auth.login("fumi", ws["join_code"]) for _ in range(5)}  # five browsers: five seats, none the account
    assert f"fumi#{ws['id']}" in seats and len(seats) == 5 and "fumi" not in seats
    with pytest.raises(KatachiError) as e:  # a wrong code from that name is a wrong code, not a password
        auth.login("fumi", "WRONG9")
    assert e.value.code == "join_refused"
    assert auth.login("fumi", "facil-pass-1") == "fumi"
    assert rooms.db.one("SELECT COUNT(*) AS n FROM login_failures")["n"] == 0


# -- joining inside the app (the workshops tab and its API) ----------------------------------------------
def _join_answer(rooms, user, code) -> str:
    with pytest.raises(KatachiError) as e:
        rooms.join(user, code)
    assert e.value.code == "join_code_unknown"
    return e.value.message("en").replace(code, "CODE")


def test_a_wrong_an_expired_and_a_foreign_code_get_the_same_answer(rooms, monkeypatch):
    import time as _time

    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業", ["営業"], "ja", "live")
    auth = Authenticator(rooms.db)
    other_guest = rooms.user(auth.login("Ken", ws["join_code"]))
    from katachi.ui.web.auth import add_user

    add_user(rooms.db, "bfac", "facil-pass-2", "facilitator", ["beta"])
    mine = rooms.create(rooms.user("bfac"), "beta", "B", ["営業"], "ja", "live")
    answers = {
        _join_answer(rooms, rooms.user("other"), ws["join_code"]),  # staff of another company
        _join_answer(rooms, other_guest, mine["join_code"]),  # a guest of another workshop
        _join_answer(rooms, rooms.user("paul"), "ZZZZZZ"),
    }  # no such code
    later = _time.time() + 49 * 3600
    monkeypatch.setattr(_time, "time", lambda: later)
    answers.add(_join_answer(rooms, rooms.user("paul"), ws["join_code"]))  # expired
    assert len(answers) == 1
    # and the refused guest got no second seat
    assert rooms.db.joined(other_guest.name) == [ws["id"]]


def test_joining_by_code_in_the_app_is_counted_with_the_login_forms_codes(rooms):
    now = [1000.0]
    throttle = _throttle(rooms.db, now, login_failures_per_client=3)
    paul = rooms.user("paul")
    for _ in range(4):
        with pytest.raises(KatachiError) as e:
            throttle.try_code("10.0.0.5", lambda: rooms.join(paul, "ZZZZZZ"))
        assert e.value.code == "join_code_unknown"
    ws = rooms.create(rooms.user("fumi"), "acme", "営業", ["営業"], "ja", "live")
    with pytest.raises(KatachiError) as e:  # waiting: even the right code is not tried
        throttle.try_code("10.0.0.5", lambda: rooms.join(paul, ws["join_code"]))
    assert e.value.code == "login_wait"
    assert ws["id"] not in rooms.db.joined("paul")
    assert throttle.try_code("10.0.0.6", lambda: rooms.join(paul, ws["join_code"]))["id"] == ws["id"]


def test_a_guest_seat_ends_with_its_code(rooms, monkeypatch):
    """A session made before the code expired does not go on sending pain points after."""
    import time as _time

    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業", ["営業"], "ja", "live")
    auth = Authenticator(rooms.db)
    seat = auth.login("Ken", ws["join_code"])
    rooms.submit(rooms.user(seat), ws["id"], "見積の回答が遅い")
    later = _time.time() + 49 * 3600
    monkeypatch.setattr(_time, "time", lambda: later)
    with pytest.raises(KatachiError) as e:
        rooms.submit(rooms.user(seat), ws["id"], "提案書に二日かかる")
    assert e.value.code == "guest_expired"
    assert rooms.user("fumi").name == "fumi"  # accounts are not seats: they go on


def test_one_password_tried_on_many_names_from_one_client_is_slowed(rooms):
    now = [1000.0]
    throttle = _throttle(rooms.db, now, login_failures_per_client=4)  # 12 wrong passwords per client are free
    for i in range(13):
        assert throttle.wait("account", f"user{i}", "10.0.0.7") == ("", 0.0)
        throttle.failed("account", f"user{i}", "10.0.0.7")
    assert throttle.wait("account", "user99", "10.0.0.7")[1] > 0
    assert throttle.wait("account", "user99", "10.0.0.8") == ("", 0.0)


def test_old_counts_are_forgotten(rooms):
    now = [1000.0]
    backoff = Backoff(rooms.db, Rule(free=1, window_s=60, first_s=1, max_s=10), clock=lambda: now[0])
    for key in ("a", "b"):
        backoff.fail(key)
        backoff.fail(key)
    now[0] += 200
    backoff.forget_old(now[0])
    assert rooms.db.one("SELECT COUNT(*) AS n FROM login_failures")["n"] == 0
    assert rooms.db.one("SELECT COUNT(*) AS n FROM login_locks")["n"] == 0
