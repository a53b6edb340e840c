"""Server-side handlers of the workshop room: roles, join codes, intake, voting, gates, timers."""

import threading

import pytest

from katachi.core.errors import KatachiError
from katachi.ui.web.auth import Authenticator, add_user, check_password, hash_password
from tests.flow import room_walk
from tests.ui.roomkit import make_rooms
from tests.workshop_fakes import WorkshopResponder

# every test here runs on the embedded SQLite files and on PostgreSQL
pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def rooms(tmp_path):
    return make_rooms(tmp_path)


def _live(rooms, lang="ja"):
    fac = rooms.user("fumi")
    return fac, rooms.create(fac, "acme", "営業改革", ["営業", "カスタマーサクセス"], lang, "live", dots=2)


def _to_gate(rooms, wid, gate):
    st = rooms.jobs.wait_idle(wid, 30)
    assert st.state == "idle", st.error
    assert rooms.service.snapshot(wid).gate["gate"] == gate


def test_password_hash_is_salted_and_checked():
    a, b = hash_password("secret-123"), hash_password("secret-123")
    assert a != b and check_password("secret-123", a) and not check_password("secret-124", a)
    assert not check_password("x", "garbage")


def _guest(auth, name, code, held=None):
    """Log in as a guest the way the web app does: the session stores the id the login gives."""
    return auth.login(name, code, held)


def _refused(auth, name, secret) -> str:
    with pytest.raises(KatachiError) as e:
        auth.login(name, secret)
    return e.value.code


def test_login_by_account_and_guest_by_join_code(rooms):
    auth = Authenticator(rooms.db)
    assert auth.login("fumi", "facil-pass-1") == "fumi" and _refused(auth, "fumi", "wrong-pass") == "login_refused"
    _, ws = _live(rooms)
    assert _refused(auth, "Hanako", "NOPE12") == "join_refused"
    sid = _guest(auth, "花子", ws["join_code"].lower())  # codes are case-insensitive; Japanese names work
    assert sid == f"花子#{ws['id']}"
    guest = rooms.user(sid)
    assert guest.role == "participant" and guest.guest_of == ws["id"] and guest.display == "花子"
    assert [w["id"] for w in rooms.my_workshops(guest)] == [ws["id"]]
    # A guest named like an account is a seat of its own: the account's password is never checked
    fumi_guest = rooms.user(_guest(auth, "fumi", ws["join_code"]))
    assert fumi_guest.guest_of == ws["id"] and fumi_guest.name != "fumi" and fumi_guest.role == "participant"
    with pytest.raises(KatachiError):
        rooms.user("花子")  # the name alone is nobody: a guest is a seat in one workshop
    add_user(rooms.db, "花子", "whatever-123", "participant", [])  # and cannot collide with an account


def test_the_same_guest_name_in_two_workshops_is_two_people(rooms):
    auth = Authenticator(rooms.db)
    _, a = _live(rooms)
    _, b = _live(rooms)
    ken_a, ken_b = _guest(auth, "Ken", a["join_code"]), _guest(auth, "Ken", b["join_code"])
    assert ken_a != ken_b
    assert [w["id"] for w in rooms.my_workshops(rooms.user(ken_a))] == [a["id"]]
    assert [w["id"] for w in rooms.my_workshops(rooms.user(ken_b))] == [b["id"]]
    assert _guest(auth, "Ken", a["join_code"], held=ken_a) == ken_a  # the same browser joining again: its seat


def test_ordinary_names_are_names_and_a_refused_name_says_why(rooms):
    """「山田　太郎」 (an IME's full-width space), 「佐藤・花子」 and "O'Brien" were refused, and the refusal
    blamed the code."""
    auth = Authenticator(rooms.db)
    _, ws = _live(rooms)
    for name in ("山田　太郎", "佐藤・花子", "O'Brien", "Zoë Ünal-Smith", "李 小龍", "たなか（営業）"):
        seat = _guest(auth, name, ws["join_code"])
        assert rooms.user(seat).display == name
    assert rooms.user(_guest(auth, "  鈴木　　一郎 ", ws["join_code"])).display == "鈴木　一郎"
    assert _refused(auth, "a#b", ws["join_code"]) == "guest_name_bad"
    assert _refused(auth, "a\u200bb", ws["join_code"]) == "guest_name_bad"
    assert _refused(auth, "　", ws["join_code"]) == "guest_name_empty"
    assert _refused(auth, "x" * 41, ws["join_code"]) == "guest_name_long"
    with pytest.raises(KatachiError) as e:
        auth.login("a#b", ws["join_code"])
    assert "コード" not in e.value.message("ja") and "#" in e.value.message("ja")


