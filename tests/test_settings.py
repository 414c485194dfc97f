"""Every setting is read from FQA_* and documented in the README."""

from __future__ import annotations

from core.settings import Settings, settings_doc
from tests.conftest import ROOT


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, _default, _help in settings_doc():
        assert f"`{name}`" in readme, f"{name} missing from README"


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FQA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FQA_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("FQA_CHROMA_PORT", "8123")
    monkeypatch.setenv("FQA_API_TOKEN", "t")
    s = Settings()
    assert (s.data_dir, s.chroma_host, s.chroma_port, s.api_token) == (tmp_path, "127.0.0.1", 8123, "t")
