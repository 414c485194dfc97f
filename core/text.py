"""Text helpers every layer shares: search normalisation, the common patterns, language, jieba.

Normalisation (NFKC, traditional → simplified, lower case) is used on passages and questions alike, so
「天水培訓了多少隴原巧手」 and 「天水培训了多少陇原巧手」 meet; the original text is never replaced.
jieba is loaded lazily, once per process, from caches under ``<data dir>/cache``: its own dictionary cache
(named by jieba's version) and the part-of-speech tagger's word → tag table, marshalled once instead of
parsing the 350 000-line dictionary on every start (keyed by jieba's version and the dictionary file's size
and mtime), each also kept as a ``core.disktable`` file that a question reads key by key instead of loading
~0.7 s of tables whole. Leaves out: sentence splitting (``core.sentences``) and user dictionaries.
"""

from __future__ import annotations

import io
import marshal
import os
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from core.disktable import DiskTable, write_table

CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_RUNS = re.compile(r"[\u4e00-\u9fff]+")
# a four-digit year anywhere, not a count that happens to look like one (「2000万次」, 「2016人」)
YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?!\d|\.\d|\s*(?:[万亿千百余多个人名次元件户条场所家份篇%]|人次))")
QUOTED_NAME = re.compile(r"“[^”]{1,40}”|《[^》]{1,40}》|「[^」]{1,40}」")  # a quoted name or title, marks included
YEAR_NIAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")  # a year written 「2020年」
_SPACE = re.compile(r"[ \t\u3000]+")
CN_TEN = "一二三四五六七八九十"  # the Chinese numerals one to ten, as headings and list markers number
CN_COUNT = CN_TEN + "两"  # … and 两, as a count is written (两级, 两项)
CN_BIG = "百千万亿"  # the Chinese numerals of magnitude


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``)."""
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """NFKC + traditional→simplified + lower case + collapsed spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _SPACE.sub(" ", text).lower()


def detect_lang(text: str) -> str:
    """``en`` when Latin letters outnumber Chinese characters (an English question may quote 暖心包), else ``zh``."""
    latin = len(re.findall(r"[a-zA-Z]", text))
    return "en" if latin > len(CJK.findall(text)) else "zh"


def cache_dir() -> Path | None:
    """``<data dir>/cache``, made when missing; None when it cannot be made (jieba then uses its defaults)."""
    from core.settings import get_settings

    folder = get_settings().data_dir / "cache"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def _tag_table_path(jb: ModuleType, cache_dir: Path) -> Path | None:
    """Cache file of the tagger's table for jieba's packaged dictionary (None for a custom one)."""
    if jb.dt.dictionary not in (None, jb.DEFAULT_DICT):
        return None
    st = (Path(str(jb.__file__)).parent / jb.DEFAULT_DICT_NAME).stat()
    return cache_dir / f"jieba-{jb.__version__}-pos-{st.st_size}-{st.st_mtime_ns}.marshal"


def _read_table(path: Path) -> dict[str, str] | None:
    try:
        table = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return table if isinstance(table, dict) else None


def _write_table(path: Path, table: dict[str, str]) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(marshal.dumps(table))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _load_posseg(jb: ModuleType, cache_dir: Path | None) -> None:
    """Import ``jieba.posseg`` with its word → tag table: a ``DiskTable`` when its file is cached, else the
    marshalled copy, else parsed from the dictionary (and both copies written for the next process)."""
    path = _tag_table_path(jb, cache_dir) if cache_dir and "jieba.posseg" not in sys.modules else None
    lazy = _disk_table(path.with_suffix(".sqlite"), lambda whole: setattr(jb.posseg.dt, "word_tag_tab", whole)) \
        if path else None
    table: Any = lazy if lazy is not None else (_read_table(path) if path else None)
    if table is None:
        import jieba.posseg  # parses the dictionary for the table

        if path:
            _write_table(path, jb.posseg.dt.word_tag_tab)
            write_table(path.with_suffix(".sqlite"), jb.posseg.dt.word_tag_tab)
        return
    jb.dt.get_dict_file = lambda: io.BytesIO(b"")  # the import's table is replaced by the cached one
    try:
        import jieba.posseg  # noqa: F401
    finally:
        del jb.dt.get_dict_file
    jb.posseg.dt.word_tag_tab = table
    if lazy is None and path:
        write_table(path.with_suffix(".sqlite"), table)


def _disk_table(path: Path, on_whole: Callable[[dict[str, Any]], None]) -> DiskTable | None:
    """The cached table at ``path`` read key by key (None when there is none or it cannot be read)."""
    if not path.is_file():
        return None
    try:
        return DiskTable(path, on_whole)
    except sqlite3.Error:
        return None


@lru_cache(maxsize=1)
def jieba() -> ModuleType:
    """The jieba module with its part-of-speech tagger, quiet, loaded once (from caches, see above)."""
    import jieba as jb

    jb.setLogLevel(60)
    folder = cache_dir()
    if folder is not None:
        jb.dt.tmp_dir = str(folder)
        jb.dt.cache_file = f"jieba-{jb.__version__}.cache"
        _load_dictionary(jb, folder / jb.dt.cache_file)
    _load_posseg(jb, folder)
    return jb


def _load_dictionary(jb: ModuleType, cache: Path) -> None:
    """jieba's prefix dictionary: a ``DiskTable`` when its file is cached; else from jieba's own cache file, read
    whole (``marshal.load`` on the open file, as jieba does, reads it piece by piece at twice the cost), or built
    and cached by jieba itself when there is none — and then copied to the table file for the next process."""
    if jb.dt.initialized or jb.dt.dictionary not in (None, jb.DEFAULT_DICT):
        jb.dt.initialize()
        return
    lazy = _disk_table(cache.with_suffix(".sqlite"), lambda whole: setattr(jb.dt, "FREQ", whole))
    total = lazy.extra("total") if lazy is not None else None
    if lazy is not None and isinstance(total, int):
        with jb.dt.lock:
            jb.dt.FREQ, jb.dt.total, jb.dt.initialized = lazy, total, True
        return
    try:
        freq, total = marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    else:
        if isinstance(freq, dict) and isinstance(total, int):
            with jb.dt.lock:
                jb.dt.FREQ, jb.dt.total, jb.dt.initialized = freq, total, True
    jb.dt.initialize()  # nothing to do when loaded above
    if isinstance(jb.dt.FREQ, dict) and jb.dt.FREQ:
        write_table(cache.with_suffix(".sqlite"), jb.dt.FREQ, {"total": jb.dt.total})


def tokens(norm: str) -> list[str]:
    """jieba tokens of normalised text (punctuation and spaces dropped)."""
    return [t for t in jieba().lcut(norm) if t.strip() and (CJK.search(t) or t.isalnum())]


def pos_tags(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech flag) pairs from jieba's tagger (``ns`` place, ``nr`` person...)."""
    return [(p.word, p.flag) for p in jieba().posseg.cut(text)]