def test_two_people_of_one_name_get_a_seat_each(rooms):
    """A second 「佐藤」 once shared the first one's seat and overwrote their answers."""
    auth = Authenticator(rooms.db)
    fac, ws = _live(rooms)
    first = _guest(auth, "佐藤", ws["join_code"])
    second = _guest(auth, "佐藤", ws["join_code"])  # another browser: no seat held
    assert first != second and rooms.user(second).display == "佐藤 (2)"
    assert _guest(auth, "佐藤", ws["join_code"], held=second) == second  # that browser again: its own seat
    rooms.submit(rooms.user(first), ws["id"], "見積に時間がかかる")
    rooms.submit(rooms.user(second), ws["id"], "引き継ぎが漏れる")
    authors = [p["author"] for p in rooms.view(fac, ws["id"]).points]
    assert authors == ["佐藤", "佐藤 (2)"]
    assert rooms.view(fac, ws["id"]).participants[-2:] == ["佐藤", "佐藤 (2)"]


def test_a_reused_guest_name_never_opens_another_companys_workshop(rooms):
    """The leak once found: company B's workshop finished, and a guest of the same name logging in with
    company A's code saw B's workshop, its code and its playbook."""
    add_user(rooms.db, "bfac", "facil-pass-2", "facilitator", ["beta"])
    finished: set[str] = set()
    auth = Authenticator(rooms.db, is_done=finished.__contains__)
    wb = rooms.create(rooms.user("bfac"), "beta", "B社", ["営業"], "ja", mode="live")
    b_seat = _guest(auth, "田中", wb["join_code"])
    finished.add(wb["id"])
    _, wa = _live(rooms)
    a_seat = _guest(auth, "田中", wa["join_code"], held=b_seat)  # the same browser, the same name
    b_guest, a_guest = rooms.user(b_seat), rooms.user(a_seat)
    assert [w["id"] for w in rooms.my_workshops(a_guest)] == [wa["id"]]
    for wid in (wb["id"],):
        with pytest.raises(KatachiError) as e:
            rooms.view(a_guest, wid)
        assert e.value.code == "workshop_unknown"
    # B's own guest still reads B's finished workshop, and nothing of A.
    assert [w["id"] for w in rooms.my_workshops(b_guest)] == [wb["id"]]
    # B is finished: its code lets nobody in any more.
    assert _refused(auth, "鈴木", wb["join_code"]) == "join_refused"


def test_join_codes_run_from_when_the_room_opens_and_the_facilitator_renews_them(rooms, monkeypatch):
    """A code prepared days ahead was dead on the day (it ran from the workshop's creation), could not be
    renewed, and an expired code read as a wrong one."""
    import time as _time

    from katachi.core.settings import get_settings

    rooms.service.settings = get_settings().model_copy(update={"join_code_hours": 1.0})
    fac, ws = _live(rooms)
    auth = Authenticator(rooms.db, settings=rooms.service.settings)
    now = [_time.time() + 5 * 24 * 3600]  # five days after it was prepared
    monkeypatch.setattr(_time, "time", lambda: now[0])
    ken = _guest(auth, "Ken", ws["join_code"])  # the room opens with the first one in
    assert rooms.db.workshop(ws["id"])["code_until"] == pytest.approx(now[0] + 3600)
    now[0] += 3601
    assert _refused(auth, "Aki", ws["join_code"]) == "join_refused"  # to a stranger: like a wrong code
    with pytest.raises(KatachiError) as e:  # to the browser holding a seat: it expired, ask for a renewal
        auth.login("Ken", ws["join_code"], held=ken)
    assert e.value.code == "join_code_expired"
    with pytest.raises(KatachiError) as e:
        rooms.submit(rooms.user(ken), ws["id"], "見積が遅い")
    assert e.value.code == "guest_expired"
    with pytest.raises(KatachiError):
        rooms.renew_code(rooms.user("paul"), ws["id"])  # only the facilitator renews
    rooms.renew_code(fac, ws["id"])
    rooms.submit(rooms.user(ken), ws["id"], "見積が遅い")  # the same seat works again
    assert _guest(auth, "Aki", ws["join_code"])  # and the same code lets people in


