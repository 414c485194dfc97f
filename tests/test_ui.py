"""The served app end to end: a real uvicorn server (UI at /, API at /api) queried by gradio_client and by
headless Debian chromium driven with Playwright, over the real model and a real Chroma store.

The browser tests ask and open sources, manage reports with the API token (upload → progress → ask → rate →
reload → delete → refused), check that nothing reaches the disk without the token, and look at the phone
layout in English; the first saves artifacts/ui-answer.png."""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from fulian_qa.serve import build_app
from tests.conftest import SEEDS, _settings, make_system

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "artifacts" / "ui-answer.png"
SHOTS = os.environ.get("FQA_SCREENSHOTS")  # a folder (e.g. docs/screenshots): the README's pictures are made there
WIDE = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
COMPARE_Q = "天水和株洲各培训了多少陇原巧手?"
Q = "天水培训了多少陇原巧手"
TOKEN = "ui-test-token"
NEW_REPORT = """嘉峪关市妇联2023年工作总结

2023年,嘉峪关市妇联团结带领全市广大妇女,围绕中心、服务大局,各项工作取得新成效。

一、思想引领工作扎实推进
全年举办“巾帼云课堂”线上培训42期,累计培训妇女1875人次。组织“巾帼宣讲团”深入社区、企业开展宣讲96场。

二、妇女创业就业工作成效明显
开展家政服务技能培训15期,培训家政从业人员630人,帮助412名妇女实现就业。
"""
NEW_Q = "嘉峪关市妇联举办了多少期巾帼云课堂培训?"
browser_test = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian chromium: apt-get install chromium fonts-noto-cjk"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(system) -> Iterator[str]:
    """``fulian-qa serve`` in a background thread on a free port, over ``system``."""
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
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_url(system) -> Iterator[str]:
    """The app over the shared seeded service (no API token: reports are read-only)."""
    with serving(system) as url:
        yield url


@pytest.fixture(scope="module")
def writable(tmp_path_factory, models_cache, embedder) -> Iterator[tuple[str, Any]]:
    """(url, system) of an app with an API token over a store of its own holding one seed report."""
    settings = _settings(tmp_path_factory.mktemp("writable"), models_cache, api_token=TOKEN)
    system = make_system(settings, embedder)
    outcomes = system.reports.indexer.index_paths([SEEDS / "001_f3635435e2464913.txt"])
    assert [o.status for o in outcomes] == ["indexed"]
    system.service.corpus.refresh()
    with serving(system) as url:
        yield url, system


@pytest.fixture(scope="module")
def seeded_writable(seeded_settings, embedder) -> Iterator[str]:
    """The app over the shared seeded store with an API token (for pictures of the upload form; nothing is
    written through it)."""
    system = make_system(seeded_settings.model_copy(update={"api_token": TOKEN}), embedder)
    with serving(system) as url:
        yield url


