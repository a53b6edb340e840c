"""Type-checks the installed package, ``katachi``, from the folders at the top of the project.

mypy names a module after its file's path, so it cannot follow pyproject.toml's ``package-dir`` mapping
(``katachi.core`` → ``core/``): run on ``core/`` it would call the module ``core.x`` while every import says
``katachi.core.x``. This links the mapped folders into ``build/typecheck/katachi/``, checks the package there
with pyproject.toml's settings, and prints each finding with the project's own path. Extra arguments go to mypy.

    .venv/bin/python tools/typecheck.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "typecheck"


def link_tree() -> dict[str, str]:
    """build/typecheck/katachi/<folder> → <folder> for every mapped folder; returns package path → folder."""
    mapped = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-dir"]
    pkg = TREE / "katachi"
    pkg.mkdir(parents=True, exist_ok=True)
    for name in ("__init__.py", "py.typed"):
        _link(pkg / name, ROOT / mapped["katachi"] / name)
    prefixes = {}
    for name, folder in mapped.items():
        if name != "katachi":
            sub = name.removeprefix("katachi.")
            _link(pkg / sub, ROOT / folder)
            prefixes[f"katachi/{sub}/"] = f"{folder}/"
    return prefixes


def _link(at: Path, to: Path) -> None:
    if at.is_symlink() and Path(os.readlink(at)) == to:
        return
    if at.is_symlink() or at.exists():
        at.unlink()
    at.symlink_to(to)


def main(argv: list[str]) -> int:
    prefixes = link_tree()
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "-p", "katachi", *argv]
    run = subprocess.run(cmd, cwd=TREE, capture_output=True, text=True)
    pattern = re.compile("^(" + "|".join(map(re.escape, prefixes)) + ")", re.M)
    for stream, text in ((sys.stdout, run.stdout), (sys.stderr, run.stderr)):
        stream.write(pattern.sub(lambda m: prefixes[m.group(1)], text))
    return run.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
