"""The model factory and the structured-call helper.

:func:`get_chat_model` is the only place providers are named. :func:`structured_call` sends a JSON
schema response format, validates the answer into a pydantic object, retries a bounded number of
times with the validation error named, and records token usage and wall time for every attempt.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, SecretStr, ValidationError

from katachi.core.errors import KatachiError
from katachi.core.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)


def get_chat_model(role: str, settings: Settings) -> BaseChatModel:
    """Return the chat model for a role. Providers: ``local`` (embedded), ``openai``, ``azure``."""
    s = settings
    common: dict[str, Any] = dict(
        # The client's own retry would send a hung request again (twice the timeout); structured_call
        # retries what is worth retrying instead.
        temperature=s.temperature,
        max_tokens=s.max_tokens,
        timeout=s.timeout_s,
        max_retries=0,
    )
    if s.provider == "local":
        from langchain_openai import ChatOpenAI

        from katachi.core.local_llm import LocalServer, resolve_model

        info = resolve_model(s.local_model, s.cache_dir)
        server = LocalServer.get(info.path, s.local_threads, s.local_ctx)
        # llama.cpp ignores the key and the model name; the client insists on both. With return_progress a
        # streamed answer reports each prompt batch it has read, so a long prompt on a busy machine is
        # seen to be moving (see structured_call's stall_s).
        return ChatOpenAI(
            base_url=server.base_url,
            api_key=SecretStr("local"),
            model=info.path.stem,
            seed=7,
            extra_body={"return_progress": True},
            **common,
        )
    if s.provider == "openai":
        from langchain_openai import ChatOpenAI

        key = s.openai_api_key.get_secret_value() if s.openai_api_key else None
        if not key and not s.openai_base_url:
            raise KatachiError("openai_key_missing")
        # Local OpenAI-compatible servers (Ollama, vLLM...) accept any key.
        return ChatOpenAI(base_url=s.openai_base_url, api_key=SecretStr(key or "none"), model=s.openai_model, **common)
    if s.provider == "azure":
        from langchain_openai import AzureChatOpenAI

        missing = [
            n
            for n, v in (
                ("KATACHI_AZURE_ENDPOINT", s.azure_endpoint),
                ("KATACHI_AZURE_DEPLOYMENT", s.azure_deployment),
                ("KATACHI_OPENAI_API_KEY", s.openai_api_key),
            )
            if not v
        ]
        if missing:
            raise KatachiError("azure_config_missing", missing=", ".join(missing))
        return AzureChatOpenAI(
            azure_endpoint=s.azure_endpoint,
            azure_deployment=s.azure_deployment,
            api_version=s.azure_api_version,
            api_key=s.openai_api_key,
            **common,
        )
    raise ValueError(f"unknown provider {s.provider!r}")


def describe_provider(settings: Settings) -> dict[str, str]:
    s = settings
    if s.provider == "local":
        return {"provider": "local", "model": str(s.local_model or "packaged Qwen2.5-Coder-1.5B-Instruct Q4_K_M")}
    if s.provider == "azure":
        return {"provider": "azure", "model": s.azure_deployment or "?", "endpoint": s.azure_endpoint or "?"}
    return {"provider": "openai", "model": s.openai_model, "base_url": s.openai_base_url or "https://api.openai.com/v1"}


@dataclass
class CallUsage:
    role: str
    schema: str
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StructuredResult(Generic[T]):
    value: T
    usage: CallUsage


def response_format_for(
    schema: type[BaseModel], enums: dict[str, list[str]] | None = None, length_scale: float = 1.0
) -> dict[str, Any]:
    """JSON-schema response format. ``enums`` restricts fields by name (e.g. the evidence ids offered);
    ``x-cap`` length hints become ``maxLength`` scaled per language (a grammar-constrained server
    then cannot ramble; a remote model reads them as guidance, pydantic does not enforce them)."""
    js = schema.model_json_schema()
    if enums:
        _patch_enums(js, enums)
    _apply_caps(js, length_scale)
    return {"type": "json_schema", "json_schema": {"name": schema.__name__, "schema": js, "strict": False}}


def _apply_caps(node: Any, scale: float) -> None:
    if isinstance(node, dict):
        cap = node.pop("x-cap", None)
        if cap is not None:
            node["maxLength"] = max(8, int(cap * scale))
        for v in node.values():
            _apply_caps(v, scale)
    elif isinstance(node, list):
        for v in node:
            _apply_caps(v, scale)


def _patch_enums(node: Any, enums: dict[str, list[str]]) -> None:
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            if name not in enums or not isinstance(prop, dict):
                continue
            values = enums[name]
            if prop.get("type") == "array":
                prop["items"] = {"type": "string", "enum": values} if values else {"type": "string"}
                if not values:
                    prop["maxItems"] = 0
            elif prop.get("type") == "string" and values:
                prop["enum"] = values
        for v in node.values():
            _patch_enums(v, enums)
    elif isinstance(node, list):
        for v in node:
            _patch_enums(v, enums)


def _to_messages(messages: Sequence[BaseMessage | tuple[str, str]]) -> list[BaseMessage]:
    out: list[BaseMessage] = []
    for m in messages:
        if isinstance(m, BaseMessage):
            out.append(m)
        elif m[0] == "system":
            out.append(SystemMessage(m[1]))
        else:
            out.append(HumanMessage(m[1]))
    return out


def _strip_fences(text: str) -> str:
    t = text.strip()
    if t.startswith("```"):
        t = t.split("\n", 1)[1] if "\n" in t else t
        t = t.rsplit("```", 1)[0]
    return t.strip()


def translate_transport_error(exc: Exception, model: Any = None) -> KatachiError | None:
    """Map client exceptions (openai/httpx) to the error family; None when it is not a transport error.
    The model (a ChatOpenAI) says which server and timeout it was using."""
    import openai

    url = str(getattr(model, "openai_api_base", "") or "api")
    if isinstance(exc, openai.APITimeoutError):
        return KatachiError("model_timeout", seconds=int(getattr(model, "request_timeout", 0) or 0))
    if isinstance(exc, openai.APIConnectionError):
        return KatachiError("model_unreachable", url=url, detail=str(exc.__cause__ or exc))
    if isinstance(exc, openai.APIStatusError):
        return KatachiError("model_refused", status=exc.status_code, detail=str(exc.message)[:300])
    if isinstance(exc, (openai.APIResponseValidationError, json.JSONDecodeError)):
        # a 200 whose body is not the API's JSON (an HTML error page from a proxy, a truncated reply)
        return KatachiError("model_bad_reply", detail=str(exc)[:200])
    if isinstance(exc, openai.APIError):
        return KatachiError("model_bad_reply", detail=str(exc)[:200])
    return None


def structured_call(
    model: BaseChatModel,
    schema: type[T],
    messages: Sequence[BaseMessage | tuple[str, str]],
    *,
    role: str = "default",
    retries: int = 2,
    validate: Any = None,
    enums: dict[str, list[str]] | None = None,
    accept_last: bool = False,
    max_tokens: int | None = None,
    length_scale: float = 1.0,
    on_item: Callable[[str, dict], None] | None = None,
    stall_s: float | None = None,
) -> StructuredResult[T]:
    """Call ``model`` for a ``schema`` object; retry on invalid JSON or on ``validate(obj)`` complaints.

    ``validate`` may return a list of problems (strings); a non-empty list counts as invalid output
    and is fed back to the model on the next attempt. With ``accept_last`` a parsed object whose
    ``validate`` problems survive every attempt is returned anyway (the caller repairs or drops what
    is wrong, e.g. unknown citation ids); unparseable output always ends in ``invalid_llm_output``.
    """
    usage = CallUsage(role=role, schema=schema.__name__)
    kwargs: dict[str, Any] = {"response_format": response_format_for(schema, enums, length_scale)}
    if max_tokens:
        kwargs["max_tokens"] = max_tokens
    bound = model.bind(**kwargs)
    convo = _to_messages(messages)
    last_problem = ""
    t0 = time.perf_counter()
    try:
        for attempt in range(retries + 1):
            usage.attempts = attempt + 1
            if stall_s or (on_item and attempt == 0):
                reply = _stream(bound, convo, model, on_item if attempt == 0 else None, stall_s)
            else:
                reply = _invoke(bound, convo, model)
            _add_usage(usage, reply)
            text = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
            try:
                obj = schema.model_validate_json(_strip_fences(text))
            except ValidationError as exc:
                last_problem = _short_validation(exc)
            else:
                problems = list(validate(obj) or []) if validate else []
                if not problems or (accept_last and attempt == retries):
                    if problems:
                        usage.errors.append("accepted with: " + "; ".join(problems))
                    return StructuredResult(obj, usage)
                last_problem = "; ".join(problems)
            usage.errors.append(last_problem)
            log.info("%s: invalid output on attempt %d: %s", schema.__name__, attempt + 1, last_problem)
            convo = convo + [AIMessage(text), HumanMessage(_fix_request(last_problem))]
    finally:
        usage.seconds = time.perf_counter() - t0
    raise KatachiError("invalid_llm_output", attempts=usage.attempts, schema=schema.__name__, detail=last_problem[:400])


# A busy or briefly unreachable server is asked once more after a pause; a timeout is not (the model
# had its chance: a second try would double the wait), nor is a refusal such as 400 or 401.
TRANSIENT_STATUS = {429, 500, 502, 503, 504}
TRANSIENT_PAUSE_S = 2.0


def _invoke(bound: Any, convo: list, model: Any) -> BaseMessage:
    for attempt in (0, 1):
        try:
            reply = bound.invoke(convo)
            if not isinstance(reply, BaseMessage):
                raise KatachiError("model_bad_reply", detail=type(reply).__name__)
            return reply
        except KatachiError:
            raise
        except Exception as exc:
            mapped = _model_error(exc, model)
            transient = mapped.code == "model_unreachable" or (
                mapped.code == "model_refused" and mapped.params.get("status") in TRANSIENT_STATUS
            )
            if attempt == 0 and transient:
                log.info("model server: %s; asking once more", mapped.code)
                time.sleep(TRANSIENT_PAUSE_S)
                continue
            raise mapped from exc
    raise AssertionError("unreachable")


def _stream(
    bound: Any, convo: list, model: Any, on_item: Callable[[str, dict], None] | None, stall_s: float | None = None
) -> BaseMessage:
    """One answer, streamed: items go to ``on_item`` as they close. With ``stall_s`` the answer is read
    by a helper thread and the call fails when nothing arrives for that long (a heartbeat of the server
    does not count, a prompt-progress chunk does). A transport failure before anything was handed over
    falls back to the plain call (with its one transient retry)."""
    from katachi.core.partial_json import ItemScanner

    scanner, reply, handed = ItemScanner(), None, 0
    try:
        for chunk in _watched(bound, convo, stall_s) if stall_s else bound.stream(convo, stream_usage=True):
            reply = chunk if reply is None else reply + chunk
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if on_item is None:
                continue
            for field_name, item in scanner.feed(piece):
                handed += 1
                try:
                    on_item(field_name, item)
                except Exception:  # noqa: BLE001 - showing a draft must never cost the answer
                    log.exception("partial item not shown")
    except KatachiError:
        raise
    except Exception as exc:
        mapped = _model_error(exc, model)
        if handed == 0 and mapped.code != "model_timeout":
            return _invoke(bound, convo, model)
        raise mapped from exc
    if reply is None:
        raise KatachiError("model_bad_reply", detail="empty stream")
    return reply


def _watched(bound: Any, convo: list, stall_s: float):
    """The stream's chunks, read in a helper thread (in this context) and handed over here; raises
    ``model_stalled`` when none comes for ``stall_s`` seconds. The abandoned reader ends with its
    connection."""
    import contextvars
    import queue
    import threading

    q: queue.Queue = queue.Queue()

    def pump() -> None:
        try:
            for chunk in bound.stream(convo, stream_usage=True):
                q.put(("chunk", chunk))
            q.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread as it was
            q.put(("error", exc))

    ctx = contextvars.copy_context()
    threading.Thread(target=ctx.run, args=(pump,), daemon=True, name="model-stream").start()
    while True:
        try:
            kind, value = q.get(timeout=stall_s)
        except queue.Empty:
            raise KatachiError("model_stalled", seconds=int(stall_s)) from None
        if kind == "end":
            return
        if kind == "error":
            raise value
        yield value


def _model_error(exc: Exception, model: Any) -> KatachiError:
    """The error family's name for a client failure; anything else is raised as it was."""
    mapped = translate_transport_error(exc, model) or _unparseable(exc)
    if mapped is None:
        raise exc
    return mapped


