"""Small shared pieces: the random generator, progress bars, atomic file writes.

Every stage uses these, so there is exactly one way to turn a seed into a
generator, one progress-bar style (stderr, silenced by ``progress=False``) and
one way to write a file that is never left half-written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

import numpy as np

from .exceptions import N2VLiteError, ParameterError, StorageError

__all__ = [
    "as_generator",
    "default_workers",
    "progress_bar",
    "atomic_write",
    "atomic_path",
    "check_writable",
    "RemotePath",
    "remote_path",
    "atomic_open",
    "REMOTE_TEMP",
]


def as_generator(seed=None):
    """Turn ``seed`` into a :class:`numpy.random.Generator`, once.

    ``None`` gives fresh OS entropy, an int (or SeedSequence) a reproducible
    generator, and an existing Generator is returned unchanged (so callers can
    thread one generator through every stage). The global numpy RNG is never
    used.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.RandomState):
        raise ParameterError("pass an int seed or a numpy.random.Generator, not a RandomState")
    return np.random.default_rng(seed)


def default_workers():
    """The number of CPUs this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def progress_bar(iterable=None, *, total=None, desc=None, unit="it", enabled=True, **kwargs):
    """A tqdm progress bar on stderr; a silent pass-through when ``enabled`` is False.

    Bars are also hidden when stderr is not a terminal unless
    ``N2V_LITE_PROGRESS=1`` is set, so logs and pipes stay clean.
    """
    from tqdm.auto import tqdm

    force = os.environ.get("N2V_LITE_PROGRESS")
    if force is not None:
        show = enabled and force not in ("0", "")
    else:
        show = enabled and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        disable=not show,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
        **kwargs,
    )


def _temp_prefix(path):
    return f".{path.name}."


def _remove_stale_temps(path):
    """Remove temporary files of earlier saves to ``path`` whose process is gone.

    Temporary names carry the writer's pid (``.NAME.<pid>.XXXX.tmp``); a save
    killed by SIGKILL leaves one behind, and the next save of the same name
    removes it. Files of a live process (a concurrent save) are left alone.
    """
    prefix = _temp_prefix(path)
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent if str(path.parent) else "."):
            name = entry.name
            if not name.startswith(prefix):
                continue
            pid, _, rest = name[len(prefix) :].partition(".")
            if not rest:
                continue
            if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours
        return True
    return True


def _fsync_dir(directory):
    with contextlib.suppress(OSError):  # not every platform/filesystem allows it
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def uri_scheme(text):
    """The scheme of a URI (``"hdfs"`` for ``hdfs://nn/x``), or None for a plain path."""
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]+)://", text)
    return match.group(1) if match else None


