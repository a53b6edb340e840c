"""``katachi export``: a playbook (any version) as md, docx, pdf or json, with its history and audit log."""
from __future__ import annotations

import argparse
from pathlib import Path


def _audit(settings, thread_id: str) -> list[dict]:
    """Review comments and approvals made in the web app go with the playbook (none without the app)."""
    if not (settings.data_dir / "app.sqlite").is_file():
        return []
    from ui.web.appdb import open_app_db
    from ui.web.review.handlers import Reviews

    return Reviews.audit_of(open_app_db(settings), thread_id)


def cmd_export(args: argparse.Namespace) -> int:
    from graphs.documents.exports import write
    from graphs.service import WorkshopService

    values = WorkshopService(args.settings).snapshot(args.thread_id).values
    out = write(values, args.format, Path(args.out), version=args.version, audit=_audit(args.settings, args.thread_id))
    print(out)
    return 0


def add_commands(sub) -> None:
    s = sub.add_parser("export", help="export a playbook: md, docx, pdf or json (any version)")
    s.add_argument("thread_id")
    s.add_argument("--format", required=True, choices=["md", "docx", "pdf", "json"])
    s.add_argument("--version", type=int, help="version number (default: the latest)")
    s.add_argument("--out", required=True, help="file to write")
    s.set_defaults(func=cmd_export)
