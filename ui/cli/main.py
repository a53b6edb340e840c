"""The ``katachi`` command. Every product error is printed in the user's language, never as a traceback."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from katachi.core.errors import KatachiError
from katachi.core.i18n import LANGS, t
from katachi.ui.cli import tables
from katachi.ui.cli.limits import check_args


def cmd_ingest(args: argparse.Namespace) -> int:
    from katachi.knowledge.store import CompanyStore

    lang = args.settings.lang
    store = CompanyStore(args.company, args.settings, create=True)
    report = store.ingest(args.paths, progress=sys.stderr.isatty() or args.progress, department=args.department)
    print(tables.ingest_table(report, lang))
    if not report.ingested:
        raise KatachiError("nothing_ingested", skipped=len(report.skipped))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from katachi.knowledge.store import CompanyStore

    lang = args.settings.lang
    hits = CompanyStore(args.company, args.settings).search(
        args.query, k=args.k, mode=args.mode, department=args.department
    )
    if not hits:
        print(t("cli.no_hits", lang))
    for rank, p in enumerate(hits, 1):
        flag = "  ⚠ instruction-like text (data only)" if p.injection else ""
        dept = f"  [{p.department}]" if p.department else ""
        print(
            f"[{rank}] {p.score:.3f}  {p.chunk_id}{dept}{flag}\n    {p.label().split(' § ')[0]}\n    § {p.heading or '-'}"
        )
        body = " ".join(p.text.split())
        print("    " + (body if len(body) <= args.width else body[: args.width] + "…") + "\n")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from katachi.ui.cli.doctor import run_doctor

    return run_doctor(args.settings, full_hash=args.full)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 100:
        raise argparse.ArgumentTypeError(f"a whole number of 1 or more (at most 100), not {text!r}")
    return n


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="katachi", description="Katachi (型): gen-AI adoption workshops by design.")
    p.add_argument("--lang", choices=list(LANGS), help="language of messages and outputs (default: KATACHI_LANG or ja)")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    p.add_argument(
        "--model", help="local | local:/path.gguf | openai:MODEL | azure:DEPLOYMENT (default: KATACHI_PROVIDER)"
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="ingest documents (md txt pdf docx xlsx pptx csv html) into a company's store")
    s.add_argument("paths", nargs="*", help="files or folders")
    s.add_argument("--company", required=True)
    s.add_argument("--progress", action="store_true", help="show a progress bar even when not on a terminal")
    s.add_argument("--department", help="department id for every file (default: guessed from paths and headings)")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("search", help="search a company's documents")
    s.add_argument("query")
    s.add_argument("--company", required=True)
    s.add_argument("-k", type=_positive, default=5, help="how many passages (1 to 100)")
    s.add_argument("--width", type=int, default=240, help="characters of each passage to print")
    s.add_argument("--mode", choices=["hybrid", "dense", "bm25"], help="retrieval method (default: hybrid)")
    s.add_argument("--department", help="only this department's documents (sales, marketing, people, finance, ...)")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("doctor", help="check the model, the embedder and the data directory")
    s.add_argument("--full", action="store_true", help="re-hash the model file even if it was verified before")
    s.set_defaults(func=cmd_doctor)

    from katachi.ui.cli import accounts, export, library, tracker, worker, workshop

    workshop.add_commands(sub)
    library.add_commands(sub)
    export.add_commands(sub)
    accounts.add_commands(sub)
    tracker.add_commands(sub)
    worker.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    lang = args.lang or "en"
    try:
        check_args(args)
        args.settings = settings_from(args)
        lang = args.settings.lang
        return int(args.func(args) or 0)
    except KatachiError as err:
        print(f"katachi: {err.message(lang)} [{err.code}]", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `katachi tracker T | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's flush at exit stays quiet
        return 141  # as a command killed by SIGPIPE
    except OSError as exc:  # a path given on the command line: missing, a directory, not writable
        error = KatachiError("file_error", path=exc.filename or "-", detail=exc.strerror or type(exc).__name__)
        print(f"katachi: {error.message(lang)} [{error.code}]", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n" + t("cli.interrupted", lang), file=sys.stderr)
        return 130


def settings_from(args: argparse.Namespace):
    """The settings of this command: the environment (``KATACHI_*``, ``.env``) with the flags on top,
    as a value passed down; nothing is written back into the environment."""
    from katachi.core.settings import Settings, with_model_choice

    s = Settings()
    if args.lang:
        s = s.model_copy(update={"lang": args.lang})
    return with_model_choice(s, getattr(args, "model", None))


def configure_logging(verbose: bool) -> None:
    """Warnings only unless ``--verbose``; libraries that log every call stay quiet even then."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # The handler filters too: a library that sets its own logger to DEBUG when imported (bm25s does,
    # lazily, after this runs) must still not reach the user's terminal.
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
    for noisy in ("bm25s", "httpx", "httpx2", "chromadb", "urllib3", "gradio", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