class RemotePath:
    """A file or folder at a URI (``hdfs://``, ``s3a://``, ...), read and written
    through fsspec: the few :class:`pathlib.Path` methods walk folders use.

    Only :func:`remote_path` makes one, for the texts that
    :func:`n2v_lite.corpus.folder_path` says are remote.
    """

    def __init__(self, uri, fs, path):
        self.uri, self.fs, self.path = uri, fs, path

    def _ask(self, method, *args, **kwargs):
        """``self.fs.method(*args, **kwargs)``; an error of the driver's own type (not an
        ``OSError``: botocore's ``NoCredentialsError``, say) becomes a one-line
        :class:`~n2v_lite.exceptions.StorageError` naming this URI."""
        try:
            return getattr(self.fs, method)(*args, **kwargs)
        except (OSError, N2VLiteError):
            raise
        except Exception as exc:
            reason = (str(exc).strip().splitlines() or [""])[0]
            raise StorageError(
                f"{self.uri}: the {uri_scheme(self.uri)}:// store refused "
                f"({type(exc).__name__}{': ' if reason else ''}{reason})"
            ) from None

    def __truediv__(self, name):
        return RemotePath(
            f"{self.uri.rstrip('/')}/{name}", self.fs, f"{self.path.rstrip('/')}/{name}"
        )

    def __str__(self):
        return self.uri

    def __repr__(self):
        return f"RemotePath({self.uri!r})"

    def __eq__(self, other):
        return isinstance(other, RemotePath) and other.uri == self.uri

    def __hash__(self):
        return hash(self.uri)

    @property
    def name(self):
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    def resolve(self):
        return self

    # every question about what is there asks the store, not fsspec's listing cache:
    # other processes (the executors) write these folders

    def _fresh(self):
        self._ask("invalidate_cache", self.path)
        return self.path

    def exists(self):
        return bool(self._ask("exists", self._fresh()))

    def is_file(self):
        return bool(self._ask("isfile", self._fresh()))

    def is_dir(self):
        return bool(self._ask("isdir", self._fresh()))

    def mkdir(self, parents=False, exist_ok=False):
        self._ask("makedirs", self.path, exist_ok=True)  # nothing to make on an object store

    def iterdir(self):
        try:
            children = self._ask("ls", self._fresh(), detail=False)
        except FileNotFoundError:  # an object store's "folder" before its first file
            return
        for child in children:
            name = str(child).rstrip("/").rsplit("/", 1)[-1]
            if name:
                yield self / name

    def stat(self):
        size = int(self._ask("size", self._fresh()))
        return os.stat_result((0, 0, 0, 0, 0, 0, size, 0, 0, 0))

    def open(self, mode="rb"):
        return self._ask("open", self.path, mode)

    def read_text(self, encoding="utf-8"):
        with self.open("rb") as handle:
            return handle.read().decode(encoding)

    def unlink(self, missing_ok=False):
        if missing_ok and not self._ask("exists", self.path):
            return
        self._ask("rm", self.path)

    def rmtree(self):
        if self._ask("exists", self.path):
            self._ask("rm", self.path, recursive=True)

    def replace(self, target):
        """Move onto ``target`` (removed first: a Hadoop rename does not overwrite)."""
        if self._ask("exists", target.path):
            self._ask("rm", target.path)
        self._ask("mv", self.path, target.path)


def remote_path(text):
    """``text``, a URI whose scheme is not ``file`` (which text is a remote location is
    :func:`n2v_lite.corpus.folder_path`'s rule), as a :class:`RemotePath`. Needs fsspec,
    and fsspec's driver for the scheme (pyarrow for ``hdfs://``, s3fs for ``s3a://``);
    a missing one is a :class:`ParameterError` naming what to install."""
    scheme = uri_scheme(text)
    try:
        import fsspec
    except ImportError:
        raise ParameterError(
            f"{text}: {scheme}:// locations need fsspec (pip install 'n2v-lite[cluster]')"
        ) from None
    try:
        fs, path = fsspec.core.url_to_fs(text)
    except (ImportError, ValueError, OSError) as exc:  # unknown scheme, no driver, no JVM
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ParameterError(f"{text}: cannot open {scheme}:// locations ({reason})") from None
    return RemotePath(text, fs, path)


#: :func:`atomic_open`'s temporary name at a URI, ``.NAME.PID.tmp``: a dot name, which
#: readers skip. A killed write leaves one; the next writer of the folder removes it.
REMOTE_TEMP = re.compile(r"\.(.+)\.(\d+)\.tmp")


@contextlib.contextmanager
def atomic_open(path):
    """A binary file object for ``path`` (a Path or a :class:`RemotePath`), written
    under a temporary name beside it and renamed onto it on success; on failure the
    temporary file is removed and ``path`` is left as it was."""
    if not isinstance(path, RemotePath):
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            yield handle
        return
    hidden = f".{path.name}.{os.getpid()}.tmp"  # a dot name: readers skip it
    tmp = RemotePath(
        path.uri[: len(path.uri) - len(path.name)] + hidden,
        path.fs,
        path.path[: len(path.path) - len(path.name)] + hidden,
    )
    try:
        with tmp.open("wb") as handle:
            yield handle
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(Exception):
            tmp.unlink(missing_ok=True)
        raise


