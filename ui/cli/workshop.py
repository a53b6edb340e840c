"""``katachi run | resume | threads | status | demo``: the workshop in a terminal, gate by gate."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import uuid
from pathlib import Path

from katachi.core.errors import KatachiError
from katachi.core.i18n import LANGS, Code, has, t
from katachi.graphs.stages import spec_of
from katachi.ui.cli.limits import departments, read_line

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
DEMO_COMPANY = "sample"
DEMO_DEPARTMENTS = {"ja": ["営業", "カスタマーサクセス"], "en": ["Sales", "Customer Success"]}


def read_pain_points(path: str, max_kb: int = 512) -> list[str]:
    """A text, YAML or JSON list of pain points in any encoding the document loader reads (UTF-8,
    Shift_JIS, UTF-16 …). Only a regular file is read, and at most ``max_kb`` of it, whatever size it
    states (/dev/zero states 0); a file that is YAML and does not parse is an error naming the line."""
    from katachi.core.files import read_limited
    from katachi.knowledge.encodings import decode_text

    try:
        raw = read_limited(path, max_kb * 1024)
    except OSError as exc:
        raise KatachiError("bad_pain_points", path=path, detail=exc.strerror or str(exc)) from exc
    if len(raw) > max_kb * 1024:
        raise KatachiError("pain_points_too_large", path=path, limit=max_kb)
    try:
        text, _ = decode_text(raw)  # NUL bytes are UTF-16 here, binary only when they decode to nothing
    except KatachiError as exc:
        if exc.code == "file_binary":
            raise KatachiError("pain_points_binary", path=path) from exc
        raise KatachiError("bad_pain_points", path=path, detail=exc.message("en")) from exc
    text = text.lstrip("\ufeff")
    if _is_yaml(text, Path(path).suffix.lower()):
        items = _yaml_items(text, path)
    else:
        items = [line.strip().lstrip("-・*").strip() for line in text.splitlines()]
    items = [i for i in items if i and not i.startswith("#")]
    if not items:
        raise KatachiError("bad_pain_points", path=path, detail="no pain points")
    return items


# A YAML list of records (``- text: …`` with ``department:`` beneath) is YAML whatever the file's name:
# read as plain lines, "text: 提案書…" and "department: 営業" would be two pain points.
_YAML_RECORD = re.compile(r"^\s*-\s+(text|department|participant)\s*:\s|^\s+(text|department|participant)\s*:\s", re.M)


def _is_yaml(text: str, suffix: str) -> bool:
    stripped = text.strip()
    return (
        suffix in (".yaml", ".yml", ".json")
        or stripped.startswith(("[", "{", "---"))
        or bool(_YAML_RECORD.search(text))
    )


def _yaml_items(text: str, path: str) -> list[str]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise KatachiError(
            "bad_pain_points", path=path, detail=where + (getattr(exc, "problem", None) or str(exc).splitlines()[0])
        ) from exc
    if not isinstance(data, list):
        raise KatachiError("bad_pain_points", path=path, detail="expected a list")
    items: list[str] = []
    for n, x in enumerate(data, 1):
        if isinstance(x, dict) and not isinstance(x.get("text"), str):
            raise KatachiError("bad_pain_points", path=path, detail=f"item {n}: no text")
        if x is not None:
            items.append(x["text"] if isinstance(x, dict) else str(x))
    return items


def auto_decision(gate: dict) -> dict:
    """The first theme, every other gate approved; no theme to choose stops with the method's question."""
    if gate["gate"] == "themes" and not gate["data"]["candidates"]:
        raise KatachiError("no_theme_candidates")
    return {"themes": {"action": "choose", "index": 0}}.get(gate["gate"], {"action": "approve"})


