"""The OpenAI-compatible endpoint driven by the official ``openai`` client against a real uvicorn server on
loopback (the served app: API, ``/v1`` and the mounted UI) over the real model and the seeded Chroma index:
models, a completion, a stream assembled from its deltas, a follow-up in the message history, a refusal,
errors as ``openai`` exceptions with OpenAI's error shape, the shared admission slots, and an LLM answer that
fails its checks never reaching the stream (the LLM endpoint is the one fake: a scripted OpenAI server)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI

from fulian_qa.api.openai_compat import MODEL_ID, TITLES, strip_sources
from fulian_qa.serve import build_app
from qa.system import System

Q = "天水培训了多少陇原巧手"
ELSEWHERE = "北京培训了多少陇原巧手"  # a city no report is about


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(app) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, "127.0.0.1", port, log_level="warning", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(system):
    """(base URL, app) of ``fulian-qa serve``'s app over the shared seeded system."""
    app = build_app(system)
    for url in _serve(app):
        yield url, app


@pytest.fixture(scope="module")
def client(served) -> OpenAI:
    url, _ = served
    return OpenAI(base_url=f"{url}/v1", api_key="any", max_retries=0, timeout=120)


def _extra(obj) -> dict:
    """The answer object riding in ``fulian_qa``."""
    return (obj.model_extra or {})["fulian_qa"]


def _cited_ns(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def test_models_lists_one_model(client):
    models = client.models.list()
    assert [m.id for m in models.data] == [MODEL_ID]
    assert client.models.retrieve(MODEL_ID).id == MODEL_ID
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_completion_carries_marks_sources_and_the_answer_object(client, system):
    done = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": Q}])
    choice = done.choices[0]
    assert done.object == "chat.completion" and choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    answer = _extra(done)
    text = choice.message.content
    assert answer["found"] and answer["question"] == Q and text.startswith(answer["answer"])
    assert answer == {**system.service.ask(Q).to_dict(), "latency_ms": answer["latency_ms"],
                      "timings_ms": answer["timings_ms"]}
    sources = text[len(answer["answer"]):]
    assert sources.startswith(f"\n\n{TITLES['zh', True]}:\n")
    for cite in answer["citations"]:  # every citation is listed with its report and an excerpt of its evidence
        line = next(line for line in sources.splitlines() if line.startswith(f"- [{cite['n']}] "))
        assert cite["doc"] in line and cite["city"] in line and cite["evidence"][:20] in line
    assert _cited_ns(answer["answer"]) <= {c["n"] for c in answer["citations"]}
    assert strip_sources(text) == answer["answer"]
    assert done.usage.completion_tokens == len(text)


def test_stream_assembles_to_the_completion(client):
    chunks = list(client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": [{"type": "text", "text": Q}]}], stream=True,
        stream_options={"include_usage": True},
    ))
    assert {c.object for c in chunks} == {"chat.completion.chunk"} and len({c.id for c in chunks}) == 1
    with_choice = [c for c in chunks if c.choices]
    assert with_choice[0].choices[0].delta.role == "assistant"
    deltas = [c.choices[0].delta.content or "" for c in with_choice]
    assert sum(1 for d in deltas if d) > 2  # streamed in pieces, not one block
    finals = [c for c in with_choice if c.choices[0].finish_reason]
    assert finals == [with_choice[-1]] and finals[0].choices[0].finish_reason == "stop"
    answer = _extra(finals[0])
    text = "".join(deltas)
    assert answer["found"] and text.startswith(answer["answer"]) and "3426" in answer["answer"]
    assert strip_sources(text) == answer["answer"] and "[1]" in text
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == len(text)
    plain = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": Q}])
    assert text == plain.choices[0].message.content


def test_follow_up_in_the_message_history(client):
    first = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": Q}])
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": Q},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "那株洲呢?"},
    ]
    follow = client.chat.completions.create(model=MODEL_ID, messages=messages)
    answer = _extra(follow)
    assert answer["question"] == "株洲培训了多少陇原巧手"
    assert answer["citations"] and all(c["city"] == "株洲" for c in answer["citations"])
    assert "3426" not in follow.choices[0].message.content
    streamed = client.chat.completions.create(model=MODEL_ID, messages=messages, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == follow.choices[0].message.content


def test_a_question_the_reports_do_not_answer_is_refused(client):
    done = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": ELSEWHERE}])
    answer = _extra(done)
    text = done.choices[0].message.content
    assert not answer["found"] and answer["refusal"] and answer["reason"]
    assert done.choices[0].finish_reason == "stop" and text.startswith(answer["answer"])
    assert "3426" not in text.split(f"\n\n{TITLES['zh', False]}:")[0]
    if answer["citations"]:  # the closest passages are listed as such, not as sources
        assert f"\n\n{TITLES['zh', False]}:\n" in text


@pytest.mark.parametrize(
    ("messages", "extra", "param", "needle"),
    [
        ([{"role": "user", "content": "   "}], {}, "messages", "question is empty"),
        ([{"role": "user", "content": "多" * 600}], {}, "messages", "too long"),
        ([{"role": "user", "content": Q}, {"role": "assistant", "content": "3426人"}], {}, "messages",
         "last message must be the user's"),
        ([{"role": "user", "content": Q}] * 30, {}, None, "FQA_MAX_HISTORY_TURNS"),
        ([{"role": "user", "content": Q}], {"filters": {"cities": ["火星"]}}, None, "unknown filter value(s): 火星"),
        ([], {}, "messages", "messages"),
        ([{"role": "user", "content": Q}], {"n": 2}, "n", "n:"),
    ],
    ids=["empty", "too-long", "last-not-user", "history-turns", "unknown-city", "no-messages", "n"],
)
def test_bad_requests_are_openai_errors(client, messages, extra, param, needle):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL_ID, messages=messages, extra_body=extra or None)
    err = caught.value
    assert isinstance(err, openai.APIError) and err.status_code == 400
    assert err.body["type"] == "invalid_request_error" and needle in err.body["message"]
    assert err.body["param"] == param and err.body["code"]
    assert set(err.response.json()) == {"error"}


