"""Every deliverable of a finished workshop, ja and en: how long each export takes, and the deck as
LibreOffice draws it (PNG per slide) for a reviewer to look at.

The workshop is the scripted model's (tests/deliverables_kit.py): the room endorsed the theme with
dissent, rated a use case and added one at the gate; a tracker has three weeks of check-ins and a pack.

    .venv/bin/python benchmarks/deliverables.py --out evals/reports/2026-12-06-deliverables
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from katachi.exports.exports import FORMATS as ALL  # noqa: E402
from katachi.exports.exports import export, file_name  # noqa: E402
from tests import deliverables_kit as kit  # noqa: E402

FORMATS = tuple(f for f in ALL if f != "json")  # json is a dump of the state: nothing to time


def timed(fn, repeat: int = 3) -> tuple[float, bytes]:
    """The best of ``repeat`` runs (the first also loads fonts and libraries: reported apart)."""
    best, data = float("inf"), b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        data = fn()
        best = min(best, time.perf_counter() - t0)
    return best, data


def draw(pptx: Path, out: Path, prefix: str) -> int:
    """soffice → PDF → one PNG a slide; returns the number of slides drawn."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{tmp}/lo",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(pptx),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = Path(tmp) / (pptx.stem + ".pdf")
        subprocess.run(["pdftoppm", "-r", "72", "-png", str(pdf), str(out / prefix)], check=True, timeout=120)
    return len(list(out.glob(f"{prefix}-*.png")))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ("ja", "en"):
            folder = Path(tmp) / lang
            folder.mkdir()
            svc = kit.service(folder, lang)
            values = kit.finish(svc, lang)
            t0 = time.perf_counter()
            export(values, "pptx")
            first = time.perf_counter() - t0
            for fmt in FORMATS:
                secs, data = timed(lambda: export(values, fmt, tracker_url="http://127.0.0.1:7860/"))  # noqa: B023 (called at once)
                rows.append((lang, fmt, secs, len(data)))
                if fmt == "pptx":
                    deck = folder / file_name(values, fmt)
                    deck.write_bytes(data)
                    slides = draw(deck, args.out, f"deck-{lang}")
            tr = kit.tracker(svc, folder)
            tr.pack(values["thread_id"])
            for fmt in ("pptx", "pdf"):
                secs, data = timed(lambda: tr.pack_file(values["thread_id"], fmt))  # noqa: B023 (called at once)
                rows.append((lang, f"pack-{fmt}", secs, len(data)))
            print(f"{lang}: first deck (fonts and libraries loading) {first:.2f} s; {slides} slides drawn")
            svc.close()
    load = Path("/proc/loadavg").read_text().strip() if Path("/proc/loadavg").exists() else "-"
    table = ["| lang | format | seconds (best of 3) | bytes |", "|---|---|---|---|"]
    table += [f"| {lang} | {fmt} | {secs:.3f} | {size:,} |" for lang, fmt, secs, size in rows]
    print("\n".join(table))
    print(f"loadavg {load}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
