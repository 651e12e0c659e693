"""Approximate nearest neighbours: an HNSW index over an embedding's unit vectors.

The index finds *candidates*; :class:`n2v_lite.NodeEmbedding` scores them
exactly (cosine of the unit vectors) and applies its filters, so an answer's
similarities are always exact and only its recall is approximate. This module
is array-in, array-out: rows in, rows out; ids stay with the embedding.

The library is `usearch <https://github.com/unum-cloud/usearch>`_ (the
``ann`` extra: ``pip install "n2v-lite[ann]"``): wheels for Linux, macOS and
Windows on every Python the package supports, one small compiled library with
no further dependencies, an index that saves to and restores from bytes (so it
travels inside the model file), and batch search on all cores. Without it,
every query is exact.

Examples
--------
>>> import numpy as np
>>> unit = np.eye(3, dtype=np.float32)
>>> index = AnnIndex.build(unit) if ann_available() else None
>>> rows = index.search(unit[:1], 1) if index is not None else np.array([[0]])
>>> rows.tolist()
[[0]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .exceptions import ModelFileError, N2VLiteError, ParameterError
from .validation import check_int

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


__all__ = ["AnnIndex", "AnnUnavailableError", "ann_available", "exact_top_k", "INDEX_DEFAULTS"]

#: The index's settings: graph degree, and the candidate lists kept while adding
#: and while searching (larger: better recall, slower). Vectors are held as float16
#: in the index (half the memory, faster): candidates are re-scored exactly anyway.
INDEX_DEFAULTS = {"connectivity": 16, "expansion_add": 128, "expansion_search": 64}
_DTYPE = "f16"


_ADD_ROWS = 1 << 15  # rows added to an index per call


class AnnUnavailableError(N2VLiteError, ImportError):
    """The approximate index needs the ``ann`` extra (usearch)."""


def ann_available() -> bool:
    """Whether the ``ann`` extra (usearch) can be imported."""
    try:
        _usearch()
    except AnnUnavailableError:
        return False
    return True


def _usearch():
    try:
        from usearch.index import Index
    except ImportError as error:
        raise AnnUnavailableError(
            f"the approximate index needs usearch: pip install 'n2v-lite[ann]' ({error})"
        ) from None
    return Index


class AnnIndex:
    """An HNSW index over ``rows`` unit vectors, keyed by row.

    Build with :meth:`build`; :meth:`search` returns candidate rows (-1
    where fewer were found). ``params`` holds the settings it was built with
    (see :data:`INDEX_DEFAULTS`), ``nbytes`` its memory.
    """

    def __init__(self, index: Any, rows: int, dimensions: int, params: dict[str, int]) -> None:
        self._index, self.rows, self.dimensions = index, rows, dimensions
        self.params = dict(params)

    def __repr__(self):
        settings = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"<AnnIndex {self.rows} rows x {self.dimensions}, {settings}>"

    @property
    def nbytes(self) -> int:
        """Memory held by the index (vectors and graph), in bytes."""
        return int(self._index.memory_usage)

    @classmethod
    def build(
        cls,
        unit: np.ndarray,
        *,
        connectivity: int | None = None,
        expansion_add: int | None = None,
        expansion_search: int | None = None,
        threads: int | None = None,
        progress: Callable[[int, int], Any] | None = None,
    ) -> AnnIndex:
        """Index the rows of ``unit`` (float32, unit length; held as float16).

        ``threads``: None or 0 uses every core. ``progress``: a callable taking
        (done, total), called as rows are added.
        """
        index_cls = _usearch()
        params = dict(INDEX_DEFAULTS)
        for name, value in (
            ("connectivity", connectivity),
            ("expansion_add", expansion_add),
            ("expansion_search", expansion_search),
        ):
            if value is not None:
                params[name] = check_int(name, value, minimum=2)
        unit = np.ascontiguousarray(unit, dtype=np.float32)
        if unit.ndim != 2 or not len(unit):
            raise ParameterError(f"an index needs a 2-D array of rows, got shape {unit.shape}")
        index = index_cls(ndim=unit.shape[1], metric="cos", dtype=_DTYPE, **params)
        keys = np.arange(len(unit), dtype=np.uint64)
        for start in range(0, len(unit), _ADD_ROWS):  # in chunks, to report progress
            stop = min(len(unit), start + _ADD_ROWS)
            index.add(keys[start:stop], unit[start:stop], threads=_threads(threads))
            if progress is not None:
                progress(stop, len(unit))
        return cls(index, len(unit), unit.shape[1], params)

    def search(self, queries: np.ndarray, count: int, threads: int | None = None) -> np.ndarray:
        """The ``count`` best candidate rows of each query (rows of ``queries``),
        as an int64 array ``(len(queries), count)``; -1 pads missing candidates."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        count = min(check_int("count", count, minimum=1), self.rows)
        index = self._index
        if index.expansion_search < count:  # HNSW returns at most its candidate list
            index.expansion_search = count
        found = index.search(queries, count, threads=_threads(threads))
        keys = np.asarray(found.keys, dtype=np.int64).reshape(len(queries), -1)
        # one query gives Matches (a count of found), many give BatchMatches (counts)
        counts = np.asarray(
            getattr(found, "counts", None) if hasattr(found, "counts") else [len(found)]
        ).reshape(-1)
        keys[np.arange(keys.shape[1])[None, :] >= counts[:, None]] = -1
        index.expansion_search = self.params["expansion_search"]
        return keys

    def to_bytes(self) -> bytes:
        """The index as bytes (what a model file stores)."""
        return bytes(self._index.save())

    @classmethod
    def from_bytes(
        cls, data: bytes, rows: int, dimensions: int, params: dict[str, int], where: str = "index"
    ) -> AnnIndex:
        """Restore :meth:`to_bytes`'s output, checked against the embedding's shape."""
        index_cls = _usearch()
        try:
            # bytes: older usearch (2.16, the lowest supported) restores from a path or bytes only
            data = data if isinstance(data, bytes) else np.asarray(data).tobytes()
            index = index_cls.restore(data, view=False)
        except Exception as error:  # noqa: BLE001 - usearch raises RuntimeError and others
            raise ModelFileError(f"{where}: not a readable index ({error})") from None
        if index is None or len(index) != rows or index.ndim != dimensions:
            shape = None if index is None else (len(index), index.ndim)
            raise ModelFileError(
                f"{where}: the index holds {shape} rows x dimensions, the "
                f"vectors {(rows, dimensions)}; rebuild it"
            )
        index.expansion_search = int(
            params.get("expansion_search", INDEX_DEFAULTS["expansion_search"])
        )
        return cls(index, rows, dimensions, params)


def exact_top_k(unit: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top ``k`` other rows of ``unit`` for each of ``rows`` by dot product (cosine
    for unit vectors), themselves excluded, best first, ties by the smaller row:
    ``(neighbour rows, similarities)``, each ``(len(rows), k)``; one matrix product."""
    scores = unit[rows] @ unit.T
    scores[np.arange(len(rows)), rows] = -np.inf
    part = (
        np.argpartition(-scores, k - 1, axis=1)[:, :k]
        if k < unit.shape[0] - 1
        else np.argsort(-scores, axis=1, kind="stable")[:, :k]
    )
    top = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -top), axis=-1)
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(top, order, axis=1)


def _threads(threads):
    return 0 if threads is None else check_int("threads", threads, minimum=0)
