"""The LLM answerer against a real HTTP server speaking the OpenAI chat API, scripted per test.

``ScriptedServer`` is ``http.server`` on a loopback socket that ``ChatOpenAI`` talks to: POST
/v1/chat/completions answers with JSON, or with SSE chunks when the request says ``stream: true``.
Each test sets what it replies (a function of the numbered passages in the prompt), a delay or an
HTTP status. The ``llm``-marked test at the end uses a real model when FQA_LLM_BASE_URL is set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qa.figures import cn_value, expand_magnitudes, figure_keys
from qa.llm_checks import claims, clean, says_not_found
from qa.plan import QuestionError, choose_answerer
from qa.system import System

Q = "天水培训了多少陇原巧手"
SUM_Q = "东营和天水妇联的微信公众号一共发了多少条信息？"
Script = Callable[[dict[int, str]], str]


# -- the scripted server --------------------------------------------------------------------------------
def passages_of(request: dict) -> dict[int, str]:
    """The numbered passages of the prompt's last user message: {n: passage text}."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    out: dict[int, str] = {}
    current = None
    for line in user.splitlines():
        if m := re.match(r"^\[(\d+)\] ", line):
            current = int(m.group(1))
            out[current] = ""
        elif current is not None and line.strip() and not re.match(r"^(问题|Question|注意|Note|这个问题|The q)", line):
            out[current] += line + "\n"
        elif not line.strip():  # passages are separated by a blank line
            current = None
    return out


def sentence_with(passages: dict[int, str], needle: str) -> tuple[int, str]:
    """(n, the sentence of passage n holding ``needle``) for the first passage that has it."""
    for n, text in passages.items():
        for sentence in re.split(r"(?<=[。；;])", text):
            if needle in sentence:
                return n, sentence.strip().rstrip("。；;")
    raise AssertionError(f"{needle!r} is in no passage of the prompt")


def echo(needle: str, cite: int | None = None) -> Script:
    """Reply with the passage sentence holding ``needle``, cited as its own passage (or as ``cite``)."""

    def reply(passages: dict[int, str]) -> str:
        n, sentence = sentence_with(passages, needle)
        return f"{sentence}[{cite or n}]。"

    return reply


def fixed(text: str) -> Script:
    return lambda passages: text


