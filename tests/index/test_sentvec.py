"""Evidence-sentence vectors are computed at index time and used at question time (real model, real Chroma)."""

from __future__ import annotations

import numpy as np

from core.sentences import evidence_sentences
from index.indexer import Indexer
from index.load import read_report_bytes
from index.sentvec import SentenceVectors
from index.store import ChromaStore
from tests.conftest import make_system

REPORT = (
    "青山市妇联2024年工作总结\n"
    "一、巾帼建功\n"
    "全年举办家政服务培训班12期,培训家政服务员888人。\n"
    "组建巾帼志愿服务队120支,其中城区45支、农村75支。\n"
    "二、家庭建设\n"
    "评选“青山最美家庭”60户,开展家庭教育讲座30场,近900名家长参加。\n"
)


def _indexer(settings, embedder, store) -> Indexer:
    return Indexer(embedder, store, settings.chunk_size, settings.chunk_overlap)


def test_every_evidence_sentence_gets_its_vector_at_index_time(fresh_settings, embedder):
    store = ChromaStore.from_settings(fresh_settings, embedder.name)
    _indexer(fresh_settings, embedder, store).index_report(read_report_bytes("qingshan.txt", REPORT.encode()))
    chunks = store.chunks()
    stored = SentenceVectors(store).get([c.id for c in chunks])
    expected = {(c.id, s.start, s.end) for c in chunks for s in evidence_sentences(c.text)}
    assert set(stored) == expected and expected
    # the stored vector is the passage encoding of exactly that sentence
    (chunk_id, start, end), vector = next(iter(stored.items()))
    text = next(c.text for c in chunks if c.id == chunk_id)[start:end]
    assert float(vector @ embedder.encode_passages([text])[0]) > 0.999


def test_english_questions_encode_no_passage_text(fresh_settings, embedder):
    system = make_system(fresh_settings, embedder)
    system.reports.add("qingshan.txt", REPORT.encode())
    extractive = system.service.extractive
    before = extractive.encoded_at_query
    ans = system.service.ask("How many domestic service workers did Qingshan train?")
    assert ans.found and "888" in ans.answer
    assert extractive.encoded_at_query == before


def test_removing_a_report_removes_its_sentence_vectors(fresh_settings, embedder):
    store = ChromaStore.from_settings(fresh_settings, embedder.name)
    indexer = _indexer(fresh_settings, embedder, store)
    indexer.index_report(read_report_bytes("qingshan.txt", REPORT.encode()))
    sentences = SentenceVectors(store)
    assert sentences.chunks_with_vectors("qingshan.txt")
    indexer.remove("qingshan.txt")
    assert sentences.chunks_with_vectors("qingshan.txt") == set()


def test_an_index_without_sentence_vectors_is_backfilled(fresh_settings, embedder):
    store = ChromaStore.from_settings(fresh_settings, embedder.name)
    report = read_report_bytes("qingshan.txt", REPORT.encode())
    _indexer(fresh_settings, embedder, store).index_report(report)
    sentences = SentenceVectors(store)
    sentences.delete_doc("qingshan.txt")  # as an index built before sentence vectors were kept
    outcome = _indexer(fresh_settings, embedder, store).index_report(report)
    assert outcome.status == "unchanged"
    assert sentences.chunks_with_vectors("qingshan.txt") == {c.id for c in store.chunks()}
    vectors = sentences.get([c.id for c in store.chunks()])
    assert all(np.isclose(np.linalg.norm(v), 1.0, atol=1e-3) for v in vectors.values())


def test_a_web_pages_date_and_hit_count_line_is_no_evidence():
    text = "乐清市妇女联合会\n发布日期: 2020- 03- 11 15 : 57 浏览次数: 字体:[ ]\n全年举办讲座12场。"
    assert [text[s.start : s.end] for s in evidence_sentences(text)] == ["乐清市妇女联合会", "全年举办讲座12场。"]
    published = [text[s.start : s.end] for s in evidence_sentences(text, page_lines=True)]
    assert published[1].startswith("发布日期: 2020- 03- 11")  # kept for a question asking when it was published
    bare = "来源:齐鲁网\n2023-06-19 18:07:06\n全年举办讲座12场。"
    assert "2023-06-19 18:07:06" in [bare[s.start : s.end] for s in evidence_sentences(bare, page_lines=True)]
