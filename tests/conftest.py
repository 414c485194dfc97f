"""Shared fixtures: the real embedding model and a real Chroma store holding the seed reports.

The model is converted once per test session into a shared cache; the seeds are indexed once into a
session tmp dir. Tests that write to a store make their own (``fresh_settings``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
_EXIT: dict[str, int] = {}


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT["status"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End the test process with the session's status once everything is reported, without the interpreter's
    tear-down: the native threads of the encoder, the store clients and the lexical index have crashed it at exit
    after every test passed (as ``fulian-qa`` itself ends with ``os._exit``)."""
    if "status" in _EXIT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT["status"])


@pytest.fixture(scope="session")
def models_cache(tmp_path_factory) -> Path:
    """One data dir whose models/ holds the converted embedding model for the whole session."""
    return tmp_path_factory.mktemp("shared-data")


def _settings(data_dir: Path, models_from: Path, **extra) -> Settings:
    models = data_dir / "models"
    data_dir.mkdir(parents=True, exist_ok=True)
    if not models.exists():
        (models_from / "models").mkdir(parents=True, exist_ok=True)
        models.symlink_to(models_from / "models", target_is_directory=True)
    return Settings(data_dir=data_dir, **extra)


@pytest.fixture(scope="session")
def embedder(models_cache):
    from index.embed import get_embedder

    settings = Settings(data_dir=models_cache)
    return get_embedder(settings.embed_model, settings.models_dir, settings.encoder)


@pytest.fixture(scope="session")
def seeded_settings(tmp_path_factory, models_cache, embedder) -> Settings:
    """Settings for a store with the five seed reports indexed (read-only for tests)."""
    from index.indexer import Indexer
    from index.store import ChromaStore

    settings = _settings(tmp_path_factory.mktemp("seeded"), models_cache)
    store = ChromaStore.from_settings(settings, embedder.name)
    outcomes = Indexer(embedder, store, settings.chunk_size, settings.chunk_overlap).index_paths([SEEDS])
    assert all(o.status == "indexed" for o in outcomes), outcomes
    return settings


@pytest.fixture(scope="session")
def system(seeded_settings, embedder):
    """The running parts over the seeded store (shared; do not write through it)."""
    from qa.system import System

    return System.from_settings(seeded_settings, embedder=embedder)


@pytest.fixture(scope="session")
def service(system):
    """The answer service over the seeded store (shared)."""
    return system.service


def make_system(settings: Settings, embedder):
    """A system of a test's own (for tests that write)."""
    from qa.system import System

    return System.from_settings(settings, embedder=embedder)


@pytest.fixture
def fresh_settings(tmp_path, models_cache) -> Settings:
    """Settings for an empty store of this test's own."""
    return _settings(tmp_path / "data", models_cache)
