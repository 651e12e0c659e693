"""Shared utilities: the one seed -> Generator rule and atomic writes."""

import os
from pathlib import Path

import numpy as np
import pytest

from n2v_lite._utils import as_generator, atomic_write, check_writable


def test_as_generator():
    rng = np.random.default_rng(0)
    assert as_generator(rng) is rng
    assert as_generator(3).integers(100) == np.random.default_rng(3).integers(100)
    with pytest.raises(TypeError):
        as_generator(np.random.RandomState(0))


def test_atomic_write_keeps_old_file_on_failure_and_uses_umask_mode(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(path) as handle:
            handle.write("half")
            raise RuntimeError("boom")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["out.txt"]
    with atomic_write(path) as handle:
        handle.write("new")
    umask = os.umask(0)
    os.umask(umask)
    assert path.read_text() == "new"
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


# ---------------------------------------------------------------- the output rule
def test_an_output_that_is_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "models" / "real.n2v"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.n2v"
    link.symlink_to(target)
    with atomic_write(link) as handle:
        handle.write("new")
    assert link.is_symlink() and target.read_text() == "new"  # the link stays a link
    assert sorted(os.listdir(target.parent)) == ["real.n2v"]  # no temporary file left
    assert check_writable(link) == link


@pytest.mark.parametrize("where", ["fifo", "/dev/null", "/dev/stdout", "/proc/self/fd/1"])
def test_devices_pipes_and_streams_are_refused_as_outputs(tmp_path, where):
    import stat

    from n2v_lite.exceptions import OutputError

    path = tmp_path / "pipe" if where == "fifo" else Path(where)
    if where == "fifo":
        os.mkfifo(path)
    before = os.lstat(path).st_mode
    for write in (lambda: check_writable(path), lambda: atomic_write(path).__enter__()):
        with pytest.raises(OutputError, match=r"cannot write: it is (a pipe|a device|in /dev)"):
            write()
    assert os.lstat(path).st_mode == before  # still what it was
    assert (
        stat.S_ISFIFO(before)
        or stat.S_ISCHR(before)
        or stat.S_ISLNK(before)
        or where.startswith("/proc")
    )


@pytest.mark.parametrize(
    "edges, expected",
    [
        ("1\t2\n", "Error: m.n2v: cannot write (File too large); it is left as it was\n"),
        # more walks than the limit: the walk spool, in TMPDIR, is what fails first
        (
            "1\t2\n2\t3\n3\t4\n",
            "Error: {tmp}: cannot write scratch files (File too large); "
            "set TMPDIR to a folder with more room\n",
        ),
    ],
)
def test_a_full_disk_names_the_place_and_keeps_the_old_file(tmp_path, edges, expected):
    """A write that fails for space (here: a file size limit, EFBIG) is one error line
    naming the output or the scratch folder; the old file stays, no temporary file is
    left."""
    import resource
    import subprocess
    import sys

    (tmp_path / "e.tsv").write_text(edges)
    (tmp_path / "m.n2v").write_text("old")
    (tmp_path / "tmp").mkdir()

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    out = subprocess.run(
        [sys.executable, "-m", "n2v_lite", "embed", "e.tsv", "--out", "m.n2v", "--quiet"],
        cwd=tmp_path,
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
            "TMPDIR": str(tmp_path / "tmp"),
        },
    )
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == expected.format(tmp=tmp_path / "tmp")
    assert (tmp_path / "m.n2v").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["e.tsv", "m.n2v", "tmp"]
    assert os.listdir(tmp_path / "tmp") == []


WRITER = """
import sys, time
from n2v_lite._utils import atomic_write
path, fill, ready = sys.argv[1], sys.argv[2], sys.argv[3:]
for _ in range(1 if ready else 30):
    with atomic_write(path) as handle:
        for _ in range(200):
            handle.write(fill * 5000)
        if ready:                      # stop half-written, say so, wait to be killed
            open(ready[0], "w").close()
            time.sleep(60)
"""


def _writer(tmp_path, *args):
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.Popen([sys.executable, "-c", WRITER, *map(str, args)], cwd=tmp_path, env=env)


def test_two_writers_of_one_output_leave_one_whole_file(tmp_path):
    path = tmp_path / "out.txt"
    writers = [_writer(tmp_path, path, fill) for fill in "ab"]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    text = path.read_text()
    assert text in ("a" * 1_000_000, "b" * 1_000_000)  # one of them, whole
    assert os.listdir(tmp_path) == ["out.txt"]


def test_kill_9_mid_write_keeps_the_old_file_and_the_next_save_cleans_up(tmp_path):
    import signal
    import time

    path = tmp_path / "out.txt"
    path.write_text("old")
    ready = tmp_path / "ready"
    writer = _writer(tmp_path, path, "x", ready)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert writer.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    ready.unlink()
    left = [n for n in os.listdir(tmp_path) if n != "out.txt"]
    assert path.read_text() == "old" and len(left) == 1 and left[0].startswith(".out.txt.")
    with atomic_write(path) as handle:  # the next save of that name
        handle.write("new")
    assert path.read_text() == "new" and os.listdir(tmp_path) == ["out.txt"]