def test_roles_are_checked_on_the_server(rooms):
    fac, ws = _live(rooms)
    paul, kon, other = rooms.user("paul"), rooms.user("kon"), rooms.user("other")
    for who in (paul, kon):
        with pytest.raises(KatachiError) as e:
            rooms.create(who, "acme", "x", ["営業"], "ja")
        assert e.value.code == "forbidden"
    with pytest.raises(KatachiError) as e:
        rooms.create(other, "acme", "x", ["営業"], "ja")  # not a member of acme
    assert e.value.code == "forbidden"
    # A participant who has not joined sees nothing; the other company's facilitator sees nothing.
    assert rooms.my_workshops(paul) == [] and rooms.my_workshops(other) == []
    with pytest.raises(KatachiError) as e:
        rooms.view(other, ws["id"])
    assert e.value.code == "workshop_unknown"
    with pytest.raises(KatachiError) as e:
        rooms.join(other, ws["join_code"])
    assert e.value.code == "join_code_unknown"  # as for a wrong code: the answer tells nothing about codes
    rooms.join(paul, ws["join_code"])
    rooms.submit(paul, ws["id"], "見積もりに時間がかかる")
    for action in (
        lambda: rooms.start(paul, ws["id"]),
        lambda: rooms.merge_points(paul, ws["id"], [1, 2]),
        lambda: rooms.set_timer(paul, ws["id"], 5),
        lambda: rooms.decide(paul, ws["id"], {"action": "choose"}),
        lambda: rooms.start(kon, ws["id"]),
    ):
        with pytest.raises(KatachiError) as e:
            action()
        assert e.value.code == "forbidden"
    assert [w["id"] for w in rooms.my_workshops(kon)] == [ws["id"]]  # consultants may look


def test_intake_submit_edit_merge_and_anonymity(rooms):
    fac, ws = _live(rooms)
    paul = rooms.user("paul")
    rooms.join(paul, ws["join_code"])
    wid = ws["id"]
    a = rooms.submit(paul, wid, "  提案書の作成に\n2日かかる ", department="営業")
    b = rooms.submit(paul, wid, "提案書づくりが遅い", anonymous=True)
    c = rooms.submit(fac, wid, "引き継ぎで顧客情報が失われる", department="経理")  # not a workshop department
    pts = {p["id"]: p for p in rooms.view(fac, wid).points}
    assert pts[a]["text"] == "提案書の作成に 2日かかる" and pts[a]["author"] == "paul"
    assert pts[b]["author"] is None and pts[c]["department"] == ""
    assert all(p["author"] is None for p in rooms.view(paul, wid).points)
    for bad, code in (("", "empty_text"), ("あ" * 501, "text_too_long")):
        with pytest.raises(KatachiError) as e:
            rooms.submit(paul, wid, bad)
        assert e.value.code == code and "課題" in e.value.message("ja")
    rooms.merge_points(fac, wid, [a, b])
    rooms.edit_point(fac, wid, c, "受注後の引き継ぎで顧客の目標が失われる", "カスタマーサクセス")
    texts = [p["text"] for p in rooms.view(fac, wid).points]
    assert texts == ["提案書の作成に 2日かかる / 提案書づくりが遅い", "受注後の引き継ぎで顧客の目標が失われる"]
    with pytest.raises(KatachiError):
        rooms.merge_points(fac, wid, [a, 999])


