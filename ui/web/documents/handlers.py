"""The documents page's server side: uploads go into the company's own folder, then into its store."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from katachi.core.errors import KatachiError
from katachi.ui import policy

_SAFE = re.compile(r"[^\w.\-]+")


def ingest_uploads(ctx, user, company: str, paths: list[str], department: str | None = None):
    """Copy uploads into the company's folder (so citations keep pointing at a file) and ingest them.
    An upload never replaces a different document of the same name: it is kept beside it as
    ``name-2.ext`` (the same content again is the same file). Returns (report, store, renamed), with
    renamed: stored name -> the name it was uploaded as."""
    from katachi.knowledge.store import CompanyStore, check_company, company_dir

    check_company(company)
    policy.require(user, "company.upload", company=company)
    if not paths:
        raise KatachiError("upload_empty")
    dest = company_dir(company, ctx.settings) / "uploads"
    dest.mkdir(parents=True, exist_ok=True)
    copied, renamed = [], {}
    for p in paths:
        src = Path(p)
        name = _SAFE.sub("_", src.name).strip("._") or "upload"
        target = _free_name(dest, name, src)
        if target.name != name:
            renamed[target.name] = src.name
        if not target.exists():
            shutil.copyfile(src, target)
        copied.append(target)
    store = CompanyStore(company, ctx.settings, create=True)
    return store.ingest(copied, progress=True, prune=False, department=department or None), store, renamed


def _free_name(dest: Path, name: str, src: Path) -> Path:
    """``name`` in ``dest``, unless a different file holds it: then name-2, name-3…"""
    stem, suffix = Path(name).stem, Path(name).suffix
    digest = _sha(src)
    for i in range(1, 1000):
        target = dest / (name if i == 1 else f"{stem}-{i}{suffix}")
        if not target.exists() or _sha(target) == digest:
            return target
    raise KatachiError("upload_too_many_copies", name=name)


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def add_library_file(ctx, user, company: str, path: str | None):
    """A consultant's pattern file into the company's own library (validated before anything is written)."""
    from katachi.knowledge.library.company import add_file
    from katachi.knowledge.store import check_company

    check_company(company)
    policy.require(user, "company.library", company=company)
    if not path:
        raise KatachiError("upload_empty")
    return add_file(ctx.settings, company, Path(path))


def company_patterns(ctx, user, company: str):
    """(the company's own patterns, the size of the library they join)."""
    from katachi.knowledge.library.catalog import load_library
    from katachi.knowledge.library.company import company_library_dir
    from katachi.knowledge.store import check_company

    check_company(company)
    policy.require(user, "company.library", company=company)
    lib = load_library(ctx.settings.library_dir, company_library_dir(ctx.settings, company))
    return [p for p in lib.patterns.values() if p.origin != "library"], len(lib.patterns)