def _show(gate: dict) -> None:
    d = gate["data"]
    if gate["gate"] == "themes":
        for i, c in enumerate(d["candidates"]):
            print(f"  [{i}] {c['title']}\n      {c['problem']}\n      → {c['outcome']}  ({len(c['citations'])} cit.)")
    elif gate["gate"] == "kpis":
        for k in d["kpis"]:
            print(
                f"  {k['id']} {k['name']}: {k['baseline']} → {k['target']} {k['unit']} by {k['deadline']} ({k['owner']})"
            )
    elif gate["gate"] == "usecases":
        for u in d["use_cases"]:
            print(f"  {u['id']} [{u['department']}] {u['title']} — {u['who']} / {u['when']}")
        for h in d["handoffs"]:
            print(f"  {h['id']} {h['from_department']} → {h['to_department']}: {h['what']}")
    elif gate["gate"] == "playbook":
        pb = d["playbook"]
        print("  " + ", ".join(f"{k}({len(v) if isinstance(v, list) else 1})" for k, v in pb.items()))
    else:
        _show_items(gate)
    for f in gate.get("findings", []):
        print(f"  ! {f['rule']}: {f['message']}")


def _show_items(gate: dict) -> None:
    """A stage drawn by the generic view: each item's fields, as its spec names them."""
    spec = spec_of(gate["gate"])
    for item in gate["data"].get("items") or []:
        shown = [str(item.get(f, "")) for f in (spec.fields if spec else ())] or [json.dumps(item, ensure_ascii=False)]
        print("  " + " / ".join(shown))


def _help(gate: str, lang: str) -> str:
    """The keys a gate takes; a stage with no keys of its own takes approve / reject."""
    return t(f"cli.gate_help_{gate}" if has(f"cli.gate_help_{gate}") else "cli.gate_help_reviewed", lang)


def ask_decision(gate: dict, lang: str) -> dict:
    _show(gate)
    print(_help(gate["gate"], lang))
    drops: list[str] = []
    comments: dict[str, str] = {}
    kpis = json.loads(json.dumps(gate["data"].get("kpis", [])))
    while True:
        line = read_line("> ").strip()
        if not line:
            continue
        cmd, _, rest = line.partition(" ")
        g = gate["gate"]
        if g == "themes":
            if cmd.isdigit():
                return {"action": "choose", "index": int(cmd)}
            if cmd == "r" and rest:
                return {"action": "regenerate", "feedback": rest}
            if cmd == "e" and rest.strip().isdigit():
                theme = dict(gate["data"]["candidates"][int(rest)])
                for field in ("title", "problem", "outcome"):
                    new = read_line(f"{field} [{theme[field]}]: ").strip()
                    theme[field] = new or theme[field]
                return {"action": "edit", "theme": theme}
        elif g == "kpis":
            if cmd == "a":
                return {"action": "edit", "kpis": kpis} if kpis != gate["data"]["kpis"] else {"action": "approve"}
            if cmd == "r" and rest:
                return {"action": "reject", "feedback": rest}
            if cmd == "e":
                kid, _, fv = rest.partition(" ")
                field, _, value = fv.partition(" ")
                for k in kpis:
                    if k["id"] == kid and field in k:
                        k[field] = value
                        print(f"  {kid}.{field} = {value}")
                continue
        elif g == "usecases":
            if cmd == "a":
                return {"action": "approve", "drop": drops}
            if cmd == "d" and rest:
                drops.append(rest.strip())
                continue
            if cmd == "r" and rest:
                return {"action": "reject", "feedback": rest}
        elif g != "playbook":
            if cmd == "a":
                return {"action": "approve"}
            if cmd == "r" and rest:
                return {"action": "reject", "feedback": rest}
        else:
            if cmd == "a":
                return {"action": "approve"}
            if cmd == "c":
                sec, _, comment = rest.partition(" ")
                comments[sec] = comment
                continue
            if cmd == "s" and comments:
                return {"action": "request_changes", "sections": comments}
        print(_help(g, lang))


def drive(service, snap, lang: str, auto: bool, out: Path, said: bool = False) -> int:
    from katachi.exports.outputs import write_outputs

    if not said:
        print(f"{t('cli.thread', lang)}: {snap.thread_id}", file=sys.stderr)
    while not snap.done:
        if snap.gate is None:
            snap = service.continue_run(snap.thread_id)
            continue
        print(f"\n== {snap.gate['gate']} ==", file=sys.stderr)
        if auto:
            _show(snap.gate)
            decision = auto_decision(snap.gate)
        else:
            try:
                decision = ask_decision(snap.gate, lang)
            except EOFError:
                print(f"\n{t('cli.resume', lang)} {snap.thread_id}", file=sys.stderr)
                return 0
        snap = service.resume(snap.thread_id, decision)
    md, js = write_outputs(snap.values, out)
    print(f"{t('cli.saved', lang)}: {md}  {js}")
    return 0


