"""The ``fulian-qa`` console script as a user runs it (subprocesses of the installed script, real store and model).

Usage errors are one ``error:`` line and exit code 2, found before anything heavy is imported; ``--help``,
``--version`` and usage errors import no torch, sentence-transformers, Chroma, Gradio or LangChain, and a
question answered with the default ONNX encoder imports no torch (``python -X importtime``); ``list`` and
``remove`` against real stores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.settings import Settings
from fulian_qa import __version__
from fulian_qa.cli import loading
from tests.conftest import ROOT
from tests.test_api import REPORT

SCRIPT = str(Path(sys.executable).parent / "fulian-qa")
QUESTION = "天水培训了多少陇原巧手"
HEAVY = ("torch", "sentence_transformers", "chromadb", "gradio", "langchain", "langchain_core", "onnxruntime")
MODEL = ("torch", "sentence_transformers", "onnxruntime", "transformers")

# Runs the CLI in-process (argv given, so it returns), then prints which heavy modules were imported.
WRAPPER = """
import json, sys
from fulian_qa.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
mods = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(%r)))
print("MODULES " + json.dumps(mods), file=sys.stderr)
sys.exit(code)
"""


def _env(data_dir: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FQA_")}
    if data_dir is not None:
        env["FQA_DATA_DIR"] = str(data_dir)
    return env | extra


def run(*args: str, data_dir: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed console script."""
    return subprocess.run(
        [SCRIPT, *args], cwd=ROOT, env=_env(data_dir, **env), capture_output=True, text=True, timeout=600
    )


def run_watched(*args: str, data_dir: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """The CLI in a Python process that reports the heavy modules it imported."""
    code = WRAPPER % json.dumps(HEAVY)
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=_env(data_dir), capture_output=True, text=True, timeout=600
    )
    said, _, modules = proc.stderr.rpartition("MODULES ")
    proc.stderr = said
    return proc, json.loads(modules)


def _error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (proc.returncode, lines)
    return lines[0]


@pytest.mark.parametrize(
    ("args", "heard"),
    [
        (["--help"], 'examples:\n  fulian-qa index seeds/'),
        (["ask", "--help"], "examples:\n  fulian-qa ask "),
        (["--version"], f"fulian-qa {__version__}"),
    ],
)
def test_help_and_version_import_nothing_heavy(args, heard, tmp_path):
    proc, heavy = run_watched(*args, data_dir=tmp_path)
    assert proc.returncode == 0 and heard in proc.stdout, proc.stderr
    assert heavy == []


def test_usage_errors_are_one_line_and_import_nothing_heavy(tmp_path):
    cases = {
        ("ask", ""): "error: question is empty",
        ("ask",): "error: give a QUESTION or --jsonl",
        ("ask", "x" * 501): "error: question is too long (501 characters; at most 500)",
        ("ask", "--jsonl", QUESTION): "error: give a QUESTION or --jsonl, not both",
        ("ask", "-k", "0", QUESTION): "error: argument -k: must be a whole number from 1 to 50, not '0'",
        ("ask", "-k", "many", QUESTION): "error: argument -k: must be a whole number from 1 to 50, not 'many'",
        ("ask", "--answerer", "llm", QUESTION): "error: the llm answerer is not configured",
        ("ask", "--answerer", "poet", QUESTION): "error: argument --answerer: invalid choice: 'poet'",
        ("index", str(tmp_path / "none")): f"error: no such file or folder: {tmp_path / 'none'}",
        ("lookup",): "error: argument COMMAND: invalid choice: 'lookup'",
        ("remove",): "error: the following arguments are required: NAME",
    }
    for args, said in cases.items():
        proc, heavy = run_watched(*args, data_dir=tmp_path)
        assert _error_line(proc).startswith(said), (args, proc.stderr)
        assert heavy == [], args
        assert proc.stdout == ""


def test_the_console_script_says_the_same_and_a_bad_setting_is_named(tmp_path):
    assert _error_line(run("ask", "  ", data_dir=tmp_path)) == "error: question is empty"
    llm = run("ask", QUESTION, data_dir=tmp_path, FQA_ANSWERER="llm")
    assert _error_line(llm).startswith("error: the llm answerer is not configured")
    bad = run("ask", QUESTION, data_dir=tmp_path, FQA_TOP_K="several")
    assert _error_line(bad).startswith("error: invalid setting: FQA_TOP_K:")
    assert run("--version").stdout.strip() == f"fulian-qa {__version__}"


