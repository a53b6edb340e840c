"""The evals harness: run YAML scenarios through the real workshop graph, score the outcome, report.

A scenario names its corpus, pain points, departments and language, scripts the gate decisions
(including human edits that seed failure patterns) and states expectations. The harness uses the
same service as the CLI and the UI; only the model behind it changes (``--model`` or a fake in tests).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from katachi.evals import rubric
from katachi.evals.evaluators import EVALUATORS, LinterAgreement

ROOT = Path(__file__).resolve().parents[1]
DATASETS = Path(__file__).resolve().parent / "datasets" / "scenarios"


@dataclass
class Scenario:
    name: str
    lang: str
    corpus: list[str]
    departments: list[str]
    pain_points: list[str]
    decisions: list[dict] = field(default_factory=list)
    expect: dict = field(default_factory=dict)
    use_cases_per_department: int = 1
    company: str = ""
    source: str = ""

    @property
    def scored(self) -> dict:
        """The expectations, plus what the scripted gate decisions planted on purpose (``K1`` of
        ``K1.name``, a ``training`` section): a failure pattern a human seeded for the linter to catch
        is the linter's test, not the model's content, so the content rubric leaves it out."""
        seeded = {k.split(".")[0] for d in self.decisions for k in (d.get("patch") or {})}
        return {**self.expect, "seeded": sorted(seeded)}


def load_scenarios(paths: list[str | Path] | None = None) -> list[Scenario]:
    files: list[Path] = []
    for p in [Path(x) for x in (paths or [DATASETS])]:
        files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    out = []
    for f in files:
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        for item in data.get("scenarios", [data]) if isinstance(data, dict) else data:
            sc = Scenario(**{k: v for k, v in item.items() if k in Scenario.__dataclass_fields__})
            sc.company = sc.company or f"eval-{sc.lang}"
            sc.source = str(f)
            out.append(sc)
    return out


def _patch(items: list[dict], patch: dict[str, Any]) -> list[dict]:
    """``{"K1.owner": "..."}`` edits the field of the item with that id."""
    items = copy.deepcopy(items)
    for key, value in patch.items():
        iid, fld = key.split(".", 1)
        for it in items:
            if it.get("id") == iid:
                it[fld] = value
    return items


def decide(gate: dict, scripted: dict | None) -> dict:
    name = gate["gate"]
    if scripted is None:
        return {"action": "choose", "index": 0} if name == "themes" else {"action": "approve"}
    d = {k: v for k, v in scripted.items() if k not in ("gate", "patch")}
    patch = scripted.get("patch") or {}
    if name == "kpis" and patch:
        return {"action": "edit", "kpis": _patch(gate["data"]["kpis"], patch)}
    if name == "usecases" and patch:
        ucs = _patch(gate["data"]["use_cases"], {k: v for k, v in patch.items() if k.startswith("U")})
        hos = _patch(gate["data"]["handoffs"], {k: v for k, v in patch.items() if k.startswith("H")})
        return {"action": "approve", "edit": ucs, "handoffs": hos, "drop": d.get("drop", [])}
    if name == "playbook" and patch:
        values = {}
        for key, value in patch.items():
            section, _, sub = key.partition(".")
            if sub:
                base = copy.deepcopy(values.get(section) or gate["data"]["playbook"].get(section) or {})
                base[sub] = value
                values[section] = base
            else:
                values[section] = value
        return {"action": "edit", "values": values}
    return d


def run_scenario(sc: Scenario, service, today: str | None = None) -> dict:
    from katachi.knowledge.store import CompanyStore

    t0 = time.perf_counter()
    store = CompanyStore(sc.company, service.settings, create=True)
    store.ingest([ROOT / c for c in sc.corpus])
    ingest_s = time.perf_counter() - t0
    stages: list[dict] = []
    t0 = time.perf_counter()
    snap = service.start(
        sc.company,
        sc.pain_points,
        sc.departments,
        lang=sc.lang,
        today=today,
        use_cases_per_department=sc.use_cases_per_department,
    )
    stages.append({"stage": "themes", "seconds": time.perf_counter() - t0})
    queue = list(sc.decisions)
    edits_done: set[str] = set()
    while not snap.done:
        gate = snap.gate
        if gate["gate"] == "themes" and not gate["data"]["candidates"]:
            break  # nothing to choose: the gate's question to the executives is the outcome scored
        scripted = next((d for d in queue if d.get("gate") == gate["gate"]), None)
        if scripted is not None:
            queue.remove(scripted)
        decision = decide(gate, scripted)
        if decision.get("action") == "edit" and gate["gate"] == "playbook":
            edits_done.add("playbook")
        t0 = time.perf_counter()
        snap = service.resume(snap.thread_id, decision)
        stages.append(
            {
                "stage": {"themes": "kpis", "kpis": "usecases", "usecases": "playbook", "playbook": "review"}[
                    gate["gate"]
                ],
                "seconds": time.perf_counter() - t0,
            }
        )
    values = snap.values
    usage = values.get("usage") or []
    return {
        "values": values,
        "scenario": sc.name,
        "lang": sc.lang,
        "thread_id": snap.thread_id,
        "ingest_seconds": round(ingest_s, 2),
        "stages": stages,
        "llm_calls": len(usage),
        "attempts": sum(u["attempts"] for u in usage),
        "prompt_tokens": sum(u["prompt_tokens"] for u in usage),
        "completion_tokens": sum(u["completion_tokens"] for u in usage),
        "seconds": round(sum(s["seconds"] for s in stages), 2),
        **scores(values, sc.scored),
    }


def scores(values: dict, expect: dict) -> dict:
    """Every evaluator and the content rubric over one finished workshop."""
    results = [ev(values, expect) for ev in EVALUATORS]
    recall, precision, want, fired = LinterAgreement()(values, expect)
    checks, rubric_score = rubric.score(values, expect)
    results += [recall, precision] + checks
    return {
        "metrics": {r.name: r.score for r in results},
        "details": {r.name: r.detail for r in results},
        "rubric": rubric_score,
        "linter_expected": sorted(want),
        "linter_fired": sorted(fired),
    }


def _row_from(values: dict, name: str) -> dict:
    usage = values.get("usage") or []
    return {
        "scenario": name,
        "lang": values.get("lang", ""),
        "thread_id": values.get("thread_id", ""),
        "stages": [],
        "llm_calls": len(usage),
        "attempts": sum(u["attempts"] for u in usage),
        "prompt_tokens": sum(u["prompt_tokens"] for u in usage),
        "completion_tokens": sum(u["completion_tokens"] for u in usage),
        "seconds": round(sum(u["seconds"] for u in usage), 2),
    }


def rescore(out_dir: Path, scenarios: list[Scenario]) -> dict:
    """Score a finished run again with today's evaluators, from the values it saved."""
    expect = {sc.name: sc.scored for sc in scenarios}
    if (out_dir / "report.json").is_file():
        report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    else:  # a run stopped before its report: rebuild the rows from the scenarios it finished
        report = {
            "model": "?",
            "created": time.strftime("%Y-%m-%d %H:%M:%S"),
            "scenarios": [
                _row_from(json.loads(f.read_text(encoding="utf-8")), f.parent.name)
                for f in sorted(out_dir.glob("*/values.json"))
            ],
        }
    for row in report["scenarios"]:
        saved = out_dir / row["scenario"] / "values.json"
        if saved.is_file():
            row.update(scores(json.loads(saved.read_text(encoding="utf-8")), expect.get(row["scenario"], {})))
    report["summary"] = summarize(report["scenarios"])
    (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "report.md").write_text(render(report), encoding="utf-8")
    return report


