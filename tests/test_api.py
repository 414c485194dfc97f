"""HTTP API against the real seeded index (FastAPI TestClient): ask (JSON and SSE), search, documents, health,
errors, and the upload → answerable → delete → unanswerable cycle with the bearer token."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from fulian_qa.api import create_app
from qa.conversation import stream_answer
from qa.plan import QuestionError
from qa.system import System

Q = "天水培训了多少陇原巧手"
REPORT = (
    "青山市妇联2024年工作总结\n\n"
    "一、巾帼就业创业\n\n"
    "2024年,青山市妇联培训家政服务员888人,帮助她们在城区家政企业上岗。\n\n"
    "二、家庭家教家风\n\n"
    "全年举办“青山好家风”讲座12场,覆盖家庭2300户。\n"
)
QINGSHAN = "青山市妇联培训了多少家政服务员?"


@pytest.fixture(scope="module")
def client(system) -> TestClient:
    """Read-only API over the shared seeded system (no token: writes disabled)."""
    return TestClient(create_app(system))


def _comparable(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k not in ("latency_ms", "timings_ms")}


def test_health_and_docs(client):
    health = client.get("/api/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["documents"] == 5 and body["chunks"] > 0
    assert body["writes_enabled"] is False
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/search", "/api/documents", "/api/documents/{name}", "/api/health"} <= set(paths)


def test_ask_is_the_cli_answer(client, service):
    res = client.post("/api/ask", json={"question": Q})
    assert res.status_code == 200
    body = res.json()
    assert _comparable(body) == _comparable(service.ask(Q).to_dict())
    assert body["found"] and "3426" in body["answer"] and "id" not in body
    cite = body["citations"][0]
    assert cite["n"] == 1 and cite["city"] == "天水"
    span = cite["text"][cite["start"] - cite["passage_start"] : cite["end"] - cite["passage_start"]]
    assert "3426" in span


def test_ask_echoes_id_and_honours_k_and_filters(client):
    body = client.post("/api/ask", json={"question": Q, "id": "q1", "k": 2}).json()
    assert body["id"] == "q1" and body["found"]
    scoped = {"question": "全年共培训陇原巧手多少人?", "filters": {"cities": ["天水"]}}
    body = client.post("/api/ask", json=scoped).json()
    assert body["found"] and "3426" in body["answer"] and all(c["city"] == "天水" for c in body["citations"])
    elsewhere = client.post("/api/ask", json={"question": Q, "filters": {"cities": ["株洲"]}}).json()
    assert not elsewhere["found"] and "3426" not in elsewhere["answer"]
    one_doc = {"question": "培训了多少人?", "filters": {"docs": ["003_4eae8feafdbcf8d2.txt"]}}
    body = client.post("/api/ask", json=one_doc).json()
    assert body["citations"] and {c["doc"] for c in body["citations"]} == {"003_4eae8feafdbcf8d2.txt"}


@pytest.mark.parametrize(
    "history",
    [
        [{"role": "user", "content": Q}, {"role": "assistant", "content": "3426人"}],
        [[Q, "3426人"]],
        [{"role": "user", "content": [{"type": "text", "text": Q}]}],
    ],
    ids=["messages", "pairs", "content-blocks"],
)
def test_follow_up_is_condensed_from_history(client, history):
    body = client.post("/api/ask", json={"question": "那株洲呢?", "history": history}).json()
    assert body["question"] == "株洲培训了多少陇原巧手"
    assert all(c["city"] == "株洲" for c in body["citations"])


def test_ask_streams_server_sent_events(client):
    with client.stream("POST", "/api/ask?stream=true", json={"question": Q}) as res:
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("text/event-stream")
        raw = "".join(res.iter_text())
    events = []
    for block in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    kinds = [e for e, _ in events]
    assert kinds[-1] == "answer" and kinds.count("token") > 1 and set(kinds) == {"token", "answer"}
    final = events[-1][1]
    assert "".join(d["text"] for e, d in events if e == "token") == final["answer"]
    assert "3426" in final["answer"] and final["citations"]


def test_stream_answer_yields_growing_text_then_the_answer(service):
    pieces = list(stream_answer(service, Q, [], None))
    texts = [t for t, _ in pieces]
    assert all(a is None for _, a in pieces[:-1]) and pieces[-1][1] is not None
    assert all(texts[i + 1].startswith(texts[i]) for i in range(len(texts) - 1))
    assert texts[-1] == pieces[-1][1]["answer"]
    with pytest.raises(QuestionError):
        next(stream_answer(service, "   ", None, None))


@pytest.mark.parametrize(
    ("method", "path", "payload", "code", "message"),
    [
        ("post", "/api/ask", {"question": "  "}, 422, "question is empty"),
        ("post", "/api/ask", {"question": "多" * 600}, 422, "too long"),
        ("post", "/api/ask", {}, 422, "question: Field required"),
        ("post", "/api/ask", {"question": Q, "k": 0}, 422, "k:"),
        ("post", "/api/ask", {"question": Q, "filters": {"cities": ["火星"]}}, 422, "unknown filter value(s): 火星"),
        ("post", "/api/search", {"query": ""}, 422, "empty"),
        ("get", "/api/ask", None, 405, "use POST"),
        ("get", "/api/nothing-here", None, 404, "no such endpoint"),
        ("post", "/api/documents", None, 403, "writes are disabled"),
        ("delete", "/api/documents/002_73b7ae9f94230e8b.txt", None, 403, "writes are disabled"),
    ],
)
def test_errors_are_json_with_a_clear_message(client, method, path, payload, code, message):
    res = client.request(method.upper(), path, json=payload)
    assert res.status_code == code, res.text
    assert message in res.json()["detail"]


def test_bad_json_body_is_422(client):
    res = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert res.status_code == 422 and "detail" in res.json()


def test_search_returns_scored_passages(client):
    body = client.post("/api/search", json={"query": "陇原巧手 培训", "k": 3}).json()
    results = body["results"]
    assert 0 < len(results) <= 3 and all(isinstance(r["score"], float) for r in results)
    assert [r["n"] for r in results] == list(range(1, len(results) + 1))
    assert any("陇原巧手" in r["text"] for r in results)
    scoped = client.post("/api/search", json={"query": "培训", "filters": {"cities": ["东营"]}}).json()["results"]
    assert scoped and all(r["city"] == "东营" for r in scoped)


def test_documents_lists_reports_with_chunk_counts(client):
    body = client.get("/api/documents").json()
    docs = {d["doc"]: d for d in body["documents"]}
    assert len(docs) == 5 and docs["002_73b7ae9f94230e8b.txt"]["city"] == "天水"
    assert all(d["chunks"] > 0 for d in docs.values()) and body["chunks"] == sum(d["chunks"] for d in docs.values())


@pytest.fixture
def token_settings(request, tmp_path):
    """An empty store of this test's own, with writes enabled by the token "t"."""
    (tmp_path / "data").mkdir(exist_ok=True)  # fresh_settings symlinks data/models, so data/ must exist
    return request.getfixturevalue("fresh_settings").model_copy(update={"api_token": "t"})


