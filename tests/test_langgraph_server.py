"""The workshop graph under the LangGraph server (``langgraph dev`` with its in-memory runtime, from
``langgraph.json``): a thread runs to its first gate and is resumed to the next. The chat model is
the scripted OpenAI-compatible server on loopback; documents use the real packaged embedder.
Analytics and tracing are off, the server listens on loopback only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ui.server import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]


def test_a_thread_runs_to_its_first_gate_and_resumes_under_the_langgraph_server(tmp_path):
    exe = Path(sys.executable).with_name("langgraph")
    if not exe.exists():
        pytest.skip("langgraph-cli[inmem] is not installed (pip install -e '.[test]')")
    from langgraph_sdk import get_sync_client

    from katachi.agents.intake import make_pain_points
    from katachi.core.settings import Settings
    from katachi.knowledge.store import CompanyStore
    from tests.scripted_server import ScriptedServer
    from tests.workshop_fakes import WorkshopResponder

    data = tmp_path / "data"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "sales.md").write_text(
        "# 営業\n\n提案書の作成には平均で二日かかっている。\n\n## 引き継ぎ\n\n"
        "受注後は営業からカスタマーサクセスへ顧客の目標を引き継ぐ。\n",
        encoding="utf-8",
    )
    CompanyStore("acme", Settings(data_dir=data), create=True).ingest([docs])
    model = ScriptedServer(WorkshopResponder())
    port = free_port()
    work = tmp_path / "app"  # the server reads langgraph.json and the package from here
    shutil.copytree(
        ROOT,
        work,
        ignore=shutil.ignore_patterns(".git", ".venv", "test-artifacts", "__pycache__", "evals", "*.egg-info"),
    )
    (work / ".env").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KATACHI_") or k == "KATACHI_CACHE_DIR"}
    env.update(
        KATACHI_DATA_DIR=str(data),
        KATACHI_PROVIDER="openai",
        KATACHI_OPENAI_BASE_URL=model.url,
        KATACHI_OPENAI_API_KEY="scripted",
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        LANGSMITH_TRACING="false",
        LANGCHAIN_TRACING_V2="false",
        PYTHONPATH=str(work),
    )
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen(
        [
            str(exe),
            "dev",
            "--no-browser",
            "--no-reload",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--config",
            "langgraph.json",
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        client = get_sync_client(url=f"http://127.0.0.1:{port}")
        for _ in range(240):
            try:
                client.assistants.search()
                break
            except Exception:  # noqa: BLE001 - still starting
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        else:
            pytest.fail("langgraph dev did not start")
        assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
        thread = client.threads.create()
        tid = thread["thread_id"]
        points = [p.model_dump() for p in make_pain_points(["提案書の作成に2日かかる", "引き継ぎで顧客情報が失われる"])]
        state = {
            "thread_id": tid,
            "company": "acme",
            "lang": "ja",
            "today": "2026-11-27",
            "departments": ["営業", "カスタマーサクセス"],
            "pain_points": points,
            "stage": "intake",
            "options": {"use_cases_per_department": 1, "theme_candidates": 2},
        }
        client.runs.wait(tid, "workshop", input=state)
        st = client.threads.get_state(tid)
        gates = [i["value"]["gate"] for t in st["tasks"] for i in t.get("interrupts") or []]
        assert gates == ["themes"] and st["values"]["stage"] == "gate_themes", st
        assert len(st["values"]["theme_candidates"]) >= 2
        client.runs.wait(tid, "workshop", command={"resume": {"action": "choose", "index": 0, "gate": "themes"}})
        st = client.threads.get_state(tid)
        gates = [i["value"]["gate"] for t in st["tasks"] for i in t.get("interrupts") or []]
        assert gates == ["kpis"] and st["values"]["theme"]["title"] and st["values"]["kpis"]
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        model.close()
