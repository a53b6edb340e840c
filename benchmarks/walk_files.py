"""Which project files a typed pain point crosses on its way to a playbook section on the room's screen.

    python benchmarks/walk_files.py [--list]

A live room over the scripted model (tests/ui/roomkit.py): a participant's pain point is submitted, the
facilitator starts the workshop, takes the first theme and approves every gate until the playbook's, and the
room draws its board and the playbook. Every project module whose code runs on that walk (in any thread) is
counted once; test helpers and this script are not. The count is what a newcomer reads to follow one pain
point to the screen. The Gradio page and its button handlers (ui/web/room/page.py, controls.py) sit in front
of ``Rooms`` in the browser and are not run here: add them by hand when comparing with a browser walk.
Works on checkouts from before the single ``katachi`` package too (bare ``core``, ``ui`` imports).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PKG = "katachi." if (ROOT / "katachi" / "__init__.py").is_file() else ""
CODE = ("core", "knowledge", "agents", "graphs", "exports", "tracker", "ui", "katachi")


def _walk() -> set[str]:
    import importlib

    roomkit = importlib.import_module("tests.ui.roomkit")
    board = importlib.import_module(f"{PKG}ui.web.room.board")
    seen: set[str] = set()

    def note(frame, event, arg):
        if event == "call":
            seen.add(frame.f_code.co_filename)

    with tempfile.TemporaryDirectory() as tmp:
        rooms = roomkit.make_rooms(Path(tmp))
        fac = rooms.user("fumi")
        ws = rooms.create(fac, "acme", "walk", ["営業"], "ja", review=False)
        sys.setprofile(note)
        threading.setprofile(note)
        try:
            rooms.submit(fac, ws["id"], "提案書の作成に2日かかる")
            rooms.start(fac, ws["id"])
            while True:
                rooms.jobs.wait_idle(ws["id"])
                view = rooms.view(fac, ws["id"])
                if view.gate is None or view.stage == "playbook":
                    break
                decision = {"action": "choose", "index": 0} if view.stage == "themes" else {"action": "approve"}
                rooms.decide(fac, ws["id"], {**decision, "gate": view.stage})
            board.room(view, "ja", "k")
            page = board.document(view, "ja")
        finally:
            sys.setprofile(None)
            threading.setprofile(None)  # type: ignore[arg-type]
        assert "k-" in page or page, "the playbook was not drawn"
        roomkit.close_all()
    out = set()
    for f in seen:
        p = Path(f)
        if p.is_relative_to(ROOT) and p.relative_to(ROOT).parts[0] in CODE:
            out.add(p.relative_to(ROOT).as_posix())
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true", help="print the files, by layer")
    args = ap.parse_args()
    t0 = time.perf_counter()
    files = _walk()
    if args.list:
        for f in sorted(files, key=lambda f: (CODE.index(f.split("/")[0]), f)):
            print(f"  {f}")
    layers = {c: sum(1 for f in files if f.split("/")[0] == c) for c in CODE}
    print(f"files crossed: {len(files)}  (" + ", ".join(f"{k} {v}" for k, v in layers.items() if v) + ")")
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