class Handler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})

    def do_POST(self) -> None:
        srv = self.server
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv.requests.append(request)
        if srv.delay:
            time.sleep(srv.delay)
        if srv.status != 200:
            self._json(srv.status, {"error": {"message": "scripted failure", "type": "server_error"}})
            return
        script = srv.scripts[min(len(srv.requests), len(srv.scripts)) - 1]
        text = script(passages_of(request))
        base = {"id": f"chatcmpl-{len(srv.requests)}", "created": int(time.time()), "model": request["model"]}
        if not request.get("stream"):
            self._json(200, base | {
                "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            })
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = [text[i : i + 4] for i in range(0, len(text), 4)]
        for i, piece in enumerate(pieces):
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
            chunk = base | {"object": "chat.completion.chunk",
                            "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()
        stop = [{"index": 0, "delta": {}, "finish_reason": "stop"}]
        end = base | {"object": "chat.completion.chunk", "choices": stop}
        self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.reset()

    def reset(self, *scripts: Script, delay: float = 0.0, status: int = 200) -> ScriptedServer:
        self.scripts: list[Script] = list(scripts) or [fixed("资料中没有答案")]
        self.requests: list[dict] = []
        self.delay, self.status = delay, status
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@pytest.fixture(scope="module")
def server():
    srv = ScriptedServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def llm_settings(seeded_settings, server):
    return seeded_settings.model_copy(
        update={"llm_base_url": server.url, "llm_model": "scripted", "answerer": "llm", "llm_timeout": 2.0}
    )


@pytest.fixture(scope="module")
def llm_system(llm_settings, embedder):
    return System.from_settings(llm_settings, embedder=embedder)


@pytest.fixture(scope="module")
def llm_service(llm_system):
    return llm_system.service


@pytest.fixture
def srv(server):
    yield server.reset()
    server.reset()


def figures_in(text: str) -> set[str]:
    return figure_keys(re.sub(r"\[\d+\]", "", text))


# -- pure checks ------------------------------------------------------------------------------------------
def test_clean_normalises_citation_marks_and_digits():
    assert clean("答案：共３４２６人【1】，见[2, 3]与[资料4]及[5-6]") == "共3426人[1]，见[2][3]与[4]及[5][6]"
    assert clean("资料编号：[1]\n天水输转了21256人。") == "天水输转了21256人[1]。"  # a citation-only line
    assert clean("资料编号[2]：发放宣传品59万余册。") == "发放宣传品59万余册[2]。"  # a leading citation
    assert expand_magnitudes("124 million yuan, 1.24 million") == "124000000 yuan, 1240000"


def test_claims_attach_citations_to_their_own_clause():
    assert claims("天水培训3426人[1]，株洲培训500人[3]，共计3926人。[1][3]\n乐清没有数据。") == [
        ("天水培训3426人", [1]), ("，株洲培训500人", [3]), ("，共计3926人。", [1, 3]), ("乐清没有数据。", []),
    ]


def test_chinese_numerals_and_refusal_phrases():
    assert cn_value("三千四百二十六") == 3426 and cn_value("两万") == 20000 and cn_value("十九") == 19
    assert cn_value("十三五") is None
    assert says_not_found("资料中没有答案") and says_not_found("资料中没有答案[1]。")
    assert says_not_found("NOT IN REPORTS") and not says_not_found("东营5204条[1]。天水：资料中没有答案。")


# -- through the service and a real socket ---------------------------------------------------------------
def test_grounded_answer_passes_through_with_its_citations(llm_service, srv):
    srv.reset(echo("3426"))
    ans = llm_service.ask(Q)
    n, sentence = sentence_with(passages_of(srv.requests[0]), "3426")
    assert ans.answerer == "llm" and ans.found and ans.fallback_reason == ""
    assert ans.answer == f"{sentence}[{n}]。"
    assert [c.n for c in ans.citations] == [n]  # prompt numbering kept; only cited passages returned
    assert sentence in ans.citations[0].text and "3426" in ans.citations[0].evidence
    assert ans.checks["citations_ok"] and ans.checks["figures_ok"] and not ans.checks["repaired"]
    request = srv.requests[0]
    assert len(srv.requests) == 1 and request["model"] == "scripted" and request["temperature"] == 0
    assert request["max_tokens"] == 400 and not request.get("stream")
    user = request["messages"][-1]["content"]
    assert "[1] 天水" in user and Q in user and "资料中没有答案" in request["messages"][0]["content"]
    assert sorted(passages_of(request)) == [1, 2, 3, 4, 5]


def test_invented_figure_is_caught_repaired_once_then_falls_back(llm_service, service, srv):
    srv.reset(fixed("天水共培训陇原巧手98765人[1]。"))
    ans = llm_service.ask(Q)
    assert "98765" not in ans.answer and "98765" not in json.dumps([vars(c) for c in ans.citations])
    assert ans.answerer == "extractive-fallback" and "98765" not in json.dumps(ans.to_dict(), ensure_ascii=False)
    assert "figure that is not in its cited passage [1]" in ans.fallback_reason
    assert ans.answer == service.ask(Q, answerer="extractive").answer and ans.found  # the extractive one (3426)
    assert len(srv.requests) == 2  # one repair attempt, told what was wrong
    assert "98765" in srv.requests[1]["messages"][-1]["content"]
    assert srv.requests[1]["messages"][-2]["role"] == "assistant"
    assert ans.checks == {"model_called": True, "citations_ok": True, "figures_ok": False, "repaired": True,
                          "computed": [], "auto_cited": 0}


def test_a_good_repair_is_accepted(llm_service, srv):
    srv.reset(fixed("天水共培训陇原巧手98765人[1]。"), echo("3426"))
    ans = llm_service.ask(Q)
    assert ans.answerer == "llm" and ans.checks["repaired"] and "3426" in ans.answer and "98765" not in ans.answer


def test_a_repair_that_gives_up_falls_back_rather_than_refusing(llm_service, srv):
    srv.reset(fixed("天水共培训陇原巧手98765人[1]。"), fixed("资料中没有答案"))
    ans = llm_service.ask(Q)
    assert ans.answerer == "extractive-fallback" and ans.found and "3426" in ans.answer
    assert "the model found no answer" in ans.fallback_reason


def test_an_uncited_sentence_is_cited_by_code_only_from_the_passage_holding_its_figures(llm_service, srv):
    def uncited(passages: dict[int, str]) -> str:
        _, first = sentence_with(passages, "3426")
        return f"{first}。\n天水另有98765人参加培训。"

    srv.reset(uncited, echo("3426"))
    ans = llm_service.ask(Q)
    assert ans.answerer == "llm" and ans.checks["repaired"]  # the invented sentence could not be cited: repaired
    srv.reset(lambda passages: sentence_with(passages, "3426")[1] + "。")
    ans = llm_service.ask(Q)
    n = sentence_with(passages_of(srv.requests[0]), "3426")[0]
    assert ans.answerer == "llm" and ans.answer.endswith(f"[{n}]。") and ans.checks["auto_cited"] == 1
    assert [c.n for c in ans.citations] == [n]


def test_english_magnitudes_are_checked_by_value(llm_service, srv):
    question = "How many 'Longyuan Skilled Hands' did Tianshui train?"
    srv.reset(lambda passages: f"Tianshui trained 3.426 thousand people[{sentence_with(passages, '3426')[0]}].")
    assert llm_service.ask(question).answerer == "llm"
    srv.reset(lambda passages: f"Tianshui trained 3426 thousand people[{sentence_with(passages, '3426')[0]}].")
    ans = llm_service.ask(question)
    assert ans.answerer == "extractive-fallback" and "thousand" not in ans.answer


def test_a_yes_must_be_backed_by_the_claimed_figure_and_an_answer_must_say_something(llm_service, srv):
    def yes(passages: dict[int, str]) -> str:
        return f"是[{sentence_with(passages, '3426')[0]}]。"

    def no(passages: dict[int, str]) -> str:
        n, sentence = sentence_with(passages, "3426")
        return f"否。{sentence}[{n}]。"

    srv.reset(yes, no)
    ans = llm_service.ask("天水是不是培训了5000名陇原巧手？")
    assert ans.answerer == "llm" and ans.answer.startswith("否") and ans.checks["repaired"]
    assert "5000" in srv.requests[1]["messages"][-1]["content"]  # the repair prompt names the unbacked figure
    srv.reset(fixed("资料编号[1]"))
    ans = llm_service.ask(Q)
    assert ans.answerer == "extractive-fallback" and "no answer" in ans.fallback_reason


def test_citation_to_a_passage_that_was_not_given_is_caught(llm_service, srv):
    srv.reset(echo("3426", cite=7))
    ans = llm_service.ask(Q, k=5)
    assert len(passages_of(srv.requests[0])) == 5
    assert ans.answerer == "extractive-fallback" and "[7]" in ans.fallback_reason
    assert ans.checks["citations_ok"] is False and "[7]" not in ans.answer


def test_figure_must_be_in_the_passage_its_own_claim_cites(llm_service, srv):
    def wrong_source(passages: dict[int, str]) -> str:
        n, sentence = sentence_with(passages, "3426")
        other = next(m for m, text in passages.items() if "3426" not in text)
        return f"{sentence}[{other}]。另见[{n}]。"

    srv.reset(wrong_source)
    ans = llm_service.ask(Q)
    assert ans.answerer == "extractive-fallback" and "not in its cited passage" in ans.fallback_reason


def test_server_that_times_out_falls_back_with_a_clear_note(llm_service, srv):
    srv.reset(echo("3426"), delay=4.0)
    ans = llm_service.ask(Q)
    assert ans.timings_ms["llm"] < 3500, ans.timings_ms  # abandoned at the 2 s timeout, not after the 4 s reply
    assert ans.answerer == "extractive-fallback" and ans.found and "3426" in ans.answer
    assert "did not answer within 2 s" in ans.fallback_reason


def test_server_error_falls_back_with_a_clear_note(llm_service, srv):
    srv.reset(status=500)
    ans = llm_service.ask(Q)
    assert ans.answerer == "extractive-fallback" and "HTTP 500" in ans.fallback_reason and ans.found


def test_unreachable_server_falls_back(llm_settings, embedder):
    settings = llm_settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1"})
    ans = System.from_settings(settings, embedder=embedder).service.ask(Q)
    assert ans.answerer == "extractive-fallback" and "cannot reach" in ans.fallback_reason


def test_model_saying_the_passages_do_not_answer_is_a_refusal(llm_service, srv):
    srv.reset(fixed("资料中没有答案"))
    ans = llm_service.ask(Q)
    assert not ans.found and ans.answerer == "llm" and "model" in ans.reason
    assert ans.answer.startswith("报告中没有找到") and ans.citations  # closest passages for reference


def test_weak_retrieval_refuses_before_the_model_is_called(llm_service, srv):
    for question in ("北京市妇联2020年培训了多少妇女？", "天水2030年培训了多少陇原巧手？"):
        ans = llm_service.ask(question)
        assert not ans.found and ans.answerer == "llm" and ans.checks["model_called"] is False
    assert srv.requests == []


def test_answerer_is_chosen_per_request_or_by_settings(llm_service, srv, seeded_settings, embedder):
    srv.reset(echo("3426"))
    assert llm_service.ask(Q, answerer="extractive").answerer == "extractive" and srv.requests == []
    plain = seeded_settings.model_copy(update={"llm_base_url": None, "answerer": "auto"})
    assert choose_answerer(plain) == "extractive"  # no endpoint configured: extractive stays the default
    with pytest.raises(QuestionError, match="FQA_LLM_BASE_URL"):
        System.from_settings(plain, embedder=embedder, store=llm_service.searcher.store).service.ask(Q, answerer="llm")
    with pytest.raises(QuestionError, match="unknown answerer"):
        llm_service.ask(Q, answerer="oracle")
    auto = seeded_settings.model_copy(update={"llm_base_url": srv.url, "llm_model": None, "answerer": "auto"})
    auto_service = System.from_settings(auto, embedder=embedder).service
    assert auto_service.ask(Q).answerer == "llm" and srv.requests[-1]["model"] == "scripted"  # model from /models


def test_sum_is_recomputed_and_corrected(llm_service, srv):
    def compose(passages: dict[int, str]) -> str:
        a, _ = sentence_with(passages, "5204")
        b, _ = sentence_with(passages, "1153")
        return f"东营推送信息5204条[{a}]，天水发出1153条[{b}]，合计6000条。"

    srv.reset(compose)
    ans = llm_service.ask(SUM_Q)
    assert ans.answerer == "llm", ans.fallback_reason
    assert "6357条" in ans.answer and "6000" not in ans.answer
    assert ans.checks["computed"] == [
        {"figure": "6357条", "op": "sum", "value": 6357.0, "operands": ["5204条", "1153条"], "corrected_from": "6000条"}
    ]
    assert {c.city for c in ans.citations} == {"东营", "天水"}


def test_stream_yields_tokens_then_the_checked_answer(llm_service, srv):
    srv.reset(echo("3426"))
    pieces = list(llm_service.ask_stream(Q))
    deltas = [d for d, a in pieces if a is None]
    final = pieces[-1][1]
    assert len(deltas) > 3 and srv.requests[0]["stream"] is True
    assert final is not None and final.answerer == "llm" and "".join(deltas) == final.answer


def test_sse_replaces_streamed_text_that_fails_the_checks(llm_system, srv):
    from fastapi.testclient import TestClient

    from fulian_qa.api import create_app

    srv.reset(fixed("天水共培训陇原巧手98765人[1]。"))
    with TestClient(create_app(llm_system)) as client, \
            client.stream("POST", "/api/ask?stream=true", json={"question": Q}) as res:
        raw = "".join(res.iter_text())
    events = [(b.split("\n")[0][7:], json.loads(b.split("\n")[1][6:])) for b in raw.strip().split("\n\n")]
    kinds = [e for e, _ in events]
    assert kinds.count("token") > 1 and "replace" in kinds and kinds[-1] == "answer"
    assert "98765" in "".join(d["text"] for e, d in events if e == "token")  # streamed, then replaced
    final = events[-1][1]
    assert "98765" not in final["answer"] and final["answerer"] == "extractive-fallback" and final["citations"]
    assert events[kinds.index("replace")][1]["text"] == final["answer"]


def test_api_takes_the_answerer_per_request(llm_system, srv):
    from fastapi.testclient import TestClient

    from fulian_qa.api import create_app

    srv.reset(echo("3426"))
    with TestClient(create_app(llm_system)) as client:
        llm = client.post("/api/ask", json={"question": Q}).json()
        plain = client.post("/api/ask", json={"question": Q, "answerer": "extractive"}).json()
        bad = client.post("/api/ask", json={"question": Q, "answerer": "oracle"})
    assert llm["answerer"] == "llm" and llm["checks"]["figures_ok"] and plain["answerer"] == "extractive"
    assert bad.status_code == 422 and len(srv.requests) == 1


def test_cli_ask_json_never_returns_an_invented_figure(seeded_settings, srv):
    srv.reset(fixed("天水共培训陇原巧手98765人[1]。"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FQA_")}
    env |= {"FQA_DATA_DIR": str(seeded_settings.data_dir), "FQA_LLM_BASE_URL": srv.url, "FQA_LLM_MODEL": "scripted"}
    out = subprocess.run(
        [sys.executable, "-m", "fulian_qa", "ask", "--json", Q], env=env, capture_output=True, text=True, timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode == 0, out.stderr
    ans = json.loads(out.stdout)
    assert "98765" not in out.stdout and ans["answerer"] == "extractive-fallback"
    assert "not in its cited passage" in ans["fallback_reason"] and "3426" in ans["answer"] and len(srv.requests) == 2


# -- a real model (optional) -------------------------------------------------------------------------------
@pytest.mark.llm
@pytest.mark.skipif(not os.environ.get("FQA_LLM_BASE_URL"), reason="set FQA_LLM_BASE_URL to a real local model")
def test_real_local_model_answers_are_grounded_or_replaced(seeded_settings, embedder):
    settings = seeded_settings.model_copy(update={
        "llm_base_url": os.environ["FQA_LLM_BASE_URL"], "llm_model": os.environ.get("FQA_LLM_MODEL"),
        "llm_api_key": os.environ.get("FQA_LLM_API_KEY"), "answerer": "llm",
        "llm_timeout": float(os.environ.get("FQA_LLM_TIMEOUT", "120")),
    })
    svc = System.from_settings(settings, embedder=embedder).service
    for question in (Q, "乐清市妇联2019年培训了多少妇女？", "How many households did Zhuzhou help out of poverty?"):
        ans = svc.ask(question)
        assert ans.answerer in ("llm", "extractive-fallback")
        if ans.answerer == "llm" and ans.found:
            cited = " ".join(c.text for c in ans.citations)
            assert figures_in(ans.answer) - {str(c.year) for c in ans.citations} <= figure_keys(cited) | {
                str(x["value"]).removesuffix(".0") for x in ans.checks["computed"]}


def test_eval_puts_both_answerers_side_by_side_and_counts_replacements(llm_service, srv, tmp_path):
    from eval.report import markdown
    from eval.run import load_gold, run_eval

    srv.reset(fixed("共培训98765人[1]。"))
    gold = tmp_path / "g.jsonl"
    item = {"id": "a", "question": Q, "type": "numeric", "answers": ["3426人"], "must_contain": ["3426"],
            "doc": ["002_73b7ae9f94230e8b.txt"], "evidence": ["全年共培训“陇原巧手”3426人"]}
    gold.write_text(json.dumps(item, ensure_ascii=False), encoding="utf-8")
    result = run_eval(llm_service, load_gold(gold), ["main"], "both", str(gold))
    assert set(result.runs) == {"main", "main[llm]"}
    assert result.runs["main[llm]"].replaced == 1 and result.runs["main"].replaced == 0
    assert "the checks replaced 1 of 1 answers" in markdown(result, "metrics.png")