def test_upload_makes_a_report_answerable_and_delete_removes_it(token_settings, embedder):
    settings = token_settings
    app = create_app(System.from_settings(settings, embedder=embedder))
    client = TestClient(app)
    auth = {"Authorization": "Bearer t"}
    files = {"file": ("青山市妇联2024年工作总结.txt", REPORT.encode("utf-8"), "text/plain")}

    assert client.post("/api/documents", files=files).status_code == 401
    res = client.post("/api/documents", files=files, headers={"Authorization": "Bearer wrong"})
    assert res.status_code == 401 and res.headers["www-authenticate"] == "Bearer"
    assert not client.post("/api/ask", json={"question": QINGSHAN}).json()["found"]

    res = client.post("/api/documents", files=files, headers=auth)
    assert res.status_code == 201, res.text
    outcome = res.json()
    assert outcome["status"] == "indexed" and outcome["chunks"] > 0 and outcome["city"] == "青山"
    docs = client.get("/api/documents").json()["documents"]
    assert [d["doc"] for d in docs] == ["青山市妇联2024年工作总结.txt"]
    answer = client.post("/api/ask", json={"question": QINGSHAN}).json()
    assert answer["found"] and "888" in answer["answer"]
    assert answer["citations"][0]["doc"] == "青山市妇联2024年工作总结.txt"

    assert client.post("/api/documents", files=files, headers=auth).json()["status"] == "unchanged"
    copy = {"file": ("copy.txt", REPORT.encode("utf-8"), "text/plain")}
    assert client.post("/api/documents", files=copy, headers=auth).status_code == 409
    exe = {"file": ("report.exe", b"MZ\x00\x00", "application/octet-stream")}
    assert client.post("/api/documents", files=exe, headers=auth).status_code == 415
    binary = {"file": ("report.txt", b"\x00\x01\x02" * 100, "text/plain")}
    res = client.post("/api/documents", files=binary, headers=auth)
    assert res.status_code == 400 and "binary" in res.json()["detail"]

    name = "青山市妇联2024年工作总结.txt"
    assert client.delete(f"/api/documents/{name}").status_code == 401
    res = client.delete(f"/api/documents/{name}", headers=auth)
    assert res.status_code == 200 and res.json()["removed"] == outcome["chunks"]
    assert client.get("/api/documents").json()["documents"] == []
    answer = client.post("/api/ask", json={"question": QINGSHAN}).json()
    assert not answer["found"] and "888" not in answer["answer"]
    assert client.delete(f"/api/documents/{name}", headers=auth).status_code == 404
