"""jieba loaded from the caches under the data dir gives what jieba loaded from its own dictionary gives.

Each load runs in a fresh process with its own data dir: the first builds the caches, the second reads them;
a third process loads jieba the plain way, without ``core.text``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = "天水市妇联实施陇原巧手培训项目,全年共培训3426人。王芳主任在乐清市讲话。東營市婦聯"

CACHED = f"""
import hashlib, json, marshal
from core.text import jieba
jb = jieba()
table = hashlib.sha256(marshal.dumps(sorted(jb.posseg.dt.word_tag_tab.items()))).hexdigest()
print(json.dumps([table, jb.dt.total, len(jb.dt.FREQ), jb.lcut({TEXT!r}),
                  [list(p) for p in jb.posseg.cut({TEXT!r})]]))
"""
PLAIN = CACHED.replace(
    "from core.text import jieba\njb = jieba()",
    "import jieba as jb, jieba.posseg\njb.setLogLevel(60)\njb.dt.tmp_dir = {tmp!r}\njb.initialize()",
)


def _run(code: str, data_dir: Path) -> list:
    env = os.environ | {"FQA_DATA_DIR": str(data_dir)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True, timeout=300)
    return json.loads(out.stdout)


def test_cached_load_matches_plain_jieba(tmp_path):
    data = tmp_path / "data"
    building = _run(CACHED, data)
    names = sorted(p.name for p in (data / "cache").iterdir())
    assert len(names) == 2 and any(n.endswith(".marshal") for n in names) and any(n.endswith(".cache") for n in names)
    reading = _run(CACHED, data)
    plain = _run(PLAIN.replace("{tmp!r}", repr(str(tmp_path))), tmp_path / "other")
    assert building == reading == plain
    assert ["天水市", "ns"] in plain[4] and plain[1] > 0
