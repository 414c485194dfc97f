"""The persisted lexical index on the seed reports' own passages and tokens: incremental changes equal a fresh
build, a reopened (or interrupted) index answers the same without tokenising, filters restrict as retrieval
does, and BM25 scores are rank_bm25's ``BM25Okapi`` scores."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3

import pytest
from rank_bm25 import BM25Okapi

import core.text
from core.text import normalize, tokens
from core.types import ChunkMeta
from index.chunk import chunk_report
from index.indexer import embed_text
from index.lexindex import Entry, LexIndex
from index.load import named_reports, read_report
from index.meta import detect_city, detect_year
from tests.conftest import SEEDS

QUESTIONS = ["天水培训了多少陇原巧手", "株洲组建了多少个姐妹帮帮团", "创业贷款发放了多少万元", "最美家庭", "两癌筛查"]


@pytest.fixture(scope="module")
def reports() -> dict[str, list[Entry]]:
    """Each seed report's passages as the indexer stores them, with their BM25 tokens."""
    out: dict[str, list[Entry]] = {}
    for path, name in named_reports([SEEDS]):
        text = read_report(path, name).text
        sha = hashlib.sha256(text.encode()).hexdigest()
        city, year = detect_city(text), detect_year(text)
        entries = []
        for c in chunk_report(name, text, sha):
            meta = ChunkMeta(c.doc, city, year, c.section_path, c.index, c.start, c.end, sha)
            entries.append(Entry(c.id, c.text, meta, tokens(embed_text(meta, c.text))))
        out[name] = entries
    return out


def _view(lex: LexIndex) -> dict:
    """Everything a question can see of the index."""
    return {
        "stats": dataclasses.replace(lex.stats, version=0, avg_idf=round(lex.stats.avg_idf, 9)),
        "reports": lex.reports(),
        "search": [[(c.id, round(s, 9)) for c, s in lex.search(tokens(q), 30)] for q in QUESTIONS],
        "grams": [lex.gram_df(g) for g in ("巧手", "妇女", "家庭", "帮帮", "2020")],
        "quoted": lex.quoted_in("评选最美家庭和陇原巧手的情况"),
        "contains": [lex.contains(s) for s in ("陇原巧手", "姐妹帮帮团", "火星基地", "北京")],
    }


def test_adds_changes_and_removals_equal_a_fresh_build(tmp_path, reports):
    names = sorted(reports)
    grown = LexIndex(tmp_path / "grown", "store")
    for name in names:  # one report at a time, as uploads come
        assert grown.apply(reports[name], []) == len(reports[name])
    assert grown.apply(reports[names[0]], []) == 0  # re-applied: nothing twice
    changed = names[1]  # a changed report: half its passages replaced by new ones
    old = reports[changed]
    new = [dataclasses.replace(e, id=e.id + "-v2", text=e.text + "新增内容。") for e in old[::2]]
    grown.apply(new, [e.id for e in old[::2]])
    grown.apply([], [e.id for e in reports[names[2]]])  # a removed report
    grown.apply([], ["no-such-chunk"])

    final = [e for n in names if n != names[2] for e in (reports[n] if n != changed else old[1::2] + new)]
    fresh = LexIndex(tmp_path / "fresh", "store")
    fresh.apply(final, [])
    assert _view(grown) == _view(fresh)
    assert grown.stats.n == len(final) and names[2] not in {r.doc for r in grown.reports()}


def test_scores_are_okapi_bm25_of_a_full_scan(tmp_path, reports):
    entries = [e for name in sorted(reports) for e in reports[name]]
    lex = LexIndex(tmp_path / "lex", "store")
    lex.apply(entries, [])
    reference = BM25Okapi([e.toks for e in entries])
    for q in QUESTIONS:
        scores = reference.get_scores(tokens(q))
        best = sorted(((-s, i) for i, s in enumerate(scores) if s > 0))[:10]
        got = lex.search(tokens(q), 10)
        assert [(entries[i].id, round(-s, 9)) for s, i in best] == [(c.id, round(s, 9)) for c, s in got], q


def test_reopened_or_interrupted_index_answers_the_same_without_tokenising(tmp_path, reports, monkeypatch):
    path = tmp_path / "lex"
    lex = LexIndex(path, "store")
    lex.apply([e for name in sorted(reports) for e in reports[name]], [])
    before = _view(lex)
    with sqlite3.connect(path / "table.sqlite") as db:  # as if a write stopped between the table and postings
        db.execute("UPDATE state SET value = '1' WHERE key = 'dirty'")

    def no_tokenising(*args, **kwargs):
        raise AssertionError("tokenised again")

    monkeypatch.setattr(core.text, "tokens", no_tokenising)
    monkeypatch.setattr(core.text, "jieba", no_tokenising)
    reopened = LexIndex(path, "store")
    monkeypatch.undo()
    assert _view(reopened) == before
    assert LexIndex(path, "another store").stats.n == 0  # another collection's index is not reused


def test_filters_restrict_to_reports_cities_and_years(tmp_path, reports):
    entries = [e for name in sorted(reports) for e in reports[name]]
    lex = LexIndex(tmp_path / "lex", "store")
    lex.apply(entries, [])
    q = tokens(normalize("妇女培训多少人"))
    everything = lex.search(q, 1000)
    by = {e.id: e.meta for e in entries}
    doc = sorted(reports)[1]
    city, year = by[reports[doc][0].id].city, by[reports[doc][0].id].year
    for kwargs, keep in (
        ({"docs": [doc]}, lambda m: m.doc == doc),
        ({"cities": [city]}, lambda m: m.city == city),
        ({"years": [year]}, lambda m: m.year == year),
        ({"docs": [doc], "years": [1999]}, lambda m: False),
    ):
        got = lex.search(q, 10, **kwargs)
        expected = [(c.id, round(s, 9)) for c, s in everything if keep(c.meta)][:10]
        assert [(c.id, round(s, 9)) for c, s in got] == expected, kwargs
    assert lex.search([], 5) == [] and lex.search(["从未出现的词"], 5) == []


def test_the_places_and_names_the_reports_use_are_spelt_in_pinyin(tmp_path, reports):
    from qa.corpus import Vocabulary

    lex = LexIndex(tmp_path / "lex", "store")
    lex.apply([e for name in sorted(reports) for e in reports[name]], [])
    assert "芦淞" in lex.terms()
    vocab = Vocabulary(lex)
    assert vocab.romanised("how many people did the lusong market training serve?") == {"lusong": ("芦淞",)}
    assert vocab.romanised("how many women were trained?") == {}
