"""``katachi export``: a playbook (any version) as md, docx, pdf or json with its history and audit log,
and what the executive team gets: the deck (pptx, in the consultancy's template), the one-page summary
(summary-pdf, summary-docx) and the weekly review's calendar invitation (ics)."""

from __future__ import annotations

import argparse
from pathlib import Path

from katachi.exports.exports import FORMATS

DEFAULT_URL = "http://127.0.0.1:7860/"  # `katachi ui`'s own address when no public one is set


def _audit(settings, thread_id: str) -> list[dict]:
    """Review comments and approvals made in the web app go with the playbook (none without the app)."""
    if not (settings.data_dir / "app.sqlite").is_file():
        return []
    from katachi.ui.web.appdb import open_app_db
    from katachi.ui.web.review.handlers import Reviews

    return Reviews.audit_of(open_app_db(settings), thread_id)


def cmd_export(args: argparse.Namespace) -> int:
    from katachi.exports.exports import write
    from katachi.graphs.service import WorkshopService

    s = args.settings
    values = WorkshopService(s).snapshot(args.thread_id).values
    template = Path(args.template) if args.template else s.pptx_template
    out = write(
        values,
        args.format,
        Path(args.out or "."),
        version=args.version,
        audit=_audit(s, args.thread_id),
        template=template,
        tracker_url=s.public_url or DEFAULT_URL,
        tz=s.timezone,
    )
    print(out)
    return 0


def add_commands(sub) -> None:
    s = sub.add_parser(
        "export",
        help="export a playbook (md, docx, pdf, json; any version), the deck (pptx), "
        "the one-page summary (summary-pdf, summary-docx) or the review's invitation (ics)",
    )
    s.add_argument("thread_id")
    s.add_argument("--format", required=True, choices=list(FORMATS))
    s.add_argument("--version", type=int, help="version number (default: the latest)")
    s.add_argument("--out", help="file to write, or a folder (default: here, named after the company and theme)")
    s.add_argument("--template", help="the deck's .pptx template (default: KATACHI_PPTX_TEMPLATE)")
    s.set_defaults(func=cmd_export)
