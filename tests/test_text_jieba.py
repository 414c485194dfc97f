"""jieba loaded from the caches under the data dir (whole, or key by key from the table files) gives what jieba
loaded from its own dictionary gives.

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
kinds = [type(jb.dt.FREQ).__name__, type(jb.posseg.dt.word_tag_tab).__name__]
cut, tagged = jb.lcut({TEXT!r}), [list(p) for p in jb.posseg.cut({TEXT!r})]
whole = lambda t: t.load_whole() if hasattr(t, "load_whole") else t
table = hashlib.sha256(marshal.dumps(sorted(whole(jb.posseg.dt.word_tag_tab).items()))).hexdigest()
print(json.dumps([table, jb.dt.total, len(whole(jb.dt.FREQ)), cut, tagged, kinds]))
"""
PLAIN = CACHED.replace(
    "from core.text import jieba\njb = jieba()",
    "import jieba as jb, jieba.posseg\njb.setLogLevel(60)\njb.dt.tmp_dir = {tmp!r}\njb.initialize()",
)
PROMOTED = """
from core import disktable
disktable.PROMOTE_AFTER = 50
from core.text import jieba
import glob
jb = jieba()
text = open(sorted(glob.glob("seeds/*"))[0], encoding="utf-8").read()[:4000]
before = type(jb.dt.FREQ).__name__
cut = jb.lcut(text)
print(json.dumps([before, type(jb.dt.FREQ).__name__, cut]))
""".replace("from core import", "import json\nfrom core import")


def _run(code: str, data_dir: Path) -> list:
    env = os.environ | {"FQA_DATA_DIR": str(data_dir)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True, timeout=300)
    return json.loads(out.stdout)


def test_cached_load_matches_plain_jieba(tmp_path):
    data = tmp_path / "data"
    building = _run(CACHED, data)
    names = sorted(p.name for p in (data / "cache").iterdir())
    assert len(names) == 4 and sum(n.endswith(".sqlite") for n in names) == 2
    assert any(n.endswith(".marshal") for n in names) and any(n.endswith(".cache") for n in names)
    reading = _run(CACHED, data)
    plain = _run(PLAIN.replace("{tmp!r}", repr(str(tmp_path))), tmp_path / "other")
    assert building[-1] == ["dict", "dict"] and reading[-1] == ["DiskTable", "DiskTable"]
    assert building[:-1] == reading[:-1] == plain[:-1]
    assert ["天水市", "ns"] in plain[4] and plain[1] > 0


def test_a_long_text_loads_the_table_whole_and_cuts_the_same(tmp_path):
    data = tmp_path / "data"
    _run(CACHED, data)  # builds the caches
    lazy, promoted, cut = _run(PROMOTED, data)
    assert (lazy, promoted) == ("DiskTable", "dict")
    plain = _run(PROMOTED.replace("disktable.PROMOTE_AFTER = 50", "disktable.PROMOTE_AFTER = 10**9"), data)
    assert plain[1] == "DiskTable" and plain[2] == cut and len(cut) > 500