def test_start_needs_pain_points_then_runs_in_background(rooms):
    fac, ws = _live(rooms)
    with pytest.raises(KatachiError) as e:
        rooms.start(fac, ws["id"])
    assert e.value.code == "no_pain_points_yet"
    rooms.submit(fac, ws["id"], "提案書の作成に2日かかる")
    rooms.submit(fac, ws["id"], "引き継ぎで顧客情報が失われる")
    rooms.start(fac, ws["id"])
    _to_gate(rooms, ws["id"], "themes")
    view = rooms.view(fac, ws["id"])
    assert view.stage == "themes" and len(view.values["theme_candidates"]) == 2  # one per pain group
    assert "gate_themes" in rooms.jobs.status(ws["id"]).nodes or view.job.nodes
    with pytest.raises(KatachiError) as e:
        rooms.submit(fac, ws["id"], "late")
    assert e.value.code == "wrong_stage"


def test_dot_voting_limits_and_tally(rooms):
    fac, ws = _live(rooms)
    paul = rooms.user("paul")
    rooms.join(paul, ws["join_code"])
    with pytest.raises(KatachiError) as e:
        rooms.vote(paul, ws["id"], 0)
    assert e.value.code == "wrong_stage"
    rooms.submit(paul, ws["id"], "提案書の作成に2日かかる")
    rooms.submit(paul, ws["id"], "引き継ぎで顧客情報が失われる")
    rooms.start(fac, ws["id"])
    _to_gate(rooms, ws["id"], "themes")
    assert rooms.vote(paul, ws["id"], 1) == 1
    assert rooms.vote(paul, ws["id"], 1) == 0
    with pytest.raises(KatachiError) as e:
        rooms.vote(paul, ws["id"], 0)
    assert e.value.code == "no_dots_left" and "2" in e.value.message("en")
    assert rooms.vote(paul, ws["id"], 1, delta=-1) == 1
    rooms.vote(paul, ws["id"], 0)
    rooms.vote(fac, ws["id"], 1)
    with pytest.raises(KatachiError):
        rooms.vote(paul, ws["id"], 7)
    view = rooms.view(fac, ws["id"])
    assert view.tally == [1, 2] and view.voters == 2
    assert view.card_voters == [1, 2]  # each card counts its own voters, not everyone who voted
    assert rooms.view(paul, ws["id"]).my_votes == {0: 1, 1: 1}
    from katachi.ui.web.room.render import findings, theme_cards

    html = theme_cards(view, "ja")
    assert 'data-index="0"' in html and 'data-voters="1"' in html and 'data-voters="2"' in html
    # Findings read as people speak: the severity and the message, not the rule's code.
    shown = findings(
        {
            "findings": {
                "intake": [
                    {
                        "rule": "junior_delegation",
                        "severity": "warning",
                        "item": "pp1",
                        "message": "推進が若手に任されています。",
                        "fix": "役員をオーナーに",
                    }
                ]
            }
        },
        "themes",
        "ja",
    )
    assert "注意" in shown and ">junior_delegation<" not in shown and 'data-rule="junior_delegation"' in shown


def test_concurrent_votes_never_exceed_the_dots(rooms):
    fac, ws = _live(rooms)
    rooms.submit(fac, ws["id"], "提案書の作成に2日かかる")
    rooms.start(fac, ws["id"])
    _to_gate(rooms, ws["id"], "themes")
    paul = rooms.user("paul")
    rooms.join(paul, ws["join_code"])
    results = []

    def vote():
        try:
            results.append(rooms.vote(paul, ws["id"], 0))
        except KatachiError as err:
            results.append(err.code)

    threads = [threading.Thread(target=vote) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)).count("no_dots_left") == 6
    assert rooms.view(fac, ws["id"]).tally[0] == 2


