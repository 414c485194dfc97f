"""English spellings of the reports' names: the pinyin of each quoted name (陇原巧手 → longyuanqiaoshou) and of
each place or proper name the reports use (芦淞 → lusong), so an English question that writes a name in pinyin
("Longyuan Qiaoshou", "Daohuaxiang", "the Lusong market") finds it.

``spellings(names)`` builds the table (pypinyin, toneless, ü written u); ``TableFile`` keeps it as JSON beside the
lexical index, rebuilt only when the index's version moves, so a question reads it without importing pypinyin;
``romanised(norm, table)`` finds runs of one to four English words that spell a name.
Leaves out: other words, spellings with tone marks or apostrophes inside a name.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

MIN_SPELLING = 6  # letters: shorter spellings (「nvxing」 aside) match ordinary words too often
MAX_WORDS = 4
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,12}")


def spellings(names: Iterable[str]) -> dict[str, list[str]]:
    """Pinyin spelling (letters only) → the names (and their openings of 2+ characters) spelt so; a spelling
    shorter than ``MIN_SPELLING`` letters is left out."""
    from pypinyin import lazy_pinyin

    table: dict[str, list[str]] = {}
    for name in names:
        if not _CJK_NAME.fullmatch(name):
            continue
        syllables = [p.replace("v", "u").replace("ü", "u") for p in lazy_pinyin(name)]
        for end in range(2, len(name) + 1):  # the name and its opening words (稻花香 of 稻花香读书会)
            key = "".join(syllables[:end])
            if len(key) >= MIN_SPELLING and name[:end] not in table.setdefault(key, []):
                table[key].append(name[:end])
    return {key: found for key, found in table.items() if found}


# a place word after a name spelt in pinyin is the name's last syllable (「Gangu County」 → 甘谷县)
_PLACE_WORDS = {"county": "xian", "district": "qu", "town": "zhen", "township": "xiang", "village": "cun"}


def romanised(norm: str, table: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """The runs of English words in ``norm`` that spell a name in ``table``, each with its names."""
    words = re.findall(r"[a-z]+", norm.replace("ü", "u"))
    out: dict[str, tuple[str, ...]] = {}
    for i in range(len(words)):
        for k in range(MAX_WORDS, 0, -1):
            run = words[i : i + k]
            after = words[i + k] if i + k < len(words) else ""
            if len(run) == k and after in _PLACE_WORDS and (names := table.get("".join(run) + _PLACE_WORDS[after])):
                out[" ".join([*run, after])] = tuple(names)
                break
            if len(run) == k and (names := table.get("".join(run))):
                out[" ".join(run)] = tuple(names)
                break
    return out


class TableFile:
    """The spelling table of one lexical index, kept as JSON in its folder and rebuilt when its version moves."""

    def __init__(self, folder: Path, version: Callable[[], int], names: Callable[[], list[str]]) -> None:
        self.path = folder / "names-pinyin.json"
        self._version = version
        self._names = names
        self._lock = threading.Lock()
        self._table: dict[str, list[str]] = {}
        self._of = -1

    def table(self) -> dict[str, list[str]]:
        version = self._version()
        with self._lock:
            if version != self._of:
                self._table, self._of = self._read(version), version
            return self._table

    def _read(self, version: int) -> dict[str, list[str]]:
        try:
            kept = json.loads(self.path.read_text(encoding="utf-8"))
            if kept.get("version") == version:
                return dict(kept["names"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        table = spellings(self._names())
        try:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"version": version, "names": table}, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:  # a read-only folder: the table is kept in memory only
            pass
        return table
