"""Limits before work, on the real app over the seeded index: writes refused from their headers before the
body is read, bounded bodies, history, filters and error echoes, admission control, CORS, security headers
and the audit log of writes."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from fulian_qa.api import create_app
from fulian_qa.api.admission import MAX_RETRY_AFTER, RetryCalendar
from qa.system import System

Q = "天水培训了多少陇原巧手"


@pytest.fixture(scope="module")
def app(system):
    return create_app(system)


@pytest.fixture(scope="module")
def client(app) -> TestClient:
    return TestClient(app)


def _raw(app, method: str, path: str, headers: dict[str, str], chunks: list[bytes]):
    """Drive the ASGI app directly; returns (status, body, number of body chunks the app asked for)."""
    asked = {"n": 0}
    sent: list[dict] = []

    async def receive():
        asked["n"] += 1
        if asked["n"] <= len(chunks):
            return {"type": "http.request", "body": chunks[asked["n"] - 1], "more_body": asked["n"] < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(msg):
        sent.append(msg)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 80), "state": {},
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body), asked["n"]


def test_upload_without_token_is_refused_before_its_body_is_read(app):
    big = str(300 * 1024 * 1024)
    headers = {"content-type": "multipart/form-data; boundary=x", "content-length": big}
    status, body, asked = _raw(app, "POST", "/api/documents", headers, [b"x" * 1024] * 4)
    assert (status, asked) == (403, 0) and "writes are disabled" in body["detail"]


def test_wrong_token_and_oversized_upload_are_refused_before_the_body(token_settings, embedder):
    app = create_app(System.from_settings(token_settings, embedder=embedder))
    headers = {"content-type": "multipart/form-data; boundary=x", "content-length": str(300 * 1024 * 1024)}
    status, body, asked = _raw(app, "POST", "/api/documents", {**headers, "authorization": "Bearer no"}, [b"x"])
    assert (status, asked) == (401, 0) and "token" in body["detail"]
    status, body, asked = _raw(app, "POST", "/api/documents", {**headers, "authorization": "Bearer t"}, [b"x"])
    assert (status, asked) == (413, 0) and "FQA_MAX_UPLOAD_MB" in body["detail"]
    status, body, asked = _raw(app, "DELETE", "/api/documents/a/b.txt", {}, [])
    assert (status, asked) == (401, 0)


def test_oversized_json_is_refused_before_it_is_parsed(app):
    headers = {"content-type": "application/json", "content-length": str(100 * 1024 * 1024)}
    status, body, asked = _raw(app, "POST", "/api/ask", headers, [b"{"])
    assert (status, asked) == (413, 0) and "FQA_MAX_BODY_KB" in body["detail"]


def test_chunked_body_is_cut_off_at_the_bound(app):
    chunk = b" " * (64 * 1024)
    status, body, asked = _raw(app, "POST", "/api/ask", {"content-type": "application/json"}, [chunk] * 100)
    assert status == 413 and "FQA_MAX_BODY_KB" in body["detail"]
    assert asked == 5  # 4 chunks fit in 256 KB; the fifth crosses the bound and nothing after it is read


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([{"role": "user", "content": "天水"}] * 10_000, "history has 10000 turns; at most 20"),
        ([{"role": "user", "content": "多" * 9000}], "history has 9000 characters; at most 8000"),
        ([[Q, "多" * 5000], [Q, "多" * 5000]], "characters; at most 8000"),
    ],
    ids=["turns", "chars", "pairs"],
)
def test_history_is_bounded(client, history, message):
    res = client.post("/api/ask", json={"question": "那株洲呢?", "history": history})
    if res.status_code == 413:  # 10,000 turns are also over the body bound: refused before parsing
        assert "FQA_MAX_BODY_KB" in res.json()["detail"]
        return
    assert res.status_code == 422 and message in res.json()["detail"]


def test_filter_lists_and_error_echoes_are_bounded(client):
    many = [f"城市{i}" for i in range(20_000)]
    res = client.post("/api/ask", json={"question": Q, "filters": {"cities": many}})
    assert res.status_code in (413, 422) and len(res.content) < 2000
    fifty = [f"城市{i}" for i in range(50)]
    res = client.post("/api/ask", json={"question": Q, "filters": {"cities": fifty}})
    detail = res.json()["detail"]
    assert res.status_code == 422 and "unknown filter value(s): 城市0" in detail and "(and 40 more)" in detail
    res = client.post("/api/ask", json={"question": Q, "filters": {"cities": ["火" * 10_000]}})
    assert res.status_code == 422 and len(res.content) < 1000
    res = client.post("/api/search", json={"query": ["x" * 100_000]})
    assert res.status_code == 422 and len(res.content) < 2000 and "query" in res.json()["detail"]
    res = client.get("/api/" + "y" * 60_000)
    assert res.status_code == 404 and len(res.content) < 1000 and "no such endpoint" in res.json()["detail"]


def test_questions_beyond_capacity_get_a_fast_503(app, client, system):
    slots = app.state.slots
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    try:
        res = client.post("/api/ask", json={"question": Q})
        assert res.status_code == 503 and res.headers["retry-after"] == "1" and "busy" in res.json()["detail"]
        res = client.post("/api/search", json={"query": "培训"})  # the same second or a later one (the spread
        assert res.status_code == 503 and res.headers["retry-after"] in ("1", "2")  # follows the recent answers)
        assert client.get("/api/documents").status_code == 200  # reads of the catalogue are not questions
        assert client.get("/api/health/live").status_code == 200
    finally:
        for _ in range(taken):
            slots.release()
    assert taken == system.settings.max_inflight >= 1
    assert client.post("/api/ask", json={"question": Q}).json()["found"]


@pytest.mark.parametrize(
    ("path", "query", "payload", "last"),
    [
        ("/api/ask", b"stream=true", {"question": Q}, b"event: answer"),
        ("/v1/chat/completions", b"", {"model": "fulian-qa", "stream": True,
                                       "messages": [{"role": "user", "content": Q}]}, b"data: [DONE]"),
    ],
)
def test_a_streamed_answer_holds_its_slot_until_its_last_event_and_frees_it_once(
    app, system, path, query, payload, last
):
    slots = app.state.slots
    held = 0
    while slots.acquire(blocking=False):
        held += 1
    slots.release()  # one slot left: the streamed question takes it
    held -= 1
    free: list[tuple[bytes, bool]] = []  # (event kind, was a slot free as it went out)

    def probe() -> bool:
        if slots.acquire(blocking=False):
            slots.release()
            return True
        return False

    async def run() -> None:
        body = json.dumps(payload).encode()
        gone = asyncio.Event()  # the client never disconnects

        async def receive():
            nonlocal body
            if body:
                chunk, body = body, b""
                return {"type": "http.request", "body": chunk, "more_body": False}
            await gone.wait()

        async def send(msg):
            if msg["type"] == "http.response.body" and msg.get("body"):
                free.append((b"last" if last in msg["body"] else b"event", probe()))

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "",
            "headers": [(b"content-type", b"application/json")],
            "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 80), "state": {},
        }
        await app(scope, receive, send)

    try:
        asyncio.run(run())
        assert len(free) > 2 and free[-1] == (b"last", True)  # free as the last event goes out (no 503 race)
        assert not any(ok for _, ok in free[:-1])  # held while the answer streams
        assert probe()
    finally:
        for _ in range(held):
            slots.release()
    extra = 0
    while slots.acquire(blocking=False):  # freed once: the capacity is what it was
        extra += 1
    for _ in range(extra):
        slots.release()
    assert extra == system.settings.max_inflight


def test_turned_away_clients_are_spread_over_the_coming_seconds():
    now = [100.2]
    calendar = RetryCalendar(clock=lambda: now[0])
    assert [calendar.retry_after() for _ in range(4)] == [1, 2, 3, 4]  # no answers yet: one client a second
    for _ in range(15):  # three answers a second over the last five seconds
        calendar.answered()
    assert [calendar.retry_after() for _ in range(7)] == [1, 1, 2, 2, 3, 3, 4]  # three a second now
    now[0] = 103.5  # seconds 101-103 have passed; what was promised for later stays promised
    waits = [calendar.retry_after() for _ in range(30)]
    assert waits[:2] == [1, 2] and waits.count(MAX_RETRY_AFTER) == 5 and sorted(waits) == waits


def test_security_headers_and_no_cors_by_default(client):
    res = client.get("/api/health")
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in res.headers["content-security-policy"]
    preflight = client.options(
        "/api/documents",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.get("/api/documents", headers={"Origin": "http://localhost:5173"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_allows_exactly_the_listed_origins(system):
    settings = system.settings.model_copy(update={"cors_origins": ["https://portal.example"]})
    client = TestClient(create_app(System(settings, system.service, system.reports)))
    ok = client.get("/api/documents", headers={"Origin": "https://portal.example"})
    assert ok.headers["access-control-allow-origin"] == "https://portal.example"
    assert "access-control-allow-credentials" not in ok.headers
    other = client.get("/api/documents", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_writes_are_audited_with_outcome(token_settings, embedder):
    client = TestClient(create_app(System.from_settings(token_settings, embedder=embedder)))
    files = {"file": ("r.txt", "青山市妇联培训家政服务员888人。".encode(), "text/plain")}
    client.post("/api/documents", files=files, headers={"Authorization": "Bearer wrong"})
    client.post("/api/documents", files=files, headers={"Authorization": "Bearer t", "User-Agent": "audit-test"})
    client.delete("/api/documents/r.txt", headers={"Authorization": "Bearer t"})
    lines = [json.loads(line) for line in token_settings.audit_path.read_text(encoding="utf-8").splitlines()]
    assert [(x["action"], x["status"], x["doc"], x["outcome"]) for x in lines] == [
        ("upload", 401, "", ""),
        ("upload", 201, "r.txt", "indexed"),
        ("delete", 200, "r.txt", "removed"),
    ]
    assert lines[1]["client"] == "testclient" and lines[1]["user_agent"] == "audit-test" and lines[0]["time"]


@pytest.fixture
def token_settings(request, tmp_path):
    (tmp_path / "data").mkdir(exist_ok=True)
    return request.getfixturevalue("fresh_settings").model_copy(update={"api_token": "t"})


@pytest.fixture(scope="module")
def served_app(system):
    """The app ``fulian-qa serve`` runs: the API with Gradio's UI and its own routes mounted at ``/``."""
    from fulian_qa.serve import build_app

    return build_app(system)