def test_gates_through_to_the_playbook_and_bad_decisions_are_refused_first(rooms):
    fac, ws = _live(rooms)
    wid = ws["id"]
    rooms.submit(fac, wid, "提案書の作成に2日かかる")
    rooms.submit(fac, wid, "引き継ぎで顧客情報が失われる")
    rooms.start(fac, wid)
    _to_gate(rooms, wid, "themes")
    with pytest.raises(KatachiError) as e:
        rooms.decide(fac, wid, {"action": "choose", "index": 9})
    assert e.value.code == "bad_decision"
    assert rooms.jobs.status(wid).state == "idle"  # nothing was queued
    rooms.decide(fac, wid, {"action": "choose", "index": 1})
    with pytest.raises(KatachiError) as e:  # a second click while the model works
        rooms.decide(fac, wid, {"action": "approve"})
    assert e.value.code in ("model_busy", "bad_decision")
    room_walk(rooms, fac, wid, until="playbook")
    # The room's approval hands the playbook to review; it does not finish the workshop.
    assert rooms.decide(fac, wid, {"action": "approve", "gate": "playbook"}) == "sent_to_review"
    assert rooms.db.review(wid)["status"] == "in_review" and not rooms.is_done(wid)
    from katachi.ui.web.review.handlers import Reviews

    kon = rooms.user("kon")
    with pytest.raises(KatachiError) as e:  # nothing reviewed yet: asks for confirmation first
        Reviews(rooms).approve(kon, wid)
    assert e.value.code == "review_unreviewed" and "未確認のまま承認する" in e.value.message("ja")
    Reviews(rooms).approve(kon, wid, confirm=True)
    view = rooms.view(fac, wid)
    assert view.stage == "done" and view.values["playbook"]["procedures"]
    assert rooms.is_done(wid) and "started" not in rooms.db.workshop(wid)  # the stage lives in the checkpoint only
    # A workshop created without consultant review is approved in the room, as before.
    quick = rooms.create(fac, "acme", "すぐ決める", ["営業"], "ja", review=False)
    rooms.submit(fac, quick["id"], "提案書の作成に2日かかる")
    rooms.start(fac, quick["id"])
    assert room_walk(rooms, fac, quick["id"]).done and rooms.is_done(quick["id"])


def _at_kpis_failing_usecases(tmp_path, error):
    """A live room at the KPI gate whose model raises ``error`` when asked for use cases (while .fail)."""

    class Failing(WorkshopResponder):
        fail = True

        def __call__(self, messages, kwargs):
            if self.fail and kwargs["response_format"]["json_schema"]["name"] == "UseCasesOut":
                raise error
            return super().__call__(messages, kwargs)

    resp = Failing()
    rooms = make_rooms(tmp_path, resp)
    fac, ws = _live(rooms)
    rooms.submit(fac, ws["id"], "提案書の作成に2日かかる")
    rooms.start(fac, ws["id"])
    _to_gate(rooms, ws["id"], "themes")
    rooms.decide(fac, ws["id"], {"action": "choose", "index": 0})
    _to_gate(rooms, ws["id"], "kpis")
    return resp, rooms, fac, ws


def test_failed_job_reports_a_coded_error_and_retry_resumes(tmp_path):
    resp, rooms, fac, ws = _at_kpis_failing_usecases(tmp_path, ConnectionError("server down"))
    rooms.decide(fac, ws["id"], {"action": "approve"})
    st = rooms.jobs.wait_idle(ws["id"])
    assert st.state == "failed" and st.error.code in ("model_unreachable", "job_failed")
    assert rooms.service.snapshot(ws["id"]).values["kpis"]  # the approved KPIs are kept
    resp.fail = False
    rooms.retry(fac, ws["id"])
    _to_gate(rooms, ws["id"], "usecases")


def test_timer_and_self_service_workshop(rooms):
    fac, ws = _live(rooms)
    rooms.set_timer(fac, ws["id"], 5, "投票")
    w = rooms.db.workshop(ws["id"])
    assert w["timer_end"] > 0 and w["timer_label"] == "投票"
    rooms.set_timer(fac, ws["id"], 0)
    assert rooms.db.workshop(ws["id"])["timer_end"] is None
    solo = rooms.create(fac, "acme", "一人で計画", ["営業"], "en", "self")
    assert solo["join_code"] is None
    with pytest.raises(KatachiError) as e:
        rooms.join(rooms.user("paul"), "")
    assert e.value.code == "join_code_unknown"


