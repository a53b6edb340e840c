"""``katachi demo`` with the real embedded chat model and embeddings, offline, end to end."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def test_demo_runs_offline_and_every_citation_is_verbatim(tmp_path):
    out = tmp_path / "demo"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "KATACHI_LANG": "ja"}
    proc = subprocess.run(
        [sys.executable, "-m", "katachi.ui.cli.main", "demo", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    md = (out / "playbook.md").read_text(encoding="utf-8")
    data = json.loads((out / "playbook.json").read_text(encoding="utf-8"))
    assert md.startswith("# 型プレイブック")
    for heading in (
        "## KPI",
        "## 部署別ユースケース",
        "## 標準手順（型）",
        "## 週次 KPI・PDCA レビュー",
        "## 用語集（共通言語）",
        "## 社内研修計画",
        "## 30/60/90日 展開計画",
    ):
        assert heading in md, heading
    assert {u["department"] for u in data["use_cases"]} == {"営業", "カスタマーサクセス"}
    for k in data["kpis"]:
        assert k["deadline"] > data["today"][:7] and k["owner"]
    cits = data["theme"]["citations"] + [
        c for k in ("kpis", "use_cases", "handoffs") for i in data[k] for c in i["citations"]
    ]
    log = data["citation_log"]
    assert sum(e["valid"] for e in log) >= 1, "the model should cite the sample documents"
    for c in cits:  # every kept quote is in the file a reviewer would open
        text = open(c["source"], encoding="utf-8").read()
        assert " ".join(c["quote"].split()) in " ".join(text.split()), c
    assert sum(e["valid"] for e in log) == sum(e["cited"] for e in log) - sum(e["dropped"] for e in log)
