"""Bounded reading everywhere: no file, pipe or value from the command line or the web makes a process
read without bound, and what is over a limit is refused with its reason (never cut short in silence)."""

from __future__ import annotations

import io
import os
import sys
import threading
from pathlib import Path

import pytest

from katachi.core.errors import KatachiError
from katachi.ui.cli.main import main
from katachi.ui.cli.workshop import read_pain_points


def _within(seconds: float, fn):
    """fn() run in a thread: its result or error, or a failure when it does not return in time."""
    box: dict = {}

    def run():
        try:
            box["ok"] = fn()
        except BaseException as exc:  # noqa: BLE001 — handed back to the test
            box["err"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "still reading"
    if "err" in box:
        raise box["err"]
    return box["ok"]


def test_a_device_or_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pains.fifo"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):  # /dev/zero states size 0 and never ends; a FIFO waits for a writer
        with pytest.raises(KatachiError) as e:
            _within(5, lambda: read_pain_points(path))  # noqa: B023 (called at once)
        assert e.value.code == "file_not_regular" and path in e.value.message("ja")


def test_only_the_limit_is_read_whatever_the_file_holds(tmp_path, monkeypatch):
    import katachi.core.files

    big = tmp_path / "big.txt"
    big.write_text("提案書に時間がかかる\n" * 100_000, encoding="utf-8")  # ~3 MB
    read = []
    real = os.read
    monkeypatch.setattr(katachi.core.files.os, "read", lambda fd, n: read.append(n) or real(fd, n))
    with pytest.raises(KatachiError) as e:
        read_pain_points(str(big), max_kb=64)
    assert e.value.code == "pain_points_too_large" and sum(read) <= 64 * 1024 + 1


def test_pain_points_in_utf16_are_read_as_ingest_reads_them(tmp_path):
    for i, data in enumerate(
        (
            "提案書の作成に2日かかる\n見積が遅い\n".encode("utf-16"),
            "提案書の作成に2日かかる\r\n見積が遅い\r\n".encode("utf-16-le"),
        )
    ):
        path = tmp_path / f"p{i}.txt"
        path.write_bytes(data)
        assert read_pain_points(str(path)) == ["提案書の作成に2日かかる", "見積が遅い"]


def test_malformed_yaml_is_an_error_naming_the_line(tmp_path):
    bad = tmp_path / "pains.yaml"
    bad.write_text(
        "- text: 提案書に2日\n  department: 営業\n- text: [見積が遅い\n  department: 営業\n", encoding="utf-8"
    )
    with pytest.raises(KatachiError) as e:
        read_pain_points(str(bad))
    assert e.value.code == "bad_pain_points" and "line 4" in e.value.message("en")
    # the same records in a .txt are records, not four "pain points" such as "department: 営業"
    records = tmp_path / "pains.txt"
    records.write_text("- text: 提案書に2日\n  department: 営業\n- text: 見積が遅い\n", encoding="utf-8")
    assert read_pain_points(str(records)) == ["提案書に2日", "見積が遅い"]
    broken = tmp_path / "broken.txt"
    broken.write_text("- text: 提案書に2日\n  department: [営業\n", encoding="utf-8")
    with pytest.raises(KatachiError) as e:
        read_pain_points(str(broken))
    assert "line 3" in e.value.message("en") or "line 2" in e.value.message("en")


def test_every_free_text_value_on_the_command_line_has_a_limit(tmp_path, capsys):
    pains = tmp_path / "p.txt"
    pains.write_text("提案書の作成に2日かかる\n", encoding="utf-8")
    base = ["--lang", "en", "run", "--company", "acme", "--pain-points", str(pains), "--departments"]
    assert main(base + ["営業," + "部" * 10_000]) == 2
    assert "[text_too_long]" in capsys.readouterr().err
    assert main(base + ["営業," + "部" * 61]) == 2  # one department's name: 60 at most
    assert "60" in capsys.readouterr().err
    assert main(base + [",".join(f"部署{i}" for i in range(31))]) == 2
    assert "[too_many_departments]" in capsys.readouterr().err
    assert main(["checkin", "t1", "--kpi", "K1", "--value", "1", "--note", "x" * 5000]) == 2
    assert "--note" in capsys.readouterr().err
    assert main(["search", "q" * 3000, "--company", "acme"]) == 2


def test_a_line_typed_at_a_gate_is_read_with_a_limit(monkeypatch):
    from katachi.ui.cli.limits import read_line

    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    assert read_line("> ") == "1"
    monkeypatch.setattr("sys.stdin", open("/dev/zero", encoding="utf-8"))  # no newline, ever
    with pytest.raises(KatachiError) as e:
        _within(5, lambda: read_line("> "))
    assert e.value.code == "text_too_long"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(EOFError):
        read_line()


def test_a_password_from_dev_zero_is_refused(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", open("/dev/zero", encoding="utf-8"))
    assert _within(10, lambda: main(["user", "add", "zed", "--role", "admin", "--password-stdin"])) == 2
    assert "[text_too_long]" in capsys.readouterr().err


def test_the_web_apps_port_is_checked_before_anything_starts(capsys):
    import socket

    with pytest.raises(SystemExit) as e:
        main(["ui", "--port", "99999"])
    assert e.value.code == 2 and "1 to 65535" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--lang", "ja", "ui", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "[port_unavailable]" in err and str(port) in err and "ファイル" not in err


def test_a_reader_that_stops_early_is_no_error(tmp_path, monkeypatch, capsys):
    """`katachi tracker T | head` once ended with 'file_error … Broken pipe'."""

    class ClosedPipe(io.TextIOBase):  # what `| head` leaves once it has its lines
        def __init__(self, fd: int) -> None:
            self.fd = fd

        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            return self.fd

    sink = open(tmp_path / "out", "w")
    monkeypatch.setattr(sys, "stdout", ClosedPipe(sink.fileno()))
    assert main(["library", "list"]) == 141  # as a command the pipe's SIGPIPE stopped
    assert capsys.readouterr().err == ""
    sink.close()


def test_ingest_refuses_a_device_and_a_fifo_without_reading_them(tmp_path, fake_embedder):
    from katachi.core.settings import get_settings
    from katachi.knowledge.store import CompanyStore

    fifo = tmp_path / "docs.md"
    os.mkfifo(fifo)
    good = tmp_path / "ok.md"
    good.write_text("# 経費\n出張の経費精算は月末締めとし、領収書を添付して申請する。", encoding="utf-8")
    store = CompanyStore("acme", get_settings(), create=True)
    report = _within(30, lambda: store.ingest([str(fifo), "/dev/zero", str(good)]))
    assert [f.error.code for f in report.skipped] == ["file_not_regular", "file_not_regular"]
    assert [Path(f.path).name for f in report.ingested] == ["ok.md"]


def test_a_library_file_or_check_in_csv_from_a_device_is_refused(capsys):
    assert main(["library", "add", "/dev/zero", "--company", "acme"]) == 2
    assert "[file_not_regular]" in capsys.readouterr().err
    assert _within(10, lambda: main(["tracker", "t1", "--csv-import", "/dev/zero"])) == 2
    assert "[file_not_regular]" in capsys.readouterr().err


def test_a_facilitators_edit_over_the_limit_is_refused_with_its_reason(tmp_path):
    from tests.ui.roomkit import make_rooms

    rooms = make_rooms(tmp_path)
    fac = rooms.user("fumi")
    ws = rooms.create(fac, "acme", "営業", ["営業"], "ja", "live")
    pid = rooms.submit(fac, ws["id"], "見積の回答が遅い")
    with pytest.raises(KatachiError) as e:
        rooms.edit_point(fac, ws["id"], pid, "長" * 5000)
    assert e.value.code == "text_too_long" and "5000" in e.value.message("ja")
    assert [p["text"] for p in rooms.db.pain_points(ws["id"])] == ["見積の回答が遅い"]  # untouched
    with pytest.raises(KatachiError) as e:
        rooms.create(fac, "acme", "営業", ["部" * 100], "ja", "live")
    assert e.value.code == "text_too_long"