def test_server_restart_loses_nothing(tmp_path):
    rooms = make_rooms(tmp_path)
    fac, ws = _live(rooms)
    rooms.submit(fac, ws["id"], "提案書の作成に2日かかる")
    rooms.start(fac, ws["id"])
    _to_gate(rooms, ws["id"], "themes")
    rooms.vote(fac, ws["id"], 0)
    rooms.decide(fac, ws["id"], {"action": "choose", "index": 0})
    _to_gate(rooms, ws["id"], "kpis")
    rooms.db.close()
    rooms.service.close()

    again = make_rooms(tmp_path, users=False)  # a new process: same files, nothing in memory
    fac = again.user("fumi")
    assert [w["stage"] for w in again.my_workshops(fac)] == ["kpis"]
    view = again.view(fac, ws["id"])
    assert view.stage == "kpis" and view.gate["gate"] == "kpis" and view.values["theme"]
    again.decide(fac, ws["id"], {"action": "approve"})
    _to_gate(again, ws["id"], "usecases")


def test_job_interrupted_by_a_restart_can_be_run_again(tmp_path):
    rooms = make_rooms(tmp_path)
    fac, ws = _live(rooms)
    rooms.submit(fac, ws["id"], "提案書の作成に2日かかる")
    # As if the server died before the graph stored anything: no checkpoint and no job.
    view = rooms.view(fac, ws["id"])
    assert view.stage == "intake" and [p["text"] for p in view.points] == ["提案書の作成に2日かかる"]
    rooms.retry(fac, ws["id"])  # intake is open: the submitted pain points are still there
    assert [p["text"] for p in rooms.view(fac, ws["id"]).points] == ["提案書の作成に2日かかる"]
    rooms.submit(fac, ws["id"], "引き継ぎで情報が抜ける")


def test_expected_participants_and_an_older_database(tmp_path):
    import sqlite3

    rooms = make_rooms(tmp_path)
    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業改革", ["営業"], "ja", expected=["花子", " Ken ", "花子", ""])
    assert ws["expected"] == ["花子", "Ken"]
    from katachi.ui.web.auth import Authenticator

    Authenticator(rooms.db).login("花子", ws["join_code"])
    from katachi.ui.web.room.render import people  # shown by display name, not by the seat id

    html = people(rooms.view(fac, ws["id"]), "ja")
    assert 'data-waiting="1"' in html and "Ken (未参加)" in html
    # A database made before the column existed is upgraded in place, nothing lost.
    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)
    con.executescript(
        "CREATE TABLE workshops (id TEXT PRIMARY KEY, company TEXT NOT NULL, title TEXT NOT NULL, "
        "lang TEXT NOT NULL, departments TEXT NOT NULL, mode TEXT NOT NULL, owner TEXT NOT NULL, "
        "join_code TEXT UNIQUE, dots INTEGER NOT NULL, started INTEGER NOT NULL DEFAULT 0, "
        "created REAL NOT NULL, timer_end REAL, timer_label TEXT NOT NULL DEFAULT '');"
        "INSERT INTO workshops (id, company, title, lang, departments, mode, owner, join_code, dots, "
        "created) VALUES ('w1', 'acme', 't', 'ja', '[\"営業\"]', 'live', 'fumi', 'ABCDEF', 3, 0);"
    )
    con.commit()
    con.close()
    from katachi.ui.web.appdb import AppDB

    assert AppDB(old).workshop("w1")["expected"] == []


def test_global_guest_names_from_an_older_database_lose_their_old_workshops(tmp_path):
    import sqlite3

    from katachi.ui.web.appdb import AppDB

    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)
    con.executescript(
        "CREATE TABLE guests (name TEXT PRIMARY KEY, workshop TEXT NOT NULL, created REAL NOT NULL);"
        "CREATE TABLE joined (workshop TEXT NOT NULL, username TEXT NOT NULL, at REAL NOT NULL, "
        "PRIMARY KEY (workshop, username));"
        "INSERT INTO guests VALUES ('田中', 'wb', 0); INSERT INTO joined VALUES ('wb', '田中', 0);"
        "INSERT INTO joined VALUES ('wb', 'fumi', 0);"
    )
    con.commit()
    con.close()
    db = AppDB(old)
    assert db.joined("田中") == [] and db.joined("fumi") == ["wb"]


