"""The room's stylesheet (handed to the workshop app with ``css=``).

Which controls show is decided here from the board's ``data-`` attributes (:func:`ui.web.room.board.
state_attrs`): a redraw changes one HTML string, never a component's visibility. Selectors name the
app's components by the ``elem_id`` Katachi gave them; ``.wrap`` and ``label`` inside the rating radios
(``#k-act-a``, ``#k-act-b``, on a phone) are the only layout of the workshop app's own that is styled
(see the README's list).
"""

from __future__ import annotations

_ROOM = "#k-room .k-room"


def _unless(condition: str, *targets: str) -> str:
    """``targets`` are hidden unless the board matches ``condition`` (attribute selectors)."""
    return f"body:not(:has({_ROOM}{condition})) :is({', '.join(targets)}) {{display:none !important}}\n"


VISIBILITY = "".join(
    [
        _unless('[data-stage="intake"]', "#k-intake"),
        _unless(':not([data-acts=""])[data-acts]', "#k-activity"),
        _unless('[data-fac="1"][data-stage="intake"]', "#k-fac-intake"),
        _unless('[data-decide="1"][data-stage="themes"]', "#k-fac-themes"),
        _unless('[data-decide="1"][data-stage="kpis"]', "#k-fac-kpis"),
        _unless('[data-decide="1"][data-stage="usecases"]', "#k-fac-usecases"),
        _unless('[data-decide="1"][data-stage="playbook"]', "#k-fac-playbook"),
        _unless('[data-decide="1"][data-reviewed="1"]', "#k-fac-reviewed"),
        _unless('[data-fac="1"]', "#k-fac-room"),
        _unless('[data-retry="1"]', "#k-retry"),
        _unless('[data-reveal="1"]', "#k-reveal"),
        _unless('[data-votes="1"]', "#k-show-votes"),
        _unless('[data-code="1"]', "#k-renew-code"),
    ]
)
# the activity's inputs, as its header says (ui.web.room.page.RoomTab._activity_inputs)
_ACT = "#k-act-head .k-act"
VISIBILITY += "".join(
    f"body:not(:has({_ACT}{cond})) {target} {{display:none !important}}\n"
    for cond, target in (
        (':not([data-kinds="1"])[data-kinds]', "#k-act-kind"),
        ('[data-target="1"]', "#k-act-target"),
        ('[data-a="1"]', "#k-act-a"),
        ('[data-b="1"]', "#k-act-b"),
        ('[data-text="1"]', "#k-act-text"),
    )
)

