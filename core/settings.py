"""Settings, read once from the environment (prefix ``KATACHI_``) or an optional ``.env``.

Nothing here runs at import time: call :func:`get_settings`.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from katachi.core.i18n import Lang


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "katachi"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "katachi"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KATACHI_", env_file=".env", extra="ignore")

    lang: Lang = "ja"
    data_dir: Path = Field(default_factory=_default_data_dir)
    cache_dir: Path = Field(default_factory=_default_cache_dir)

    # Chat model
    provider: Literal["local", "openai", "azure"] = "local"
    local_model: Path | None = None  # any GGUF; default is the packaged Qwen2.5-Coder-1.5B
    local_threads: int = Field(default=2, ge=1, le=256)
    local_ctx: int = Field(default=8192, ge=512)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None  # vLLM, Ollama, LM Studio, llama.cpp server...
    openai_model: str = "gpt-4o-mini"
    azure_endpoint: str | None = None
    azure_deployment: str | None = None
    azure_api_version: str = "2024-10-21"
    temperature: float = 0.2
    max_tokens: int = Field(default=1024, ge=16)
    # One model call's limit; a call that times out is not sent again (a hang costs one timeout). The
    # embedded model's longest attempt in the eval runs took 43 s (2 cores, alone); its worst case,
    # 1,024 tokens at ~8 tokens/s plus a 3k-token prompt, is ~160 s on a loaded machine.
    timeout_s: float = Field(default=180.0, gt=0)
    # A call that is still producing tokens (or, on the embedded model, still reading its prompt) is not
    # cut: it fails only when nothing has come for this long. On 2 cores overloaded eight times over
    # (another model server and a load test), tokens came 13 s apart and 512-token prompt batches up to
    # 80 s apart (hence 256-token batches, see core/local_llm.py); 180 s leaves room for that and still
    # ends a call whose server has stopped.
    stall_s: float = Field(default=180.0, gt=0)
    structured_retries: int = Field(default=2, ge=0, le=10)

    # Workshop
    use_cases_per_department: int = Field(default=2, ge=1, le=3)
    theme_candidates: int = Field(default=3, ge=2, le=4)
    lint_judge: bool = False  # add a model-judged linter pass for fuzzy cases (one extra call per stage)

    # Embeddings and retrieval
    embed_threads: int = Field(default=1, ge=1, le=64)
    embed_batch: int = Field(default=16, ge=1, le=512)
    chunk_min: int = Field(default=300, ge=50)
    chunk_max: int = Field(default=500, ge=100)
    chunk_overlap: int = Field(default=60, ge=0)
    max_file_mb: float = Field(default=20.0, gt=0)
    retrieval: Literal["hybrid", "dense", "bm25"] = "hybrid"
    # postgresql://user:password@host:port/db — workshop checkpoints and the app's tables in PostgreSQL
    # instead of the SQLite files in the data directory (several app processes can then share workshops).
    database_url: str | None = None
    # http://host:8000 — company documents' vectors on a Chroma server (`chroma run`), each company a
    # database of its own in ``chroma_tenant``; the token goes as a Bearer header (the proxy checks it).
    # Unset: an in-process Chroma directory per company in the data directory.
    chroma_url: str | None = None
    chroma_tenant: str = "default_tenant"
    chroma_token: str | None = None
    # Where model work runs: in the web process ("process", the embedded default), or in `katachi worker`
    # processes that take jobs from the app database ("database"; web replicas only enqueue).
    job_queue: Literal["process", "database"] = "process"
    job_lease_s: float = Field(default=30.0, gt=1)  # a worker silent this long has died: its job is retried
    job_heartbeat_s: float = Field(default=10.0, gt=0)
    # A consultancy's own 型 library (patterns/*.yaml, kpis.yaml), drawn from before the shipped one
    library_dir: Path | None = None
    # A consultancy's own deck template (.pptx: masters, fonts, colours) for the exported deck and the
    # weekly pack's slides; unset: a plain 16:9 deck. The weekly review's invitation is in this time zone.
    pptx_template: Path | None = None
    timezone: str = "Asia/Tokyo"
    # The web app's doors. A live workshop's join code works for this long after it is created (and
    # never after the workshop is finished); guessing is slowed per client and per account.
    join_code_hours: float = Field(default=48.0, gt=0)
    # The address participants type or scan (behind a proxy: its public address). Empty: the address
    # `katachi ui` listens on.
    public_url: str = ""
    # A workshop's size: a room of executives gives tens of pain points; these stop a flood long before
    # grouping or prompts suffer (measured: a 10 MB file ran > 240 s and took 1.6 GB).
    max_pain_points: int = Field(default=300, ge=1)
    max_points_per_participant: int = Field(default=30, ge=1)
    max_point_chars: int = Field(default=500, ge=20)
    max_pain_points_file_kb: int = Field(default=512, ge=1)
    # Failed logins cost nothing up to these counts per window; after that each failure makes the next
    # try wait, from login_delay_s doubling up to login_lock_s (ui/web/throttle.py).
    login_failures_per_client: int = Field(default=10, ge=1)  # wrong join codes from one address
    login_failures_per_account: int = Field(default=5, ge=1)  # wrong passwords for one account from one address
    login_failures_account_all: int = Field(default=50, ge=1)  # for one account from everywhere: it is locked
    login_window_s: float = Field(default=600.0, gt=0)
    login_delay_s: float = Field(default=1.0, gt=0)
    login_lock_s: float = Field(default=900.0, gt=0)
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated). Empty:
    # the address that connected is the client, whatever header it sent.
    trusted_proxies: str = ""

    @property
    def companies_dir(self) -> Path:
        return self.data_dir / "companies"


def with_model_choice(settings: Settings, choice: str | None) -> Settings:
    """``--model``: ``local`` | ``local:/path.gguf`` | ``openai:MODEL`` | ``azure:DEPLOYMENT`` on top of
    ``settings`` (keys and URLs still come from the settings). Returns a new value."""
    if not choice:
        return settings
    from katachi.core.errors import KatachiError

    kind, _, arg = choice.partition(":")
    if kind not in ("local", "openai", "azure"):
        raise KatachiError("bad_model_choice", choice=choice)
    update: dict = {"provider": kind}
    if arg:
        field = {"local": "local_model", "openai": "openai_model", "azure": "azure_deployment"}[kind]
        update[field] = Path(arg) if kind == "local" else arg
    return settings.model_copy(update=update)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