def run(
    scenarios: list[Scenario],
    out_dir: Path,
    service_factory: Callable[[], Any],
    model_label: str,
    today: str | None = None,
) -> dict:
    """Run every scenario, writing each one's outputs and the report as it goes: a run cut off is
    resumed by running it again (finished scenarios are kept), and a scenario whose workshop fails is
    reported with its error code (a lost run), not allowed to end the others."""
    from katachi.core.errors import KatachiError

    out_dir.mkdir(parents=True, exist_ok=True)
    save_scenarios(scenarios, out_dir)
    rows = []
    for sc in scenarios:
        done = out_dir / sc.name / "row.json"
        if done.is_file():
            rows.append(json.loads(done.read_text(encoding="utf-8")))
            continue
        service = service_factory()
        try:
            row = run_scenario(sc, service, today=today)
        except KatachiError as err:
            row = {
                "scenario": sc.name,
                "lang": sc.lang,
                "error": err.code,
                "detail": err.message("en")[:300],
                "stages": [],
                "llm_calls": 0,
                "attempts": 0,
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "seconds": 0.0,
                "metrics": {},
                "details": {},
                "rubric": "0/0",
                "linter_expected": [],
                "linter_fired": [],
            }
        finally:
            service.close()
        if "values" in row:
            save_outputs(row.pop("values"), out_dir / sc.name)
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text(json.dumps(row, ensure_ascii=False, indent=1), encoding="utf-8")
        rows.append(row)
        write_report(rows, out_dir, model_label)  # a reader can follow a long run as it goes
    return write_report(rows, out_dir, model_label)


