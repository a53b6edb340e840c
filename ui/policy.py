"""Who may do what: the one place that answers "may this user do this to this workshop or company?".

Every page handler and command asks :func:`allowed` or :func:`require`; nothing else looks at roles.
The rules take facts as values (the workshop row, whether the user joined it) so they are pure and
a table-driven test covers every role × action.

Roles:
- ``admin``: everything.
- ``facilitator``: creates and runs the workshops of the companies they belong to, uploads their
  documents, reviews their playbooks, follows their trackers.
- ``consultant``: sees and reviews their companies' workshops, follows their trackers; never runs one.
- ``participant``: an account, or a guest who came in with a join code. Sees only the workshops they
  joined, sends pain points and votes there; never decides a gate, reviews or uploads. An account
  (not a guest) may read the tracker of a workshop it joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from katachi.core.errors import KatachiError

ROLES = ("admin", "facilitator", "consultant", "participant")
STAFF = ("admin", "facilitator", "consultant")  # who sees a company's work without joining it


@dataclass
class User:
    name: str
    role: str
    companies: list[str] = field(default_factory=list)
    guest_of: str | None = None  # the workshop a guest came in for
    display: str = ""


def member(user: User, company: str) -> bool:
    """Belongs to the company (an admin belongs everywhere)."""
    return user.role == "admin" or (company or "") in user.companies


def _sees(user: User, ws: dict | None, joined: bool) -> bool:
    if ws is None:
        return False
    if user.guest_of:  # a guest is a seat in one workshop, whatever else its name once joined
        return ws["id"] == user.guest_of and joined
    if user.role == "participant":
        return joined
    return member(user, ws["company"]) or ws.get("owner") == user.name


def _runs(user: User, ws: dict | None) -> bool:
    return ws is not None and (user.role == "admin" or (user.role == "facilitator" and member(user, ws["company"])))


def _reviews(user: User, ws: dict | None) -> bool:
    return ws is not None and user.role in STAFF and member(user, ws["company"])


def _follows(user: User, ws: dict | None, joined: bool) -> bool:
    if ws is None:
        return False
    if user.role == "participant":
        return joined and not user.guest_of
    return user.role in STAFF and member(user, ws["company"])


# action -> rule(user, company, workshop row, joined)
RULES = {
    # companies
    "company.create_workshop": lambda u, c, w, j: u.role in ("admin", "facilitator") and member(u, c),
    "company.upload": lambda u, c, w, j: u.role in ("admin", "facilitator") and member(u, c),
    "company.documents_tab": lambda u, c, w, j: u.role in ("admin", "facilitator"),
    "company.create_form": lambda u, c, w, j: u.role in ("admin", "facilitator"),
    "company.list_all": lambda u, c, w, j: u.role == "admin",
    # the company's own 型 library: a consultant's patterns for their client
    "company.library": lambda u, c, w, j: u.role in STAFF and member(u, c),
    # workshops
    "workshop.see": lambda u, c, w, j: _sees(u, w, j),
    # A guest's seat is one workshop: another workshop's code does not add a second.
    "workshop.join": lambda u, c, w, j: (
        w is not None
        and (not u.guest_of or u.guest_of == w["id"])
        and (u.role in ("participant", "admin") or _sees(u, w, j))
    ),
    "workshop.submit": lambda u, c, w, j: _sees(u, w, j),
    "workshop.vote": lambda u, c, w, j: _sees(u, w, j),
    "workshop.facilitate": lambda u, c, w, j: _runs(u, w),
    "workshop.see_authors": lambda u, c, w, j: _runs(u, w),
    # review
    "review.tab": lambda u, c, w, j: u.role in STAFF,
    # the tabs a person sees at all: a guest came for one room, and the documents are the staff's
    "page.workshops": lambda u, c, w, j: not u.guest_of,
    "page.tracker": lambda u, c, w, j: not u.guest_of,
    "page.documents": lambda u, c, w, j: u.role in STAFF,
    "review.workshop": lambda u, c, w, j: _reviews(u, w),
    # weekly PDCA tracker
    "tracker.see": lambda u, c, w, j: _follows(u, w, j),
    "tracker.checkin": lambda u, c, w, j: _follows(u, w, j),
    "tracker.manage": lambda u, c, w, j: _follows(u, w, j) and u.role != "participant",
}
ACTIONS = tuple(RULES)


def allowed(
    user: User, action: str, *, company: str | None = None, workshop: dict | None = None, joined: bool = False
) -> bool:
    """``company`` defaults to the workshop's; ``joined``: the user joined this workshop."""
    company = company if company is not None else (workshop or {}).get("company", "")
    return bool(RULES[action](user, company or "", workshop, joined))


def require(user: User, action: str, **facts) -> None:
    """:func:`allowed` or a ``forbidden`` error naming the action."""
    if not allowed(user, action, **facts):
        raise KatachiError("forbidden", action=action)


# -- who a session is ---------------------------------------------------------------------------------
GUEST_SEP = "#"


def guest_id(name: str, workshop: str) -> str:
    return f"{name}{GUEST_SEP}{workshop}"


def split_guest(username: str) -> tuple[str, str] | None:
    """(display name, workshop) of a guest session; None for an account."""
    name, sep, wid = (username or "").partition(GUEST_SEP)
    return (name, wid) if sep and name and wid else None


def display_of(username: str | None) -> str:
    """What people see: a guest's display name without its workshop."""
    g = split_guest(username or "")
    return g[0] if g else (username or "")
