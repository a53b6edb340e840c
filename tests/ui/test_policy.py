"""Every role × action, table-driven: the policy is the only place roles are checked (the architecture
test makes sure of that), so this table is the whole access model."""

from __future__ import annotations

import pytest

from katachi.core.errors import KatachiError
from katachi.ui import policy
from katachi.ui.policy import User

A = {"id": "w1", "company": "acme", "owner": "sato"}
USERS = {
    "admin": User("root", "admin"),
    "facilitator": User("sato", "facilitator", ["acme"]),
    "other_facilitator": User("ito", "facilitator", ["beta"]),
    "consultant": User("kimura", "consultant", ["acme"]),
    "other_consultant": User("mori", "consultant", ["beta"]),
    "participant_joined": User("yuki", "participant"),
    "participant_stranger": User("ken", "participant"),
    "guest_joined": User("ゲスト", "participant", guest_of="w1"),
}
JOINED = {"participant_joined", "guest_joined"}
Y, N = True, False
# action: expected for the users above, in order
TABLE = {
    "company.create_workshop": [Y, Y, N, N, N, N, N, N],
    "company.upload": [Y, Y, N, N, N, N, N, N],
    "company.library": [Y, Y, N, Y, N, N, N, N],
    "workshop.see": [Y, Y, N, Y, N, Y, N, Y],
    "workshop.join": [Y, Y, N, Y, N, Y, Y, Y],
    "workshop.submit": [Y, Y, N, Y, N, Y, N, Y],
    "workshop.vote": [Y, Y, N, Y, N, Y, N, Y],
    "workshop.facilitate": [Y, Y, N, N, N, N, N, N],
    "workshop.see_authors": [Y, Y, N, N, N, N, N, N],
    "review.workshop": [Y, Y, N, Y, N, N, N, N],
    "tracker.see": [Y, Y, N, Y, N, Y, N, N],
    "tracker.checkin": [Y, Y, N, Y, N, Y, N, N],
    "tracker.manage": [Y, Y, N, Y, N, N, N, N],
    "page.tracker": [Y, Y, Y, Y, Y, Y, Y, N],  # a guest came for one room only
    "page.workshops": [Y, Y, Y, Y, Y, Y, Y, N],
}
ROLE_ONLY = {  # actions about the user, not a workshop
    "company.documents_tab": {"admin", "facilitator"},
    "company.create_form": {"admin", "facilitator"},
    "company.list_all": {"admin"},
    "review.tab": {"admin", "facilitator", "consultant"},
    "page.documents": {"admin", "facilitator", "consultant"},
}


def test_the_table_covers_every_action():
    assert set(TABLE) | set(ROLE_ONLY) == set(policy.ACTIONS)


@pytest.mark.parametrize("action", sorted(TABLE))
@pytest.mark.parametrize("who", list(USERS))
def test_role_by_action(action, who):
    expected = TABLE[action][list(USERS).index(who)]
    user = USERS[who]
    assert policy.allowed(user, action, workshop=A, joined=who in JOINED) is expected
    if not expected:
        with pytest.raises(KatachiError) as e:
            policy.require(user, action, workshop=A, joined=who in JOINED)
        assert e.value.code == "forbidden"


@pytest.mark.parametrize("action", sorted(ROLE_ONLY))
@pytest.mark.parametrize("role", policy.ROLES)
def test_role_only_actions(action, role):
    assert policy.allowed(User("x", role, ["acme"]), action, company="acme") is (role in ROLE_ONLY[action])


def test_no_workshop_means_no_access():
    for action in TABLE:
        if action.startswith(("workshop.", "review.workshop", "tracker.")):
            assert not policy.allowed(USERS["admin"], action, workshop=None)


def test_a_guest_seat_never_joins_a_second_workshop():
    """A guest of w2 with w1's code got a stray ``joined`` row for w1 (unseen by it, but written)."""
    elsewhere = User("ゲスト", "participant", guest_of="w2")
    assert not policy.allowed(elsewhere, "workshop.join", workshop=A, joined=False)
    assert policy.allowed(USERS["guest_joined"], "workshop.join", workshop=A, joined=False)
