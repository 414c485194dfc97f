"""The chat model behind the LLM answerer: a small interface and its OpenAI-compatible implementation.

``OpenAIChat`` builds a LangChain ``ChatOpenAI`` client on first use (no import or network cost before a
question needs it) for any endpoint that speaks the OpenAI API (Ollama, vLLM, llama.cpp, DeepSeek, Qwen).
Leaves out: prompts, checks and fallbacks (``qa.llm_answer``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from langchain_core.messages import BaseMessage
from pydantic import SecretStr

from core.settings import Settings

MAX_TOKENS = 400  # answers are one to three sentences; bounds a slow local model


class ChatModel(Protocol):
    """What the LLM answerer needs of a chat model (LangChain chat models satisfy it)."""

    def invoke(self, messages: Sequence[BaseMessage]) -> Any: ...

    def stream(self, messages: Sequence[BaseMessage]) -> Iterator[Any]: ...


class OpenAIChat:
    """A chat model at ``FQA_LLM_BASE_URL``, built lazily; thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Any = None
        self._lock = threading.Lock()

    def invoke(self, messages: Sequence[BaseMessage]) -> Any:
        return self.client.invoke(list(messages))

    def stream(self, messages: Sequence[BaseMessage]) -> Iterator[Any]:
        return self.client.stream(list(messages))

    @property
    def client(self) -> Any:
        """The ``ChatOpenAI`` client, built on first use."""
        with self._lock:
            if self._client is None:
                from langchain_openai import ChatOpenAI

                s = self.settings
                self._client = ChatOpenAI(
                    model=self.model_name(),
                    base_url=s.llm_base_url,
                    api_key=SecretStr(s.llm_api_key or "none"),
                    timeout=s.llm_timeout,
                    max_retries=0,
                    temperature=0,
                    extra_body={"max_tokens": MAX_TOKENS},  # not max_completion_tokens: llama.cpp ignores that
                )
            return self._client

    def model_name(self) -> str:
        """FQA_LLM_MODEL, else the first model the endpoint lists (local servers usually serve one)."""
        s = self.settings
        if s.llm_model:
            return s.llm_model
        try:
            import httpx

            headers = {"Authorization": f"Bearer {s.llm_api_key or 'none'}"}
            res = httpx.get(
                f"{(s.llm_base_url or '').rstrip('/')}/models", headers=headers, timeout=min(5.0, s.llm_timeout)
            )
            return str(res.json()["data"][0]["id"])
        except Exception:
            return "default"


def describe_failure(exc: Exception, settings: Settings) -> str:
    """A clear one-line cause for a failed model call."""
    import httpx
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return f"the model did not answer within {settings.llm_timeout:g} s (FQA_LLM_TIMEOUT)"
    if isinstance(exc, openai.APIStatusError):
        return f"the model server returned HTTP {exc.status_code}: {str(exc.message)[:200]}"
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return f"cannot reach the model server at {settings.llm_base_url}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"
