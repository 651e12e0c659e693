"""Property-based fuzzing of the readers: edge lists, label files and the MovieLens CSVs.

Random bytes, awkward tokens (``-0``, ``+1``, ``007``, ``1e3``, ``nan``, unicode, quotes,
``#``, empty fields), mixed separators and line endings, several encodings and truncated
gzip must only ever raise the library's own errors (:class:`n2v_lite.N2VLiteError`);
every graph that loads has unique ids that :meth:`Graph.index_of` finds again and positive
finite weights; and well-formed generated input gives exactly what a plain-Python
reference reader (written here, independently) gives.

Two hypothesis profiles, registered here:

* ``ci`` (default): few examples, derandomized, a few seconds in all;
* ``long``: thousands of examples, random. Run it with::

      HYPOTHESIS_PROFILE=long python -m pytest -q -p no:cacheprovider tests/test_fuzz.py
"""

import gzip
import math
import os
import re
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from n2v_lite import Graph, GraphError, N2VLiteError
from n2v_lite.evaluate import read_labels
from n2v_lite.movielens import movie_graph

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

CANONICAL = re.compile(r"0|-?[1-9][0-9]*")
AWKWARD = [
    "-0",
    "+1",
    "007",
    "1e3",
    "1.0",
    "nan",
    "inf",
    "-inf",
    "0",
    "-3",
    "42",
    "a",
    "é",
    "日本",
    "",
    " ",
    '"a"',
    "'",
    "#",
    "a#b",
    "\x00",
    "\ufeff",
    "9" * 25,
    "-",
    "source",
    "node",
    "x y",
]
SEPARATORS = ["\t", ",", " ", "  ", "\t ", ";"]
ENDINGS = ["\n", "\r\n", "\r"]
ENCODINGS = ["utf-8", "latin-1", "utf-16"]


def scratch():
    return tempfile.TemporaryDirectory(prefix="n2v-fuzz-")


def write_file(folder, data, name="edges.tsv", compress=False, cut=None):
    path = Path(folder) / (name + (".gz" if compress else ""))
    if compress:
        data = gzip.compress(data)
        if cut is not None:
            data = data[: max(0, len(data) - 1 - cut % max(1, len(data)))]
    path.write_bytes(data)
    return path


def check_graph(g):
    """Invariants of every graph that loads."""
    ids = g.node_ids.tolist()
    assert g.node_ids.ndim == 1 and len(ids) == g.num_nodes
    assert len(set(ids)) == g.num_nodes
    for i, node in enumerate(ids):
        assert g.index_of(node) == i
    weights = np.asarray(g.weights)
    assert weights.shape == g.indices.shape
    assert np.all(np.isfinite(weights)) and np.all(weights > 0)
    assert np.all(np.diff(g.indptr) >= 0) and g.indptr[-1] == len(g.indices)
    for i in range(g.num_nodes):
        assert np.all(np.diff(g.indices[g.indptr[i] : g.indptr[i + 1]]) > 0)


def load_or_library_error(read, *args, **kwargs):
    """The result of ``read``, or None when it raised one of the library's errors."""
    try:
        return read(*args, **kwargs)
    except N2VLiteError as exc:
        assert "\n" not in str(exc)
        return None


# ------------------------------------------------------------- edge lists
lines_of_tokens = st.lists(
    st.tuples(
        st.lists(st.one_of(st.sampled_from(AWKWARD), st.text(max_size=4)), min_size=0, max_size=4),
        st.sampled_from(SEPARATORS),
        st.sampled_from(ENDINGS),
    ),
    min_size=0,
    max_size=8,
)


def render(lines, encoding):
    text = "".join(sep.join(tokens) + end for tokens, sep, end in lines)
    return text.encode(encoding, errors="replace")


@given(
    data=st.binary(max_size=400),
    compress=st.booleans(),
    cut=st.none() | st.integers(0, 50),
    directed=st.booleans(),
)
def test_edgelist_random_bytes(data, compress, cut, directed):
    with scratch() as folder:
        path = write_file(folder, data, compress=compress, cut=cut)
        g = load_or_library_error(Graph.from_edgelist, path, directed=directed)
        if g is not None:
            check_graph(g)


@given(
    lines=lines_of_tokens,
    encoding=st.sampled_from(ENCODINGS),
    header=st.sampled_from([None, True, False]),
    sep=st.sampled_from([None, "\t", ",", "\\t"]),
    weighted=st.sampled_from([None, True, False]),
    compress=st.booleans(),
)
def test_edgelist_awkward_text(lines, encoding, header, sep, weighted, compress):
    with scratch() as folder:
        path = write_file(folder, render(lines, encoding), compress=compress)
        g = load_or_library_error(
            Graph.from_edgelist, path, header=header, sep=sep, weighted=weighted
        )
        if g is not None:
            check_graph(g)