def write_report(rows: list[dict], out_dir: Path, model_label: str) -> dict:
    report = {
        "model": model_label,
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        "scenarios": rows,
        "summary": summarize(rows),
    }
    (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "report.md").write_text(render(report), encoding="utf-8")
    return report


def save_scenarios(scenarios: list[Scenario], out_dir: Path) -> None:
    """The scenarios as run (sampled ones included), so ``--rescore`` scores against the same expectations."""
    data = [{k: getattr(sc, k) for k in Scenario.__dataclass_fields__ if k != "source"} for sc in scenarios]
    (out_dir / "scenarios.yaml").write_text(
        yaml.safe_dump({"scenarios": data}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def save_outputs(values: dict, folder: Path) -> None:
    """What a reviewer reads (playbook.md) and what the evaluators score again later (values.json)."""
    from katachi.exports.outputs import write_outputs

    write_outputs(values, folder)
    keep = {k: v for k, v in values.items() if k != "versions"}
    (folder / "values.json").write_text(json.dumps(keep, ensure_ascii=False, indent=1), encoding="utf-8")


RUBRIC_SHORT = {
    "no_invented_baselines": "baselines",
    "stated_numbers_used": "numbers used",
    "theme_from_pain_points": "theme",
    "clean_language": "language",
    "prose_citations": "prose cit.",
    "real_procedures": "procedures",
    "no_ai_as_goal": "no AI goal",
    "meaningful_sections": "sections",
    "outcome_is_outcome": "outcome",
    "no_example_copies": "no example",
    "no_loops": "no loops",
    "no_empty_slots": "slots",
    "no_cut_titles": "titles",
    "numbers_on_their_kpi": "own KPI",
    "theme_problem_is_theirs": "their words",
    "actors_are_people": "actors",
    "inputs_are_artifacts": "inputs",
    "reasons_name_the_pain": "reasons",
    "why_now_cited": "why now",
}

METRICS = (
    "library_share",
    "kpi_sources",
    "citation_validity",
    "citation_coverage",
    "cited_files",
    "kpi_completeness",
    "department_coverage",
    "handoff_closure",
    "glossary_consistency",
    "schema_validity",
    "linter_recall",
    "linter_precision",
)


def summarize(rows: list[dict]) -> dict:
    out: dict[str, Any] = {}
    for m in METRICS + rubric.CHECKS:
        vals = [r["metrics"][m] for r in rows if r["metrics"].get(m) is not None]
        out[m] = round(sum(vals) / len(vals), 3) if vals else None
    want = sum(len(r["linter_expected"]) for r in rows)
    tp = sum(len(set(r["linter_expected"]) & set(r["linter_fired"])) for r in rows)
    out["linter_recall_pooled"] = round(tp / want, 3) if want else None
    passed = sum(int(r.get("rubric", "0/0").split("/")[0]) for r in rows)
    applicable = sum(int(r.get("rubric", "0/0").split("/")[1]) for r in rows)
    out["rubric_passed"] = round(passed / applicable, 3) if applicable else None
    out["seconds_per_scenario"] = round(sum(r["seconds"] for r in rows) / max(len(rows), 1), 1)
    out["completion_tokens"] = sum(r["completion_tokens"] for r in rows)
    out["lost"] = sum(1 for r in rows if r.get("error"))
    out["checks"] = check_counts(rows)
    return out


def check_counts(rows: list[dict]) -> dict[str, Any]:
    """Per language (and all): for each rubric check, how many scenarios it applied to and passed; how
    many checks passed of all applicable; how many scenarios passed every check. A lost run (its
    workshop failed) passes nothing."""
    out: dict[str, Any] = {}
    for lang in ["all", *sorted({r.get("lang", "") for r in rows})]:
        mine = [r for r in rows if lang == "all" or r.get("lang") == lang]
        per = {}
        for c in rubric.CHECKS:
            scores = [r["metrics"].get(c) for r in mine if not r.get("error")]
            applied = [x for x in scores if x is not None]
            per[c] = [sum(1 for x in applied if x >= 1.0), len(applied)]
        passed, applicable = sum(p for p, _ in per.values()), sum(n for _, n in per.values())
        clean = sum(
            1
            for r in mine
            if not r.get("error") and all(r["metrics"].get(c) is None or r["metrics"][c] >= 1.0 for c in rubric.CHECKS)
        )
        out[lang] = {
            "checks": per,
            "passed": passed,
            "applicable": applicable,
            "scenarios": len(mine),
            "all_pass": clean,
            "lost": sum(1 for r in mine if r.get("error")),
        }
    return out


def render_counts(counts: dict[str, Any]) -> list[str]:
    langs = list(counts)
    lines = [
        "## Checks passed (scenarios where the check applied)",
        "",
        "| check | " + " | ".join(langs) + " |",
        "|---|" + "---|" * len(langs),
    ]
    for c in rubric.CHECKS:
        lines.append(
            f"| {c} | " + " | ".join(f"{counts[x]['checks'][c][0]}/{counts[x]['checks'][c][1]}" for x in langs) + " |"
        )
    lines.append(
        "| **all checks** | "
        + " | ".join(
            f"{counts[x]['passed']}/{counts[x]['applicable']} ({counts[x]['passed'] / max(counts[x]['applicable'], 1):.1%})"
            for x in langs
        )
        + " |"
    )
    lines.append(
        "| **scenarios passing every check** | "
        + " | ".join(
            f"{counts[x]['all_pass']}/{counts[x]['scenarios']} ({counts[x]['all_pass'] / max(counts[x]['scenarios'], 1):.0%})"
            for x in langs
        )
        + " |"
    )
    lines.append("| **lost runs** | " + " | ".join(str(counts[x]["lost"]) for x in langs) + " |")
    return lines + [""]


def _fmt(v: Any) -> str:
    return "–" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))