@contextmanager
def chromium(**page_options) -> Iterator[Any]:
    """A page of a fresh headless Debian chromium (Chinese unless told otherwise)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            context = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, "locale": "zh-CN",
                                             **page_options})
            yield context.new_page()
        finally:
            browser.close()


def ask(page, question: str) -> None:
    box = page.locator("#fqa-input textarea")
    box.fill(question)
    box.press("Enter")


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def tree(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``roots`` with its size and modification time."""
    out = {}
    for root in roots:
        for folder, _, files in os.walk(root):
            for name in files:
                path = Path(folder) / name
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                out[str(path)] = (st.st_size, st.st_mtime_ns)
    return out


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
@browser_test
def test_browser_asks_streams_cites_and_opens_the_source(live_url):
    from playwright.sync_api import expect

    with chromium() as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
        page.goto(live_url + "/")
        expect(page.get_by_text("妇联工作报告问答").first).to_be_visible(timeout=30_000)

        ask(page, Q)
        chat = page.locator("#fqa-chat")
        expect(chat.get_by_text("3426").first).to_be_visible(timeout=60_000)
        expect(chat.locator("a.fqa-ref").first).to_have_text("[1]", timeout=60_000)

        source = page.locator("#fqa-sources details").first
        expect(source).to_be_visible(timeout=30_000)
        chat.locator("a.fqa-ref").first.click()  # [1] opens its source in the panel beside the chat
        expect(source).to_have_attribute("open", "")
        mark = source.locator("mark")
        expect(mark).to_be_visible()
        expect(mark).to_contain_text("3426")
        expect(chat.locator(".fqa-inline")).to_be_hidden()  # on a wide screen the panel holds the sources

        chat.locator("button.fqa-copy").first.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("3426人") and "[1] 天水 2016 · 002_73b7ae9f94230e8b.txt" in copied
        assert "<" not in copied and "**" not in copied
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        ask(page, "那株洲呢?")
        expect(chat.get_by_text("按「株洲培训了多少陇原巧手」回答")).to_be_visible(timeout=60_000)
        expect(chat.locator("blockquote").get_by_text("未找到答案")).to_be_visible(timeout=30_000)

        page.locator("#fqa-tab-reports-button").click()  # no token on this server: read-only, and it says why
        expect(page.locator("#fqa-read-only")).to_contain_text("FQA_API_TOKEN")
        expect(page.locator("#fqa-upload")).to_be_hidden()
        expect(page.locator("#fqa-reports [role=gridcell]").filter(has_text="天水").first).to_be_visible()

        for choice, words in (("English", ("Ask", "Reports", "Read-only", "No answer found")),
                              ("中文", ("问答", "报告", "只读", "未找到答案"))):  # switch both ways
            page.locator("#fqa-lang").get_by_text(choice, exact=True).click()
            expect(page.locator("#fqa-tab-chat-button")).to_have_text(words[0], timeout=30_000)
            expect(page.locator("#fqa-tab-reports-button")).to_have_text(words[1])
            expect(page.locator("#fqa-read-only")).to_contain_text(words[2])
            assert page.evaluate("localStorage.getItem('fqa-lang')") == ("en" if choice == "English" else "zh")
            page.locator("#fqa-tab-chat-button").click()
            expect(chat.locator("blockquote").get_by_text(words[3])).to_be_visible()
            page.locator("#fqa-tab-reports-button").click()
    assert SCREENSHOT.stat().st_size > 10_000


@pytest.mark.browser
@browser_test
def test_reports_tab_upload_ask_rate_reload_delete_refused(writable, tmp_path):
    """With the token: upload a new report, see it listed with its progress and title, ask what only it
    answers, rate the answer, find the conversation after a reload, delete the report, see the question refused."""
    from playwright.sync_api import expect

    url, system = writable
    report = tmp_path / "嘉峪关2023.txt"
    report.write_text(NEW_REPORT, encoding="utf-8")
    with chromium() as page:
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(url + "/")
        page.locator("#fqa-tab-reports-button").click()
        page.locator("#fqa-token input").fill(TOKEN)
        page.locator("#fqa-token-use").click()
        expect(page.locator("#fqa-token-note")).to_contain_text("令牌正确", timeout=30_000)

        page.set_input_files("#fqa-files input[type=file]", str(report))
        page.locator("#fqa-upload").click()
        row = page.locator("#fqa-progress tr.fqa-file").filter(has_text=report.name)
        expect(row).to_be_visible(timeout=30_000)
        expect(row).to_contain_text("已索引", timeout=120_000)
        expect(row.locator("progress")).to_have_attribute("value", "1")
        grid = page.locator("#fqa-reports [role=gridcell]")
        expect(grid.filter(has_text="嘉峪关市妇联2023年工作总结").first).to_be_visible(timeout=30_000)
        expect(grid.filter(has_text=report.name).first).to_be_visible()

        page.locator("#fqa-tab-chat-button").click()
        ask(page, NEW_Q)
        chat = page.locator("#fqa-chat")
        expect(chat.get_by_text("42期").first).to_be_visible(timeout=60_000)
        expect(page.locator("#fqa-sources")).to_contain_text(report.name)
        chat.locator('button[aria-label="赞"]').first.click()
        expect(page.locator("#fqa-note")).to_contain_text("已记录", timeout=30_000)
        rated = [r for r in system.feedback.records() if r.question == NEW_Q]
        assert [r.rating for r in rated] == ["up"] and "42期" in rated[0].answer.answer
        assert rated[0].answer.citations[0].doc == report.name

        with page.expect_download() as download:
            page.locator("#fqa-export-json").click()
        exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert exported["turns"][0]["question"] == NEW_Q
        assert exported["turns"][0]["answer"]["citations"][0]["doc"] == report.name

        page.reload()
        expect(chat.get_by_text(NEW_Q).first).to_be_visible(timeout=30_000)  # the conversation is kept
        expect(chat.get_by_text("42期").first).to_be_visible()
        expect(page.locator("#fqa-sources")).to_contain_text(report.name)

        page.locator("#fqa-tab-reports-button").click()
        expect(page.locator("#fqa-token-note")).to_contain_text("令牌正确", timeout=30_000)  # kept in this tab
        grid.filter(has_text=report.name).first.click()
        shown = page.locator("#fqa-report-text textarea")
        expect(shown).to_have_value(re.compile("巾帼云课堂"), timeout=30_000)
        assert lines(shown.input_value()) == lines(NEW_REPORT)  # the report's text (blank runs may close up)
        page.locator("#fqa-delete").click()
        expect(page.locator("#fqa-reports-message")).to_contain_text(f"已删除「{report.name}」", timeout=30_000)
        expect(grid.filter(has_text=report.name)).to_have_count(0)
        assert report.name not in {d.doc for d in system.reports.documents()}

        page.locator("#fqa-tab-chat-button").click()
        ask(page, NEW_Q)
        expect(chat.locator("blockquote").get_by_text("未找到答案").last).to_be_visible(timeout=60_000)