def _unparseable(exc: Exception) -> KatachiError | None:
    """The client library choking on a reply it cannot parse, as ``model_bad_reply`` instead of a bare
    exception (a failed job in the web app): e.g. a 200 whose body is an HTML page raises
    ``AttributeError: 'str' object has no attribute 'choices'`` deep inside it, and a stream answered
    with plain JSON an ``AssertionError`` in its stream state."""
    if not isinstance(exc, (AttributeError, TypeError, KeyError, ValueError, AssertionError)):
        return None
    tb, inside = exc.__traceback__, False
    while tb is not None:
        inside = inside or "/openai/" in tb.tb_frame.f_code.co_filename.replace("\\", "/")
        tb = tb.tb_next
    return KatachiError("model_bad_reply", detail=f"{type(exc).__name__}: {exc}"[:200]) if inside else None


def _add_usage(usage: CallUsage, reply: BaseMessage) -> None:
    meta = getattr(reply, "usage_metadata", None) or {}
    # A streamed answer with a JSON-schema format goes through the client's parsing stream, which leaves
    # the server's final usage in response_metadata only (usage_metadata alone counts 0 tokens for it).
    raw = (getattr(reply, "response_metadata", None) or {}).get("token_usage") or {}
    usage.prompt_tokens += int(meta.get("input_tokens", 0) or raw.get("prompt_tokens", 0) or 0)
    usage.completion_tokens += int(meta.get("output_tokens", 0) or raw.get("completion_tokens", 0) or 0)


def _short_validation(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors()[:6]:
        loc = ".".join(str(x) for x in e.get("loc", ()))
        parts.append(f"{loc or '<root>'}: {e.get('msg')}")
    return "; ".join(parts)


def _fix_request(problem: str) -> str:
    return (
        "The previous answer was not valid. Problems: "
        + problem
        + "\nAnswer again with one JSON object that follows the schema and fixes these problems."
    )