def test_pain_points_are_limited_per_person_and_per_workshop_even_anonymously(tmp_path, monkeypatch):
    from katachi.core.settings import get_settings

    rooms = make_rooms(tmp_path)
    rooms.service.settings = get_settings().model_copy(update={"max_points_per_participant": 3, "max_pain_points": 5})
    fac, ws = _live(rooms)
    auth = Authenticator(rooms.db)
    ken = rooms.user(_guest(auth, "Ken", ws["join_code"]))
    for i in range(3):
        rooms.submit(ken, ws["id"], f"課題その{i}", anonymous=bool(i % 2))
    with pytest.raises(KatachiError) as e:
        rooms.submit(ken, ws["id"], "匿名ならもう一件", anonymous=True)
    assert e.value.code == "too_many_points_each"
    rooms.submit(fac, ws["id"], "進行役の課題1")
    rooms.submit(fac, ws["id"], "進行役の課題2")
    with pytest.raises(KatachiError) as e:
        rooms.submit(fac, ws["id"], "六件目")
    assert e.value.code == "too_many_points"
    assert len(rooms.db.pain_points(ws["id"])) == 5


def test_a_crash_during_a_model_job_leaves_a_room_that_can_continue(tmp_path):
    """The server dies while the model works: after a restart the room says so and offers retry."""
    # SystemExit is not an error the job catches: like a killed process
    resp, rooms, fac, ws = _at_kpis_failing_usecases(tmp_path, SystemExit("the process is killed here"))
    svc = rooms.service
    with pytest.raises(SystemExit):  # the decision's run dies mid-stage, like a killed process
        svc.resume(ws["id"], {"action": "approve"})
    again = make_rooms(tmp_path, resp, users=False)  # restarted: nothing in memory
    view = again.view(again.user("fumi"), ws["id"])
    assert view.job.state == "failed" and view.job.error.code == "job_interrupted"
    assert "再実行" in view.job.error.message("ja")
    resp.fail = False
    again.retry(again.user("fumi"), ws["id"])
    _to_gate(again, ws["id"], "usecases")


def test_the_join_panel_shows_the_address_a_qr_code_and_the_code():
    from katachi.ui.web.app import listen_url
    from katachi.ui.web.room.render import join_panel

    html = join_panel("ABC123", "http://192.168.10.5:7860/", "ja")
    assert "http://192.168.10.5:7860/join?code=ABC123" in html and "<svg" in html
    assert 'class="k-join-code">ABC123<' in html
    assert "（/）" not in html
    assert listen_url("127.0.0.1", 7860) == "http://127.0.0.1:7860/"
    assert not listen_url("0.0.0.0", 7860).startswith("http://0.0.0.0")


def test_pain_points_are_numbered_per_workshop_and_rewording_takes_exactly_one(rooms):
    from katachi.ui.web.room.controls import _ids, _one
    from katachi.ui.web.room.render import points

    fac, a = _live(rooms)
    _, b = _live(rooms)
    rooms.submit(fac, a["id"], "Aの課題")
    rooms.submit(fac, b["id"], "Bの課題1")
    rooms.submit(fac, b["id"], "Bの課題2")
    html = points(rooms.view(fac, b["id"]), "ja")
    assert "<b>1.</b> Bの課題1" in html and "<b>2.</b> Bの課題2" in html and "<ol" not in html  # not "1. 2."
    assert _ids(["3", 4]) == [3, 4] and _one([7]) == 7
    with pytest.raises(KatachiError) as e:
        _one([3, 4])  # two ticked: once only the first was changed, silently
    assert e.value.code == "pick_one"