@pytest.mark.browser
@browser_test
def test_upload_without_the_token_is_refused_and_nothing_is_written(writable, tmp_path, monkeypatch):
    from gradio.utils import get_upload_folder
    from playwright.sync_api import expect

    url, system = writable
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))  # where the server would spool an upload
    report = tmp_path / "upload" / "嘉峪关2023.txt"
    report.parent.mkdir()
    report.write_text(NEW_REPORT, encoding="utf-8")
    watched = (system.settings.data_dir, spool, Path(get_upload_folder()))
    before, docs = tree(*watched), system.reports.documents()
    started = datetime.now(UTC).isoformat(timespec="milliseconds")
    with chromium() as page:
        page.goto(url + "/")
        page.locator("#fqa-tab-reports-button").click()
        expect(page.locator("#fqa-token-note")).to_contain_text("尚未输入令牌", timeout=30_000)
        label = page.locator("#fqa-files label").bounding_box()
        picker = page.locator("#fqa-files input[type=file]").bounding_box()
        assert label and picker and label["y"] + label["height"] <= picker["y"]  # the label stands above the picker
        page.set_input_files("#fqa-files input[type=file]", str(report))
        page.locator("#fqa-upload").click()
        expect(page.locator("#fqa-reports-message")).to_contain_text("需要 API 令牌", timeout=30_000)

        page.locator("#fqa-token input").fill("not-the-token")
        page.locator("#fqa-token-use").click()
        expect(page.locator("#fqa-token-note")).to_contain_text("令牌错误", timeout=30_000)
        assert page.evaluate("sessionStorage.getItem('fqa-token')") is None  # a wrong token is not kept

        page.evaluate("sessionStorage.setItem('fqa-token', 'not-the-token')")  # e.g. the server's token changed
        page.set_input_files("#fqa-files input[type=file]", str(report))
        page.locator("#fqa-upload").click()
        expect(page.locator("#fqa-reports-message")).to_contain_text("被服务器拒绝(401)", timeout=30_000)
        expect(page.locator("#fqa-progress tr.fqa-file")).to_have_count(0)
    after = tree(*watched)
    assert set(after) == set(before)  # no new file: no report, no upload, no spooled body
    audit = system.settings.data_dir / "audit.log"
    assert {p for p in after if after[p] != before[p]} <= {str(audit)}  # only the refusal was logged
    logged = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    refused = [r for r in logged if r["time"] >= started]
    assert [(r["path"], r["status"]) for r in refused] == [("/api/jobs", 401)]
    assert system.reports.documents() == docs


