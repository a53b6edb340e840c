"""A redraw sends a tab only what changed since that tab's last answer (ui.web.room.sent)."""
from ui.web.room.sent import SentOutputs


class Comp:  # any hashable object stands for a Gradio component
    pass


def test_unchanged_watched_outputs_are_dropped_per_session():
    html, box, state = Comp(), Comp(), Comp()
    sent = SentOutputs()
    first = sent.only_new("tab1", {html: "<p>a</p>", box: "typed", state: "v1"}, {html})
    assert first == {html: "<p>a</p>", box: "typed", state: "v1"}
    again = sent.only_new("tab1", {html: "<p>a</p>", box: "typed", state: "v2"}, {html})
    assert again == {box: "typed", state: "v2"}  # unwatched outputs always go
    # another tab has seen nothing yet
    assert sent.only_new("tab2", {html: "<p>a</p>"}, {html}) == {html: "<p>a</p>"}
    assert sent.only_new("tab1", {html: "<p>b</p>"}, {html}) == {html: "<p>b</p>"}


def test_updates_compared_by_content_and_fresh_sends_everything():
    grp = Comp()
    sent = SentOutputs()
    upd = {"__type__": "update", "visible": True}
    assert sent.only_new("t", {grp: dict(upd)}, {grp}) == {grp: upd}
    assert sent.only_new("t", {grp: dict(upd)}, {grp}) == {}
    assert sent.only_new("t", {grp: {**upd, "visible": False}}, {grp}) == {grp: {**upd, "visible": False}}
    # a reload: the tab shows nothing, so everything is sent again
    assert sent.only_new("t", {grp: {**upd, "visible": False}}, {grp}, fresh=True) != {}


def test_sessions_bounded():
    c = Comp()
    sent = SentOutputs(sessions=2)
    for s in ("a", "b", "c"):
        sent.only_new(s, {c: "x"}, {c})
    assert sent.only_new("a", {c: "x"}, {c}) == {c: "x"}  # the oldest was forgotten: sent again
    assert sent.only_new("c", {c: "x"}, {c}) == {}