def test_generated_content_reaches_the_facilitator_first_and_the_room_when_shown(rooms):
    fac, ws = _live(rooms)
    paul = rooms.user("paul")
    rooms.join(paul, ws["join_code"])
    rooms.submit(paul, ws["id"], "提案書の作成に2日かかる")
    rooms.start(fac, ws["id"])
    _to_gate(rooms, ws["id"], "themes")
    mine, theirs = rooms.view(fac, ws["id"]), rooms.view(paul, ws["id"])
    assert mine.values["theme_candidates"] and not mine.revealed
    assert theirs.hidden and "theme_candidates" not in theirs.values and theirs.values["pain_points"]
    with pytest.raises(KatachiError):
        rooms.reveal(paul, ws["id"])  # only the facilitator shows things to the room
    rooms.reveal(fac, ws["id"])
    theirs = rooms.view(paul, ws["id"])
    assert not theirs.hidden and theirs.values["theme_candidates"]
    rooms.vote(paul, ws["id"], 0)
    assert rooms.view(paul, ws["id"]).tally == [] and rooms.view(fac, ws["id"]).tally[0] == 1
    rooms.show_votes(fac, ws["id"])
    assert rooms.view(paul, ws["id"]).tally[0] == 1
    rooms.decide(fac, ws["id"], {"action": "choose", "index": 0, "gate": "themes"})
    _to_gate(rooms, ws["id"], "kpis")
    assert rooms.view(paul, ws["id"]).hidden  # each new gate is previewed again


def test_a_session_is_known_to_every_replica_and_only_its_hash_is_stored(rooms):
    """Two app processes on one database (or one process before and after a restart): the browser logged
    in on the first continues on the second after a reload; logging out ends it everywhere."""
    from katachi.ui.web.appdb import AppDB
    from katachi.ui.web.sessions import Sessions

    _, ws = _live(rooms)
    first = Sessions(rooms.db)
    second = Sessions(AppDB(url=rooms.db.url))  # the other replica's (or the restarted process's) own store
    token = first.start(Authenticator(rooms.db).login("花子", ws["join_code"]))
    assert second.user(token) == f"花子#{ws['id']}" and second.user("nope") is None and second.user(None) is None
    assert rooms.db.one("SELECT COUNT(*) AS n FROM sessions WHERE token_hash = ?", token)["n"] == 0
    second.end(token)
    assert first.user(token) is None
    # a session found is remembered for a few seconds: a logout elsewhere ends it here after that
    token = first.start(f"花子#{ws['id']}")
    assert first.user(token) == f"花子#{ws['id']}"
    second.end(token)
    assert first.user(token) == f"花子#{ws['id']}"
    first._known = {k: (u, 0.0) for k, (u, _) in first._known.items()}  # REMEMBER_S later
    assert first.user(token) is None


def test_tabs_share_a_workshops_reads_briefly_and_a_change_here_reads_afresh(rooms):
    """The change check (cached) may answer from what another tab read up to RECENT_S ago; a view after
    a change made through this process is fresh, and refreshes what the change check answers."""
    fac, ws = _live(rooms)
    paul = rooms.user("paul")
    rooms.join(paul, ws["join_code"])
    before = rooms.view(paul, ws["id"], cached=True)
    # another replica adds a point: this process does not know yet
    from katachi.ui.web.appdb import AppDB
    from katachi.ui.web.room.handlers import Rooms

    other = Rooms(AppDB(url=rooms.db.url), rooms.service, rooms.jobs)
    other.submit(fac, ws["id"], "会議の議事録作成に時間がかかる")
    assert rooms.view(paul, ws["id"], cached=True).version == before.version  # within RECENT_S
    fresh = rooms.view(paul, ws["id"])  # a handler's view reads afresh
    assert fresh.version != before.version
    assert rooms.view(paul, ws["id"], cached=True).version == fresh.version  # and the check sees it
    rooms._recent = {k: (0.0, v) for k, (_, v) in rooms._recent.items()}  # RECENT_S later
    assert len(rooms.view(paul, ws["id"], cached=True).points) == len(fresh.points)
