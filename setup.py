"""The installed packages: ``katachi`` and, below it, every folder of the code folders that
pyproject.toml's ``package-dir`` maps into it (``core/`` → ``katachi.core`` …), data folders included so
their files ship. Listed by walking the folders, so a new module folder needs no entry here."""

import tomllib
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent
MAPPED = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-dir"]
# Generated or measured, not code: evaluation reports stay in the repository, caches nowhere.
SKIPPED = {("evals", "reports")}


def packages() -> list[str]:
    out = ["katachi"]
    for name, folder in MAPPED.items():
        if name == "katachi":
            continue
        base = HERE / folder
        for d in [base, *sorted(p for p in base.rglob("*") if p.is_dir())]:
            rel = d.relative_to(base).parts
            if "__pycache__" in rel or any((folder, *rel)[: len(s)] == s for s in SKIPPED):
                continue
            out.append(".".join((name, *rel)))
    return out


setup(packages=packages())