def merge_copies(weights, weighted, duplicates):
    """The duplicate rule written out plainly: the weight of one edge's copies, or None
    for a conflict (unequal weights and no policy)."""
    if not weighted:
        return float(len(weights)) if duplicates == "sum" else 1.0
    if duplicates is None:
        return weights[0] if len(set(weights)) == 1 else None
    return {
        "sum": math.fsum,
        "max": max,
        "min": min,
        "first": lambda w: w[0],
        "last": lambda w: w[-1],
    }[duplicates](weights)


def reference_edgelist(rows, directed, duplicates=None):
    """Plain-Python reading of well-formed rows: ``(ids, {(u, v): weight or None})``."""
    tokens = [t for row in rows for t in row[:2]]
    as_int = all(CANONICAL.fullmatch(t) and -(2**63) <= int(t) < 2**63 for t in tokens)
    copies = defaultdict(list)
    for row in rows:
        u, v = (int(row[0]), int(row[1])) if as_int else (row[0], row[1])
        if not directed and v < u:
            u, v = v, u
        copies[(u, v)].append(float(row[2]) if len(row) == 3 else 1.0)
    weighted = len(rows[0]) == 3
    edges = {key: merge_copies(ws, weighted, duplicates) for key, ws in copies.items()}
    ids = {int(t) if as_int else t for t in tokens}
    return ids, edges


def graph_edges(g):
    src, dst, w = g.edges()
    ids = g.node_ids.tolist()
    return {(ids[a], ids[b]): float(x) for a, b, x in zip(src.tolist(), dst.tolist(), w.tolist())}


id_token = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(
        [
            "-0",
            "+1",
            "007",
            "1e3",
            "1.0",
            "nan",
            "inf",
            "a",
            "é",
            "日本",
            "-",
            '"q"',
            "9" * 20,
            str(2**63 - 1),
            str(-(2**63)),
        ]
    ),
    st.text(
        st.characters(
            blacklist_categories=["Cs", "Cc", "Zs", "Zl", "Zp"],
            blacklist_characters="#,\t\ufeff\x85",
        ),
        min_size=1,
        max_size=5,
    ),
)
weight_token = st.floats(min_value=1e-6, max_value=1e6).map(repr) | st.integers(1, 9).map(str)


@given(
    rows=st.lists(st.tuples(id_token, id_token, weight_token), min_size=1, max_size=30),
    weighted=st.booleans(),
    sep=st.sampled_from(["\t", ",", " "]),
    end=st.sampled_from(ENDINGS),
    header=st.booleans(),
    directed=st.booleans(),
    compress=st.booleans(),
    duplicates=st.sampled_from([None, "sum", "max", "min", "first", "last"]),
    repeat=st.lists(st.integers(0, 29), max_size=5),
)
def test_edgelist_well_formed_matches_reference(
    rows, weighted, sep, end, header, directed, compress, duplicates, repeat
):
    rows = [r if weighted else r[:2] for r in rows]
    rows += [rows[k % len(rows)][1::-1] + rows[k % len(rows)][2:] for k in repeat]  # u v as v u
    head = [sep.join(["source", "target", "weight"][: len(rows[0])])] if header else []
    text = end.join(head + [sep.join(r) for r in rows]) + end
    ids, edges = reference_edgelist(rows, directed, duplicates)
    with scratch() as folder:
        path = write_file(folder, text.encode(), compress=compress)
        if None in edges.values():  # copies of one edge with unequal weights, no policy
            with pytest.raises(
                GraphError,
                match=r", lines \d+ and \d+: edge .* is listed with "
                r"different weights",
            ):
                Graph.from_edgelist(path, header=header, directed=directed)
            return
        g = Graph.from_edgelist(path, header=header, directed=directed, duplicates=duplicates)
    check_graph(g)
    assert [type(x) for x in g.node_ids.tolist()] == [type(next(iter(ids)))] * len(ids)
    assert set(g.node_ids.tolist()) == ids
    actual = graph_edges(g)
    if not directed:
        actual = {(min(u, v), max(u, v)): w for (u, v), w in actual.items()}
    assert actual.keys() == edges.keys()
    for key, weight in edges.items():
        assert math.isclose(actual[key], weight, rel_tol=1e-12), key
    assert g.weighted == any(w != 1.0 for w in edges.values())
    assert g.duplicates_merged == len(rows) - len(edges)


# ----------------------------------------------------------------- labels
@given(data=st.binary(max_size=300))
def test_read_labels_random_bytes(data):
    with scratch() as folder:
        labels = load_or_library_error(read_labels, write_file(folder, data, "labels.tsv"))
    if labels is not None:
        assert all(isinstance(v, list) and v for v in labels.values())


@given(
    lines=lines_of_tokens,
    encoding=st.sampled_from(ENCODINGS),
    header=st.sampled_from([None, True, False]),
)
def test_read_labels_awkward_text(lines, encoding, header):
    with scratch() as folder:
        path = write_file(folder, render(lines, encoding), "labels.tsv")
        labels = load_or_library_error(read_labels, path, header=header)
    if labels is not None:
        assert all(isinstance(v, list) and v for v in labels.values())