def test_stream_refuses_a_bad_question_before_it_starts(client):
    with pytest.raises(openai.BadRequestError, match="question is empty"):
        client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": ""}], stream=True)


def test_unknown_model_paths_methods_and_bodies_are_openai_errors(client, served, system):
    url, _ = served
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": Q}])
    assert caught.value.body["code"] == "model_not_found" and MODEL_ID in caught.value.body["message"]
    res = httpx.get(f"{url}/v1/chat/completions", timeout=10)
    assert res.status_code == 405 and res.headers["allow"] == "POST" and res.json()["error"]["message"]
    res = httpx.post(f"{url}/v1/embeddings", json={}, timeout=10)
    assert res.status_code == 404 and "/v1/chat/completions" in res.json()["error"]["message"]
    res = httpx.post(f"{url}/v1/chat/completions", content=b"{not json", timeout=10,
                     headers={"content-type": "application/json"})
    assert res.status_code == 400 and res.json()["error"]["type"] == "invalid_request_error"
    big = {"model": MODEL_ID, "messages": [{"role": "user", "content": "多" * (system.settings.max_body_kb * 1024)}]}
    res = httpx.post(f"{url}/v1/chat/completions", json=big, timeout=10)
    assert res.status_code == 413 and "FQA_MAX_BODY_KB" in res.json()["error"]["message"]
    assert res.headers["cache-control"] == "no-store"


def test_full_slots_are_a_503_with_retry_after(client, served):
    _, app = served
    slots = app.state.slots
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    try:
        with pytest.raises(openai.InternalServerError) as caught:
            client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": Q}])
    finally:
        for _ in range(taken):
            slots.release()
    err = caught.value
    assert taken >= 1 and err.status_code == 503 and err.response.headers["retry-after"]
    assert err.body["type"] == "server_error" and "busy" in err.body["message"]
    assert _extra(client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": Q}]))["found"]


def test_readme_client_example_runs_against_the_server(served):
    """The README's `/v1` example, as written but for the server's address."""
    url, _ = served
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### OpenAI-compatible endpoint (`/v1`)\n", 1)[1].split("\n### ", 1)[0]
    code = re.findall(r"```python\n(.*?)```", section, re.DOTALL)[0]
    assert "http://127.0.0.1:7860/v1" in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code.replace("http://127.0.0.1:7860/v1", f"{url}/v1"), {"__name__": "readme_v1"})
    assert "3426" in out.getvalue() and "002_73b7ae9f94230e8b.txt" in out.getvalue()


# -- an LLM answerer behind a scripted OpenAI server: only checked text is streamed -----------------------------

INVENTED = "天水共培训陇原巧手98765人[1]。"


class _Scripted(BaseHTTPRequestHandler):
    """Streams (or returns) INVENTED, an answer whose figure no passage holds."""

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        base = {"id": "chatcmpl-x", "created": int(time.time()), "model": request["model"]}
        if not request.get("stream"):
            body = json.dumps(base | {"object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": INVENTED}, "finish_reason": "stop"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i in range(0, len(INVENTED), 3):
            chunk = base | {"object": "chat.completion.chunk",
                            "choices": [{"index": 0, "delta": {"content": INVENTED[i:i + 3]}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture(scope="module")
def llm_client(seeded_settings, embedder):
    fake = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    fake.daemon_threads = True
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    settings = seeded_settings.model_copy(update={
        "llm_base_url": f"http://127.0.0.1:{fake.server_address[1]}/v1", "llm_model": "scripted",
        "answerer": "llm", "llm_timeout": 5.0,
    })
    for url in _serve(build_app(System.from_settings(settings, embedder=embedder))):
        yield OpenAI(base_url=f"{url}/v1", api_key="any", max_retries=0, timeout=120)
    fake.shutdown()
    fake.server_close()


def test_stream_of_an_llm_answer_sends_only_checked_text(llm_client):
    chunks = list(llm_client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": Q}], stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    answer = _extra(chunks[-1])
    assert answer["answerer"] == "extractive-fallback" and answer["fallback_reason"]
    assert "98765" not in text and text.startswith(answer["answer"]) and "3426" in answer["answer"]
