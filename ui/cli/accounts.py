"""``katachi ui`` (the web app) and ``katachi user`` (its accounts)."""

from __future__ import annotations

import argparse
import getpass
import sys

from katachi.core.errors import KatachiError
from katachi.core.i18n import t
from katachi.ui import policy
from katachi.ui.cli.limits import port, read_line


def _db(settings):
    from katachi.ui.web.appdb import open_app_db

    return open_app_db(settings)


def _password(args: argparse.Namespace) -> str:
    lang = args.settings.lang
    if args.password_stdin or not sys.stdin.isatty():
        return read_line()  # one line, bounded (a file of any size, /dev/zero, is not a password)
    first = getpass.getpass(t("cli.password", lang))
    if getpass.getpass(t("cli.password_again", lang)) != first:
        raise KatachiError("bad_user", detail=t("cli.passwords_differ", lang))
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from katachi.ui.web.auth import add_user

    add_user(_db(args.settings), args.name, _password(args), args.role, args.company or [], args.display or "")
    print(f"{args.name} ({args.role}) {', '.join(args.company or [])}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from katachi.ui.web.auth import PASSWORD_MIN, hash_password

    db = _db(args.settings)
    if not db.user(args.name):
        raise KatachiError("user_unknown", user=args.name)
    pw = _password(args)
    if len(pw) < PASSWORD_MIN:  # shorter secrets are join codes at the login form
        raise KatachiError("bad_user", detail=f"password: at least {PASSWORD_MIN} characters")
    db.set_password(args.name, hash_password(pw))
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    db = _db(args.settings)
    for u in db.users():
        print(f"{u['username']}\t{u['role']}\t{','.join(db.companies_of(u['username']))}")
    return 0


def _check_port(host: str, port: int) -> None:
    """A port in use, said plainly before anything starts (the server's OSError would read as 'cannot
    read or write the file')."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
            sock.bind((host, port))
    except OSError as exc:
        raise KatachiError("port_unavailable", host=host, port=port, detail=exc.strerror or str(exc)) from exc


def cmd_ui(args: argparse.Namespace) -> int:
    from katachi.ui.web.app import ensure_admin, launch, make_context

    _check_port(args.host, args.port)
    ctx = make_context(args.settings)
    made = ensure_admin(ctx)
    if made:
        print(t("cli.admin_created", args.settings.lang, name=made[0], password=made[1]), file=sys.stderr)
    print(f"Katachi: http://{args.host}:{args.port}/", file=sys.stderr)
    launch(ctx, host=args.host, port=args.port, block=True)
    return 0


def add_commands(sub) -> None:
    s = sub.add_parser("ui", help="start the web app (live workshops, self-service, documents)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: the whole network)")
    s.add_argument("--port", type=port, default=7860)
    s.set_defaults(func=cmd_ui)

    u = sub.add_parser("user", help="accounts for the web app").add_subparsers(dest="user_command", required=True)
    s = u.add_parser("add", help="add an account (password from the terminal or stdin)")
    s.add_argument("name")
    s.add_argument("--role", required=True, choices=list(policy.ROLES))
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
