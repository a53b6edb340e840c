"""Loading the 型 library and finding candidates in it.

Three layers, the first that has an id wins: a company's own library (patterns proven in its weekly
PDCA or added by its consultant), a consultancy's shared library (``KATACHI_LIBRARY_DIR``), and the
library shipped here. Each layer is a folder with ``patterns/*.yaml`` (``{patterns: [...]}``) and an
optional ``kpis.yaml``; everything is validated by :mod:`knowledge.library.schema`.

Candidates are ranked lexically (Sudachi tokens, so Japanese and English both work, weighted by how
rare a token is across the library); a department's function narrows the patterns first.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from katachi.core.errors import KatachiError
from katachi.core.files import read_limited
from katachi.core.i18n import LANGS
from katachi.knowledge.lexical import tokenize
from katachi.knowledge.library.schema import (
    AntiExample,
    CatalogKPI,
    Function,
    KPIFile,
    MethodFile,
    Pattern,
    PatternFile,
    VocabularyEntry,
)

HERE = Path(__file__).parent
_SPACE = re.compile(r"[\s・、,/／]+")


MAX_LIBRARY_FILE = 4 * 2**20  # the shipped library's largest file is ~100 KB


def _read(path: Path):
    try:
        raw = read_limited(path, MAX_LIBRARY_FILE)  # a device or FIFO given to `library add` is refused
        if len(raw) > MAX_LIBRARY_FILE:
            raise KatachiError(
                "library_file_unreadable", path=str(path), reason=f"larger than {MAX_LIBRARY_FILE} bytes"
            )
        return yaml.safe_load(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise KatachiError("library_file_unreadable", path=str(path), reason=str(e)[:200]) from e


def read_patterns(path: Path, origin: str | None = None) -> list[Pattern]:
    data = _read(path)
    if isinstance(data, list):
        data = {"patterns": data}
    try:
        found = PatternFile.model_validate(data).patterns
    except ValidationError as e:
        raise KatachiError("library_file_invalid", path=str(path), reason=_first_error(e)) from e
    # a pattern proven in the weekly PDCA keeps saying so; others take the origin of the layer they are in
    return [p.model_copy(update={"origin": origin}) if origin and p.origin == "library" else p for p in found]


def read_kpis(path: Path) -> KPIFile:
    try:
        return KPIFile.model_validate(_read(path))
    except ValidationError as e:
        raise KatachiError("library_file_invalid", path=str(path), reason=_first_error(e)) from e


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    return f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}"[:300]


@dataclass
class Library:
    patterns: dict[str, Pattern]
    kpis: dict[str, CatalogKPI]
    functions: list[Function]
    vocabulary: list[VocabularyEntry]
    anti_examples: list[AntiExample] = field(default_factory=list)
    method: MethodFile | None = None

    # -- lookups -------------------------------------------------------------------------------
    def function_of(self, department: str) -> str | None:
        """The function whose alias the department's name contains (the longest alias wins:
        「品質保証部」 is quality, not 保証)."""
        name = department.lower()
        best: tuple[int, str] | None = None
        for f in self.functions:
            for alias in [*f.ja.aliases, *f.en.aliases]:
                a = alias.lower()
                hit = re.search(rf"(?<![a-z]){re.escape(a)}(?![a-z])", name) if a.isascii() else a in name
                if hit and (best is None or len(a) > best[0]):
                    best = (len(a), f.id)
        return best[1] if best else None

    def function_name(self, function_id: str, lang: str) -> str:
        f = next((f for f in self.functions if f.id == function_id), None)
        return (f.ja if lang == "ja" else f.en).name if f else function_id

    def patterns_for_kpi(self, kpi_id: str) -> list[str]:
        return [p.id for p in self.patterns.values() if kpi_id in p.kpis]

    def check_references(self) -> list[str]:
        """Ids a pattern names that do not exist (the shipped library has none; a company file may)."""
        known = {f.id for f in self.functions}
        out = [f"{p.id}: unknown function '{p.function}'" for p in self.patterns.values() if p.function not in known]
        out += [f"{p.id}: unknown KPI '{k}'" for p in self.patterns.values() for k in p.kpis if k not in self.kpis]
        out += [f"{k.id}: unknown function '{f}'" for k in self.kpis.values() for f in k.functions if f not in known]
        return out

    # -- ranking ---------------------------------------------------------------------------------
    def pattern_candidates(
        self,
        department: str,
        query: str,
        lang: str,
        kpi_ids: Iterable[str] = (),
        k: int = 4,
        function: str | None = None,
    ) -> list[Pattern]:
        """The patterns to offer for one department: its function's patterns (or all, when the name
        maps to none) ranked by the query, with a bonus for moving one of the chosen KPIs. The
        company's own patterns (added or proven) that relate to the query at all come first."""
        function = function or self.function_of(department)
        pool = [p for p in self.patterns.values() if function is None or p.function == function]
        chosen = set(kpi_ids)
        scored = []
        for i, p in enumerate(pool):
            score = self._score(query, _pattern_text(p, lang), p.text(lang).title) + (
                0.5 if chosen & set(p.kpis) else 0.0
            )
            own = p.origin != "library" and score > 0
            scored.append((not own, -score, i, p))
        scored.sort(key=lambda x: x[:3])
        return [x[3] for x in scored[:k]]

    def kpi_candidates(self, query: str, lang: str, functions: Iterable[str] = (), k: int = 6) -> list[CatalogKPI]:
        """Catalogue KPIs that would measure a theme, ranked by the query, those of the departments'
        functions first among the ones it is about (a theme is measured where the work happens)."""
        fs = set(functions)
        scored = []
        for i, x in enumerate(self.kpis.values()):
            score = self._score(query, _kpi_text(x, lang), x.text(lang).name)
            # Tiers: the departments' own KPIs that the query is about, then any KPI it is about, then
            # the rest: e.g. a manufacturer's theme about quote replies would otherwise rank a town hall's
            # counter waiting time (both share 'reply' and 'wait') above its own KPIs.
            tier = 2 if score <= 0 else (0 if fs & set(x.functions) else 1)
            scored.append((tier, -score, i, x))
        scored.sort(key=lambda s: s[:3])
        return [x for *_, x in scored[:k]]

    def kpi_score(self, query: str, kpi: CatalogKPI, lang: str) -> float:
        """How much ``query`` talks about the KPI's subject (the ranking score of ``kpi_candidates``)."""
        return self._score(query, _kpi_text(kpi, lang), kpi.text(lang).name)

    def _score(self, query: str, text: str, name: str = "") -> float:
        """Rare shared words count more, words of the name twice. No length normalisation: measured on
        the demo's hand-off theme, dividing by the entry's length ranked 議事録共有までの時間 (one shared
        word, short entry) above 引き継ぎ漏れ件数 (the theme's own word, long definition)."""
        q = set(_tokens(query)) - self._who_words - _WHEN_WORDS
        if not q:
            return 0.0
        idf = self._idf_table
        doc, head = set(_tokens(text)), set(_tokens(name)) if name else set()
        return (
            sum(idf.get(t, self._max_idf()) for t in q & doc) + sum(idf.get(t, self._max_idf()) for t in q & head)
        ) / 10.0

    @functools.cached_property
    def _who_words(self) -> frozenset[str]:
        """Department words (営業, カスタマー, sales…) say who, not what: in a query about a hand-off from
        sales to customer success they would otherwise rank every sales KPI first."""
        return frozenset(t for f in self.functions for a in [*f.ja.aliases, *f.en.aliases] for t in _tokens(a))

    @functools.cached_property
    def _idf_table(self) -> dict[str, float]:
        texts = [_pattern_text(p, lang) for p in self.patterns.values() for lang in LANGS]
        texts += [_kpi_text(x, lang) for x in self.kpis.values() for lang in LANGS]
        df = Counter(t for text in texts for t in set(_tokens(text)))
        n = len(texts)
        return {t: math.log(1 + n / c) for t, c in df.items()}

    def _max_idf(self) -> float:
        return math.log(1 + len(self.patterns) * 2 + len(self.kpis) * 2)


