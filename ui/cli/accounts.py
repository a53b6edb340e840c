"""``katachi ui`` (the web app) and ``katachi user`` (accounts for it)."""
from __future__ import annotations

import argparse
import getpass
import sys

from core.errors import KatachiError


def _db():
    from core.settings import get_settings

    from ui.web.appdb import AppDB

    return AppDB(get_settings().data_dir / "app.sqlite")


def _existing_db():
    from core.settings import get_settings

    return _db() if (get_settings().data_dir / "app.sqlite").is_file() else None


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise KatachiError("bad_user", detail="the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from ui.web.auth import add_user

    add_user(_db(), args.name, _password(args), args.role, args.company or [], args.display or "")
    print(f"{args.name} ({args.role}) {', '.join(args.company or [])}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from ui.web.auth import hash_password

    db = _db()
    if not db.user(args.name):
        raise KatachiError("user_unknown", user=args.name)
    pw = _password(args)
    if len(pw) < 8:
        raise KatachiError("bad_user", detail="password: at least 8 characters")
    db.set_password(args.name, hash_password(pw))
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    db = _db()
    for u in db.users():
        print(f"{u['username']}\t{u['role']}\t{','.join(db.companies_of(u['username']))}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.web.app import ensure_admin, launch, make_context

    ctx = make_context()
    password = ensure_admin(ctx)
    if password:
        print(f"First start: created the account 'admin' with password {password}\n"
              "  (change it: katachi user passwd admin; add people: katachi user add NAME --role facilitator "
              "--company ID)", file=sys.stderr)
    print(f"Katachi: http://{args.host}:{args.port}/", file=sys.stderr)
    launch(ctx, host=args.host, port=args.port, block=True)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from graphs.documents.exports import write
    from graphs.service import WorkshopService

    values = WorkshopService().snapshot(args.thread_id).values
    db = _existing_db()
    audit = []
    if db is not None:  # review comments and approvals made in the web app go with the playbook
        from ui.web.review.handlers import Reviews

        audit = Reviews.audit_of(db, args.thread_id)
    out = write(values, args.format, Path(args.out), version=args.version, audit=audit)
    print(out)
    return 0


def add_commands(sub) -> None:
    s = sub.add_parser("ui", help="start the web app (live workshops, self-service, documents)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: the whole network)")
    s.add_argument("--port", type=int, default=7860)
    s.set_defaults(func=cmd_ui)

    u = sub.add_parser("user", help="accounts for the web app").add_subparsers(dest="user_command", required=True)
    s = u.add_parser("add", help="add an account (password from the terminal or stdin)")
    s.add_argument("name")
    s.add_argument("--role", required=True, choices=["admin", "facilitator", "consultant", "participant"])
    s.add_argument("--company", action="append", help="company id the account belongs to (repeatable)")
    s.add_argument("--display", help="name shown to others")
    s.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    s.set_defaults(func=cmd_user_add)
    s = u.add_parser("passwd", help="set an account's password")
    s.add_argument("name")
    s.add_argument("--password-stdin", action="store_true")
    s.set_defaults(func=cmd_user_passwd)
    s = u.add_parser("list", help="list accounts")
    s.set_defaults(func=cmd_user_list)

    s = sub.add_parser("export", help="export a playbook: md, docx, pdf or json (any version)")
    s.add_argument("thread_id")
    s.add_argument("--format", required=True, choices=["md", "docx", "pdf", "json"])
    s.add_argument("--version", type=int, help="version number (default: the latest)")
    s.add_argument("--out", required=True, help="file to write")
    s.set_defaults(func=cmd_export)
