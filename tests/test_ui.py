"""The served app end to end: a real uvicorn server (UI at /, API at /api) queried by gradio_client and by
headless Debian chromium driven with Playwright; the browser test saves artifacts/ui-answer.png."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fulian_qa.serve import build_app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "artifacts" / "ui-answer.png"
Q = "天水培训了多少陇原巧手"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_url(system) -> Iterator[str]:
    """``fulian-qa serve`` in a background thread on a free port, over the shared seeded service."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(build_app(system), "127.0.0.1", port, log_level="warning",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_one_process_serves_ui_api_and_docs(live_url):
    page = httpx.get(f"{live_url}/", timeout=10)
    assert page.status_code == 200 and "妇联工作报告问答" in page.text
    assert httpx.get(f"{live_url}/api/health", timeout=10).json()["status"] == "ok"
    assert httpx.get(f"{live_url}/docs", timeout=10).status_code == 200
    answer = httpx.post(f"{live_url}/api/ask", json={"question": Q}, timeout=60).json()
    assert answer["found"] and "3426" in answer["answer"]


def test_gradio_client_gets_answer_and_citations(live_url):
    from gradio_client import Client

    client = Client(live_url + "/", verbose=False)
    try:
        answer = client.predict(Q, api_name="/ask")
        assert answer["found"] and "3426" in answer["answer"]
        assert answer["citations"][0]["n"] == 1 and answer["citations"][0]["city"] == "天水"

        follow = client.predict("那株洲呢?", [[Q, answer["answer"]]], api_name="/ask")
        assert follow["question"] == "株洲培训了多少陇原巧手"

        message, sources = client.predict(Q, api_name="/chat")
        assert "3426" in message and "[1]" in message
        assert "<mark>" in sources and "3426" in sources
    finally:
        client.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium: apt-get install chromium fonts-noto-cjk")
def test_browser_asks_streams_cites_and_opens_the_source(live_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.goto(live_url + "/")
            expect(page.get_by_text("妇联工作报告问答").first).to_be_visible(timeout=30_000)

            box = page.locator("#fqa-input textarea")
            box.fill(Q)
            box.press("Enter")
            chat = page.locator("#fqa-chat")
            expect(chat.get_by_text("3426").first).to_be_visible(timeout=60_000)
            expect(chat.get_by_text("[1]").first).to_be_visible(timeout=60_000)

            source = page.locator("#fqa-sources details").first
            expect(source).to_be_visible(timeout=30_000)
            source.locator("summary").click()
            expect(source).to_have_attribute("open", "")
            mark = source.locator("mark")
            expect(mark).to_be_visible()
            expect(mark).to_contain_text("3426")
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            box.fill("那株洲呢?")
            box.press("Enter")
            expect(chat.get_by_text("按「株洲培训了多少陇原巧手」回答")).to_be_visible(timeout=60_000)
            expect(chat.locator("blockquote").get_by_text("未找到答案")).to_be_visible(timeout=30_000)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000


def test_gradio_file_route_is_closed(live_url):
    files = {"files": ("big.txt", b"x" * 1024 * 1024, "text/plain")}
    res = httpx.post(f"{live_url}/gradio_api/upload", files=files, timeout=30)
    assert res.status_code == 403 and "POST /api/documents" in res.json()["detail"]
    assert "/tmp" not in res.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((Q, 7), "history must be a list"),
        ((Q, None, ["火星"]), "unknown filter value(s): 火星"),
        ((Q, None, [f"城市{i}" for i in range(60)]), "at most 50"),
        (("   ",), "question is empty"),
    ],
    ids=["history-not-a-list", "unknown-city", "too-many-cities", "empty"],
)
def test_gradio_endpoint_errors_are_messages_for_people(live_url, args, message):
    from gradio_client import Client

    client = Client(live_url + "/", verbose=False)
    try:
        with pytest.raises(Exception) as info:
            client.predict(*args, api_name="/ask")
    finally:
        client.close()
    text = str(info.value)
    assert message in text and "Traceback" not in text and "object is not" not in text
