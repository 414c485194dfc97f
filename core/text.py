"""Text helpers every layer shares: search normalisation, the common patterns, language, jieba.

Normalisation (NFKC, traditional → simplified, lower case) is used on passages and questions alike, so
「天水培訓了多少隴原巧手」 and 「天水培训了多少陇原巧手」 meet; the original text is never replaced.
jieba is loaded lazily, once per process. Leaves out: sentence splitting (``core.sentences``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from types import ModuleType

CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_RUNS = re.compile(r"[\u4e00-\u9fff]+")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")  # a four-digit year anywhere
QUOTED_NAME = re.compile(r"“[^”]{1,40}”|《[^》]{1,40}》|「[^」]{1,40}」")  # a quoted name or title, marks included
YEAR_NIAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")  # a year written 「2020年」
_SPACE = re.compile(r"[ \t\u3000]+")


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


@lru_cache(maxsize=1)
def jieba() -> ModuleType:
    """The jieba module with its part-of-speech tagger, quiet, loaded once."""
    import jieba as jb
    import jieba.posseg  # noqa: F401  (loads jb.posseg)

    jb.setLogLevel(60)
    return jb


def tokens(norm: str) -> list[str]:
    """jieba tokens of normalised text (punctuation and spaces dropped)."""
    return [t for t in jieba().lcut(norm) if t.strip() and (CJK.search(t) or t.isalnum())]


def pos_tags(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech flag) pairs from jieba's tagger (``ns`` place, ``nr`` person...)."""
    return [(p.word, p.flag) for p in jieba().posseg.cut(text)]
