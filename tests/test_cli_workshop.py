import io
import json

import pytest

from katachi.core.errors import KatachiError
from katachi.graphs.service import WorkshopService
from katachi.ui.cli import workshop as cli_workshop
from katachi.ui.cli.main import main
from tests.fakes import FakeChatModel
from tests.workshop_fakes import ListRetriever, WorkshopResponder


@pytest.fixture
def fake_service(tmp_path, monkeypatch):
    responder = WorkshopResponder("ja")
    model = FakeChatModel(responder=responder)
    retr = ListRetriever("acme", ["提案書の作成には二日かかる。", "受注後に顧客の目標を引き継ぐ。"])
    monkeypatch.setattr(
        cli_workshop,
        "_service",
        lambda settings: WorkshopService(
            settings, model_for=lambda r: model, retriever_for=lambda c: retr, db_path=tmp_path / "w.sqlite"
        ),
    )
    return responder


def test_pain_points_file_formats(tmp_path):
    lines = tmp_path / "p.txt"
    lines.write_text("# comment\n- 提案書に2日\n\n・引き継ぎ漏れ\n", encoding="utf-8")
    assert cli_workshop.read_pain_points(str(lines)) == ["提案書に2日", "引き継ぎ漏れ"]
    js = tmp_path / "p.json"
    js.write_text(json.dumps(["a", {"text": "b"}]), encoding="utf-8")
    assert cli_workshop.read_pain_points(str(js)) == ["a", "b"]
    yml = tmp_path / "p.yaml"
    yml.write_text("- 営業\n- 人事\n", encoding="utf-8")
    assert cli_workshop.read_pain_points(str(yml)) == ["営業", "人事"]
    sj = tmp_path / "sj.txt"  # once refused, while Shift_JIS documents were read
    sj.write_bytes("見積の回答が遅い".encode("shift_jis"))
    assert cli_workshop.read_pain_points(str(sj)) == ["見積の回答が遅い"]
    empty = tmp_path / "empty.txt"
    empty.write_text("\n# only a comment\n", encoding="utf-8")
    with pytest.raises(KatachiError):
        cli_workshop.read_pain_points(str(empty))