def _service(settings):
    from katachi.graphs.service import WorkshopService

    return WorkshopService(settings)


def cmd_run(args: argparse.Namespace) -> int:
    lang = args.lang_out or args.settings.lang
    points = read_pain_points(args.pain_points, args.settings.max_pain_points_file_kb)
    depts = departments(args.departments)
    if not depts:  # never silently the demo's departments: a run about the wrong departments
        raise KatachiError("empty_text", what=Code("field.departments"))
    service = _service(args.settings)
    tid = uuid.uuid4().hex[:12]
    # Said before the first model call: when that call fails, this is the id to resume (katachi threads
    # lists them too).
    print(f"{t('cli.thread', lang)}: {tid}", file=sys.stderr)
    with resume_hint(tid, lang):
        snap = service.start(
            args.company, points, depts, lang=lang, use_cases_per_department=args.use_cases, thread_id=tid
        )
        return drive(service, snap, lang, args.auto_approve, Path(args.out or f"out/{snap.thread_id}"), said=True)


@contextlib.contextmanager
def resume_hint(thread_id: str, lang: str):
    """A stage that fails (the model stalled, the server is down) loses nothing already decided: say so,
    and how to go on from there."""
    try:
        yield
    except KatachiError as err:
        if err.code.startswith("model_") or err.code in ("invalid_llm_output", "job_failed"):
            print(t("cli.resume_hint", lang, thread_id=thread_id), file=sys.stderr)
        raise


def cmd_resume(args: argparse.Namespace) -> int:
    service = _service(args.settings)
    snap = service.snapshot(args.thread_id)
    if snap.done:
        raise KatachiError("thread_done", thread_id=args.thread_id)
    lang = snap.values.get("lang", "ja")
    with resume_hint(args.thread_id, lang):
        return drive(service, snap, lang, args.auto_approve, Path(args.out or f"out/{args.thread_id}"))


