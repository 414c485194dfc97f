"""A dense search scoped to a few reports is exact over their stored vectors and agrees with the store's own
filtered query; a wide scope still goes to the store. Real Chroma store of the seed reports, real model."""

from __future__ import annotations

import numpy as np
import pytest

import qa.retrieve
from qa.plan import Options

QUESTIONS = [
    "天水培训了多少陇原巧手",
    "株洲组建了多少个姐妹帮帮团",
    "東營2020年婦聯做了什麼",
    "How many women did Leqing train?",
]


@pytest.fixture(scope="module")
def searcher(system):
    return system.service.searcher


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_scoped_dense_search_is_the_stores_filtered_query(searcher, question):
    query = searcher.parse(question)
    docs, _ = searcher.scope(query, None, Options())
    assert 0 < len(docs) < len(searcher.corpus.catalog.doc_city)  # the question names a place
    vector = searcher.embedder.encode_queries([query.norm])[0]
    exact = searcher.dense(vector, 10, set(docs))
    stored = searcher.store.query(vector, 10, {"doc": {"$in": docs}})
    assert [c.id for c, _ in exact] == [c.id for c, _ in stored]
    assert [c for c, _ in exact] == [c for c, _ in stored]  # text and metadata as the store gives them
    assert np.allclose([s for _, s in exact], [s for _, s in stored], atol=1e-4)
    assert {c.doc for c, _ in exact} <= set(docs)


def test_a_wide_scope_goes_to_the_store(searcher, monkeypatch):
    query = searcher.parse("天水培训了多少陇原巧手")
    docs, _ = searcher.scope(query, None, Options())
    vector = searcher.embedder.encode_queries([query.norm])[0]
    asked: list[object] = []
    real = searcher.store.query

    def counted(*args):
        asked.append(args[2])
        return real(*args)

    monkeypatch.setattr(searcher.store, "query", counted)
    searcher.dense(vector, 5, set(docs))
    assert asked == []  # within EXACT_MAX chunks: the exact search, no store query
    monkeypatch.setattr(qa.retrieve, "EXACT_MAX", 1)
    wide = searcher.dense(vector, 5, set(docs))
    assert asked == [{"doc": {"$in": docs}}] and len(wide) == 5


def test_the_store_gives_vectors_by_id_and_skips_unknown_ids(searcher):
    ids = sorted(searcher.store.all_ids())[:3]
    found, matrix = searcher.store.vectors([*ids, "no-such-chunk"])
    assert sorted(found) == ids and matrix.shape == (3, 384)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-3)


def test_english_questions_also_rank_passages_by_their_nearest_sentence(searcher):
    query = searcher.parse("How many 'sisters help groups' did Zhuzhou set up?")
    ranked = searcher.search(query, 5)
    plain = searcher.search(query, 5, options=Options(sentences=False))
    near = searcher.sentences(ranked.query_vector, 40, ranked.allowed_docs)
    assert "sentences" in ranked.timings and "sentences" not in plain.timings
    wide = {h.chunk.id: h.score for h in searcher.search(query, 30).hits}
    wide_plain = {h.chunk.id: h.score for h in searcher.search(query, 30, options=Options(sentences=False)).hits}
    assert near and near[0] in wide  # the nearest sentence's passage is retrieved, and scores higher for it
    assert wide[near[0]] > wide_plain.get(near[0], 0.0)
    # the chunks named are within the asked city's report, ordered by their best sentence (no repeats)
    assert len(near) == len(set(near)) and {c.meta.doc for c in searcher.corpus.chunks(near).values()} == set(
        ranked.allowed_docs
    )
    assert any("姐妹帮帮团" in h.chunk.text for h in ranked.hits)


def test_chinese_questions_rank_passages_by_words_and_passage_vectors_only(searcher):
    ranked = searcher.search(searcher.parse("株洲组建了多少个姐妹帮帮团"), 5)
    assert "sentences" not in ranked.timings and ranked.hits


def test_a_passage_the_questions_words_meet_far_more_than_any_other_leads(searcher, monkeypatch):
    question = searcher.parse("东营开了座谈会、编印了政策汇编以后，还组织了哪些活动让政策落细落地？")
    ranked = searcher.search(question, 5)
    assert "编印政策汇编" in ranked.hits[0].chunk.text  # BM25's first by far, whatever the passage vectors say
    monkeypatch.setattr(qa.retrieve, "BM25_DOMINANT", float("inf"))
    fused = searcher.search(question, 5)
    assert [h.chunk.id for h in fused.hits] != [h.chunk.id for h in ranked.hits]  # the bonus is what moved it
