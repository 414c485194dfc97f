"""Property-based tests of the chunker (hypothesis): for any text — numbered lines, no punctuation, one huge
line, tables, headings, quotes — chunks have exact offsets, respect the size, lose nothing and repeat
nothing beyond the overlap."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.chunk import chunk_report

PIECES = st.sampled_from(
    ["一、", "（二）", "1、", "2.", "一是", "# ", "## ", "。", "！", "？", "；", "，", "、", "：", "\n", "\n\n", " ",
     "“", "”", "《", "》", "（", "）", "|", "---", "\t", "3426人", "107.06%", "陇原巧手", "妇联", "培训",
     "abc", "Women", "2020年"]
)
TEXT = st.lists(st.one_of(PIECES, st.text(min_size=1, max_size=30)), max_size=120).map("".join)
SIZES = st.tuples(st.integers(min_value=20, max_value=300), st.integers(min_value=0, max_value=80))


def _check(text: str, size: int, overlap: int) -> None:
    chunks = chunk_report("r.txt", text, "sha", size, overlap)
    covered = [False] * len(text)
    for c in chunks:
        assert text[c.start : c.end] == c.text  # exact offsets
        assert 0 < len(c.text) <= size  # bounded size
        for i in range(c.start, c.end):
            covered[i] = True
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))  # nothing lost
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.start < b.start and a.end < b.end  # in order, each chunk adds text
        shared = text[b.start : a.end] if b.start < a.end else ""
        assert sum(not ch.isspace() for ch in shared) <= overlap  # nothing repeated beyond the overlap
    assert [c.index for c in chunks] == list(range(len(chunks)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, SIZES)
def test_any_text(text, sizes):
    _check(text, *sizes)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=400), SIZES)
def test_numbered_lines(n, sizes):
    _check("\n".join(f"{i}、第{i}项工作" for i in range(1, n + 1)), *sizes)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="妇联培训陇原巧手天水人3426abc ", min_size=1, max_size=3000), SIZES)
def test_one_huge_line_without_punctuation(text, sizes):
    _check(text, *sizes)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="妇联12名人数", max_size=12), min_size=1, max_size=8), max_size=60), SIZES)
def test_tables(rows, sizes):
    _check("\n".join("|" + "|".join(r) + "|" for r in rows), *sizes)


def test_markdown_heading_longer_than_the_size():
    _check("# " + "标题" * 2000 + "\n正文。", 260, 60)


def test_a_hard_cut_at_the_very_end_of_the_text():
    from index.chunk import _safe_cut

    assert _safe_cut("培训abc123", 0, 8) == 8  # nothing after the cut to split a word with
    assert _safe_cut("培训 abc123def", 0, 9) == 3  # inside a Latin run: moved back to its start
