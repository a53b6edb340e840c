"""The documents page's server side: uploads go into the company's own folder, then into its store."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from core.errors import KatachiError
from ui import policy

_SAFE = re.compile(r"[^\w.\-]+")


def ingest_uploads(ctx, user, company: str, paths: list[str], department: str | None = None):
    """Copy uploads into the company's folder (so citations keep pointing at a file) and ingest them."""
    from knowledge.store import CompanyStore, check_company, company_dir

    check_company(company)
    policy.require(user, "company.upload", company=company)
    if not paths:
        raise KatachiError("upload_empty")
    dest = company_dir(company, ctx.settings) / "uploads"
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for p in paths:
        src = Path(p)
        target = dest / (_SAFE.sub("_", src.name).strip("._") or "upload")
        shutil.copyfile(src, target)
        copied.append(target)
    store = CompanyStore(company, ctx.settings, create=True)
    return store.ingest(copied, progress=True, prune=False, department=department or None), store


def add_library_file(ctx, user, company: str, path: str | None):
    """A consultant's pattern file into the company's own library (validated before anything is written)."""
    from knowledge.library.company import add_file
    from knowledge.store import check_company

    check_company(company)
    policy.require(user, "company.library", company=company)
    if not path:
        raise KatachiError("upload_empty")
    return add_file(ctx.settings, company, Path(path))


def company_patterns(ctx, user, company: str):
    """(the company's own patterns, the size of the library they join)."""
    from knowledge.library.catalog import load_library
    from knowledge.library.company import company_library_dir
    from knowledge.store import check_company

    check_company(company)
    policy.require(user, "company.library", company=company)
    lib = load_library(ctx.settings.library_dir, company_library_dir(ctx.settings, company))
    return [p for p in lib.patterns.values() if p.origin != "library"], len(lib.patterns)
