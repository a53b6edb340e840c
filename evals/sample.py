"""Scenarios drawn at random, reproducibly: a corpus × 3–6 pain points × 2–4 departments × its language.

The corpora are real documents of organisations nobody on the team wrote (evals/corpora/*/corpus.yaml
says which are hand-written: they are kept as a minority) and the pain points come from a bank of
several hundred written the way executives say them (evals/datasets/pains). A scenario's departments
are the corpus's own; its pain points are the bank's for those departments' functions, of any
industry or of the corpus's. Nothing is chosen by hand, so nothing can be tuned to: a before/after
comparison draws with a seed chosen after the code is final.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from katachi.core.i18n import LANGS
from katachi.evals.harness import ROOT, Scenario

CORPORA = Path(__file__).resolve().parent / "corpora"
BANK = Path(__file__).resolve().parent / "datasets" / "pains"


@dataclass(frozen=True)
class Corpus:
    name: str
    lang: str
    industry: str
    written: str  # "real" or "handwritten"
    departments: tuple[tuple[str, str], ...]  # (name, function)
    path: Path


def load_corpora(folder: Path = CORPORA) -> list[Corpus]:
    out = []
    for f in sorted(folder.glob("*/corpus.yaml")):
        d = yaml.safe_load(f.read_text(encoding="utf-8"))
        docs = f.parent / "docs" if (f.parent / "docs").is_dir() else f.parent
        out.append(
            Corpus(
                d["name"],
                d["lang"],
                d["industry"],
                d.get("written", "real"),
                tuple((x["name"], x["function"]) for x in d["departments"]),
                docs,
            )
        )
    return out


def load_bank(folder: Path = BANK) -> dict[str, list[dict]]:
    return {
        lang: yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))["pains"]
        for lang in LANGS
        if (folder / f"{lang}.yaml").is_file()
    }


def draw(rng: random.Random, corpus: Corpus, bank: list[dict], index: int, seed: int) -> Scenario:
    """One scenario over ``corpus``: 2–4 of its departments and 3–6 pain points of their functions."""
    k = rng.randint(2, min(4, len(corpus.departments)))
    depts = rng.sample(list(corpus.departments), k)
    functions = {f for _, f in depts}
    pool = [
        p
        for p in bank
        if set(p["functions"]) & functions and ("any" in p["industries"] or corpus.industry in p["industries"])
    ]
    pains = rng.sample(pool, min(rng.randint(3, 6), len(pool)))
    rel = corpus.path.relative_to(ROOT) if corpus.path.is_relative_to(ROOT) else corpus.path
    return Scenario(
        name=f"s{seed}-{index:02d}-{corpus.name}",
        lang=corpus.lang,
        corpus=[str(rel)],
        departments=[d for d, _ in depts],
        pain_points=[p["text"] for p in pains],
        company=f"eval-{corpus.name}",
        source=f"sample seed {seed}",
    )


def sample_scenarios(
    n: int,
    seed: int,
    lang: str | None = None,
    corpora: list[Corpus] | None = None,
    bank: dict[str, list[dict]] | None = None,
) -> list[Scenario]:
    """``n`` scenarios for ``seed``: languages alternate (or only ``lang``), each draws a corpus of its
    language at random, real corpora and hand-written ones alike (the hand-written are a minority of
    the folders)."""
    corpora = corpora if corpora is not None else load_corpora()
    bank = bank if bank is not None else load_bank()
    rng = random.Random(seed)
    langs = [lang] if lang else [x for x in LANGS if any(c.lang == x for c in corpora) and bank.get(x)]
    out = []
    for i in range(n):
        want = langs[i % len(langs)]
        corpus = rng.choice([c for c in corpora if c.lang == want])
        out.append(draw(rng, corpus, bank[want], i, seed))
    return out
