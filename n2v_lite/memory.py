"""A memory plan before the work: what a node2vec run will need, and whether it fits.

:func:`estimate_memory` adds up the big allocations of a run from the graph's
size and the run's settings, phase by phase (reading the edge list, walking,
training), and returns bytes per part and the peak
(:func:`estimate_update_memory` does the same for an update of a model);
:func:`check_memory` compares the peak with the memory available and raises
:class:`~n2v_lite.exceptions.MemoryPlanError`, with a suggestion, before
anything is read or written. :func:`parse_memory` reads sizes such as
``"4G"`` or ``"512M"``.

The parts (bytes):

``baseline``
    The Python process with numpy, pandas, scipy and gensim imported (40 MiB
    more where pyarrow is installed: pandas 2+ imports it).
``graph``
    The CSR :class:`~n2v_lite.graph.Graph`: ``indptr`` (8 per node),
    ``indices`` (4 per stored edge), ``weights`` (8 per stored edge), the ids.
``graph_read``
    Transient while an edge list is parsed into the graph (pandas columns,
    factorised ids, sort buffers), per stored edge.
``walk_tables``
    The walk engine's per-edge tables: alias tables for weighted graphs, and
    for ``p, q != 1`` the reverse weights and the ``prev -> x`` edge test
    (a bitset up to 16 MiB, else hash tables), with their build buffers.
``walks``
    The walk array (``rows x walk_length x 4``) when it is held in memory
    (``corpus="memory"``), else a few blocks in flight.
``gensim_weights``
    gensim's two weight matrices, ``num_nodes x dimensions x 4`` each.
``gensim_vocab``
    gensim's vocabulary: a Python key and dict entry per node, counts,
    sampling and cumulative tables (measured per node).
``corpus_spool``
    What feeds gensim: token lists of one walk chunk and its job queue
    (iterable mode), and for a walk folder the scratch of parsing one
    piece of its text. Spooled or folder files live on disk, not in RAM.
``embedding``
    What finishing a fit adds, one step after the other: hashing the node
    ids for the adjacency fingerprints, then the edges in blocks of about
    1M stored edges, then the :class:`~n2v_lite.embedding.NodeEmbedding`'s
    id list and id -> row dict (each measured; the largest counts). The
    vectors and gensim's output weights are adopted, not copied.

The peak is the baseline plus the largest phase: reading (graph +
``graph_read``), walking (graph + tables + walks), training (graph +
walks held + gensim) or finishing (graph + the trained weights +
``embedding``). Training from a walk folder (``corpus="folder"``)
needs no graph at all. :class:`~n2v_lite.model.Node2Vec` keeps the plan
it checked in ``embedding_.info["memory_plan"]`` (peak bytes and phase),
so a saved model says what its run was expected to need.

The constants were measured as peak RSS in fresh processes (MovieLens,
BlogCatalog, a generated 1M-node graph); :data:`TOLERANCE` is the largest
relative error seen there.

Examples
--------
>>> plan = estimate_memory(1_000_000, 10_000_000, dimensions=128, num_walks=10,
...                        walk_length=80, weighted=False)
>>> round(plan["gensim_weights"] / 2**30, 2)          # two 1M x 128 float32 matrices
0.95
>>> plan["phase"]
'train'
>>> check_memory(plan, max_memory="512M")          # doctest: +ELLIPSIS
Traceback (most recent call last):
...
n2v_lite.exceptions.MemoryPlanError: this run needs about ... GiB but 0.50 GiB is allowed ...
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .exceptions import MemoryPlanError, ParameterError
from .validation import check_choice, check_int

if TYPE_CHECKING:
    from typing import Any


__all__ = [
    "estimate_memory",
    "estimate_update_memory",
    "check_memory",
    "parse_memory",
    "available_memory",
    "TOLERANCE",
    "CORPUS_CHOICES",
]

#: Relative error allowed between the estimated and a measured peak (the
#: calibration runs were within 5%).
TOLERANCE = 0.2
#: How the walks are held while training.
CORPUS_CHOICES = ("auto", "memory", "stream", "folder")
#: ``corpus="auto"`` holds the walks in memory up to this size (as Node2Vec does).
AUTO_MEMORY_WALK_BYTES = 256 << 20


def _baseline():
    """:data:`_BASELINE`, plus pyarrow's import where pandas 2+ will import it."""
    import importlib.metadata
    import importlib.util

    try:
        pandas_major = int(importlib.metadata.version("pandas").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        pandas_major = 0
    return _BASELINE + (
        _PYARROW if pandas_major >= 2 and importlib.util.find_spec("pyarrow") else 0
    )


# Measured constants (bytes): peak RSS in fresh processes (see the module notes).
_BASELINE = 137 << 20  # python + numpy, pandas, scipy, gensim, n2v_lite imported
_PYARROW = 40 << 20  # more baseline where pandas 2+ finds pyarrow (it imports it at once)
_READ_PER_EDGE = 25.0  # transient while parsing an edge list, per stored edge
_ALIAS_PER_EDGE = 118.0  # weighted graphs: alias tables and their build buffers
_HASH_PER_EDGE = 113.0  # the prev -> x test as hash tables, with build buffers
_BITSET_BUILD_PER_EDGE = 54.0  # the same test as a bitset, with its build buffers
_BITSET_MAX_BYTES = 16 << 20  # walks._BITSET_MAX_BYTES
_VOCAB_PER_NODE = 170.0  # gensim's vocabulary: keys, their dict, counts, tables
_SPOOL = 24 << 20  # one chunk of token lists and gensim's job queue
_FOLDER_PARSE = 40 << 20  # parsing one 1 MiB piece of a walk folder (_walktext.READ_BYTES)
_EMBEDDING_PER_NODE = 125.0  # NodeEmbedding's id list and id -> row dict
_ID_HASH_PER_NODE = 170.0  # transient while hashing node ids (update.node_id_hashes)
_FINGERPRINT_PER_EDGE = 48.0  # scratch per stored edge of one fingerprint block
_FINGERPRINT_BLOCK = 1 << 20  # update._FINGERPRINT_BLOCK
_BLOCK_CELLS = 1 << 21  # cells of one walk block (walks._MAX_BLOCK_CELLS)
_GIB = 2**30


def estimate_memory(
    num_nodes: int,
    num_stored_edges: int,
    *,
    dimensions: int = 128,
    num_walks: int = 10,
    walk_length: int = 80,
    weighted: bool = True,
    p: float = 1.0,
    q: float = 1.0,
    corpus: str = "auto",
    workers: int = 2,
    id_bytes: int = 8,
    from_file: bool = True,
) -> dict[str, int | str]:
    """Bytes each part of a run needs, and the peak.

    Parameters
    ----------
    num_nodes : int
    num_stored_edges : int
        Edges as the CSR stores them (an undirected edge counts twice, a
        self-loop once): ``graph.num_stored_edges``.
    dimensions, num_walks, walk_length : int
        The run's settings.
    weighted : bool
        Whether the graph has weights other than 1 (alias tables).
    p, q : float
        Return and in-out parameters (``p = q = 1`` needs no second-order tables).
    corpus : {"auto", "memory", "stream", "folder"}
        How the walks reach the trainer: an array in memory, a stream of
        chunks spooled to disk, or a walk folder read by ``n2v-lite train``
        (walking and training in separate processes). ``"auto"`` holds walks
        of up to 256 MiB in memory and streams larger ones.
    workers : int
        Walk and training threads (blocks in flight).
    id_bytes : int
        Bytes per node id (8 for int ids; more for text ids).
    from_file : bool
        Whether the graph is read from an edge list (its parsing transient).

    Returns
    -------
    dict
        ``{part: bytes}`` for every part in the module notes, plus
        ``"peak"`` (bytes), ``"phase"`` (``"read"``, ``"walk"``, ``"train"``
        or ``"finish"``: where the peak is) and ``"corpus"`` (the mode planned).

    Examples
    --------
    >>> plan = estimate_memory(1405, 80086, dimensions=50, num_walks=10, walk_length=80)
    >>> plan["corpus"], round((plan["peak"] - plan["baseline"]) / 2**20)  # above start-up
    ('memory', 30)
    """
    n = check_int("num_nodes", num_nodes)
    e = check_int("num_stored_edges", num_stored_edges, minimum=0)
    d = check_int("dimensions", dimensions)
    rows = check_int("num_walks", num_walks) * n
    length = check_int("walk_length", walk_length)
    workers = check_int("workers", workers)
    corpus = check_choice("corpus", corpus, CORPUS_CHOICES)
    walk_bytes = rows * length * 4
    if corpus == "auto":
        corpus = "memory" if walk_bytes <= AUTO_MEMORY_WALK_BYTES else "stream"
    parts = {"baseline": _baseline()}
    parts["graph"] = _graph_bytes(n, e, id_bytes)
    parts["graph_read"] = int(_READ_PER_EDGE * e) if from_file else 0
    parts["walk_tables"] = _walk_table_bytes(n, e, weighted, p, q)
    in_flight = (workers + 2) * min(walk_bytes, _BLOCK_CELLS * 4)
    parts["walks"] = walk_bytes if corpus == "memory" else in_flight
    parts["gensim_weights"] = 2 * n * d * 4
    parts["gensim_vocab"] = int(_VOCAB_PER_NODE * n)
    parts["corpus_spool"] = _SPOOL + 8 * n + (_FOLDER_PARSE if corpus == "folder" else 0)
    finish = [_EMBEDDING_PER_NODE * n]  # a walk folder's run has no graph to fingerprint
    if corpus != "folder":
        finish += [_fingerprint_bytes(n, e), 8 * n + _EMBEDDING_PER_NODE * n]
    parts["embedding"] = int(max(finish))
    graph_held = 0 if corpus == "folder" else parts["graph"]
    walks_held = parts["walks"] if corpus == "memory" else 0
    phases = {
        "read": parts["graph"] + parts["graph_read"],
        "walk": parts["graph"] + parts["walk_tables"] + parts["walks"],
        "train": graph_held
        + walks_held
        + parts["gensim_weights"]
        + parts["gensim_vocab"]
        + parts["corpus_spool"],
        "finish": graph_held + parts["gensim_weights"] + parts["embedding"],
    }
    if corpus == "folder":  # walking and training run as two commands
        phases["walk"] = parts["graph"] + parts["walk_tables"] + in_flight
    phase = max(phases, key=lambda name: phases[name])
    parts.update(peak=parts["baseline"] + phases[phase], phase=phase, corpus=corpus)
    return parts


def _graph_bytes(n, e, id_bytes):
    return 8 * (n + 1) + 12 * e + int(id_bytes) * n


def _fingerprint_bytes(n, e):
    """Scratch of fingerprinting a graph: hashing the node ids, then the edges in
    blocks (one after the other: the larger counts)."""
    return max(_ID_HASH_PER_NODE * n, 8 * n + _FINGERPRINT_PER_EDGE * min(e, _FINGERPRINT_BLOCK))


def _walk_table_bytes(n, e, weighted, p, q):
    # the alias tables and the edge test are built one after the other: their
    # build buffers do not add up
    alias = int(_ALIAS_PER_EDGE * e) if weighted else 0
    edge_test = reverse = 0
    if not (p == 1 and q == 1):
        reverse = 8 * e if weighted else 0  # reverse weights
        bitset = (n * n + 7) // 8
        if q != 1:  # the prev -> x edge test
            edge_test = (
                bitset + int(_BITSET_BUILD_PER_EDGE * e)
                if bitset <= _BITSET_MAX_BYTES
                else int(_HASH_PER_EDGE * e)
            )
    return 8 * n * 3 + max(alias, edge_test) + reverse  # + start, degree, scratch


def estimate_update_memory(
    model_nodes: int,
    num_nodes: int,
    num_stored_edges: int,
    *,
    dimensions: int = 128,
    walks: int,
    walk_length: int = 80,
    weighted: bool = True,
    p: float = 1.0,
    q: float = 1.0,
    id_bytes: int = 8,
) -> dict[str, int | str]:
    """Bytes each part of an update needs (:func:`n2v_lite.update.update`), and the peak.

    An update holds the model it starts from and the new graph throughout,
    builds the starting weights of the new model (``2 x num_nodes x
    dimensions`` float32, which gensim then trains in place), walks the
    ``walks`` rows that changed and keeps them in memory while training.

    Parameters
    ----------
    model_nodes : int
        Nodes of the model being updated.
    num_nodes, num_stored_edges : int
        The new graph's.
    dimensions, walk_length : int
        The model's settings.
    walks : int
        Walks walked again (``info["update"]["walks"]``; at most ``budget``
        of a full corpus).
    weighted, p, q, id_bytes
        As in :func:`estimate_memory`.

    Returns
    -------
    dict
        ``{part: bytes}``: ``baseline``, ``model`` (the loaded model: both
        weight matrices, counts, fingerprints, ids), ``graph``, ``changes``
        (finding what changed: the new fingerprints, transient id hashes),
        ``start_weights``, ``walk_tables``, ``walks``, ``gensim_vocab``,
        ``corpus_spool`` and ``embedding``; ``"peak"``, ``"phase"``
        (``"changes"``, ``"walk"``, ``"train"`` or ``"finish"``) and
        ``"corpus"`` (``"memory"``).

    Examples
    --------
    >>> plan = estimate_update_memory(1_000_000, 1_010_000, 10_000_000, dimensions=128,
    ...                               walks=200_000, walk_length=20, weighted=False)
    >>> plan["phase"], round(plan["start_weights"] / 2**30, 2)
    ('train', 0.97)
    """
    n0 = check_int("model_nodes", model_nodes, minimum=0)
    n = check_int("num_nodes", num_nodes)
    e = check_int("num_stored_edges", num_stored_edges, minimum=0)
    d = check_int("dimensions", dimensions)
    rows = check_int("walks", walks, minimum=0)
    length = check_int("walk_length", walk_length)
    parts = {"baseline": _baseline()}
    # vectors and output weights, counts and fingerprints, the id list and dict
    parts["model"] = 8 * n0 * d + 16 * n0 + int(_EMBEDDING_PER_NODE * n0)
    parts["graph"] = _graph_bytes(n, e, id_bytes)
    parts["changes"] = 16 * n + int(_fingerprint_bytes(n, e))
    parts["start_weights"] = 8 * n * d + 8 * n
    parts["walk_tables"] = _walk_table_bytes(n, e, weighted, p, q) if rows else 0
    parts["walks"] = rows * length * 4
    parts["gensim_vocab"] = int(_VOCAB_PER_NODE * n) if rows else 0
    parts["corpus_spool"] = _SPOOL + 8 * n if rows else 0
    parts["embedding"] = int(_EMBEDDING_PER_NODE * n)
    held = parts["model"] + parts["graph"]
    phases = {
        "changes": held + parts["changes"],
        "walk": held + parts["start_weights"] + parts["walk_tables"] + parts["walks"],
        "train": held
        + parts["start_weights"]
        + parts["walks"]
        + parts["gensim_vocab"]
        + parts["corpus_spool"],
        "finish": held + parts["start_weights"] + parts["embedding"],
    }
    phase = max(phases, key=lambda name: phases[name])
    parts.update(peak=parts["baseline"] + phases[phase], phase=phase, corpus="memory")
    return parts


_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def parse_memory(value: int | str) -> int:
    """Bytes from an int or a size such as ``"4G"``, ``"512M"``, ``"1.5GiB"``, ``"800k"``.

    Units are powers of 1024; ``B``/``iB`` suffixes are optional.

    Examples
    --------
    >>> parse_memory("4G"), parse_memory("512M"), parse_memory("1.5GiB"), parse_memory(1000)
    (4294967296, 536870912, 1610612736, 1000)
    >>> parse_memory("four")
    Traceback (most recent call last):
    ...
    n2v_lite.exceptions.ParameterError: max_memory must be a size such as 4G or 512M, got 'four'
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return check_int("max_memory", value)
    match = re.fullmatch(
        r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(?:i?b)?\s*", str(value), flags=re.IGNORECASE
    )
    if not match or float(match.group(1)) <= 0:
        raise ParameterError(f"max_memory must be a size such as 4G or 512M, got {value!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def available_memory() -> int | None:
    """``MemAvailable`` from ``/proc/meminfo`` in bytes, or None where there is none."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_memory(plan: dict[str, Any], max_memory: int | str | None = None) -> dict[str, Any]:
    """Raise :class:`~n2v_lite.exceptions.MemoryPlanError` when the plan's peak does not fit.

    Parameters
    ----------
    plan : dict
        From :func:`estimate_memory` or :func:`estimate_update_memory`.
    max_memory : int or str, optional
        The limit (``"4G"``, ``"512M"``, bytes). Default: the memory available
        now (``MemAvailable``); no check where that is unknown.

    Returns
    -------
    dict
        ``plan``, unchanged, when it fits.

    Examples
    --------
    >>> plan = estimate_memory(1405, 80086, dimensions=50)
    >>> check_memory(plan, "2G") is plan
    True
    """
    limit = available_memory() if max_memory is None else parse_memory(max_memory)
    if limit is None or plan["peak"] <= limit:
        return plan
    big = sorted(
        ((v, k) for k, v in plan.items() if isinstance(v, int) and k != "peak"), reverse=True
    )[:2]
    where = ", ".join(f"{k} {v / _GIB:.2f}" for v, k in big)
    if "model" in plan:  # an update's plan
        hint = (
            "walk less again (--budget, --hops), or update on a bigger machine"
            if plan["walks"] >= plan["peak"] / 4
            else "update on a bigger machine, or fit a model with fewer --dimensions"
        )
    elif plan["phase"] == "train" and plan["gensim_weights"] >= plan["peak"] / 3:
        hint = "use fewer --dimensions, train on --engine spark, or a bigger machine"
    elif plan["phase"] == "train" and plan["corpus"] == "memory":
        hint = (
            "write the walks with `n2v-lite walks --out DIR` and train from DIR, "
            "use --engine spark, or a bigger machine"
        )
    else:
        hint = "use --engine spark or a bigger machine"
    source = "allowed" if max_memory is not None else "available"
    raise MemoryPlanError(
        f"this run needs about {plan['peak'] / _GIB:.2f} GiB but "
        f"{limit / _GIB:.2f} GiB is {source} (largest parts, GiB: {where}; "
        f"peak while {_PHASE_WORDS[plan['phase']]}): {hint}"
    )


_PHASE_WORDS = {
    "read": "reading the edge list",
    "changes": "finding what changed",
    "walk": "walking",
    "train": "training",
    "finish": "building the embedding",
}