# How often and in what unit say nothing of what is measured: 「毎月」 in 「メルマガのネタ切れ。毎月なんとなく
# 書いて出してる」 would rank 月次決算日数 first for it (its definition counts closings 毎月). The unit is
# matched separately (agents.kpi_choice.unit_fit). English keeps "time", "day" and "hour": they name
# KPIs there ("Time to hire", "Days sales outstanding"), and dropping them cost 2 of 28 on the
# development set; "week" would rank 'Meeting preparation time' (logged "once a week") for year-end paperwork.
_WHEN_WORDS = frozenset(
    "毎月 毎週 毎日 毎年 毎回 毎期 毎晩 毎朝 月次 週次 年次 日次 年間 月間 時間 日数 件数 期間 "
    "monthly weekly daily yearly annual every each month week year".split()
)
_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")


def _stem(token: str) -> str:
    """Sudachi normalises Japanese; English needs 'invoices' and 'invoice', 'matched' and 'matching' to meet."""
    return _SUFFIX.sub("", token) if token.isascii() and len(token) > 4 else token


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&-]*")
_JA_STOP = {"居る", "為る", "有る", "成る", "作る", "出来る", "行う", "言う", "無い", "事", "物", "者", "様"}
_STOP = set(
    "the a an and or of to by is are be for with in on at from our we they their this that these it its "
    "each every all when what who which how takes take".split()
)


