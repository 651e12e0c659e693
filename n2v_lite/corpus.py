"""Walk folders: node2vec walks written once as reusable text files.

A walk folder (format ``"n2v_lite-walks"``, version 1) holds the walks of
:func:`n2v_lite.walks.random_walks` as plain text, so that walking and
training can run separately, a failed training restarts from the walks, and
other engines (Spark executors) can write the same walks in pieces::

    DIR/
      manifest.json   written last: its presence means the folder is complete
      nodes.npy       the node-id table (row i = node index i), stored with
                      n2v_lite.ids.encode_node_ids (kind in the manifest)
      counts.npy      int64 occurrences of each node index over all partitions
      part-00000.txt  one walk per line: node indices as decimal ints
      part-00001.txt  separated by single spaces, '\\n' line ends, padding
      ...             after a dead end omitted

``DIR`` is a path, a ``file://`` URI, or any URI fsspec reads and writes
(``hdfs://``, ``s3a://``, ...): see :func:`folder_path`.

Rows are in the local engine's order (row ``k`` starts at node ``k % n`` in
round ``k // n``) and partition ``i`` holds a contiguous range of rows. Every
file is written to a temporary name and renamed, so a partition file is
either complete or absent.

The manifest::

    {"format": "n2v_lite-walks", "format_version": 1 (2 with "utf8" ids), "num_nodes": n,
     "node_id_kind": "int" | "str" | "json" | "utf8",
     "walks": {"num_walks", "walk_length", "p", "q", "seed"},
     "graph": {"directed", "weighted", "num_edges"},
     "partitions": [{"file": "part-00000.txt", "rows": r, "tokens": t,
                     "bytes": b}, ...],
     "rows": R, "tokens": T, "n2v_lite_version": "..."}

Writing
-------
:func:`write_walk_folder` walks a graph straight into a folder with bounded
memory (one walk block plus one encoded chunk). Engines that produce the rows
elsewhere call :func:`write_walk_partition` once per partition (it returns
the partition's manifest entry and node counts) and then
:func:`finish_walk_folder` once.

Reading
-------
:func:`read_walk_folder` (or :class:`WalkFolder`) checks the manifest and
the files and iterates the walks as ``int`` arrays padded with
:data:`~n2v_lite.walks.PAD`, exactly the rows of ``random_walks``.
:func:`n2v_lite.word2vec.train_word2vec` trains from a folder directly.

Examples
--------
>>> import tempfile, numpy as np
>>> from n2v_lite.graph import Graph
>>> from n2v_lite.walks import random_walks
>>> g = Graph.from_edges([0, 1, 2], [1, 2, 3], directed=True)
>>> folder = write_walk_folder(g, tempfile.mkdtemp() + "/walks", num_walks=2,
...                            walk_length=4, seed=0, progress=False)
>>> folder
<WalkFolder 4 nodes, 8 walks of up to 4 nodes, 20 tokens, 1 partition>
>>> bool((np.concatenate(list(folder)) == random_walks(g, 2, 4, seed=0)).all())
True
>>> print(open(folder.paths[0]).read().splitlines()[:4])
['0 1 2 3', '1 2 3', '2 3', '3']
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._utils import REMOTE_TEMP, RemotePath, atomic_open, remote_path, uri_scheme
from ._walktext import ENCODE_TOKENS, READ_BYTES, TextEncoder, check_rows, line_blocks
from .exceptions import N2VLiteError, ParameterError
from .ids import ID_KINDS, decode_node_ids, decode_values, encode_node_ids, encode_values
from .validation import check_int, check_positive, check_seed

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterator, Sequence
    from typing import Any

    from .graph import Graph


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "WalkFolder",
    "WalkFolderError",
    "folder_path",
    "read_walk_folder",
    "write_walk_folder",
    "write_walk_partition",
    "read_walk_partition",
    "finish_walk_folder",
    "partition_name",
    "prepare_walk_folder",
]

#: The ``"format"`` value of a walk folder's manifest.
FORMAT = "n2v_lite-walks"
#: The newest walk-folder version this reads (2: text ids may be stored as UTF-8); a
#: folder says the oldest version that reads it: 2 only when its ids need it.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
NODES = "nodes.npy"
COUNTS = "counts.npy"
NODE_DATA = "node_data.npz"
_PART_RE = re.compile(r"part-(\d{5,})\.txt")
#: Default partition size: about this many bytes of text.
_PARTITION_BYTES = 64 << 20
_RERUN = "rerun `n2v-lite walks`"


class WalkFolderError(N2VLiteError, OSError):
    """A walk folder is incomplete, truncated, corrupt or of another format.

    The message names the folder and the file (and the line for a bad line).
    """


def partition_name(index: int) -> str:
    """The file name of partition ``index``.

    Examples
    --------
    >>> partition_name(3)
    'part-00003.txt'
    """
    return f"part-{check_int('index', index, minimum=0):05d}.txt"


def _write_partition(folder, index, chunks, encoder):
    """Write one partition from row chunks; return its entry plus ``"counts"``."""
    name = partition_name(index)
    counts = None  # one array of num_nodes beside each chunk's, not two
    rows = size = 0
    with atomic_open(folder / name) as handle:
        for chunk in chunks:
            chunk, chunk_counts = check_rows(chunk, encoder.num_nodes)
            counts = chunk_counts if counts is None else np.add(counts, chunk_counts, out=counts)
            rows += chunk.shape[0]
            step = max(1, ENCODE_TOKENS // max(1, chunk.shape[1]))
            for begin in range(0, chunk.shape[0], step):
                data = encoder.encode(chunk[begin : begin + step])
                handle.write(data)
                size += len(data)
    if counts is None:
        counts = np.zeros(encoder.num_nodes, dtype=np.int64)
    return {
        "file": name,
        "rows": rows,
        "tokens": int(counts.sum()),
        "bytes": size,
        "counts": counts,
    }


def write_walk_partition(
    folder: str | os.PathLike[str] | RemotePath,
    index: int,
    walks: np.ndarray,
    *,
    num_nodes: int | None = None,
) -> dict[str, Any]:
    """Write partition ``index`` of a walk folder from an array of walk rows.

    The piece a distributed engine runs once per partition (on any machine
    that sees ``folder``); the driver then calls :func:`finish_walk_folder`
    with the returned entries.

    Parameters
    ----------
    folder : path
        The walk folder (created if missing).
    index : int
        Partition number, >= 0; partition ``i`` must hold the rows that come
        right after those of partition ``i - 1``.
    walks : ndarray of int, shape (rows, walk_length), or iterable of such arrays
        Node indices; ``-1`` (padding after a dead end) is left out of the file.
    num_nodes : int, optional
        Size of the node table (length of the returned counts). Default: the
        largest index in ``walks`` plus one (an array only).

    Returns
    -------
    dict
        The partition's manifest entry, ``{"file", "rows", "tokens",
        "bytes"}``, plus ``"counts"``: int64 occurrences of each node index in
        this partition (``finish_walk_folder`` sums them).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> folder = tempfile.mkdtemp()
    >>> entry = write_walk_partition(folder, 0, np.array([[0, 2, 1], [1, 0, -1]]), num_nodes=4)
    >>> {k: v for k, v in entry.items() if k != "counts"}
    {'file': 'part-00000.txt', 'rows': 2, 'tokens': 5, 'bytes': 10}
    >>> entry["counts"].tolist()
    [2, 2, 1, 0]
    >>> open(f"{folder}/part-00000.txt").read()
    '0 2 1\\n1 0\\n'
    """
    folder = folder_path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if num_nodes is None:
        if not isinstance(walks, np.ndarray):
            raise ParameterError("num_nodes is needed when walks is not one array")
        num_nodes = int(walks.max()) + 1 if walks.size else 1
    encoder = TextEncoder(check_int("num_nodes", num_nodes))
    chunks = [walks] if isinstance(walks, np.ndarray) else walks
    return _write_partition(folder, index, chunks, encoder)


def finish_walk_folder(
    folder: str | os.PathLike[str] | RemotePath,
    *,
    node_ids: Sequence[Hashable] | np.ndarray,
    partitions: Sequence[dict[str, Any]],
    counts: np.ndarray | None = None,
    walks_params: dict[str, Any],
    graph_info: dict[str, Any],
    node_data: dict[str, Sequence] | dict[str, np.ndarray] | None = None,
) -> WalkFolder:
    """Write ``nodes.npy``, ``counts.npy`` and, last, ``manifest.json``.

    Parameters
    ----------
    folder : path
        The folder holding the partition files.
    node_ids : sequence
        The node id of each node index (``graph.node_ids``).
    partitions : list of dict
        The entries returned by :func:`write_walk_partition`, in row order
        (their ``"counts"`` are summed when ``counts`` is not given).
    counts : ndarray of int, optional
        Occurrences of each node index over all partitions.
    walks_params : dict
        ``num_walks``, ``walk_length``, ``p``, ``q`` and ``seed`` (int or None).
    graph_info : dict
        ``directed``, ``weighted`` and ``num_edges`` of the walked graph.
    node_data : dict of str to array, optional
        Node metadata columns by node index (titles, genres, degree...), kept
        in ``node_data.npz`` so that an embedding trained from the folder has
        them too.

    Returns
    -------
    WalkFolder
        The finished folder, opened (which checks it).

    Raises
    ------
    WalkFolderError
        A partition file is missing, or the entries do not add up.
    """
    from . import __version__

    folder = folder_path(folder)
    node_ids = list(node_ids)
    ids, kind = encode_node_ids(node_ids, compact=True)
    num_nodes = len(node_ids)
    entries = []
    for i, part in enumerate(partitions):
        if part["file"] != partition_name(i):
            raise WalkFolderError(
                f"{folder}: partition {i} is {part['file']!r}, expected "
                f"{partition_name(i)!r} (partitions must be given in order)"
            )
        entries.append(
            {
                k: int(part[k]) if k != "file" else part[k]
                for k in ("file", "rows", "tokens", "bytes")
                if k in part
            }
        )
    if counts is None:
        counts = np.zeros(num_nodes, dtype=np.int64)
        for part in partitions:
            part_counts = np.asarray(part["counts"], dtype=np.int64)
            counts[: len(part_counts)] += part_counts
    counts = np.asarray(counts, dtype=np.int64)
    if counts.shape != (num_nodes,):
        raise ParameterError(f"counts has shape {counts.shape}, expected ({num_nodes},)")
    params = {k: walks_params[k] for k in ("num_walks", "walk_length", "p", "q")}
    seed = walks_params.get("seed")
    params["seed"] = int(seed) if isinstance(seed, (int, np.integer)) else None
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": 2 if kind == "utf8" else 1,  # the oldest reader that can
        "num_nodes": num_nodes,
        "node_id_kind": kind,
        "walks": {
            "num_walks": int(params["num_walks"]),
            "walk_length": int(params["walk_length"]),
            "p": float(params["p"]),
            "q": float(params["q"]),
            "seed": params["seed"],
        },
        "graph": {
            "directed": bool(graph_info["directed"]),
            "weighted": bool(graph_info["weighted"]),
            "num_edges": int(graph_info["num_edges"]),
        },
        "partitions": entries,
        "rows": sum(e["rows"] for e in entries),
        "tokens": sum(e["tokens"] for e in entries),
        "n2v_lite_version": __version__,
    }
    columns: dict[str, Any] = {}
    for name, column in (node_data or {}).items():
        columns[str(name)], kind = encode_values(column)
        manifest.setdefault("node_data", {})[str(name)] = kind
        if len(columns[str(name)]) != num_nodes:
            raise ParameterError(
                f"node metadata {name!r} has {len(column)} values for {num_nodes} nodes"
            )
    if columns:
        with atomic_open(folder / NODE_DATA) as handle:
            np.savez(handle, **columns)
    if int(counts.sum()) != manifest["tokens"]:
        raise WalkFolderError(
            f"{folder}: the node counts add up to {int(counts.sum())} tokens "
            f"but the partitions hold {manifest['tokens']}"
        )
    for name, array in ((NODES, ids), (COUNTS, counts)):
        with atomic_open(folder / name) as handle:
            np.save(handle, array, allow_pickle=False)
    with atomic_open(folder / MANIFEST) as handle:
        handle.write(json.dumps(manifest, indent=1).encode() + b"\n")
    return WalkFolder(folder)


def _default_partition_rows(num_nodes, walk_length):
    """Rows that make about :data:`_PARTITION_BYTES` of text (uniform node frequencies)."""
    digits = np.arange(1, len(str(max(num_nodes - 1, 0))) + 1)
    below = np.minimum(10**digits, num_nodes) - np.where(digits > 1, 10 ** (digits - 1), 0)
    token_bytes = float((below * (digits + 1)).sum()) / num_nodes
    return max(1, int(_PARTITION_BYTES // (token_bytes * walk_length)))


def _split_rows(chunks, rows_per_partition):
    """Cut a stream of row chunks into consecutive groups of ``rows_per_partition`` rows.

    Yields one generator per group (consume each before asking for the next).
    """
    chunks = iter(chunks)
    held = None
    while True:
        if held is None or not len(held):
            held = next(chunks, None)
            if held is None:
                return

        def group():
            nonlocal held
            need = rows_per_partition
            while need:
                if held is None or not len(held):
                    held = next(chunks, None)
                    if held is None:
                        return
                take, held = held[:need], held[need:]
                need -= len(take)
                yield take

        yield group()


def folder_path(folder: str | os.PathLike[str] | RemotePath) -> Path | RemotePath:
    """Where a walk folder (or one of its files) is: a path, or a URI.

    The one rule for walk-folder locations, for every reader and writer:

    * a plain path or a ``file://`` URI is a :class:`~pathlib.Path` on this
      machine (on a cluster, a shared mount such as NFS that every executor sees);
    * any other URI (``hdfs://nn/walks``, ``s3a://bucket/walks``, ...) is read
      and written through fsspec (``pip install 'n2v-lite[cluster]'``, plus
      fsspec's driver for the scheme: pyarrow for ``hdfs://``, s3fs for
      ``s3a://``), by the driver and by every executor alike.

    Examples
    --------
    >>> folder_path("file:///shared/walks")
    PosixPath('/shared/walks')
    >>> folder_path("memory://walks/part-00000.txt").name  # doctest: +SKIP
    'part-00000.txt'
    """
    if isinstance(folder, (Path, RemotePath)):
        return folder
    text = os.fspath(folder)
    scheme = uri_scheme(text)
    if scheme is None:
        return Path(text)
    if scheme.lower() == "file":
        from urllib.parse import unquote, urlparse

        parsed = urlparse(text)
        if parsed.netloc not in ("", "localhost"):
            raise WalkFolderError(
                f"{text}: a file:// URI names a path on this machine "
                f"(file:///path), not host {parsed.netloc!r}"
            )
        return Path(unquote(parsed.path))
    return remote_path(text)


def _walk_file(name):
    """Whether ``name`` is one of a walk folder's own files (a partition or the rest)."""
    return name in (MANIFEST, NODES, COUNTS, NODE_DATA) or bool(_PART_RE.fullmatch(name))


def prepare_walk_folder(folder: str | os.PathLike[str] | RemotePath) -> set[str]:
    """Make ``folder`` ready for a new walk folder: the first step of every writer.

    Creates the folder, or takes over an old walk folder in it: its manifest is removed
    first, so the folder reads as incomplete until :func:`finish_walk_folder` writes the
    new one. Any other file is refused and nothing is touched. At a URI, the temporary
    files of writes that were killed (``.NAME.PID.tmp``, which no reader sees) are
    removed too; on a disk each write removes those of its own name whose process is gone.

    Parameters
    ----------
    folder : pathlib.Path
        The walk folder (see :func:`folder_path` for URIs).

    Returns
    -------
    set of str
        The old partitions' file names, for the writer to remove those it does not
        overwrite once the new folder is finished.

    Raises
    ------
    WalkFolderError
        The folder holds files that are not a walk folder's.
    """
    folder = folder_path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entries = list(folder.iterdir())
    names = [p.name for p in entries if not p.name.startswith(".")]
    foreign = [n for n in names if not _walk_file(n)]
    if foreign:
        raise WalkFolderError(
            f"{folder}: not empty and not a walk folder (it holds "
            f"{foreign[0]!r}); give a new or empty folder"
        )
    if MANIFEST in names:  # the folder is incomplete from here until the new manifest
        (folder / MANIFEST).unlink()
    if isinstance(folder, RemotePath):  # no pid to ask on a store that many machines write
        for path in entries:
            leftover = REMOTE_TEMP.fullmatch(path.name)
            if leftover and _walk_file(leftover[1]):
                path.unlink(missing_ok=True)
    return {n for n in names if _PART_RE.fullmatch(n)}


def write_walk_folder(
    graph: Graph,
    folder: str | os.PathLike[str] | RemotePath,
    num_walks: int,
    walk_length: int,
    p: float = 1.0,
    q: float = 1.0,
    seed: int | np.random.Generator | None = None,
    *,
    workers: int | None = None,
    rows_per_partition: int | None = None,
    progress: bool = True,
) -> WalkFolder:
    """Walk ``graph`` and write the walks as a walk folder, in bounded memory.

    The walks are those of :func:`n2v_lite.walks.random_walks` with the same
    arguments, streamed block by block (so memory stays at a few walk blocks
    whatever the graph size) into partition files of ``rows_per_partition``
    rows each.

    Parameters
    ----------
    graph : n2v_lite.Graph
        The graph to walk.
    folder : path
        Output folder: new, empty, or an earlier walk folder (replaced; a
        folder with other files is refused).
    num_walks, walk_length, p, q, seed, workers
        As in :func:`n2v_lite.walks.random_walks`.
    rows_per_partition : int, optional
        Walks per partition file. Default: about 64 MB of text per file.
    progress : bool
        A progress bar (walks written) on stderr.

    Returns
    -------
    WalkFolder

    Examples
    --------
    >>> import tempfile
    >>> from n2v_lite.graph import Graph
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 0], node_ids=["a", "b", "c"])
    >>> f = write_walk_folder(g, tempfile.mkdtemp(), 10, 5, q=2.0, seed=1,
    ...                       rows_per_partition=8, progress=False)
    >>> [part["rows"] for part in f.partitions], f.tokens, f.node_ids
    ([8, 8, 8, 6], 150, ['a', 'b', 'c'])
    >>> f.params["q"], f.params["seed"]
    (2.0, 1)
    """
    from .graph import node_metadata
    from .walks import iter_random_walks

    seed = check_seed("seed", seed)
    folder = folder_path(folder)
    chunks = iter_random_walks(
        graph, num_walks, walk_length, p, q, seed, workers=workers, progress=progress
    )  # checks every walk argument
    if rows_per_partition is None:
        rows_per_partition = _default_partition_rows(graph.num_nodes, walk_length)
    rows_per_partition = check_int("rows_per_partition", rows_per_partition)
    old_parts = prepare_walk_folder(folder)
    encoder = TextEncoder(graph.num_nodes)
    parts = [
        _write_partition(folder, i, group, encoder)
        for i, group in enumerate(_split_rows(chunks, rows_per_partition))
    ]
    for name in old_parts - {part["file"] for part in parts}:
        (folder / name).unlink()
    return finish_walk_folder(
        folder,
        node_ids=graph.node_ids,
        partitions=parts,
        walks_params={
            "num_walks": num_walks,
            "walk_length": walk_length,
            "p": p,
            "q": q,
            "seed": seed if isinstance(seed, (int, np.integer)) else None,
        },
        graph_info={
            "directed": graph.directed,
            "weighted": graph.weighted,
            "num_edges": graph.num_edges,
        },
        node_data=node_metadata(graph),
    )


# ----------------------------------------------------------------- reading
_POW10 = 10 ** np.arange(19, dtype=np.int64)


def _parse_lines(data, walk_length, num_nodes, where, first_line):
    """Text lines of node indices (``data`` ends with a newline) -> rows padded with -1.

    Strict: digits, single spaces between tokens, non-empty lines, no leading
    zeros, indices below ``num_nodes``, at most ``walk_length`` per line.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    newline = buf == 10
    space = buf == 32
    digit = (buf >= 48) & (buf <= 57)
    prev_digit = np.concatenate([[False], digit[:-1]])
    next_digit = np.concatenate([digit[1:], [False]])
    ok = digit | (space & prev_digit & next_digit) | (newline & prev_digit)
    starts = np.flatnonzero(digit & ~prev_digit)
    ends = np.flatnonzero(digit & ~next_digit) + 1
    lengths = ends - starts
    max_digits = len(str(max(num_nodes - 1, 0)))
    bad_token = (lengths > max_digits) | ((buf[starts] == 48) & (lengths > 1))
    if not ok.all() or bad_token.any():
        pos = int(np.argmin(ok)) if not ok.all() else int(starts[np.argmax(bad_token)])
        line = first_line + int(newline[:pos].sum())
        text = bytes(data[data.rfind(b"\n", 0, pos) + 1 : pos + 1])[-40:]
        raise WalkFolderError(
            f"{where}, line {line}: not a walk line of node indices (at {text!r})"
        )
    lines = np.flatnonzero(newline)
    # token values: sum of digit * 10**(places to the token's end)
    digit_pos = np.flatnonzero(digit)
    places = np.repeat(ends, lengths) - 1 - digit_pos
    values = (
        np.add.reduceat(
            (buf[digit_pos] - 48).astype(np.int64) * _POW10[places], np.cumsum(lengths) - lengths
        )
        if len(starts)
        else starts
    )
    row_of = np.searchsorted(lines, starts)
    row_lengths = np.bincount(row_of, minlength=len(lines))
    if len(values) and values.max() >= num_nodes:
        token = int(np.argmax(values))
        raise WalkFolderError(
            f"{where}, line {first_line + int(row_of[token])}: node index "
            f"{int(values[token])} is outside 0..{num_nodes - 1}"
        )
    if len(row_lengths) and row_lengths.max() > walk_length:
        row = int(np.argmax(row_lengths))
        raise WalkFolderError(
            f"{where}, line {first_line + row}: {int(row_lengths[row])} nodes, "
            f"more than walk_length {walk_length}"
        )
    out = np.full((len(lines), walk_length), -1, dtype=np.int32 if num_nodes < 2**31 else np.int64)
    first_token = np.cumsum(row_lengths) - row_lengths
    out[row_of, np.arange(len(values)) - first_token[row_of]] = values
    return out


def read_walk_partition(
    path: str | os.PathLike[str] | RemotePath,
    walk_length: int,
    num_nodes: int,
    *,
    rows: int | None = None,
    tokens: int | None = None,
    chunk_bytes: int = READ_BYTES,
) -> Iterator[np.ndarray]:
    """Yield the walks of one partition file as int arrays padded with ``-1``.

    The counterpart of :func:`write_walk_partition`, for a distributed engine
    that reads partitions where they are (``WalkFolder.partition_chunks``
    reads them through the manifest). Every line is checked; with ``rows``
    and ``tokens`` (the manifest's), so is the file's length.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_walk_partition(folder, 0, np.array([[0, 2, 1], [1, 0, -1]]), num_nodes=3)
    >>> [c.tolist() for c in read_walk_partition(f"{folder}/part-00000.txt", 3, 3)]
    [[[0, 2, 1], [1, 0, -1]]]
    """
    where = folder_path(path)
    done = found = 0
    for block in line_blocks(where, chunk_bytes):
        if not block.endswith(b"\n"):
            raise WalkFolderError(
                f"{where}, line {done + 1}: last line has no end (truncated file); {_RERUN}"
            )
        chunk = _parse_lines(block, walk_length, num_nodes, where, done + 1)
        done += len(chunk)
        found += int((chunk >= 0).sum())
        yield chunk
    if rows is not None and (done, found) != (rows, tokens):
        raise WalkFolderError(
            f"{where}: holds {done} walks and {found} tokens, the "
            f"manifest says {rows} and {tokens}; {_RERUN}"
        )


def _count(value, minimum):
    """Whether a manifest value is an integer of at least ``minimum`` (the rule of
    :func:`n2v_lite.validation.check_int`, without a parameter's upper bound)."""
    return _passes(check_int, value, minimum)


def _positive(value):
    """Whether a manifest value is a positive finite number (the rule of
    :func:`n2v_lite.validation.check_positive`)."""
    return _passes(check_positive, value)


def _passes(check, value, *args):
    try:
        check("value", value, *args)
    except ParameterError:
        return False
    return True


class WalkFolder:
    """A complete walk folder, checked; iterating it yields walk rows in chunks.

    Parameters
    ----------
    folder : path
        A folder written by :func:`write_walk_folder` (or by
        :func:`write_walk_partition` + :func:`finish_walk_folder`).

    Attributes
    ----------
    folder : pathlib.Path
    manifest : dict
        The parsed ``manifest.json``.
    num_nodes : int
    node_ids : list
        The id of each node index, as the graph had them (decoded on first use).
    counts : ndarray of int64
        Occurrences of each node index in the walks.
    partitions : list of dict
        ``{"file", "rows", "tokens", "bytes"}`` per partition file, in row order.
    rows, tokens : int
        Walks and node tokens (padding excluded) over all partitions.
    params : dict
        ``num_walks``, ``walk_length``, ``p``, ``q``, ``seed``.
    graph_info : dict
        ``directed``, ``weighted``, ``num_edges``.

    Raises
    ------
    WalkFolderError
        No manifest (the walks were interrupted), a missing or truncated
        file, another format or version, or counts that do not add up.
    """

    def __init__(self, folder: str | os.PathLike[str] | RemotePath) -> None:
        self.folder = folder_path(folder)
        manifest = self._read_manifest()
        self.manifest = manifest
        self.num_nodes = manifest["num_nodes"]
        self.partitions = manifest["partitions"]
        self.rows = manifest["rows"]
        self.tokens = manifest["tokens"]
        self.params = manifest["walks"]
        self.graph_info = manifest["graph"]
        self.walk_length = self.params["walk_length"]
        self._check_partitions()
        self.counts = self._load(COUNTS)
        if (
            self.counts.shape != (self.num_nodes,)
            or self.counts.dtype.kind not in "iu"
            or int(self.counts.sum()) != self.tokens
        ):
            raise WalkFolderError(
                f"{self.folder / COUNTS}: does not match the manifest "
                f"({self.num_nodes} node counts adding up to {self.tokens}); "
                f"{_RERUN}"
            )
        self.counts = self.counts.astype(np.int64, copy=False)
        self._node_ids: list | None = None

    def _fail(self, name, message):
        raise WalkFolderError(f"{self.folder / name}: {message}")

    def _read_manifest(self):
        path = self.folder / MANIFEST
        if not self.folder.is_dir():
            raise WalkFolderError(f"{self.folder}: no such walk folder")
        if not path.is_file():
            raise WalkFolderError(
                f"{self.folder}: incomplete walk folder (no {MANIFEST}); {_RERUN}"
            )
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            self._fail(MANIFEST, f"not valid JSON ({exc}); {_RERUN}")
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            got = manifest.get("format") if isinstance(manifest, dict) else None
            self._fail(
                MANIFEST, f"not an n2v_lite walk folder (format {got!r}, expected {FORMAT!r})"
            )
        if manifest.get("format_version") not in range(1, FORMAT_VERSION + 1):
            self._fail(
                MANIFEST,
                f"walk-folder format version {manifest.get('format_version')!r}"
                f" is not supported (this n2v_lite reads version "
                f"{FORMAT_VERSION}); rerun `n2v-lite walks` or upgrade",
            )
        for key, kind in (
            ("num_nodes", int),
            ("node_id_kind", str),
            ("walks", dict),
            ("graph", dict),
            ("partitions", list),
            ("rows", int),
            ("tokens", int),
        ):
            if not isinstance(manifest.get(key), kind) or isinstance(manifest[key], bool):
                self._fail(MANIFEST, f"missing or malformed {key!r}")
        walks, graph = manifest["walks"], manifest["graph"]
        checks = {
            "num_nodes": _count(manifest["num_nodes"], 1),
            "node_id_kind": manifest["node_id_kind"] in ID_KINDS,
            "rows": _count(manifest["rows"], 0),
            "tokens": _count(manifest["tokens"], 0),
            "walks.walk_length": _count(walks.get("walk_length"), 1),
            "walks.num_walks": _count(walks.get("num_walks"), 1),
            "walks.p": _positive(walks.get("p")),
            "walks.q": _positive(walks.get("q")),
            "walks.seed": walks.get("seed") is None or _count(walks.get("seed"), 0),
            "graph.directed": isinstance(graph.get("directed"), bool),
            "graph.weighted": isinstance(graph.get("weighted"), bool),
            "graph.num_edges": _count(graph.get("num_edges"), 0),
            "node_data": isinstance(manifest.get("node_data") or {}, dict)
            and all(
                isinstance(k, str) and isinstance(v, str)
                for k, v in (manifest.get("node_data") or {}).items()
            ),
        }
        for key, ok in checks.items():
            if not ok:
                self._fail(MANIFEST, f"missing or malformed {key!r}")
        return manifest

    def _load(self, name):
        path = self.folder / name
        if not path.is_file():
            self._fail(name, f"missing; {_RERUN}")
        try:
            with path.open("rb") as handle:
                return np.load(handle, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            self._fail(name, f"unreadable ({exc}); {_RERUN}")

    def _check_partitions(self):
        rows = tokens = 0
        for i, part in enumerate(self.partitions):
            if not (
                isinstance(part, dict)
                and part.get("file") == partition_name(i)
                and _count(part.get("rows"), 0)
                and _count(part.get("tokens"), 0)
                and ("bytes" not in part or _count(part["bytes"], 0))
            ):
                self._fail(MANIFEST, f"malformed partition entry {i}: {part!r}")
            path = self.folder / part["file"]
            if not path.is_file():
                self._fail(part["file"], f"missing partition file; {_RERUN}")
            size = path.stat().st_size
            if "bytes" in part and size != part["bytes"]:
                self._fail(
                    part["file"],
                    f"{size} bytes, the manifest says {part['bytes']} "
                    f"(truncated or changed); {_RERUN}",
                )
            rows += part["rows"]
            tokens += part["tokens"]
        if (rows, tokens) != (self.rows, self.tokens):
            self._fail(
                MANIFEST,
                f"partitions hold {rows} rows and {tokens} tokens, the "
                f"totals say {self.rows} and {self.tokens}",
            )

    @property
    def node_ids(self) -> list:
        if self._node_ids is None:
            self._node_ids = decode_node_ids(self._load(NODES), self.manifest["node_id_kind"])
            if len(self._node_ids) != self.num_nodes:
                self._fail(NODES, f"{len(self._node_ids)} ids for {self.num_nodes} nodes; {_RERUN}")
        return self._node_ids

    @property
    def node_data(self) -> dict[str, np.ndarray]:
        """Node metadata columns by node index (empty when the graph had none)."""
        kinds = self.manifest.get("node_data") or {}
        if not kinds:
            return {}
        where = self.folder / NODE_DATA
        try:
            with where.open("rb") as handle, np.load(handle, allow_pickle=False) as stored:
                columns = {name: decode_values(stored[name], kind) for name, kind in kinds.items()}
        except (OSError, KeyError, ValueError) as exc:
            raise WalkFolderError(f"{where}: unreadable ({exc}); {_RERUN}") from None
        if any(len(column) != self.num_nodes for column in columns.values()):
            self._fail(NODE_DATA, f"columns do not have {self.num_nodes} values; {_RERUN}")
        return columns

    @property
    def paths(self) -> list[Path | RemotePath]:
        """The partition files, in row order."""
        return [self.folder / part["file"] for part in self.partitions]

    def partition_chunks(
        self, index: int, *, chunk_bytes: int = READ_BYTES
    ) -> Iterator[np.ndarray]:
        """Yield the rows of partition ``index`` as padded int arrays, checking the file."""
        part = self.partitions[index]
        yield from read_walk_partition(
            self.folder / part["file"],
            self.walk_length,
            self.num_nodes,
            rows=part["rows"],
            tokens=part["tokens"],
            chunk_bytes=chunk_bytes,
        )

    def chunks(self) -> Iterator[np.ndarray]:
        """Yield every walk, in row order, as int arrays of ``walk_length`` columns.

        Rows shorter than ``walk_length`` (a dead end) are padded with ``-1``,
        so the arrays concatenate to :func:`n2v_lite.walks.random_walks`'s
        result.
        """
        for index in range(len(self.partitions)):
            yield from self.partition_chunks(index)

    __iter__ = chunks

    def __len__(self) -> int:
        return self.rows

    def __repr__(self):
        n = len(self.partitions)
        return (
            f"<WalkFolder {self.num_nodes} nodes, {self.rows} walks of up to "
            f"{self.walk_length} nodes, {self.tokens} tokens, {n} partition"
            f"{'' if n == 1 else 's'}>"
        )


def read_walk_folder(folder: str | os.PathLike[str] | RemotePath) -> WalkFolder:
    """Open and check a walk folder: the same as ``WalkFolder(folder)``.

    Examples
    --------
    >>> import tempfile
    >>> read_walk_folder(tempfile.mkdtemp())      # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    n2v_lite.corpus.WalkFolderError: ...: incomplete walk folder (no manifest.json); rerun ...
    """
    return WalkFolder(folder)
