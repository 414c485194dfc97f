"""Search normalisation: NFKC (full-width → half-width), traditional → simplified, lower case.

Used on both passages and questions so 「天水培訓了多少隴原巧手」 and 「天水培训了多少陇原巧手」 meet.
The original text is never replaced: normalised strings are for matching only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


def normalize_chars(text: str) -> str:
    """Like ``normalize`` but strictly one output char per input char (offsets stay valid)."""
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        n = to_simplified(n) if len(n) == 1 else ch
        out.append(n.lower() if len(n) == 1 and len(n.lower()) == 1 else ch)
    return "".join(out)