def test_run_auto_approve_writes_markdown_and_json(tmp_path, fake_service, capsys):
    pains = tmp_path / "p.txt"
    pains.write_text("提案書の作成に2日かかる\n引き継ぎで顧客情報が失われる\n", encoding="utf-8")
    out = tmp_path / "out"
    rc = main(
        [
            "run",
            "--company",
            "acme",
            "--pain-points",
            str(pains),
            "--departments",
            "営業,カスタマーサクセス",
            "--lang",
            "ja",
            "--auto-approve",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    md = (out / "playbook.md").read_text(encoding="utf-8")
    data = json.loads((out / "playbook.json").read_text(encoding="utf-8"))
    assert md.startswith("# 型プレイブック") and "## 用語集（共通言語）" in md and "\n[1] docs/" in md
    assert "提案書の作成には二日かかる。" in md  # the footnote quotes the source verbatim
    assert data["thread_id"] and data["theme"]["citations"][0]["rel"].startswith("docs/")
    assert {"usage", "citation_log", "findings", "playbook", "handoffs"} <= set(data)


class Terminal(io.StringIO):
    """The facilitator at the keyboard: the keys scripted for a gate while that gate is open, and ``a``
    (approve) at a gate the script does not name. A scripted gate whose keys are used up gets EOF, as
    does a run that keeps asking, so a script that no longer fits ends the run instead of hanging it."""

    def __init__(self, keys: dict[str, list[str]]) -> None:
        super().__init__()
        self.keys = {g: list(k) for g, k in keys.items()}
        self.gate = ""
        self.lines = 0

    def readline(self, limit: int = -1) -> str:
        self.lines += 1
        if self.gate in self.keys:
            left = self.keys[self.gate]
            return left.pop(0) + "\n" if left and self.lines < 100 else ""
        return "a\n" if self.lines < 100 else ""


def _typing_at_each_gate(monkeypatch, keys: dict[str, list[str]]) -> Terminal:
    term = Terminal(keys)
    asked = cli_workshop.ask_decision

    def ask(gate: dict, lang: str) -> dict:
        term.gate = gate["gate"]
        return asked(gate, lang)

    monkeypatch.setattr(cli_workshop, "ask_decision", ask)
    monkeypatch.setattr("sys.stdin", term)
    return term


def test_interactive_gates_in_the_terminal(tmp_path, fake_service, monkeypatch, capsys):
    pains = tmp_path / "p.txt"
    pains.write_text("提案書の作成に2日かかる\n", encoding="utf-8")
    keys = {
        "themes": ["0"],
        "kpis": ["e K1 target 0.5", "a"],
        "usecases": ["d U2", "a"],
        "playbook": ["c glossary もっと具体的に", "s", "a"],
    }
    _typing_at_each_gate(monkeypatch, keys)
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                "--company",
                "acme",
                "--pain-points",
                str(pains),
                "--departments",
                "営業,CS",
                "--lang",
                "ja",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    data = json.loads((out / "playbook.json").read_text(encoding="utf-8"))
    assert data["kpis"][0]["target"] == "0.5"
    assert [u["id"] for u in data["use_cases"]] == ["U1"]
    assert [(d["gate"], d["action"]) for d in data["decisions"] if d["gate"] in keys] == [
        ("themes", "choose"),
        ("kpis", "edit"),
        ("usecases", "approve"),
        ("playbook", "request_changes"),
        ("playbook", "approve"),
    ]
    assert all(d["action"] == "approve" for d in data["decisions"] if d["gate"] not in keys)
    assert (
        fake_service.calls.count("GlossaryOut") == 1
    )  # built from documents and the method; the model only rewrote it


def test_stop_at_a_gate_then_status_and_resume(tmp_path, fake_service, monkeypatch, capsys):
    pains = tmp_path / "p.txt"
    pains.write_text("提案書の作成に2日かかる\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # the terminal is closed at the first gate
    with pytest.raises(SystemExit):  # no departments: once silently the demo's
        main(["run", "--company", "acme", "--pain-points", str(pains), "--lang", "ja"])
    assert main(["run", "--company", "acme", "--pain-points", str(pains), "--departments", "、", "--lang", "ja"]) == 2
    capsys.readouterr()
    assert (
        main(
            [
                "run",
                "--company",
                "acme",
                "--pain-points",
                str(pains),
                "--departments",
                "営業",
                "--lang",
                "ja",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    thread = capsys.readouterr().err.split("スレッド: ")[1].split()[0]
    assert main(["status", thread]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["waiting_at_gate"] == "themes"
    assert main(["resume", thread, "--auto-approve", "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "playbook.md").is_file()
    assert main(["--lang", "ja", "resume", thread]) == 2
    assert "すでに完了" in capsys.readouterr().err


def test_pain_point_files_too_large_binary_or_in_shift_jis(tmp_path):
    from katachi.core.errors import KatachiError
    from katachi.ui.cli.workshop import read_pain_points

    sj = tmp_path / "sj.txt"
    sj.write_bytes("提案書の作成に2日かかる\n見積の回答が遅い\n".encode("cp932"))
    assert read_pain_points(str(sj)) == ["提案書の作成に2日かかる", "見積の回答が遅い"]
    nul = tmp_path / "nul.txt"  # NUL bytes alone are UTF-16 (read below); these decode to nothing
    nul.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    big = tmp_path / "big.txt"
    big.write_text("長い課題\n" * 200_000, encoding="utf-8")
    for path, code in ((nul, "pain_points_binary"), (big, "pain_points_too_large")):
        with pytest.raises(KatachiError) as e:
            read_pain_points(str(path))
        assert e.value.code == code and str(path) in e.value.message("ja")


def test_a_flood_of_pain_points_or_no_departments_is_refused_before_anything_runs(tmp_path):
    from katachi.core.errors import KatachiError
    from katachi.core.settings import get_settings
    from katachi.graphs.service import WorkshopService
    from tests.fakes import FakeChatModel
    from tests.workshop_fakes import ListRetriever, WorkshopResponder

    model = FakeChatModel(responder=WorkshopResponder())
    svc = WorkshopService(
        get_settings().model_copy(update={"max_pain_points": 10}),
        model_for=lambda r: model,
        retriever_for=lambda c: ListRetriever("acme", ["本文です。"]),
        db_path=tmp_path / "w.sqlite",
    )
    for points, depts, code in (
        ([f"課題{i}" for i in range(11)], ["営業"], "too_many_points"),
        (["課題"], [" ", ""], "empty_text"),
        (["あ" * 1001], ["営業"], "text_too_long"),
    ):
        with pytest.raises(KatachiError) as e:
            svc.start("acme", points, depts, lang="ja", thread_id="x")
        assert e.value.code == code
    assert not model.calls


def test_paths_that_cannot_be_written_or_read_and_bad_counts_get_clear_errors(tmp_path, capsys):
    """Once tracebacks: export to a directory, a CSV import of a missing file; 'search -k -3' printed
    nothing and exited 0."""
    assert main(["--lang", "ja", "tracker", "nothread", "--csv-import", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert "missing.csv" in err and "[file_error]" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as e:
        main(["search", "提案書", "--company", "acme", "-k", "-3"])
    assert e.value.code == 2 and "1 or more" in capsys.readouterr().err


def test_threads_are_listed_and_a_failed_first_stage_still_names_its_thread(tmp_path, fake_service, capsys):
    pains = tmp_path / "p.txt"
    pains.write_text("提案書の作成に2日かかる\n", encoding="utf-8")
    answer = fake_service._answer

    def down(messages, kwargs):
        raise KatachiError("model_unreachable", url="http://127.0.0.1:9", detail="refused")

    fake_service._answer = down
    assert main(["--lang", "ja", "run", "--company", "acme", "--pain-points", str(pains), "--departments", "営業"]) == 2
    err = capsys.readouterr().err
    thread = err.split("スレッド: ")[1].split()[0]
    assert "model_unreachable" in err
    assert main(["--lang", "ja", "threads", "--company", "acme"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(thread))
    assert "interrupted" in line
    fake_service._answer = answer
    assert main(["resume", thread, "--auto-approve", "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "playbook.md").is_file()


def test_a_stage_that_fails_says_nothing_is_lost_and_how_to_go_on(tmp_path, fake_service, capsys):
    """The model server goes away at the use cases: the run stops with the error, the approved theme and
    KPIs stay in the checkpoint, and the terminal says which command continues from there."""
    pains = tmp_path / "p.txt"
    pains.write_text("提案書の作成に2日かかる\n", encoding="utf-8")
    real = fake_service.__class__.__call__

    def failing(self, messages, kwargs):
        if kwargs["response_format"]["json_schema"]["name"] == "UseCasesOut":
            raise KatachiError("model_stalled", seconds=120)
        return real(self, messages, kwargs)

    fake_service.__class__ = type("Failing", (fake_service.__class__,), {"__call__": failing})
    rc = main(
        [
            "run",
            "--company",
            "acme",
            "--pain-points",
            str(pains),
            "--departments",
            "営業",
            "--lang",
            "ja",
            "--auto-approve",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "[model_stalled]" in err
    tid = err.split("katachi resume ")[1].split("`")[0]
    assert main(["status", tid]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["theme"] and status["kpis"] >= 1 and status["stage"] == "usecases"
