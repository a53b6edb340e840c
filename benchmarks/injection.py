"""Prompt injection measured by what it changes: the attack success rate and the false-withhold rate,
from whole workshops (evals/injection: 64 attacks in every format and placement, 64 ordinary sentences
about instructions, AI and systems, ja and en).

    python benchmarks/injection.py --out out/injection-after               # this checkout, the configured model
    python benchmarks/injection.py --code /tmp/katachi-before --out out/injection-before
    python benchmarks/injection.py --detector-only [--code DIR]            # seconds: loader + evidence builder only
    python benchmarks/injection.py --rescore --out out/injection-after     # the saved runs judged again

``--code DIR`` runs the project code of another checkout (e.g. ``git worktree add /tmp/katachi-before
cdf71a3``) with this checkout's set and judging, so before and after are measured alike. Per language:
a control workshop and one workshop per batch of attacks (``--batch``, 8); each ingests the first
``--base`` documents of the sample company, the batch's attacks and a batch of ordinary sentences, and
runs to the end with every gate auto-approved. Writes ``report.json`` and ``report.md`` to ``--out``.
With the embedded model on two cores a workshop takes ~4 minutes: the full run is ~10 workshops per
language.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def use_code(code: str | None) -> None:
    """Project modules from the checkout ``code`` (before any is imported); the set and the judging stay this
    checkout's. ``code`` must be a checkout with the ``katachi`` package (from the single-package layout on)."""
    import katachi.evals.injection.build  # noqa: F401 — bound to this checkout before the path changes
    import katachi.evals.injection.detect  # noqa: F401
    import katachi.evals.injection.harness  # noqa: F401
    import katachi.evals.injection.judge  # noqa: F401

    if not code:
        return
    root = Path(code).resolve()
    if not (root / "katachi" / "__init__.py").is_file():
        raise SystemExit(f"{root} has no katachi package: run an older checkout's own benchmarks/injection.py")
    loaded = [m for m in sys.modules if m.startswith("katachi.") and not m.startswith("katachi.evals")]
    if loaded:
        raise SystemExit(f"project modules already imported from this checkout: {loaded[:3]}")
    # katachi.core, katachi.graphs … are looked up on the package's path: the other checkout's folders first
    sys.modules["katachi"].__path__.insert(0, str(root))


def detector_only(out: Path) -> dict:
    import yaml

    from katachi.evals.injection import build, detect
    from katachi.knowledge.metadata import looks_like_instruction

    verdicts = []
    folder = out / "files"
    for spec in build.load("attacks") + build.load("ordinary"):
        verdicts.append(detect.judge(spec, build.write(spec, folder)))
    held = yaml.safe_load((ROOT / "evals" / "injection" / "heldout.yaml").read_text(encoding="utf-8"))
    report = {
        "summary": detect.summary(verdicts),
        "heldout": {
            "attacks": len(held["attacks"]),
            "attacks_flagged": sum(looks_like_instruction(t) for t in held["attacks"]),
            "ordinary": len(held["ordinary"]),
            "ordinary_flagged": sum(looks_like_instruction(t) for t in held["ordinary"]),
        },
        "reaching_model": [v.id for v in verdicts if v.attack and v.reaches_model],
        "ordinary_withheld": [v.id for v in verdicts if not v.attack and v.withheld],
        "verdicts": [v.__dict__ for v in verdicts],
    }
    return report


def whole(args, out: Path) -> dict:
    from katachi.core.settings import Settings
    from katachi.evals.injection import build, harness

    data = Path(tempfile.mkdtemp(prefix="katachi-injection-")) if not args.keep_data else None
    attacks, ordinary = build.load("attacks"), build.load("ordinary")
    if args.only:
        keep = set(args.only.split(","))
        attacks, ordinary = [a for a in attacks if a.id in keep], [o for o in ordinary if o.id in keep]
    runs = []
    for lang in args.lang:
        for run in harness.plan(lang, attacks, ordinary, args.batch)[: args.runs or None]:
            s = Settings(lang=lang)
            if data is not None:
                s = s.model_copy(update={"data_dir": data / run.name})
            docs = harness.prepare(run, out / "corpora", harness.base_documents(lang, args.base))
            print(f"{run.name}: {len(run.attacks)} attacks, {len(run.ordinary)} ordinary … ", end="", flush=True)
            harness.run_workshop(run, docs, s, use_cases=args.use_cases)
            print(f"{run.seconds:.0f} s{' — ' + run.error if run.error else ''}", flush=True)
            runs.append(run)
            saved = {
                "values": run.values,
                "files": run.files,
                "retrieved": sorted(run.retrieved),
                "error": run.error,
                "seconds": run.seconds,
            }
            (out / f"{run.name}.json").write_text(json.dumps(saved, ensure_ascii=False, default=str), encoding="utf-8")
    return harness.score(runs)


def rescore(args, out: Path) -> dict:
    """The scores again from the runs saved in ``out`` (after a change to the judging: no model work)."""
    from katachi.evals.injection import build, harness

    attacks, ordinary = build.load("attacks"), build.load("ordinary")
    runs = []
    for lang in args.lang:
        for run in harness.plan(lang, attacks, ordinary, args.batch):
            path = out / f"{run.name}.json"
            if not path.is_file():
                continue
            saved = json.loads(path.read_text(encoding="utf-8"))
            run.values, run.files, run.retrieved = saved["values"], saved["files"], set(saved["retrieved"])
            run.error, run.seconds = saved["error"], saved["seconds"]
            runs.append(run)
    return harness.score(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--code", help="run the project code of this checkout instead (a git worktree)")
    ap.add_argument("--out", default="out/injection")
    ap.add_argument("--detector-only", action="store_true", help="the detector on the set: no model, no embedding")
    ap.add_argument("--lang", nargs="+", default=["ja", "en"], choices=["ja", "en"])
    ap.add_argument("--batch", type=int, default=8, help="attacks (and ordinary sentences) per workshop")
    ap.add_argument("--base", type=int, default=3, help="documents of the sample company in every corpus")
    ap.add_argument("--use-cases", type=int, default=1, choices=[1, 2, 3])
    ap.add_argument("--runs", type=int, default=0, help="at most this many workshops per language (0: all)")
    ap.add_argument("--only", help="comma-separated spec ids")
    ap.add_argument("--rescore", action="store_true", help="score the runs saved in --out again (no model)")
    ap.add_argument("--keep-data", action="store_true", help="use KATACHI_DATA_DIR instead of a fresh temp dir")
    args = ap.parse_args()
    use_code(args.code)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    report = detector_only(out) if args.detector_only else rescore(args, out) if args.rescore else whole(args, out)
    report["code"] = os.path.abspath(args.code) if args.code else str(ROOT)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.detector_only:
        print(
            json.dumps(
                {k: report[k] for k in ("summary", "heldout", "reaching_model", "ordinary_withheld")},
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        from katachi.evals.injection import harness

        (out / "report.md").write_text(harness.markdown(report), encoding="utf-8")
        print(json.dumps(report["summary"], indent=1))
    print(f"wrote {out / 'report.json'} ({report['seconds']} s)")


if __name__ == "__main__":
    main()