def _multipart(size: int) -> tuple[dict[str, str], bytes]:
    body = (b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"r.txt\"\r\n\r\n" + b"x" * size
            + b"\r\n--b--\r\n")
    return {"content-type": "multipart/form-data; boundary=b", "content-length": str(len(body))}, body


@pytest.mark.parametrize("path", ["/gradio_api/component_server", "/gradio_api/process_recording", "/upload"])
def test_no_route_outside_the_api_takes_files(served_app, path):
    headers, body = _multipart(100 * 1024)  # under FQA_MAX_BODY_KB: only the route's rules can refuse it
    status, answer, asked = _raw(served_app, "POST", path, headers, [body])
    assert (status, asked) == (403, 0) and "POST /api/documents" in answer["detail"]


def test_an_upload_must_declare_its_length(token_settings, embedder):
    app = create_app(System.from_settings(token_settings, embedder=embedder))
    headers = {"content-type": "multipart/form-data; boundary=x", "transfer-encoding": "chunked",
               "authorization": "Bearer t"}
    status, body, asked = _raw(app, "POST", "/api/documents", headers, [b"x" * 1024] * 4)
    assert (status, asked) == (411, 0) and "Content-Length" in body["detail"]


def test_the_chat_frees_its_slot_before_it_shows_the_answer(system):
    import threading

    from ui import build_ui

    slots = threading.Semaphore(1)
    demo = build_ui(system, slots)
    respond = next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "respond")
    free: list[bool] = []  # was the one slot free as each update went out
    for _ in respond(Q, None, [], [], "zh"):
        if slots.acquire(blocking=False):
            slots.release()
            free.append(True)
        else:
            free.append(False)
    assert len(free) > 1 and free[-1] and not any(free[:-1])  # held while streaming, free with the answer
    assert slots.acquire(blocking=False) and not slots.acquire(blocking=False)  # freed exactly once
