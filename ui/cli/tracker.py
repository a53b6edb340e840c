"""``katachi checkin`` and ``katachi tracker``: the weekly PDCA after the workshop, from the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from katachi.core.errors import KatachiError
from katachi.core.files import read_limited


def _svc(settings):
    from katachi.graphs.service import WorkshopService
    from katachi.tracker.tracker import TrackerService

    return TrackerService(WorkshopService(settings))


def cmd_checkin(args: argparse.Namespace) -> int:
    if bool(args.kpi) == bool(args.use_case):
        raise KatachiError("checkin_invalid", detail="give --kpi K1 or --use-case U1")
    svc = _svc(args.settings)
    kind, item = ("kpi", args.kpi) if args.kpi else ("usecase", args.use_case)
    svc.checkin(
        args.thread_id,
        kind,
        item,
        args.week,
        args.value,
        args.unit or "",
        args.status or "",
        args.blockers or "",
        args.ai_tried or "",
        args.note or "",
        args.by or "",
        args.correct or "",
    )
    _print_summary(svc.summary(args.thread_id), args.settings.lang)
    return 0


def _print_summary(s: dict, lang: str) -> None:
    from katachi.exports.readable import finding, status
    from katachi.tracker.pack import kpi_lines, labels

    lab = labels(lang)
    print(f"{s['title']} ({s['company']})")
    for line in kpi_lines(s, lab):
        print("  " + line)
    for u in s["use_cases"]:
        mark = " ★" if u["proven"] else ""
        print(
            f"  {u['id']} [{u['department']}] {u['title']}: {status(u['status'], lang)}{mark} {u['blockers']}".rstrip()
        )
    for f in s["findings"]:
        print(f"  ! {finding(f, lang)}")


def cmd_tracker(args: argparse.Namespace) -> int:
    from katachi.tracker.csv_io import export_csv, import_csv

    svc = _svc(args.settings)
    tid = args.thread_id
    if args.csv_import:
        limit = int(args.settings.max_file_mb * 2**20)  # the documents' limit; check-ins are far smaller
        raw = read_limited(args.csv_import, limit)
        if len(raw) > limit:
            raise KatachiError("file_too_large", size_mb=len(raw) / 2**20, limit_mb=limit / 2**20)
        rep = import_csv(svc, tid, raw, by=args.by or "")
        print(f"added {rep.added}, corrected {rep.corrected}, unchanged {rep.unchanged}, errors {len(rep.errors)}")
        for line, item, err in rep.errors:
            print(f"  line {line} {item}: {err.message(args.settings.lang)} [{err.code}]", file=sys.stderr)
        return 0 if not rep.errors else 2
    if args.csv_export:
        Path(args.csv_export).write_bytes(export_csv(svc, tid, include_history=args.history))
        print(args.csv_export)
        return 0
    if args.plot:
        from katachi.exports.readable import file_name

        out = Path(args.out or file_name(svc.playbook(tid), "trend", "png").replace(".png", f"-{args.plot}.png"))
        out.write_bytes(svc.plot(tid, args.plot))
        print(out)
        return 0
    if args.prove:
        print(json.dumps(svc.prove(tid, args.prove, by=args.by or ""), ensure_ascii=False))
        return 0
    if args.adapt:
        res = svc.adapt(tid, args.adapt, args.department or "", by=args.by or "")
        print(
            f"{res['title']}\n"
            + "\n".join(f"{i}. {s}" for i, s in enumerate(res["steps"], 1))
            + f"\n\n{res['prompt_template']}"
        )
        return 0
    if args.pack:
        pack = svc.pack(tid, by=args.by or "")
        template = Path(args.template) if args.template else args.settings.pptx_template
        data = svc.pack_file(tid, args.format, template, pack)
        if args.out:
            Path(args.out).write_bytes(data)
            print(args.out)
        elif args.format == "md":
            print(data.decode("utf-8"))
        else:
            from katachi.exports.readable import file_name

            out = Path(file_name(svc.playbook(tid), "pack", args.format))
            out.write_bytes(data)
            print(out)
        return 0
    _print_summary(svc.summary(tid), args.settings.lang)
    return 0


def add_commands(sub) -> None:
    s = sub.add_parser("checkin", help="record this week's value of a KPI, or a use case's status")
    s.add_argument("thread_id")
    s.add_argument("--kpi", help="KPI id (K1...)")
    s.add_argument("--use-case", help="use case id (U1...)")
    s.add_argument("--value", help="the KPI's value this week, in its unit")
    s.add_argument("--unit", help="checked against the KPI's unit")
    s.add_argument("--week", help="any date in the week (default: this week)")
    s.add_argument("--status", help="KPI: on_track|at_risk|off_track; use case: not_started|running|stuck|done")
    s.add_argument("--blockers")
    s.add_argument("--ai-tried", help="what was tried with AI this week")
    s.add_argument("--note")
    s.add_argument("--by", help="who reports")
    s.add_argument("--correct", metavar="REASON", help="replace this week's check-in (the old one is kept)")
    s.set_defaults(func=cmd_checkin)

    s = sub.add_parser("tracker", help="KPI trends, the weekly review pack, proven 型, CSV")
    s.add_argument("thread_id")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--pack", action="store_true", help="generate the weekly review pack (--format md, pptx or pdf)")
    g.add_argument("--plot", metavar="KPI", help="trend PNG of one KPI")
    g.add_argument("--prove", metavar="USE_CASE", help="mark a use case's 型 proven (its KPI hit the target)")
    g.add_argument("--adapt", metavar="USE_CASE", help="adapt a proven 型 to --department")
    g.add_argument("--csv-export", metavar="FILE")
    g.add_argument("--csv-import", metavar="FILE", help="check-ins from CSV (UTF-8 or Excel's Shift_JIS)")
    s.add_argument("--department")
    s.add_argument("--history", action="store_true", help="with --csv-export: include superseded rows")
    s.add_argument("--out")
    s.add_argument("--format", choices=["md", "pptx", "pdf"], default="md", help="with --pack: the pack's format")
    s.add_argument("--template", help="with --pack --format pptx: the .pptx template (default: KATACHI_PPTX_TEMPLATE)")
    s.add_argument("--by")
    s.set_defaults(func=cmd_tracker)
