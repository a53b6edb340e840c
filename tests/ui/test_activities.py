"""Participants' activities while the model works: ratings, endorsement and dissent, KPI comments;
anonymity chosen per activity by the facilitator; what the room said recorded with the decisions
and in the playbook."""

import pytest

from katachi.core.errors import KatachiError
from katachi.ui.web.auth import Authenticator
from tests.flow import room_walk
from tests.ui.roomkit import make_rooms

# every test here runs on the embedded SQLite files and on PostgreSQL
pytestmark = pytest.mark.usefixtures("backend")


def _to_gate(rooms, wid, gate):
    assert rooms.jobs.wait_idle(wid, 30).state == "idle"
    assert rooms.service.snapshot(wid).gate["gate"] == gate


def test_the_room_rates_endorses_and_dissents_and_the_playbook_records_it(tmp_path):
    rooms = make_rooms(tmp_path)
    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業改革", ["営業", "カスタマーサクセス"], "ja", "live", review=False)
    wid = ws["id"]
    auth = Authenticator(rooms.db)
    hanako, ken = rooms.user(auth.login("花子", ws["join_code"])), rooms.user(auth.login("Ken", ws["join_code"]))
    rooms.submit(hanako, wid, "提案書の作成に2日かかる")
    rooms.submit(ken, wid, "引き継ぎで顧客情報が失われる")
    with pytest.raises(KatachiError) as e:  # nothing to rate during intake
        rooms.answer(hanako, wid, "pain", "1", 4, 5)
    assert e.value.code == "activity_closed" and "課題出し" in e.value.message("ja")
    rooms.start(fac, wid)
    _to_gate(rooms, wid, "themes")
    assert rooms.view(hanako, wid).activities == ["pain"]
    rooms.answer(hanako, wid, "pain", "1", 4, 5)
    rooms.answer(ken, wid, "pain", "1", 2, 3)
    rooms.answer(ken, wid, "pain", "1", 3, 3)  # answering again replaces the first answer
    with pytest.raises(KatachiError) as e:
        rooms.answer(ken, wid, "pain", "1", 0, 3)
    assert e.value.code == "rating_missing"
    with pytest.raises(KatachiError) as e:
        rooms.answer(ken, wid, "pain", "9", 3, 3)  # not one of the points on screen
    assert e.value.code == "no_candidate"
    said = rooms.view(fac, wid).voice
    assert said["ratings"]["P1"] == {"n": 2, "a": 3.5, "b": 4.0}
    assert rooms.view(ken, wid).voice == {}  # participants do not see the others' answers
    assert rooms.view(ken, wid).mine == {"pain:1": (3, 3, "")}
    rooms.decide(fac, wid, {"action": "choose", "index": 0})
    _to_gate(rooms, wid, "kpis")
    theme = rooms.view(fac, wid).values["theme"]["title"]
    assert rooms.view(ken, wid).activities[0] == "endorse"
    rooms.answer(hanako, wid, "endorse", "", 5, 0, "顧客訪問が増える")
    rooms.answer(ken, wid, "endorse", "", 2, 0, "引き継ぎの方が先では")
    rooms.reveal(fac, wid)
    assert "kpi" in rooms.view(ken, wid).activities
    rooms.answer(ken, wid, "kpi", "K1", text="基準値の測り方が不明")
    end = rooms.view(fac, wid).voice["endorsement"]
    assert (end["theme"], end["n"], end["mean"], end["agree"]) == (theme, 2, 3.5, 1)
    # endorsement is anonymous by default: the dissent is heard without a name
    assert end["dissent"] == [{"value": 2, "text": "引き継ぎの方が先では", "by": ""}]
    comments = rooms.view(fac, wid).voice["comments"]["K1"]
    assert comments[0]["text"] == "基準値の測り方が不明" and comments[0]["by"] == "Ken"
    with pytest.raises(KatachiError):
        rooms.set_anonymous(ken, wid, [])  # the facilitator's choice only
    rooms.set_anonymous(fac, wid, ["intake"])
    rooms.answer(ken, wid, "endorse", "", 2, 0, "引き継ぎの方が先では")
    assert rooms.view(fac, wid).voice["endorsement"]["dissent"][0]["by"] == "Ken"
    rooms.decide(fac, wid, {"action": "approve"})
    _to_gate(rooms, wid, "usecases")
    snap = rooms.service.snapshot(wid)
    rec = snap.values["decisions"][-1]
    assert rec["gate"] == "kpis" and rec["room"]["endorsement"]["n"] == 2
    assert rec["room"]["comments"]["K1"][0]["text"] == "基準値の測り方が不明"
    assert snap.values["decisions"][0]["room"]["ratings"]["P1"]["n"] == 2  # ratings went with the theme choice
    rooms.reveal(fac, wid)
    uid = snap.values["use_cases"][0]["id"]
    assert rooms.view(ken, wid).activities[0] == "usecase"
    rooms.answer(ken, wid, "usecase", uid, 4, 2)
    assert room_walk(rooms, fac, wid).done and rooms.is_done(wid)
    from katachi.exports.exports import export

    md = export(rooms.service.snapshot(wid).values, "md").decode()
    assert "経営層の賛同" in md and "平均 3.5 / 5（2 人中 1 人が 4 以上）" in md
    assert "引き継ぎの方が先では (Ken)" in md and "顧客訪問が増える" in md
    assert "参加者の評価（影響 × 実現しやすさ）" in md and "4.0 × 2.0 = 8.0" in md


def test_pain_points_are_anonymous_when_the_facilitator_says_so(tmp_path):
    rooms = make_rooms(tmp_path)
    fac, paul = rooms.user("fumi"), rooms.user("paul")
    ws = rooms.create(fac, "acme", "営業改革", ["営業"], "ja", "live")
    rooms.join(paul, ws["join_code"])
    rooms.submit(paul, ws["id"], "名前つきの課題")
    rooms.set_anonymous(fac, ws["id"], ["intake"])
    rooms.submit(paul, ws["id"], "匿名の課題")
    rooms.submit(paul, ws["id"], "これも匿名")  # the setting stays for the activity, not for one send
    assert [p["author"] for p in rooms.view(fac, ws["id"]).points] == ["paul", None, None]
    assert rooms.db.workshop(ws["id"])["anonymous"] == ["intake"]
