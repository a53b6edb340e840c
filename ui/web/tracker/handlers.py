"""The tracker page's model work: the weekly pack and a roll-out adaptation go to the job queue as
data (``ui.web.jobs.run_spec``), like the workshop's own jobs, so a web replica runs no model work."""

from __future__ import annotations

from katachi.core.errors import KatachiError
from katachi.core.i18n import Code


def queue_tracker_job(jobs, tracker, wid: str, what: str, by: str, use_case: str = "", department: str = "") -> None:
    """``what``: ``pack`` or ``adapt``. What can be refused at once is (a workshop not finished, no
    department, a 型 not proven yet); the job itself runs on a model worker."""
    tracker.playbook(wid)
    if what == "pack":
        jobs.submit("tracker:" + wid, "pack", {"kind": "tracker_pack", "thread": wid, "by": by})
        return
    if not (department or "").strip():
        raise KatachiError("empty_text", what=Code("field.department"))
    if use_case not in {p["use_case"] for p in tracker.db.proven(wid)}:
        raise KatachiError("not_proven_yet", use_case=use_case)
    jobs.submit(
        "tracker:" + wid,
        "adapt",
        {"kind": "tracker_adapt", "thread": wid, "use_case": use_case, "department": department.strip(), "by": by},
    )