@given(
    rows=st.lists(st.tuples(id_token, id_token), min_size=1, max_size=20),
    sep=st.sampled_from(["\t", ","]),
    end=st.sampled_from(ENDINGS),
)
def test_read_labels_well_formed_matches_reference(rows, sep, end):
    text = end.join(sep.join(r) for r in rows) + end
    with scratch() as folder:
        labels = read_labels(write_file(folder, text.encode(), "labels.tsv"), header=False)

    def convert(tokens):
        as_int = all(CANONICAL.fullmatch(t) and -(2**63) <= int(t) < 2**63 for t in tokens)
        return [int(t) for t in tokens] if as_int else list(tokens)

    expected = {}
    for node, label in zip(convert([r[0] for r in rows]), convert([r[1] for r in rows])):
        expected.setdefault(node, []).append(label)
    assert labels == expected
    assert [type(k) for k in labels] == [type(k) for k in expected]


# -------------------------------------------------------------- MovieLens
def movielens_reference(ratings, min_rating, min_weight):
    """The Keras example's pair loop over (user, movie, rating) triples."""
    by_user = defaultdict(list)
    for user, movie, rating in ratings:
        if rating >= min_rating:
            by_user[user].append(movie)
    item, pair = defaultdict(int), defaultdict(int)
    for movies in by_user.values():
        for a in range(len(movies)):
            item[movies[a]] += 1
            for b in range(a + 1, len(movies)):
                pair[(min(movies[a], movies[b]), max(movies[a], movies[b]))] += 1
    if not item:
        return {}
    d = math.log(sum(item.values()))
    edges = {}
    for (x, y), xy in pair.items():
        if x == y:
            continue
        w = (math.log(xy) - math.log(item[x]) - math.log(item[y]) + d) * xy
        if w >= min_weight:
            edges[(x, y)] = w
    return edges


def write_movielens(folder, ratings_text, movies_text):
    (Path(folder) / "ratings.csv").write_bytes(ratings_text)
    (Path(folder) / "movies.csv").write_bytes(movies_text)


@given(
    ratings=st.lists(
        st.tuples(st.integers(1, 6), st.integers(1, 8), st.sampled_from([0.5, 3.0, 4.5, 5.0])),
        min_size=1,
        max_size=40,
        unique_by=lambda r: (r[0], r[1]),
    ),
    end=st.sampled_from(["\n", "\r\n"]),
    timestamp=st.booleans(),
)
def test_movie_graph_well_formed_matches_reference(ratings, end, timestamp):
    head = "userId,movieId,rating" + (",timestamp" if timestamp else "")
    rows = [f"{u},{m},{r}" + (",964982703" if timestamp else "") for u, m, r in ratings]
    movies = ["movieId,title,genres"] + [
        f'{m},"Movie {m}, The (19{m:02d})",A|B' for m in range(1, 9)
    ]
    with scratch() as folder:
        write_movielens(
            folder, (end.join([head] + rows) + end).encode(), (end.join(movies) + end).encode()
        )
        expected = movielens_reference(ratings, 5.0, 0.01)
        if not expected:
            with pytest.raises(N2VLiteError):
                movie_graph(folder, min_weight=0.01)
            return
        g = movie_graph(folder, min_weight=0.01)
    check_graph(g)
    actual = graph_edges(g)
    assert actual.keys() == expected.keys()
    for key, weight in expected.items():
        assert math.isclose(actual[key], weight, rel_tol=1e-9, abs_tol=1e-12)
    titles = dict(zip(g.node_ids.tolist(), g.node_attribute("title")))
    assert all(titles[m] == f"Movie {m}, The (19{m:02d})" for m in titles)


csv_token = st.one_of(
    st.sampled_from(
        AWKWARD + ["5", "5.0", "1", "2", "userId", "movieId", "rating", "title", "genres"]
    ),
    st.text(max_size=4),
)


@given(
    ratings=st.lists(st.lists(csv_token, max_size=5), max_size=8),
    movies=st.lists(st.lists(csv_token, max_size=4), max_size=5),
    header=st.booleans(),
    end=st.sampled_from(ENDINGS),
    encoding=st.sampled_from(ENCODINGS),
    junk=st.none() | st.binary(max_size=200),
)
def test_movie_graph_awkward_csv(ratings, movies, header, end, encoding, junk):
    ratings_text = (
        end.join(
            (["userId,movieId,rating,timestamp"] if header else []) + [",".join(r) for r in ratings]
        )
        + end
    )
    movies_text = end.join(["movieId,title,genres"] + [",".join(r) for r in movies]) + end
    with scratch() as folder:
        write_movielens(
            folder,
            junk if junk is not None else ratings_text.encode(encoding, errors="replace"),
            movies_text.encode(encoding, errors="replace"),
        )
        g = load_or_library_error(movie_graph, folder, min_weight=0.01)
    if g is not None:
        check_graph(g)
