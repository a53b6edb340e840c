"""What every generating stage shares: the stage context, one grounded model call, citation stats."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias, TypeVar

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field
from pydantic.json_schema import JsonDict

from katachi.agents import script
from katachi.agents.grounding import Evidence, build_evidence, keep_valid, relevant
from katachi.agents.linter import finding  # noqa: F401 - the gates' findings, built where the linter's are
from katachi.agents.prompts import system_prompt, user_prompt
from katachi.agents.schemas import Citation, Finding, Support
from katachi.core.llm import structured_call
from katachi.knowledge.passages import Passage

LANGUAGE = {"ja": "Japanese", "en": "English"}  # named to the model in a retry
# Output length budgets are in Japanese characters; English gets more characters for the same tokens.
LENGTH_SCALE = {"ja": 1.8, "en": 4.0}


def text(cap: int, min_len: int = 1, default: str | None = None) -> Any:
    """A string field with a length budget (``x-cap``, turned into ``maxLength`` per language)."""
    extra: JsonDict = {"x-cap": cap}
    if default is not None:
        return Field(default=default, json_schema_extra=extra)
    return Field(min_length=min_len, json_schema_extra=extra)


def cap(n: int) -> Any:
    """The length budget of each string of a list: ``list[Annotated[str, cap(30)]]``."""
    return Field(json_schema_extra={"x-cap": n})


def items(max_items: int, min_items: int = 0) -> Any:
    """A list field with an item budget the grammar enforces; pydantic only checks the minimum.
    A list that must not be empty has no default, so the schema marks it required."""
    if min_items:
        return Field(min_length=min_items, json_schema_extra={"maxItems": max_items})
    return Field(default_factory=list, json_schema_extra={"maxItems": max_items})


class Retriever(Protocol):
    def search(
        self,
        query: str,
        k: int = 5,
        where: dict | None = None,
        department: str | None = None,
    ) -> list[Passage]: ...


@dataclass
class StageContext:
    model_for: Callable[[str], BaseChatModel]
    retriever: Retriever
    company: str
    lang: str
    today: str  # YYYY-MM-DD, fixed when the workshop starts
    retries: int = 2  # structured-output retries per call (setting ``structured_retries``)
    passages_per_query: int = 3
    sentences_per_call: int = 5
    library: Any = None  # knowledge.library.catalog.Library; None: the shipped library
    departments: tuple[str, ...] = ()  # the workshop's departments: their functions' KPIs are offered first
    # Drafts for the room while a stage runs (stage, item): set by the graph when its run is streamed.
    emit: Callable[[str, dict], None] | None = None
    # texts -> unit e5 vectors (``passage=True`` for passages): KPI shortlists; None: lexical only
    embed: Callable[..., Any] | None = None
    stall_s: float | None = None  # a model call fails when nothing arrives for this long (setting ``stall_s``)

    def show(self, stage: str, item: dict) -> None:
        if self.emit is not None:
            self.emit(stage, item)

    def functions(self) -> set[str]:
        """The 型 library's functions of the workshop's departments (営業 → sales, 品質保証 → manufacturing)."""
        return {f for d in self.departments if (f := self.function_of(d)) is not None}

    def function_of(self, department: str) -> str | None:
        """The department's function: by the library's aliases, else by meaning (e5) when one function is
        clearly closest (「Dojo運営支援」 → support); None when nothing is (then all patterns are offered)."""
        lib = self.catalog()
        found = lib.function_of(department)
        if found is not None or self.embed is None:
            return found
        return nearest_function(self.embed, lib, department)

    def catalog(self):
        if self.library is None:
            from katachi.knowledge.library.catalog import load_library

            self.library = load_library()
        return self.library


# e5-small puts a department's name 0.80-0.86 from the description of its function, and the runner-up
# often within 0.01 (measured on 26 department names of the eval corpora): a match counts only when it
# is at least that clear.
FUNCTION_MIN, FUNCTION_MARGIN = 0.80, 0.01


def nearest_function(embed: Callable[..., Any], lib: Any, department: str) -> str | None:
    import numpy as np

    texts = tuple(f"{f.ja.name} {f.en.name}: {', '.join(f.ja.aliases + f.en.aliases)}" for f in lib.functions)
    vectors = _function_vectors(embed, texts)
    sims = vectors @ embed([department])[0]
    order = np.argsort(-sims)
    best, second = float(sims[order[0]]), float(sims[order[1]])
    return lib.functions[int(order[0])].id if best >= FUNCTION_MIN and best - second >= FUNCTION_MARGIN else None


@functools.lru_cache(maxsize=8)
def _function_vectors(embed: Callable[..., Any], texts: tuple[str, ...]):
    return embed(list(texts), passage=True)


@dataclass
class StageLog:
    """What a stage reports besides its items: model usage, citation checks, passages shown."""

    usage: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    passages: dict[str, dict] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # what the quality checks repaired or dropped


T = TypeVar("T")
# What every stage generator returns: what it made, and its log. The graph's nodes read one shape.
Made: TypeAlias = tuple[T, StageLog]


def retrieve(
    ctx: StageContext,
    queries: list[str],
    k: int | None = None,
    department: str | None = None,
) -> list[Passage]:
    """Passages for the queries; with ``department``, that department's documents first, the whole
    store when it has too few of them."""
    seen: dict[str, Passage] = {}
    k = k or ctx.passages_per_query
    for q in queries:
        if not q.strip():
            continue
        hits = ctx.retriever.search(q, k=k, department=department) if department else []
        if len(hits) < k:
            hits = hits + ctx.retriever.search(q, k=k)
        for p in hits[:k]:
            seen.setdefault(p.chunk_id, p)
    return list(seen.values())


def evidence_for(
    ctx: StageContext, queries: list[str], log: StageLog, k: int | None = None, department: str | None = None
) -> Evidence:
    passages = retrieve(ctx, queries, k, department)
    ev = build_evidence(passages, " ".join(queries), max_sentences=ctx.sentences_per_call)
    for cid, p in ev.passages.items():
        log.passages[cid] = p.model_dump()
    for p in ev.withheld:
        if not any(f.rule == "injection_withheld" and f.item == p.rel for f in log.findings):
            log.findings.append(finding("injection_withheld", "documents", p.rel, ctx.lang, p.rel))
    return ev


def _evidence_ids(obj: Any) -> list[str]:
    out: list[str] = []
    if isinstance(obj, BaseModel):
        for name, value in obj:
            if name == "evidence" and isinstance(value, list):
                out.extend(str(v) for v in value)
            else:
                out.extend(_evidence_ids(value))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(_evidence_ids(v))
    return out


def ask(
    ctx: StageContext,
    log: StageLog,
    *,
    role: str,
    schema: type[BaseModel],
    prompt: str,
    evidence: Evidence,
    feedback: str = "",
    check: Callable[[Any], list[str]] | None = None,
    enums: dict[str, list[str]] | None = None,
    max_tokens: int | None = None,
    on_item: Callable[[str, dict], None] | None = None,
    **values: Any,
) -> Any:
    """One grounded structured call. Unknown evidence ids and ``check`` problems are named back to the
    model (bounded retries); whatever survives is repaired by the caller, never invented.
    ``on_item``: each item of the first answer as it is written (see ``structured_call``)."""

    allowed = " ".join(str(v) for v in values.values()) + evidence.prompt_block()
    messages = [
        ("system", system_prompt(ctx.lang, ctx.company, ctx.today)),
        (
            "user",
            user_prompt(
                prompt, ctx.lang, feedback=feedback, documents=evidence.prompt_block(), today=ctx.today, **values
            ),
        ),
    ]
    result = structured_call(
        ctx.model_for(role),
        schema,
        messages,
        role=role,
        validate=_validator(ctx, evidence, allowed, check),
        retries=ctx.retries,
        enums={"evidence": evidence.ids, **(enums or {})},
        accept_last=True,
        max_tokens=max_tokens,
        on_item=on_item if ctx.emit is not None else None,
        length_scale=LENGTH_SCALE.get(ctx.lang, 1.0),
        stall_s=ctx.stall_s,
    )
    log.usage.append(result.usage.as_dict())
    value, replaced = script.repair_model(result.value, ctx.lang, allowed)
    if replaced:
        log.findings.append(finding("foreign_script", role, "", ctx.lang, "、".join(dict.fromkeys(replaced))))
    return value


def _validator(
    ctx: StageContext, evidence: Evidence, allowed: str, check: Callable[[Any], list[str]] | None
) -> Callable[[Any], list[str]]:
    """What is named back to the model on each answer: unknown evidence ids, words in another script
    (once), and the caller's ``check``."""
    named: list[list[str]] = []

    def validate(obj: Any) -> list[str]:
        problems = []
        bad = evidence.unknown(_evidence_ids(obj))
        if bad:
            problems.append(f"unknown evidence ids {sorted(set(bad))}; use only {evidence.ids} or []")
        foreign = script.scan(obj, ctx.lang, allowed)
        if foreign and not named:  # named back once; what survives is repaired after the call
            named.append(foreign)
            problems.append(f"write only {LANGUAGE[ctx.lang]} (no Chinese words or characters): {'; '.join(foreign)}")
        if check:
            problems.extend(check(obj))
        return problems

    return validate


def cite(
    evidence: Evidence,
    ids: list[str],
    log: StageLog,
    where: str,
    claim: str = "",
) -> tuple[list[Citation], Support]:
    """Map sentence ids to citations, verify each against the passages offered (id known, quote
    verbatim), drop those unrelated to the claim, and log the outcome."""
    unknown = evidence.unknown(ids)
    built = evidence.citations(ids)
    valid, invalid = keep_valid(built, evidence.passages)
    related = [c for c in valid if not claim or relevant(claim, c.quote)]
    log.citations.append(
        {
            "where": where,
            "cited": len(ids),
            "valid": len(valid),
            "dropped": len(unknown) + invalid,
            "unrelated": len(valid) - len(related),
            "offered": len(evidence.ids),
        }
    )
    return related, ("supported" if related else "unsupported")