def test_list_reads_the_store_without_the_model_and_names_unknown_reports(seeded_settings, tmp_path):
    proc, heavy = run_watched("list", data_dir=seeded_settings.data_dir)
    assert proc.returncode == 0, proc.stderr
    assert not set(heavy) & set(MODEL) and "chromadb" in heavy
    lines = proc.stdout.strip().splitlines()
    assert lines[0].split() == ["report", "city", "year", "passages"]
    assert lines[3].split()[:3] == ["002_73b7ae9f94230e8b.txt", "天水", "2016"]
    assert lines[-1].startswith("5 reports, ") and "(vectors: multilingual-e5-small)" in lines[-1]

    listed = json.loads(run("list", "--json", data_dir=seeded_settings.data_dir).stdout)
    assert [(r["doc"], r["city"], r["year"]) for r in listed][2] == ("002_73b7ae9f94230e8b.txt", "天水", 2016)
    assert sum(r["passages"] for r in listed) == int(lines[-1].split()[2])

    wrong = run("ask", "--report", "002_73b7ae9f94230e8b.tx", QUESTION, data_dir=seeded_settings.data_dir)
    assert _error_line(wrong).endswith("did you mean 002_73b7ae9f94230e8b.txt?")
    gone = run("remove", "nothing.txt", data_dir=seeded_settings.data_dir)
    assert "`fulian-qa list` shows the indexed reports" in _error_line(gone)

    empty = run("list", data_dir=tmp_path)
    assert empty.returncode == 0 and empty.stdout.startswith("no reports indexed in collection 'fulian_qa'")
    assert not (tmp_path / "chroma").exists()  # listing created nothing


def test_remove_takes_a_report_out_of_the_store(fresh_settings: Settings, embedder, tmp_path):
    from index.indexer import Indexer

    report = tmp_path / "reports" / "青山.txt"
    report.parent.mkdir()
    report.write_text(REPORT, encoding="utf-8")
    Indexer.from_settings(fresh_settings, embedder).index_paths([report.parent])
    assert [r["doc"] for r in json.loads(run("list", "--json", data_dir=fresh_settings.data_dir).stdout)] == [
        "青山.txt"
    ]
    removed = run("remove", "青山.txt", data_dir=fresh_settings.data_dir)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.startswith("removed 青山.txt: ") and int(removed.stdout.split()[2]) > 0
    assert json.loads(run("list", "--json", data_dir=fresh_settings.data_dir).stdout) == []
    assert _error_line(run("remove", "青山.txt", data_dir=fresh_settings.data_dir)).startswith("error: no report")


def test_a_question_is_answered_without_torch(seeded_settings):
    """The whole question path of the default ONNX encoder, as ``python -X importtime`` sees it."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "fulian_qa", "ask", "--json", QUESTION],
        cwd=ROOT, env=_env(seeded_settings.data_dir), capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {ln.rsplit("|", 1)[-1].strip() for ln in proc.stderr.splitlines() if ln.startswith("import time:")}
    assert "onnxruntime" in imported and "chromadb" in imported
    assert not {m for m in imported if m.split(".")[0] in ("torch", "sentence_transformers", "transformers")}
    answer = json.loads(proc.stdout)
    assert answer["found"] and "3426" in answer["answer"]
    assert answer["citations"][0]["doc"] == "002_73b7ae9f94230e8b.txt"


def test_a_question_from_one_report_and_a_jsonl_batch(seeded_settings):
    one = run("ask", "--report", "003_4eae8feafdbcf8d2.txt", "--json", "组建了多少个姐妹帮帮团",
              data_dir=seeded_settings.data_dir)
    assert one.returncode == 0, one.stderr
    assert {c["doc"] for c in json.loads(one.stdout)["citations"]} == {"003_4eae8feafdbcf8d2.txt"}

    first = json.dumps({"id": "a", "question": QUESTION}, ensure_ascii=False)
    lines = [first, "{not json", '{"id": "b", "question": ""}']
    batch = subprocess.run(
        [SCRIPT, "ask", "--jsonl"], input="\n".join(lines) + "\n", cwd=ROOT,
        env=_env(seeded_settings.data_dir), capture_output=True, text=True, timeout=600,
    )
    assert batch.returncode == 0, batch.stderr
    out = [json.loads(ln) for ln in batch.stdout.splitlines()]
    assert out[0]["id"] == "a" and "3426" in out[0]["answer"]
    assert out[1]["line"] == 2 and out[1]["error"].startswith("bad input line")
    assert (out[2]["id"], out[2]["error"]) == ("b", "question is empty")


def test_a_slow_step_says_loading_on_stderr(capsys):
    said = ""
    with loading("the test part", after=0.0):
        deadline = time.monotonic() + 30  # the message comes from a timer thread: wait for it, however slow
        while "\n" not in said and time.monotonic() < deadline:
            said += capsys.readouterr().err
            time.sleep(0.01)
    assert said == "loading the test part …\n"
    with loading("a quick part", after=60.0):
        pass
    assert capsys.readouterr().err == ""
