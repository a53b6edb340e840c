"""What the executive team takes home besides the deck: the one-page summary (A4 PDF and DOCX), the weekly
review in the calendar (.ics), the tracker's weekly pack as slides and PDF with the trends; and the use
case added at the gate, whole or refused."""

import datetime as dt
import io
import os

import pytest

from katachi.core.errors import KatachiError
from katachi.exports.exports import export
from tests import deliverables_kit as kit
from tests.flow import walk
from tests.test_no_raw_tokens import docx_text, pdf_text, pptx_text


@pytest.fixture(scope="module", params=["ja", "en"])
def done(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    svc = kit.service(tmp, request.param)
    values = kit.finish(svc, request.param)
    yield values, svc, tmp
    svc.close()


def test_the_summary_is_one_a4_page_with_its_sections(done):
    from pypdf import PdfReader

    values, _, _ = done
    ja = values["lang"] == "ja"
    reader = PdfReader(io.BytesIO(export(values, "summary-pdf")))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(export(values, "summary-pdf"))
    procs = values["playbook"]["procedures"]
    for words in (
        values["theme"]["title"],
        values["theme"]["why_now"],
        values["kpis"][0]["owner"],
        "2026-11-30",
        "09:00",
        procs[0]["title"],
        procs[2]["title"],
        "初回の週次レビュー" if ja else "The first weekly review",
    ):
        assert words in text.replace("\n", ""), words
    from docx import Document

    doc = Document(io.BytesIO(export(values, "summary-docx")))
    assert round(doc.sections[0].page_width.mm) == 210 and round(doc.sections[0].page_height.mm) == 297
    text = docx_text(export(values, "summary-docx"))
    assert values["theme"]["title"] in text and procs[1]["title"] in text and "2026-11-30" in text
    assert len(doc.tables) == 1 and doc.tables[0].rows[1].cells[4].text == values["kpis"][0]["owner"]


def test_a_long_summary_still_fits_one_page(done):
    from pypdf import PdfReader

    values, _, _ = done
    many = {
        **values,
        "versions": [],
        "theme": {**values["theme"], "why_now": "商談が増えている。" * 40},
        "kpis": [
            {**values["kpis"][0], "id": f"K{i}", "name": f"指標{i} " + "提案書作成リードタイム" * 3}
            for i in range(1, 7)
        ],
    }
    assert len(PdfReader(io.BytesIO(export(many, "summary-pdf"))).pages) == 1


def test_the_weekly_review_goes_into_the_calendar(done):
    from icalendar import Calendar

    values, _, _ = done
    cal = Calendar.from_ical(export(values, "ics", tracker_url="https://katachi.example.jp/"))
    ev = next(iter(cal.walk("VEVENT")))
    start = ev.decoded("DTSTART")
    assert start.isoformat() == "2026-11-30T09:00:00+09:00" and str(start.tzinfo) == "Asia/Tokyo"
    assert ev.decoded("DTEND") - start == dt.timedelta(minutes=30)  # 「毎週月曜 9:00〜9:30」
    rule = ev["RRULE"]
    last = max(k["deadline"] for k in values["kpis"])  # the last KPI deadline, to the end of its month
    y, m = map(int, last.split("-"))
    end = dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
    assert rule["FREQ"] == ["WEEKLY"] and rule["UNTIL"][0].astimezone(start.tzinfo).date() == end
    text = str(ev["DESCRIPTION"])
    for role in values["playbook"]["weekly_review"]["attendees"]:
        assert role in text
    assert "https://katachi.example.jp/" in text and str(ev["LOCATION"]) == "https://katachi.example.jp/"
    assert values["theme"]["title"] in str(ev["SUMMARY"])
    assert any(c.name == "VTIMEZONE" for c in cal.subcomponents)  # readable by calendars without tz data
    again = Calendar.from_ical(export(values, "ics"))
    assert next(iter(again.walk("VEVENT")))["UID"] == ev["UID"]  # a newer invitation updates the meeting


def test_a_cadence_on_another_day_and_time():
    from icalendar import Calendar

    from katachi.exports.calendar import review_ics

    values = {
        "lang": "ja",
        "today": "2026-11-27",
        "company": "acme",
        "theme": {"title": "t"},
        "kpis": [],
        "playbook": {"weekly_review": {"cadence": "隔週水曜 16:00〜16:45", "attendees": ["CEO"]}},
    }
    ev = next(iter(Calendar.from_ical(review_ics(values, "")).walk("VEVENT")))
    assert ev.decoded("DTSTART").isoformat() == "2026-12-02T16:00:00+09:00"
    assert ev["RRULE"]["INTERVAL"] == [2] and "UNTIL" not in ev["RRULE"]


def test_the_weekly_pack_as_slides_and_pdf_with_the_trends(done):
    from pptx import Presentation
    from pypdf import PdfReader

    values, svc, tmp = done
    tr = kit.tracker(svc, tmp / f"pack-{values['lang']}")
    with pytest.raises(KatachiError) as e:
        tr.pack_file(values["thread_id"], "pdf")
    assert e.value.code == "pack_missing"
    pack = tr.pack(values["thread_id"])
    prs = Presentation(io.BytesIO(tr.pack_file(values["thread_id"], "pptx")))
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == len(values["kpis"])  # one trend a KPI
    text = pptx_text(tr.pack_file(values["thread_id"], "pptx"))
    assert pack["hypotheses"][0]["text"] in text and pack["decisions"][0] in text
    assert ("[1]" in text) == any(h["citations"] for h in pack["hypotheses"])  # numbered notes, not [^1]
    reader = PdfReader(io.BytesIO(tr.pack_file(values["thread_id"], "pdf")))
    assert sum(len(p.images) for p in reader.pages) == len(values["kpis"])
    text = pdf_text(tr.pack_file(values["thread_id"], "pdf"))
    assert pack["exec_prompts"][0][:15] in text.replace("\n", "")


def test_a_use_case_added_at_the_gate_gets_an_id_and_its_steps(done):
    values, _, _ = done
    added = next(u for u in values["use_cases"] if u["title"] == kit.ADDED[values["lang"]]["title"])
    assert added["id"] == "U3" and len(added["how"]) == 4 and added["pattern"] == "new"
    assert added["input"] in added["how"][0]


def test_an_incomplete_added_use_case_is_refused_with_the_reason(tmp_path):
    svc = kit.service(tmp_path, "ja")
    snap = svc.start("acme", kit.PAINS["ja"], kit.DEPTS["ja"], lang="ja", thread_id="t9", today=kit.TODAY)
    snap = walk(svc, "t9", snap, until="usecases")
    half = {
        **kit.ADDED["ja"],
        "id": "",
        "how": [],
        "input": "",
        "output": "",
        "kpi_id": "K1",
        "impact": {"value": 3},
        "feasibility": {"value": 3},
    }
    with pytest.raises(KatachiError) as e:
        svc.resume("t9", {"action": "approve", "add": [half]})
    assert e.value.code == "usecase_incomplete"
    assert e.value.message("ja") == (
        "追加したユースケース「失注理由の要約と共有」に入力がありません。表のその欄を埋めてから承認してください。"
    )
    assert svc.snapshot("t9").gate["gate"] == "usecases" and svc.snapshot("t9").values == snap.values
    svc.close()


def test_the_cli_writes_every_deliverable_with_a_readable_name(done, tmp_path, monkeypatch, capsys):
    from katachi.ui.cli.main import main

    values, svc, _ = done
    monkeypatch.setattr("katachi.graphs.service.WorkshopService", lambda *a, **k: svc)
    monkeypatch.setattr("katachi.ui.cli.export._audit", lambda s, tid: [])
    names = []
    for fmt in ("pptx", "summary-pdf", "summary-docx", "ics"):
        assert main(["export", values["thread_id"], "--format", fmt, "--out", str(tmp_path)]) == 0
        names.append(capsys.readouterr().out.strip())
    assert all(values["thread_id"] not in n for n in names)
    ja = values["lang"] == "ja"
    assert names[0].endswith(
        "acme-" + values["theme"]["title"].replace(" ", "-") + ("-報告資料.pptx" if ja else "-deck.pptx")
    )
    assert names[3].endswith(".ics")


def test_the_done_page_offers_the_deliverables_once_per_version(done, tmp_path):
    """完了: the deck, the summary, the invitation and the playbook, named for people, made once; the page
    lists them as links (never an empty download box)."""
    from katachi.core.settings import get_settings
    from katachi.ui.web.room.deliverables import DONE_FILES, export_done, links

    values, _, _ = done
    make = lambda fmt: export_done(values, fmt, tmp_path / "exports", get_settings(), "http://room.example/")  # noqa: E731
    paths = [make(fmt) for fmt in DONE_FILES]
    names = [p.name for p in paths]
    assert [n.rsplit(".", 1)[1] for n in names] == ["pptx", "pdf", "docx", "ics", "pdf", "docx"]
    assert all(n.startswith("acme-") and values["thread_id"] not in n for n in names)
    stamps = [os.stat(p).st_mtime_ns for p in paths]
    assert [make(fmt) for fmt in DONE_FILES] == paths  # a second visit finds them
    assert [os.stat(p).st_mtime_ns for p in paths] == stamps
    assert b"http://room.example/" in paths[3].read_bytes()
    page = links(values, "ja")
    assert page.count('class="k-file"') == len(DONE_FILES) and all(n in page for n in names)


def test_two_tabs_asking_for_the_same_new_file_at_once_both_get_it(done, tmp_path):
    """Two browsers on the 完了 page ask for the deck of a new version at the same moment: both get the
    whole file, and no half-written copy is left behind (one shared temporary name made one of them fail)."""
    from concurrent.futures import ThreadPoolExecutor

    from katachi.core.settings import get_settings
    from katachi.ui.web.room.deliverables import export_done

    values, _, _ = done
    out = tmp_path / "exports"
    with ThreadPoolExecutor(4) as pool:
        paths = list(
            pool.map(lambda _: export_done(values, "ics", out, get_settings(), "http://room.example/"), range(4))
        )
    assert len(set(paths)) == 1 and paths[0].read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert not list(out.rglob("*.part"))


def test_the_cli_writes_the_weekly_pack_as_slides(done, tmp_path, monkeypatch, capsys):
    from pptx import Presentation

    from katachi.ui.cli.main import main

    values, svc, tmp = done
    tr = kit.tracker(svc, tmp_path)
    monkeypatch.setattr("katachi.ui.cli.tracker._svc", lambda settings: tr)
    monkeypatch.chdir(tmp_path)
    assert main(["tracker", values["thread_id"], "--pack", "--format", "pptx"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.endswith(".pptx") and values["thread_id"] not in out
    assert len(Presentation(str(tmp_path / out)).slides) >= 5
    assert main(["--lang", values["lang"], "tracker", values["thread_id"]]) == 0  # the status, in words
    text = capsys.readouterr().out
    assert kit.raw_tokens(text) == [] and ("停滞" if values["lang"] == "ja" else "stuck") in text
