"""Test doubles: a deterministic embedder and a scripted chat model. For unit tests only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import BaseModel, PrivateAttr


class FakeEmbedder:
    """Character-bigram hashing into 384 dims: texts that share bigrams land close together."""

    name = "fake-bigram"
    dim = 384

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = "".join(text.lower().split())
        for i in range(max(len(t) - 1, 1)):
            h = int.from_bytes(hashlib.blake2b(t[i : i + 2].encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v + 1.0 / np.sqrt(self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts])


Responder = Callable[[list[BaseMessage], dict[str, Any]], "str | dict | BaseModel"]


class FakeChatModel(BaseChatModel):
    """Answers from a script: a list of replies (str/dict/pydantic, or an Exception to raise), or a
    function of (messages, call kwargs). Records every call's messages and kwargs."""

    script: list[Any] = []
    responder: Any = None
    _calls: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    @property
    def calls(self) -> list[dict[str, Any]]:
        return self._calls

    @property
    def _llm_type(self) -> str:
        return "fake-chat"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self._calls.append({"messages": messages, "kwargs": kwargs})
        if self.responder is not None:
            reply = self.responder(messages, kwargs)
        else:
            if not self.script:
                raise AssertionError("FakeChatModel: script exhausted")
            reply = self.script.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if hasattr(reply, "model_dump_json"):
            text = reply.model_dump_json()
        elif isinstance(reply, (dict, list)):
            text = json.dumps(reply, ensure_ascii=False)
        else:
            text = str(reply)
        msg = AIMessage(
            text,
            usage_metadata={
                "input_tokens": sum(len(str(m.content)) for m in messages) // 4,
                "output_tokens": len(text) // 4,
                "total_tokens": 0,
            },
        )
        return ChatResult(generations=[ChatGeneration(message=msg)])