# Metric names short enough for a table column.
SHORT = {
    "library_share": "library",
    "kpi_sources": "kpi src",
    "citation_validity": "cit.valid",
    "citation_coverage": "cit.cover",
    "cited_files": "files",
    "kpi_completeness": "kpi",
    "department_coverage": "depts",
    "handoff_closure": "handoff",
    "glossary_consistency": "glossary",
    "schema_validity": "schema",
    "linter_recall": "lint.R",
    "linter_precision": "lint.P",
}


def render(report: dict) -> str:
    """The report as Markdown: metrics, checks, the content rubric, what failed, the linter."""
    s = report["summary"]
    lines = [f"# Katachi eval — {report['model']}", "", f"{report['created']}", "", *_metrics_table(report)]
    lines += ["", *render_counts(s["checks"]), *_rubric_table(report), *_failures(report)]
    lines += ["", "## Linter", ""]
    for r in report["scenarios"]:
        lines.append(f"- {r['scenario']}: expected {r['linter_expected'] or '-'}; fired {r['linter_fired'] or '-'}")
    return "\n".join(lines) + "\n"


def _metrics_table(report: dict) -> list[str]:
    lines = [
        "| scenario | lang | " + " | ".join(SHORT[m] for m in METRICS) + " | s | tokens |",
        "|---|---|" + "---|" * (len(METRICS) + 2),
    ]
    for r in report["scenarios"]:
        lines.append(
            f"| {r['scenario']} | {r['lang']} | "
            + " | ".join(_fmt(r["metrics"].get(m)) for m in METRICS)
            + f" | {r['seconds']:.0f} | {r['completion_tokens']} |"
        )
    s = report["summary"]
    lines.append(
        "| **mean** | | "
        + " | ".join(_fmt(s.get(m)) for m in METRICS)
        + f" | {s['seconds_per_scenario']:.0f} | {s['completion_tokens']} |"
    )
    return lines


