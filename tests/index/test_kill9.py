"""``kill -9`` at several points of a multi-step ``fulian-qa index`` run over two reports (23 steps of two
passages): after each kill the next run resumes, and the store ends with exactly the chunk set of an
uninterrupted run (real processes, real store and model). CI kills at three points (each point is a process
start, ~30 s on a busy 2-core machine); ``FQA_KILL_POINTS=1,2,3,4,5`` runs the five of docs/reliability.md."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from index.store import ChromaStore
from tests.conftest import ROOT, SEEDS

# kill after this many stored steps of each successive run (at most 23 in all)
POINTS = tuple(int(p) for p in os.environ.get("FQA_KILL_POINTS", "1,3,5").split(","))
REPORTS = ("000_50db6e2cd06eea04.txt", "003_4eae8feafdbcf8d2.txt")


def _index_run(folder: Path, env: dict[str, str], kill_after: int | None) -> tuple[int, int]:
    """Run ``fulian-qa index -v FOLDER``; SIGKILL it after ``kill_after`` stored steps. (returncode, steps seen)."""
    cmd = [sys.executable, "-m", "fulian_qa", "index", "-v", str(folder)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    steps = 0
    for line in proc.stderr:
        if "stored" in line and "new passages" in line:
            steps += 1
            if kill_after is not None and steps == kill_after:
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.stderr.close()
    return proc.wait(timeout=300), steps


def test_kill_9_at_several_points_then_resume_gives_the_uninterrupted_chunk_set(
    fresh_settings, seeded_settings, embedder, tmp_path
):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in REPORTS:
        shutil.copy(SEEDS / name, folder / name)
    env = {**os.environ, "FQA_DATA_DIR": str(fresh_settings.data_dir), "FQA_WRITE_STEP": "2"}
    for point in POINTS:
        code, steps = _index_run(folder, env, point)
        assert (code, steps) == (-signal.SIGKILL, point)
    code, _ = _index_run(folder, env, None)
    assert code == 0
    resumed = {c.id for c in ChromaStore.from_settings(fresh_settings, embedder.name).chunks()}
    uninterrupted = ChromaStore.from_settings(seeded_settings, embedder.name).chunks({"doc": {"$in": list(REPORTS)}})
    assert resumed == {c.id for c in uninterrupted} and len(resumed) == 46
