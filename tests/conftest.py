"""Shared test fixtures.

MovieLens tests use the copy bundled with the package, so they run anywhere.
Tests that need the benchmark graphs in ``../shared`` find them through the
``N2V_LITE_SHARED`` environment variable (default: ``../shared`` beside the
repository) and are skipped, with a message saying so, when they are absent.
"""

import lzma
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("N2V_LITE_SHARED", REPO.parent / "shared"))
MOVIELENS = SHARED / "data" / "ml-latest-small"
GRAPHS = SHARED / "data" / "graphs"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never read or write the user's real data cache from a test."""
    monkeypatch.setenv("N2V_LITE_DATA", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def movielens_dir(tmp_path_factory):
    """ml-latest-small as plain CSV files: the bundled copy, decompressed."""
    from n2v_lite.movielens import BUNDLED_DIR

    folder = tmp_path_factory.mktemp("ml-latest-small")
    for name in ("ratings.csv", "movies.csv"):
        (folder / name).write_bytes(lzma.decompress((BUNDLED_DIR / f"{name}.xz").read_bytes()))
    return folder


@pytest.fixture(scope="session")
def graphs_dir():
    if not GRAPHS.is_dir():
        pytest.skip(f"benchmark graphs not found at {GRAPHS} (set N2V_LITE_SHARED)")
    return GRAPHS


#: Tests whose fixtures need an optional tool get its marker, so that
#: ``-m "not spark and not browser"`` runs the core suite (what CI runs on every Python).
_MARKED_FIXTURES = {"spark": "spark", "browser": "browser"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, marker in _MARKED_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(getattr(pytest.mark, marker))
