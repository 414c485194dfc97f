"""The scale benchmark's synthetic archives: deterministic, distinct, calibrated, and matched by the vector cache.

The whole benchmark runs as ``python bench/scale.py --smoke`` in ``make test``; these check the parts that decide
what it measures, on the real seed reports and the product's own chunker and city/year detection.
"""

from __future__ import annotations

import random
import re
from itertools import islice

import pytest

from bench.scale_archive import CITIES, Piece, Seed, build_archive, count_passages, reports, vary
from bench.scale_vectors import Keys, pieces
from core.text import normalize
from index.meta import detect_city, detect_year
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def seed() -> Seed:
    return Seed.read(SEEDS)


def test_the_seed_reports_are_cut_into_sections_and_openings(seed):
    assert sorted(seed.cities) == ["东营", "乐清", "天水", "昌邑", "株洲"]
    assert len(seed.sections) > 20 and seed.openings
    assert all(any(not p.heading for p in section) for section in seed.sections)


def test_archives_are_deterministic_and_reports_distinct(seed):
    first = list(islice(reports(seed, 7), 6))
    assert first == list(islice(reports(seed, 7), 6))
    assert [t for _, t, _, _ in first] != [t for _, t, _, _ in islice(reports(seed, 8), 6)]
    assert len({t for _, t, _, _ in first}) == len(first)


def test_the_product_detects_each_reports_city_and_year(seed):
    made = list(islice(reports(seed, 0), 20))
    assert all(detect_city(text) == city for _, text, city, _ in made)
    assert sum(detect_year(text) == year for _, text, _, year in made) >= 18  # a seed may name another year more
    assert all(city in CITIES and 2000 <= year <= 2025 for _, _, city, year in made)


def test_a_paragraph_moves_city_and_year_and_scales_figures_keeping_units():
    piece = Piece("", "天水", 2016, False)
    text = "1、天水市2016年培训“陇原巧手”3426人,完成年计划的107.06%,覆盖88.5%的乡镇;3月8日举办大赛。"
    got = vary(text, piece, "株洲", 2021, ["天水"], random.Random(3))
    assert got.startswith("1、株洲市2021年培训“陇原巧手”") and "天水" not in got
    people = re.search(r"巧手”(\d+)人", got)
    assert people and people.group(1) != "3426"
    assert re.search(r"年计划的\d+\.\d{2}%", got) and "3月8日" in got
    share = re.search(r"覆盖(\d+\.\d)%", got)
    assert share and float(share.group(1)) <= 100


def test_a_varied_sentence_finds_its_seed_sentences_vector(seed):
    """Every sentence of a paragraph moved to another city and year keeps its seed sentence's cache key."""
    keys = Keys(CITIES)
    rng = random.Random(1)
    checked = 0
    for section in seed.sections:
        for piece in section:
            city, year = rng.choice(CITIES), rng.randint(2000, 2025)
            moved = pieces(normalize(vary(piece.text, piece, city, year, seed.cities, rng)))
            assert [keys.of(s) for s in moved] == [keys.of(s) for s in pieces(normalize(piece.text))], piece.text
            checked += len(moved)
    assert checked > 300


def test_an_archive_is_calibrated_to_the_chunkers_passages_and_reused(tmp_path):
    archive = build_archive(tmp_path / "a", 400, SEEDS, 260, 60, seed_value=2)
    files = sorted((tmp_path / "a").rglob("*.txt"))
    assert archive.files == len(files) and len(list((tmp_path / "a" / "seed").glob("*.txt"))) == 5
    counted = sum(count_passages(p.read_text(encoding="utf-8"), 260, 60) for p in files)
    assert counted == archive.passages and 400 <= archive.passages < 400 + 60
    stamp = files[-1].stat().st_mtime_ns
    assert build_archive(tmp_path / "a", 400, SEEDS, 260, 60, seed_value=2) == archive
    assert files[-1].stat().st_mtime_ns == stamp


def _result(size: int, backend: str, p50: float, startup: float, **extra) -> dict:
    """One (size, store) result as ``bench.scale.measure`` returns it, with the figures the report reads."""
    stages = {
        "total": {"p50": p50, "p95": 2 * p50},
        "cpu": {"p50": p50 / 2, "p95": p50},
        "retrieve": {"p50": 9.0, "p95": 20.0},
    }
    restart = {"startup_s": startup, "startup_cpu_s": startup / 2, "from_settings_s": 1.0, "warm_up_s": startup - 1,
               "process_to_ready_s": startup + 2, "peak_rss_mb": 900.0}
    index = {"seconds": 100.0, "passages": size, "cache_misses_encoded": 3} | extra.pop("index", {})
    return {"size": size, "backend": backend, "archive": {"files": size // 20, "passages": size}, "index": index,
            "first_start": None, "restart": restart, "stages": stages, "found_share": 0.9, "disk_mb": 50.0,
            "server_rss_mb": 300.0} | extra


def test_the_report_names_partial_and_served_runs_and_judges_the_targets():
    from bench.scale import report

    partial = _result(100_000, "local", 500.0, 12.0, archive={"files": 2_000, "passages": 40_000,
                                                               "partial_of": 100_005})
    served = _result(100_000, "server", 700.0, 20.0, index={"served": True},
                     archive={"files": 2_000, "passages": 40_000, "partial_of": 100_005})
    run = {"date": "d", "machine": "m", "load_start": "1 1 1", "load_end": "2 2 2", "wall_s": 60.0,
           "git": {"commit": "abc", "subject": "s", "dirty": ""}, "questions": 218,
           "cache": {"keys": 500, "seed_encoded": 0},
           "encoder": {"model": "e5", "raw_passages": 64, "raw_passages_per_s": 20.0, "pipeline_passages": 64,
                       "pipeline_passages_per_s": 8.0, "composed_cosine_mean": 0.96, "composed_cosine_min": 0.93},
           "results": [_result(1_000, "local", 200.0, 5.0), partial, _result(1_000, "server", 300.0, 6.0), served]}
    text = report(run)
    assert "| 40,000 | 2,000 | server | (the local store, served) | - | - | 50 MB |" in text
    assert "The 100,000 archive (100,005 passages) was indexed for 2 min" in text
    assert "passages of its first 2,000 reports" in text
    assert ("- local: query p50 at 40,000 passages is 2.50× the 1,000 figure (target ≤ 2×: not met); app-server "
            "start-up (restart) 12.0 s (target ≤ 15 s: met); in the app process's CPU time, which the shared load "
            "does not inflate: query p50 2.50×, start-up 6.0 s.") in text
    assert "- server: query p50 at 40,000 passages is 2.33× the 1,000 figure" in text
    assert "start-up (restart) 20.0 s (target ≤ 15 s: not met); in the app process's CPU time" in text
    assert "measured at the commits" not in text  # one commit (none recorded here)