@pytest.mark.browser
@browser_test
def test_phone_layout_in_english_keeps_sources_with_their_answer(live_url):
    from playwright.sync_api import expect

    with chromium(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True) as page:
        page.goto(live_url + "/?lang=en")
        expect(page.locator("#fqa-ask")).to_have_text("Ask", timeout=30_000)
        expect(page.locator("#fqa-tab-reports-button")).to_have_text("Reports")
        page.locator("#fqa-ask").click()
        chat = page.locator("#fqa-chat")
        expect(chat.get_by_text("Please type a question.")).to_be_visible(timeout=30_000)

        ask(page, Q)
        expect(chat.get_by_text("3426").first).to_be_visible(timeout=60_000)
        expect(page.locator("#fqa-side")).to_be_hidden()
        inline = chat.locator(".fqa-inline").first
        expect(inline).to_be_visible()
        expect(inline.locator("summary").first).to_contain_text("Sources (")
        chat.locator("a.fqa-ref").first.click()
        card = chat.locator("#fqa-s-0-1")
        expect(card).to_have_attribute("open", "")
        expect(card.locator("mark")).to_contain_text("3426")
        box = page.locator("#fqa-input").bounding_box()
        assert box and card.bounding_box()["y"] < box["y"]  # the source sits with its answer, above the input

        page.goto(live_url + "/")  # the language is remembered
        expect(page.locator("#fqa-ask")).to_have_text("Ask", timeout=30_000)
        expect(chat.get_by_text("3426").first).to_be_visible()


def answered(page, question: str) -> None:
    """Ask ``question`` and wait for the finished answer (its copy button comes last)."""
    from playwright.sync_api import expect

    ask(page, question)
    expect(page.locator("#fqa-chat button.fqa-copy").last).to_be_attached(timeout=90_000)


def open_source(page, n: int = 1) -> None:
    """Click the answer's [n] and wait until its passage shows the highlighted evidence."""
    from playwright.sync_api import expect

    page.locator("#fqa-chat a.fqa-ref").filter(has_text=f"[{n}]").first.click()
    expect(page.locator("details.fqa-source[open] mark").first).to_be_visible(timeout=10_000)
    page.wait_for_timeout(1600)  # the smooth scroll and the flash settle


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.mark.browser
@browser_test
def test_screenshots_of_an_answer_the_reports_a_comparison_and_a_phone(seeded_writable, tmp_path):
    """The README's pictures: written to ``$FQA_SCREENSHOTS`` when set (``FQA_SCREENSHOTS=docs/screenshots
    pytest tests/test_ui.py -k screenshots``), else to a tmp dir, so the way they are made keeps working."""
    from playwright.sync_api import expect

    out = Path(SHOTS) if SHOTS else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    url = seeded_writable + "/"
    with chromium(viewport=WIDE, device_scale_factor=1) as page:
        page.goto(url)
        answered(page, Q)
        open_source(page)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "chat-answer.png"))

    with chromium(viewport=WIDE, device_scale_factor=1) as page:
        page.goto(url)
        answered(page, COMPARE_Q)
        table = page.locator("#fqa-chat .fqa-table table")
        expect(table.locator("tr").filter(has_text="天水")).to_contain_text("3426人")
        expect(table.locator("tr").filter(has_text="株洲")).to_contain_text("报告中没有找到")
        open_source(page)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "comparison.png"))

    with chromium(viewport=WIDE, device_scale_factor=1) as page:
        page.goto(url)
        page.locator("#fqa-tab-reports-button").click()
        page.locator("#fqa-token input").fill(TOKEN)
        page.locator("#fqa-token-use").click()
        expect(page.locator("#fqa-token-note")).to_contain_text("令牌正确", timeout=30_000)
        page.locator("#fqa-reports [role=gridcell]").filter(has_text="天水").first.click()
        expect(page.locator("#fqa-report-text textarea")).to_have_value(re.compile("陇原巧手"), timeout=30_000)
        page.mouse.move(0, 0)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "reports.png"), full_page=True)

    with chromium(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2) as page:
        page.goto(url)
        answered(page, Q)
        open_source(page)
        page.evaluate("[...document.querySelectorAll('#fqa-chat .message-row.user-row')].pop()"
                      ".scrollIntoView({block: 'start'})")  # the question, its answer and the source below
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / "phone.png"))

    widths = {name: png_size(out / name)[0] for name in ("chat-answer.png", "comparison.png", "reports.png",
                                                          "phone.png")}
    assert widths == {"chat-answer.png": 1280, "comparison.png": 1280, "reports.png": 1280, "phone.png": 780}


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
