"""``katachi library``: list, show and add 型 library patterns (shipped, the consultancy's, a company's)."""

from __future__ import annotations

import argparse
from pathlib import Path

from katachi.core.errors import KatachiError
from katachi.core.i18n import t


def _library(args: argparse.Namespace):
    from katachi.knowledge.library.catalog import load_library
    from katachi.knowledge.library.company import company_library_dir

    company = company_library_dir(args.settings, args.company) if args.company else None
    return load_library(args.settings.library_dir, company)


def cmd_list(args: argparse.Namespace) -> int:
    lang = args.settings.lang
    lib = _library(args)
    if args.kpis:
        for k in lib.kpis.values():
            if args.function and args.function not in k.functions:
                continue
            x = k.text(lang)
            print(f"{k.id:28} {x.name}（{x.unit}, {t('cli.better_' + k.better, lang)}）  {','.join(k.functions)}")
        return 0
    for p in lib.patterns.values():
        if args.function and p.function != args.function:
            continue
        origin = "" if p.origin == "library" else f"  [{t('cli.origin_' + p.origin, lang)}]"
        print(f"{p.id:40} {p.text(lang).title}{origin}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    lang = args.settings.lang
    lib = _library(args)
    if args.id in lib.kpis:
        k = lib.kpis[args.id]
        x = k.text(lang)
        print(
            f"{k.id}: {x.name}（{x.unit}, {t('cli.better_' + k.better, lang)}）\n  {x.definition}\n"
            f"  {t('cli.measure', lang)}: {x.measure}\n  {t('cli.owner', lang)}: {x.owner}\n"
            f"  {t('cli.patterns', lang)}: {', '.join(lib.patterns_for_kpi(k.id)) or '-'}"
        )
        return 0
    p = lib.patterns.get(args.id)
    if p is None:
        raise KatachiError("library_pattern_unknown", id=args.id)
    x = p.text(lang)
    print(f"{p.id}: {x.title}  [{lib.function_name(p.function, lang)}; {p.source}]")
    print(f"  {t('cli.step', lang)}: {x.step} / {x.when} / {x.who}\n  {x.input} → {x.output}")
    for i, s in enumerate(x.steps, 1):
        print(f"  {i}. {s}{'  ✔ ' + t('doc.check_point', lang) if i in p.checks else ''}")
    print(f"  {t('cli.template', lang)}: {x.template}")
    for name, note in x.placeholders.items():
        print(f"    {{{name}}}: {note}")
    for r in x.risks:
        print(f"  ⚠ {t('doc.risk_control', lang, risk=r.risk, control=r.control)}")
    print(f"  {t('cli.needs', lang)}: {'; '.join(x.needs)}")
    print(f"  KPI: {', '.join(f'{k} ({lib.kpis[k].text(lang).name})' for k in p.kpis if k in lib.kpis)}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from katachi.knowledge.library.company import add_file

    added = add_file(args.settings, args.company, Path(args.file))
    for p in added:
        print(f"{p.id}: {p.text(args.settings.lang).title}")
    print(t("cli.library_added", args.settings.lang, n=len(added), company=args.company))
    return 0


def add_commands(sub) -> None:
    s = sub.add_parser("library", help="the 型 library: use-case patterns and KPIs (list, show, add)")
    lsub = s.add_subparsers(dest="library_command", required=True)
    x = lsub.add_parser("list", help="patterns (or --kpis) of the library a company's workshops draw from")
    x.add_argument("--company", help="include this company's own patterns (listed first)")
    x.add_argument("--function", help="sales, marketing, support, admin, hr, finance, engineering, legal, ...")
    x.add_argument("--kpis", action="store_true", help="list the KPI catalogue instead")
    x.set_defaults(func=cmd_list)
    x = lsub.add_parser("show", help="one pattern or KPI in full")
    x.add_argument("id")
    x.add_argument("--company")
    x.set_defaults(func=cmd_show)
    x = lsub.add_parser("add", help="add patterns from a YAML file to a company's own library (validated first)")
    x.add_argument("file")
    x.add_argument("--company", required=True)
    x.set_defaults(func=cmd_add)
