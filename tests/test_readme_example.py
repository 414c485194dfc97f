"""The README's Python API example, taken from README.md as it stands and run as written against a real
index of the seed reports (``FQA_DATA_DIR`` pointing at it, as the example says)."""

from __future__ import annotations

import os
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def section_code(heading: str) -> str:
    """The ```python blocks of the README section under ``heading``, joined."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = re.search(r"\n#{2,3} ", text[start + len(heading) + 2 :])
    body = text[start : start + len(heading) + 2 + end.start()] if end else text[start:]
    blocks = re.findall(r"```python\n(.*?)```", body, re.DOTALL)
    assert blocks, f"no python code block under {heading!r}"
    return "\n".join(blocks)


def test_python_api_example_runs_as_written(seeded_settings, monkeypatch, capsys):
    code = section_code("### Python API")
    for name in [k for k in os.environ if k.startswith("FQA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("FQA_DATA_DIR", str(seeded_settings.data_dir))
    scope: dict = {"__name__": "readme_example"}
    exec(compile(code, f"{README}:Python API", "exec"), scope)
    out = capsys.readouterr().out

    answer = scope["answer"]
    assert answer.found and answer.citations and answer.answer in out
    assert all(f"{c.n} {c.doc} {c.city} {c.year}" in out for c in answer.citations)
    follow = scope["follow"]
    assert follow["question"] == "株洲培训了多少陇原巧手" and f"{follow['question']} {follow['found']}" in out
    docs = scope["retriever"].invoke("陇原巧手培训了多少人?")
    assert 0 < len(docs) <= 3 and {d.metadata["city"] for d in docs} == {"天水"}
    prompt = scope["messages"][0].content
    assert prompt.startswith("Answer from these passages only:") and docs[0].page_content in prompt
    assert prompt[:200] in out