def _rubric_table(report: dict) -> list[str]:
    lines = [
        "## Content rubric",
        "",
        "| scenario | " + " | ".join(RUBRIC_SHORT[c] for c in rubric.CHECKS) + " | passed |",
        "|---|" + "---|" * (len(rubric.CHECKS) + 1),
    ]
    for r in report["scenarios"]:
        lines.append(
            f"| {r['scenario']} | "
            + " | ".join(_fmt(r["metrics"].get(c)) for c in rubric.CHECKS)
            + f" | {r.get('rubric', '–')} |"
        )
    s = report["summary"]
    lines.append(
        "| **mean** | " + " | ".join(_fmt(s.get(c)) for c in rubric.CHECKS) + f" | {_fmt(s.get('rubric_passed'))} |"
    )
    return lines


def _failures(report: dict) -> list[str]:
    lines = ["", "Details (what failed):", ""]
    for r in report["scenarios"]:
        fails = [
            f"{c}: {r['details'].get(c)}"
            for c in rubric.CHECKS
            if r["metrics"].get(c) is not None and r["metrics"][c] < 1.0
        ]
        if r.get("error"):
            fails = [f"LOST: {r['error']} — {r.get('detail', '')}"]
        lines.append(f"- {r['scenario']}: " + ("; ".join(fails) if fails else "all checks pass"))
    return lines


def compare(a: Path, b: Path) -> str:
    ra = json.loads((a / "report.json").read_text(encoding="utf-8"))
    rb = json.loads((b / "report.json").read_text(encoding="utf-8"))
    lines = [f"# {ra['model']} ({a}) → {rb['model']} ({b})", "", "| metric | A | B | Δ |", "|---|---|---|---|"]
    for m in METRICS + rubric.CHECKS + ("rubric_passed", "linter_recall_pooled", "seconds_per_scenario"):
        va, vb = ra["summary"].get(m), rb["summary"].get(m)
        delta = "" if va is None or vb is None else f"{vb - va:+.3f}"
        better = (
            ""
            if not delta or float(delta) == 0
            else (" ↑" if (float(delta) > 0) != (m == "seconds_per_scenario") else " ↓")
        )
        lines.append(f"| {m} | {_fmt(va)} | {_fmt(vb)} | {delta}{better} |")
    ca, cb = ra["summary"].get("checks") or {}, rb["summary"].get("checks") or {}
    for lang in [x for x in cb if x in ca]:
        a_, b_ = ca[lang], cb[lang]
        lines += ["", f"### {lang}: checks passed, A → B", "", "| check | A | B |", "|---|---|---|"]
        lines += [
            f"| {c} | {a_['checks'].get(c, [0, 0])[0]}/{a_['checks'].get(c, [0, 0])[1]} | "
            f"{b_['checks'].get(c, [0, 0])[0]}/{b_['checks'].get(c, [0, 0])[1]} |"
            for c in rubric.CHECKS
        ]
        lines.append(f"| **all checks** | {a_['passed']}/{a_['applicable']} | {b_['passed']}/{b_['applicable']} |")
        lines.append(
            f"| **scenarios passing every check** | {a_['all_pass']}/{a_['scenarios']} | "
            f"{b_['all_pass']}/{b_['scenarios']} |"
        )
        lines.append(f"| **lost runs** | {a_['lost']} | {b_['lost']} |")
    by_a = {r["scenario"]: r for r in ra["scenarios"]}
    lines += ["", "| scenario | metric | A | B |", "|---|---|---|---|"]
    for r in rb["scenarios"]:
        old = by_a.get(r["scenario"])
        if not old:
            continue
        for m in METRICS + rubric.CHECKS:
            va, vb = old["metrics"].get(m), r["metrics"].get(m)
            if va != vb:
                lines.append(f"| {r['scenario']} | {m} | {_fmt(va)} | {_fmt(vb)} |")
        if old.get("rubric") != r.get("rubric"):
            lines.append(f"| {r['scenario']} | rubric | {old.get('rubric', '–')} | {r.get('rubric', '–')} |")
    return "\n".join(lines) + "\n"