@functools.lru_cache(maxsize=4096)
def _tokens_cached(text: str) -> tuple[str, ...]:
    """English words by their surface (Sudachi's normal form turns 'matched' into katakana), Japanese
    by Sudachi's normalised tokens."""
    english = [_stem(w.lower()) for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 1]
    rest = _WORD.sub(" ", text)
    # one-character tokens (者, 差, 月…) and light verbs match everything
    japanese = (
        [t for t in tokenize(rest) if not t.isascii() and len(t) > 1 and t not in _JA_STOP] if rest.strip() else []
    )
    return tuple(english + japanese)


def _tokens(text: str) -> tuple[str, ...]:
    return _tokens_cached(text[:2000])


def content_words(text: str) -> set[str]:
    """The words a library entry is ranked by (Sudachi-normalised Japanese, stemmed English)."""
    return set(_tokens(text))


def _pattern_text(p: Pattern, lang: str) -> str:
    x = p.text(lang)
    return " ".join([x.title, x.step, x.when, x.input, x.output, x.who])


def _kpi_text(k: CatalogKPI, lang: str) -> str:
    x = k.text(lang)
    return " ".join([x.name, x.definition, x.measure])


def _layer(directory: Path, origin: str) -> tuple[list[Pattern], list[CatalogKPI]]:
    patterns: list[Pattern] = []
    for path in sorted((directory / "patterns").glob("*.yaml")) + sorted(directory.glob("patterns*.yaml")):
        patterns += read_patterns(path, origin=origin if origin != "library" else None)
    kpis = read_kpis(directory / "kpis.yaml").kpis if (directory / "kpis.yaml").exists() else []
    return patterns, kpis


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[tuple[Pattern, ...], KPIFile, tuple[Function, ...], tuple[VocabularyEntry, ...], MethodFile]:
    patterns, _ = _layer(HERE, "library")
    kpi_file = read_kpis(HERE / "kpis.yaml")
    functions = tuple(Function.model_validate(x) for x in _read(HERE / "functions.yaml"))
    vocab = tuple(VocabularyEntry.model_validate(x) for x in _read(HERE / "vocabulary.yaml"))
    return tuple(patterns), kpi_file, functions, vocab, read_method(HERE / "method.yaml")


def read_method(path: Path) -> MethodFile:
    try:
        return MethodFile.model_validate(_read(path))
    except ValidationError as e:
        raise KatachiError("library_file_invalid", path=str(path), reason=_first_error(e)) from e


def load_library(shared_dir: Path | None = None, company_dir: Path | None = None) -> Library:
    """The library a workshop draws from: company first, then the consultancy's, then the shipped one.
    The shipped one alone is built once per process: documents and the room page render lineage and
    KPI names from it on every poll."""
    if shared_dir is None and (company_dir is None or not company_dir.is_dir()):
        return _shipped_library()
    return _build(shared_dir, company_dir)


@functools.lru_cache(maxsize=1)
def _shipped_library() -> Library:
    return _build(None, None)


def _build(shared_dir: Path | None, company_dir: Path | None) -> Library:
    shipped, kpi_file, functions, vocab, method = _shipped()
    patterns: dict[str, Pattern] = {}
    kpis: dict[str, CatalogKPI] = {}
    layers: list[tuple[list[Pattern], list[CatalogKPI]]] = []
    if company_dir is not None and company_dir.is_dir():
        layers.append(_layer(company_dir, "company"))
    if shared_dir is not None:
        if not shared_dir.is_dir():
            raise KatachiError("library_dir_missing", path=str(shared_dir))
        layers.append(_layer(shared_dir, "library"))
    layers.append((list(shipped), list(kpi_file.kpis)))
    for ps, ks in layers:
        for p in ps:
            patterns.setdefault(p.id, p)
        for x in ks:
            kpis.setdefault(x.id, x)
    # a consultancy may bring its own weekly review and training 型 (method.yaml in its folder)
    own_method = shared_dir / "method.yaml" if shared_dir is not None else None
    lib = Library(
        patterns=patterns,
        kpis=kpis,
        functions=list(functions),
        vocabulary=list(vocab),
        anti_examples=list(kpi_file.anti_examples),
        method=read_method(own_method) if own_method is not None and own_method.exists() else method,
    )
    bad = lib.check_references()
    if bad:
        raise KatachiError("library_reference_unknown", detail="; ".join(bad[:5]))
    return lib


def split_terms(text: str) -> list[str]:
    """「商談メモと顧客の課題」→ the artefact names in a slot (used for glossary candidates)."""
    parts = re.split(r"と|及び|および|や|・|、|,|/|／|\band\b|\bor\b", text)
    return [p.strip(" 　の") for p in parts if p and p.strip()]
