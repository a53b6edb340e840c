"""What the graph's nodes need from outside, passed as values in the run's config (never read from
the process environment): the settings, the chat model for a role, and the company's retriever.

:class:`graphs.service.WorkshopService` builds one from its settings (or from injected factories in
tests and evals); the LangGraph server entry builds one from the environment, once, at its edge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from katachi.core.settings import Settings

KEY = "katachi"  # the key of the runtime in ``config["configurable"]``
DRAFTS_KEY = "katachi_drafts"  # true: stages stream drafts of their items (see graphs.workshop._drafts)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    model_for: Callable[[str], Any]  # role -> chat model
    retriever_for: Callable[[str], Any]  # company -> retriever (search(query, k, department=...))
    library_for: Callable[[str], Any] | None = None  # company -> 型 library; None: the layered default
    # texts -> unit vectors (e5 queries, or passages with passage=True): pain-point paraphrases, KPI
    # shortlists; None: off
    embed: Callable[..., Any] | None = None

    def library(self, company: str):
        """The company's own patterns first, then the consultancy's (``library_dir``), then the shipped ones."""
        if self.library_for is not None:
            return self.library_for(company)
        from katachi.knowledge.library.catalog import load_library
        from katachi.knowledge.library.company import company_library_dir

        return load_library(self.settings.library_dir, company_library_dir(self.settings, company))

    @classmethod
    def of(
        cls, settings: Settings, model_for: Callable | None = None, retriever_for: Callable | None = None
    ) -> Runtime:
        """The configured provider and company store for ``settings``, unless factories are given."""
        if model_for is None:
            from katachi.core.llm import get_chat_model

            def model_for(role: str, _s: Settings = settings):
                return get_chat_model(role, _s)

        embed: Callable | None = None
        if retriever_for is None:  # the real store, so the real embedder too (tests inject neither)
            from katachi.knowledge.store import CompanyStore

            def retriever_for(company: str, _s: Settings = settings):
                return CompanyStore(company, _s)

            def embed_real(texts: list[str], passage: bool = False, _s: Settings = settings):
                import numpy as np

                from katachi.knowledge.embedder import get_embedder

                e = get_embedder(_s.embed_threads, _s.embed_batch)
                v = e.embed_passages(texts) if passage else e.embed_queries(texts)
                return v / np.linalg.norm(v, axis=1, keepdims=True)

            embed = embed_real
        return cls(settings, model_for, retriever_for, embed=embed)


# The LangGraph server copies a run's config (it must pickle), so a server process registers its one
# runtime here, once, at its edge (graphs.stages.graph_for_server) instead of putting it in the config.
_served: Runtime | None = None


def serve_with(rt: Runtime) -> None:
    global _served
    _served = rt


def runtime_of(config: Mapping[str, Any] | None) -> Runtime:
    conf = (config or {}).get("configurable", {})
    rt = conf.get(KEY) or _served
    if rt is None:
        raise RuntimeError("the workshop graph runs with a Runtime in config['configurable']['katachi']")
    return rt
