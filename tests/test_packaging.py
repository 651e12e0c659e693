"""What ``pip install .`` installs: the wheel holds every package file the code reads.

Tests import the checkout, so a file missing from ``setup.cfg``'s package data (the
bundled MovieLens copy, the explorer page's HTML/CSS/JS) would pass every other test and
fail only for users. This builds the wheel from a copy of the checkout, offline.
"""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_every_package_file_and_stays_small(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(
        ROOT / "n2v_lite",
        source / "n2v_lite",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    for name in ("setup.cfg", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "wheel"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    (wheel,) = (tmp_path / "wheel").glob("n2v_lite-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packed = {name for name in archive.namelist() if name.startswith("n2v_lite/")}
    expected = {
        path.relative_to(source).as_posix()
        for path in (source / "n2v_lite").rglob("*")
        if path.is_file()
    }
    assert expected - packed == set(), "files the package has but the wheel lacks"
    assert "n2v_lite/data/explorer/script.js" in packed  # (the check sees data files)
    assert wheel.stat().st_size < 2_000_000  # the bundled MovieLens copy: under 2 MB growth