BOARD = """
.k-room-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.3rem 1.2rem}
.k-room-title h3{margin:.2rem 0}
.k-room-main{display:grid;grid-template-columns:minmax(0,3fr) minmax(12rem,1fr);gap:1rem}
.k-join{display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
.k-join-code{font-size:2.6rem;font-weight:bold;letter-spacing:.3rem;margin:.2rem 0}
.k-join-url{font-size:1.2rem;word-break:break-all}
.k-join-warning{color:#a15c00;font-weight:bold;max-width:40rem}
.k-code-state{font-size:.9rem;color:#555}.k-code-state.k-expired{color:#c62828;font-weight:bold}
.k-join-small{font-size:.95rem;margin:.3rem 0}.k-screen-link{margin-left:1rem;font-size:.9rem}
.k-stepper{display:flex;gap:.4rem;list-style:none;padding:0;margin:.2rem 0;flex-wrap:wrap}
.k-step{padding:.3rem .7rem;border-radius:1rem;border:1px solid #ccc;font-size:.9rem}
.k-now{background:#1f6feb;color:#fff;border-color:#1f6feb;font-weight:bold}
.k-done{background:#e6f4ea;color:#1e6b35}
.k-timer{font-size:1.3rem;font-weight:bold;white-space:nowrap}
.k-timer[data-state="off"]{display:none}
.k-timer .k-over-text, .k-timer.k-over .k-left-text{display:none}
.k-timer.k-over .k-over-text{display:inline}
.k-over{color:#c62828}
.k-error{color:#c62828}
.k-cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:.8rem}
.k-card,.k-kpi,.k-uc,.k-handoff,.k-theme{border:1px solid #ddd;border-radius:.6rem;padding:.6rem;margin:.3rem 0}
.k-cit summary{cursor:pointer;color:#1f6feb;font-size:.85rem}
.k-cit blockquote{font-size:.85rem;margin:.3rem 0;padding-left:.6rem;border-left:3px solid #ccc}
.k-cit mark{background:#fff59d}
.k-unsupported{font-size:.8rem;color:#888}
.k-finding.k-error{color:#c62828}.k-finding.k-warning{color:#a15c00}
.k-tally{color:#1f6feb;font-weight:bold}
.k-waiting{color:#888}
.k-draft{border-style:dashed;opacity:.92}
.k-job[data-state="paused"], .k-job[data-state="review"], .k-notice.k-wait{color:#1f4f8a}
.k-vote{margin-left:.4rem;padding:.15rem .7rem;border:1px solid #1f6feb;border-radius:1rem;background:#fff;color:#1f6feb;
 font-size:1rem;cursor:pointer}
.k-act{border-left:4px solid #1f6feb;padding-left:.6rem}
.k-act-anon{font-size:.85rem;color:#555}
.k-dissent{color:#a15c00;margin:.2rem 0}.k-support{color:#1e6b35;margin:.2rem 0}
.k-bars{font-family:monospace}
.k-draft-head{font-size:.9rem;color:#555}
.k-files ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1rem}
.k-file{display:inline-block;padding:.4rem .8rem;border:1px solid #1f6feb;border-radius:.4rem;text-decoration:none}
#k-lang-switch{display:flex;gap:.2rem;flex:0 0 auto !important}
#k-lang-switch button{padding:.2rem .6rem;border:1px solid #ccc;border-radius:.4rem;background:#fff;white-space:nowrap;cursor:pointer}
#k-lang-switch button[aria-pressed="true"]{background:#1f6feb;color:#fff;border-color:#1f6feb}
#k-offline-note{position:fixed;inset:0;z-index:1000;display:flex;align-items:center;justify-content:center;
 background:rgba(255,255,255,.85);font-size:1.3rem;font-weight:bold;color:#1f4f8a;padding:2rem;text-align:center}
"""

PHONE = """
@media (max-width: 600px) {
 #k-header{flex-wrap:nowrap;gap:.3rem;align-items:center;min-height:0}
 #k-title{display:none}
 #k-who{font-size:.8rem;flex:1 1 auto;min-width:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
 #k-lang-switch, #k-logout{flex:0 0 auto !important;min-width:0 !important}
 #k-lang-switch button{padding:.1rem .35rem;font-size:.75rem}
 .k-room-main{grid-template-columns:minmax(0,1fr)}
 .k-room-title{min-width:0;flex:1 1 100%}
 .k-room-title h3{font-size:1.1rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
 .k-timer{font-size:1rem;max-width:100%;overflow:hidden;text-overflow:ellipsis}
 .k-stepper{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:.25rem}
 .k-step{font-size:.75rem;padding:.2rem .3rem;text-align:center;white-space:nowrap}
 #k-act-a, #k-act-b{flex:1 1 100% !important;min-width:100% !important}
 #k-act-a .wrap, #k-act-b .wrap{flex-wrap:nowrap;gap:.2rem} #k-act-a label, #k-act-b label{padding:.3rem .55rem}
 .k-vote{font-size:1.2rem;padding:.3rem 1rem}
 .k-join-code{font-size:2rem}
 #k-room-notice .k-notice{position:fixed;left:.5rem;right:.5rem;bottom:.5rem;z-index:60;background:#fff;
  box-shadow:0 2px 10px rgba(0,0,0,.25);border-radius:.5rem;padding:.4rem .6rem}
}
"""

CSS = VISIBILITY + BOARD + PHONE