def special_kind(path):
    """What ``path`` (followed through symlinks) is when it exists but is neither a
    regular file nor a folder: ``"a device"``, ``"a pipe"``, ``"a socket"``; else None.
    Readers and writers refuse such paths by this one test (a device read or replaced
    as if it were a file never ends well)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"


def output_target(path):
    """The file a write to ``path`` replaces: ``path``, or a symlink's target.

    The rule of every output: a symlink is followed (the link stays, its target gets
    the new contents, as the user meant), and what is there must be a regular file
    or nothing. A device, pipe or socket (``/dev/full``), and anything in ``/dev`` or
    ``/proc`` (``/dev/stdout`` is a link to whatever the stream is), is refused, not
    replaced by a file, which as root would remove it from ``/dev``.

    Raises
    ------
    OutputError
        ``path`` (or its target) exists and is not a regular file or a folder
        (folders are the caller's to judge).
    """
    from .exceptions import OutputError

    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    kind = special_kind(target)  # (nothing there yet, or a dangling link: None)
    if kind:
        raise OutputError(f"{path}: cannot write: it is {kind}, not a file")
    if os.path.lexists(path) and (_stream_path(path) or _stream_path(target)):
        raise OutputError(
            f"{path}: cannot write: it is in /dev or /proc, not a file (give a file name)"
        )
    return target


#: Errors of writing itself (full disk, quota, file size limit, read-only, I/O): said
#: as "cannot write PATH", since the operating system's message names no file.
_SPACE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_WRITE_ERRORS = _SPACE_ERRORS | {errno.EROFS, errno.EIO}


@contextlib.contextmanager
def scratch_errors(folder):
    """Name the folder when scratch files (walk spools) cannot be written for space."""
    from .exceptions import N2VLiteError, OutputError

    try:
        yield
    except OSError as exc:
        if isinstance(exc, N2VLiteError) or exc.errno not in _SPACE_ERRORS:
            raise
        raise OutputError(
            f"{folder}: cannot write scratch files ({exc.strerror}); set TMPDIR to a folder "
            "with more room"
        ) from None


def _stream_path(path):
    """True for paths in /proc or /dev (streams and devices), except /dev/shm (files)."""
    parts = Path(os.path.abspath(path)).parts
    return parts[1:2] == ("proc",) or (parts[1:2] == ("dev",) and parts[2:3] != ("shm",))


def check_writable(path, create_parent=False):
    """Fail before any long work when ``path`` cannot be written; returns it as a Path.

    Makes (and removes) a temporary file beside ``path``, so a missing folder,
    a read-only place or a full directory is reported at once, naming the
    user's path, not an internal temporary file. ``create_parent`` makes the
    folder first (for outputs that are folders).

    Raises
    ------
    OutputError
        The path is a folder, or the file cannot be created there.
    """
    from .exceptions import OutputError

    given = Path(path)
    path = output_target(given)
    if path.is_dir():
        raise OutputError(f"{given}: cannot write: it is a folder")
    directory = path.parent if str(path.parent) else Path(".")
    try:
        if create_parent:
            directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=directory, prefix=f"{_temp_prefix(path)}{os.getpid()}.", suffix=".tmp"
        )
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if not directory.is_dir():
            reason = f"no folder {directory}"
        elif isinstance(exc, FileNotFoundError):  # e.g. /proc: a folder that takes no files
            reason = "files cannot be created in that folder"
        raise OutputError(f"{given}: cannot write ({reason})") from None
    return given


@contextlib.contextmanager
def atomic_path(path, suffix=None):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On any exception (or KeyboardInterrupt) the temporary file is removed and
    ``path`` is left as it was, so a failed write never leaves a broken file.
    The file and its folder are fsynced before and after the rename, so a
    power cut cannot leave a renamed but empty file; temporary files left by
    killed earlier saves of the same name are removed. A symlink's target is
    written; a device or pipe is refused (:func:`output_target`).
    """
    path = output_target(path)
    directory = path.parent if str(path.parent) else Path(".")
    _remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(
        dir=directory,
        prefix=f"{_temp_prefix(path)}{os.getpid()}.",
        suffix=suffix if suffix is not None else ".tmp",
    )
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
    try:
        yield Path(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        _fsync_dir(directory)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
            from .exceptions import OutputError

            raise OutputError(
                f"{path}: cannot write ({exc.strerror}); it is left as it was"
            ) from None
        raise


@contextlib.contextmanager
def atomic_write(path, mode="w", **open_kwargs):
    """Open a temporary file beside ``path`` for writing; rename it onto ``path`` on success."""
    if "b" not in mode:
        open_kwargs.setdefault("encoding", "utf-8")
        open_kwargs.setdefault("newline", "\n")
    with atomic_path(path) as tmp, open(tmp, mode, **open_kwargs) as handle:
        yield handle