def cmd_status(args: argparse.Namespace) -> int:
    snap = _service(args.settings).snapshot(args.thread_id)
    v = snap.values
    print(
        json.dumps(
            {
                "thread_id": snap.thread_id,
                "company": v.get("company"),
                "stage": snap.stage,
                "waiting_at_gate": (snap.gate or {}).get("gate"),
                "theme": (v.get("theme") or {}).get("title"),
                "kpis": len(v.get("kpis") or []),
                "use_cases": len(v.get("use_cases") or []),
                "llm_calls": len(v.get("usage") or []),
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


def cmd_threads(args: argparse.Namespace) -> int:
    """Every workshop this data directory holds, newest first: where each stands and what it waits for."""
    service = _service(args.settings)
    lang = args.settings.lang
    rows = []
    for tid in service.threads():
        snap = service.snapshot(tid)
        v = snap.values
        if args.company and v.get("company") != args.company:
            continue
        state = "done" if snap.done else (f"gate:{snap.gate['gate']}" if snap.gate else "interrupted")
        rows.append(
            (tid, v.get("company", ""), v.get("lang", ""), snap.stage, state, (v.get("theme") or {}).get("title", ""))
        )
    if not rows:
        print(t("cli.no_threads", lang))
    for r in rows:
        print("  ".join(str(x) for x in r))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from katachi.knowledge.store import CompanyStore

    lang = args.settings.lang
    store = CompanyStore(DEMO_COMPANY, args.settings, create=True)
    rep = store.ingest(
        [SAMPLES / "corpus" / "ja" / "docs", SAMPLES / "corpus" / "en" / "docs"], progress=sys.stderr.isatty()
    )
    print(f"{DEMO_COMPANY}: {store.stats()['chunks']} chunks ({rep.chunks_added} new)", file=sys.stderr)
    points = read_pain_points(str(SAMPLES / f"pain-points-{lang}.txt"))
    service = _service(args.settings)
    # One use case per department keeps the offline demo within a few minutes on two CPU cores.
    tid = uuid.uuid4().hex[:12]
    with resume_hint(tid, lang):
        snap = service.start(
            DEMO_COMPANY,
            points,
            DEMO_DEPARTMENTS[lang],
            lang=lang,
            use_cases_per_department=args.use_cases,
            thread_id=tid,
        )
        return drive(service, snap, lang, True, Path(args.out))


def add_commands(sub) -> None:
    s = sub.add_parser("run", help="run a workshop from a pain-points file")
    s.add_argument("--company", required=True)
    s.add_argument("--pain-points", required=True, help="one per line, or a YAML/JSON list")
    s.add_argument("--departments", required=True, help="comma-separated, e.g. 営業,マーケティング")
    s.add_argument("--lang", dest="lang_out", choices=list(LANGS), help="language of the workshop outputs")
    s.add_argument("--auto-approve", action="store_true", help="take the first theme and approve every gate")
    s.add_argument("--use-cases", type=int, choices=[1, 2, 3], help="use cases per department (default 2)")
    s.add_argument("--out", help="output folder (default out/THREAD_ID)")
    s.set_defaults(func=cmd_run)
    s = sub.add_parser("resume", help="continue a workshop at its open gate")
    s.add_argument("thread_id")
    s.add_argument("--auto-approve", action="store_true")
    s.add_argument("--out")
    s.set_defaults(func=cmd_resume)
    s = sub.add_parser("threads", help="list the workshops in this data directory (id, company, stage, state)")
    s.add_argument("--company", help="only this company's workshops")
    s.set_defaults(func=cmd_threads)
    s = sub.add_parser("status", help="where a workshop stands")
    s.add_argument("thread_id")
    s.set_defaults(func=cmd_status)
    add_eval_command(sub)
    s = sub.add_parser("demo", help="the bundled sample company, end to end, offline")
    s.add_argument("--out", default="out/demo")
    s.add_argument("--use-cases", type=int, default=1, choices=[1, 2, 3], help="use cases per department")
    s.set_defaults(func=cmd_demo)


def model_label(settings) -> str:
    from katachi.core.llm import describe_provider

    d = describe_provider(settings)
    return f"{d['provider']}:{d['model']}"


def cmd_eval(args: argparse.Namespace) -> int:
    from katachi.evals import harness

    if args.compare:
        print(harness.compare(Path(args.compare[0]), Path(args.compare[1])))
        return 0
    if args.rescore:
        saved = Path(args.rescore) / "scenarios.yaml"  # a sampled run keeps the scenarios it drew
        harness.rescore(
            Path(args.rescore), harness.load_scenarios(args.datasets or ([saved] if saved.is_file() else None))
        )
        print((Path(args.rescore) / "report.md").read_text(encoding="utf-8"))
        return 0
    label = model_label(args.settings)
    if args.sample:
        from katachi.evals.sample import sample_scenarios

        scenarios = sample_scenarios(args.sample, args.seed, args.sample_lang)
    else:
        scenarios = harness.load_scenarios(args.datasets or None)
    if args.only:
        scenarios = [s for s in scenarios if s.name in args.only.split(",")]
    report = harness.run(scenarios, Path(args.out), lambda: _service(args.settings), label)
    print((Path(args.out) / "report.md").read_text(encoding="utf-8"))
    s = report["summary"]
    return 0 if (s.get("citation_validity") in (None, 1.0)) else 1


def add_eval_command(sub) -> None:
    s = sub.add_parser("eval", help="run evaluation scenarios and write a report (or compare two reports)")
    s.add_argument("datasets", nargs="*", help="scenario YAML files or folders (default: evals/datasets/scenarios)")
    s.add_argument("--model", help="local | local:/path.gguf | openai:MODEL | azure:DEPLOYMENT")
    s.add_argument("--only", help="comma-separated scenario names")
    s.add_argument("--out", default="out/eval")
    s.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two report folders")
    s.add_argument("--rescore", metavar="DIR", help="score a finished run again with today's evaluators and rubric")
    s.add_argument(
        "--sample", type=int, metavar="N", help="draw N scenarios from the eval corpora and the pain-point bank"
    )
    s.add_argument("--seed", type=int, default=0, help="the draw's seed (the same seed draws the same scenarios)")
    s.add_argument("--sample-lang", choices=list(LANGS), help="draw only scenarios in this language")
    s.set_defaults(func=cmd_eval)
