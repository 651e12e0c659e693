"""The MovieLens movie graph: exact counts, every weight against a plain reference, download."""

import contextlib
import hashlib
import http.server
import math
import threading
import zipfile
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from conftest import MOVIELENS

from n2v_lite import DownloadError, N2VLiteError
from n2v_lite.movielens import (
    BUNDLED_DIR,
    MEMBER_SHA256,
    co_ratings,
    download_movielens,
    load_movielens,
    movie_graph,
    movie_graph_from_ratings,
)


def reference_weights(ratings, min_rating=5, min_weight=10):
    """The Keras example's pure-Python pair loop, written out plainly."""
    item_frequency = defaultdict(int)
    pair_frequency = defaultdict(int)
    good = ratings[ratings.rating >= min_rating]
    for _, group in good.groupby("userId"):
        movies = list(group["movieId"])
        for a in range(len(movies)):
            item_frequency[movies[a]] += 1
            for b in range(a + 1, len(movies)):
                x, y = min(movies[a], movies[b]), max(movies[a], movies[b])
                pair_frequency[(x, y)] += 1
    d = math.log(sum(item_frequency.values()))
    edges = {}
    for (x, y), xy in pair_frequency.items():
        pmi = math.log(xy) - math.log(item_frequency[x]) - math.log(item_frequency[y]) + d
        if pmi * xy >= min_weight:
            edges[(x, y)] = pmi * xy
    return edges, len(pair_frequency)


def graph_weights(g):
    src, dst, w = g.edges()
    return {(int(g.node_ids[a]), int(g.node_ids[b])): float(x) for a, b, x in zip(src, dst, w)}


def test_small_ratings_by_hand():
    ratings = pd.DataFrame(
        {
            "userId": [1, 1, 1, 2, 2, 3, 3],
            "movieId": [10, 20, 30, 10, 20, 20, 30],
            "rating": [5, 5, 5, 5, 5.0, 4.5, 5],
        }
    )
    movies = pd.DataFrame(
        {"movieId": [10, 20, 30], "title": ["A (1)", "B (2)", "C (3)"], "genres": ["X", "X|Y", "Y"]}
    )
    g = movie_graph_from_ratings(ratings, movies, min_rating=5, min_weight=0.1)
    # x: 10 -> 2, 20 -> 2, 30 -> 2; pairs (10,20): 2, (10,30): 1, (20,30): 1; D = log 6
    d = math.log(6)
    expected = {
        (10, 20): (math.log(2) - 2 * math.log(2) + d) * 2,
        (10, 30): (0 - 2 * math.log(2) + d) * 1,
        (20, 30): (0 - 2 * math.log(2) + d) * 1,
    }
    assert graph_weights(g) == pytest.approx(expected, rel=1e-12)
    assert g.node_data["title"].tolist() == ["A (1)", "B (2)", "C (3)"]
    assert g.node_attribute("genres").tolist() == ["X", "X|Y", "Y"]
    with pytest.raises(ValueError, match="min_weight must be a positive finite number, got 0"):
        movie_graph_from_ratings(ratings, movies, min_weight=0)
    with pytest.raises(ValueError, match="min_rating must be a finite number, got nan"):
        movie_graph_from_ratings(ratings, movies, min_rating=float("nan"))
    with pytest.raises(N2VLiteError, match="no movie pair reaches"):
        movie_graph_from_ratings(ratings, movies, min_weight=100)


def test_movie_graph_exact_counts_and_every_weight(movielens_dir):
    g = movie_graph(movielens_dir)
    assert (g.num_nodes, g.num_edges) == (1405, 40043)
    assert round(2 * g.num_edges / g.num_nodes, 1) == 57.0
    assert not g.directed and g.weighted
    ratings = pd.read_csv(movielens_dir / "ratings.csv")
    assert len(co_ratings(ratings, 5)[2]) == 298586
    expected, pairs = reference_weights(ratings)
    assert pairs == 298586
    actual = graph_weights(g)
    assert actual.keys() == expected.keys()
    np.testing.assert_allclose([actual[k] for k in expected], list(expected.values()), rtol=1e-12)
    titles = dict(zip(g.node_ids.tolist(), g.node_attribute("title")))
    assert titles[2571] == "Matrix, The (1999)"
    assert titles[858] == "Godfather, The (1972)"


def test_the_bundled_copy_is_the_published_files_byte_for_byte(movielens_dir):
    # the decompressed bundle has the SHA-256 of the 2018-09-26 ml-latest-small files
    for name, digest in MEMBER_SHA256.items():
        assert hashlib.sha256((movielens_dir / name).read_bytes()).hexdigest() == digest
    licence = (BUNDLED_DIR / "README.txt").read_text()
    assert "redistribute" in licence and "commercial" in licence


def test_the_default_is_the_bundled_copy_and_needs_no_network(monkeypatch, movielens_dir):
    def no_network(*args, **kwargs):
        raise AssertionError("the default must not touch the network")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    data = load_movielens()
    assert data.source == BUNDLED_DIR
    assert movie_graph() == movie_graph(movielens_dir)


def test_the_bundled_copy_equals_the_shared_one(movielens_dir):
    shared = MOVIELENS / "ratings.csv"
    if not shared.is_file():
        pytest.skip(f"no MovieLens copy at {MOVIELENS} to compare with (set N2V_LITE_SHARED)")
    for name in ("ratings.csv", "movies.csv"):
        assert (movielens_dir / name).read_bytes() == (MOVIELENS / name).read_bytes()


def test_zip_and_folder_give_the_same_graph(movielens_dir, tmp_path):
    archive = make_zip(movielens_dir, tmp_path / "ml.zip")
    assert movie_graph(archive) == movie_graph(movielens_dir)


def test_unreadable_sources(tmp_path):
    with pytest.raises(N2VLiteError, match="no such file or folder"):
        load_movielens(tmp_path / "missing")
    (tmp_path / "ratings.csv").write_text("userId,movieId\n1,2\n")
    (tmp_path / "movies.csv").write_text("movieId,title,genres\n2,B,X\n")
    with pytest.raises(N2VLiteError, match="ratings.csv: missing column.s. rating"):
        load_movielens(tmp_path)
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(N2VLiteError, match="neither a folder nor a zip"):
        load_movielens(tmp_path / "junk.zip")
    with pytest.raises(
        N2VLiteError,
        match="missing: no such file or folder .leave the path out "
        "to use the copy bundled with n2v_lite, or download",
    ):
        load_movielens(tmp_path / "missing")


@pytest.mark.parametrize(
    "name,text,message",
    [
        (
            "ratings.csv",
            "userId,movieId,rating,timestamp\n1,2,5,3\n1,2,x,3\n",
            r"ratings.csv, line 3: rating 'x' is not a number$",
        ),
        (
            "ratings.csv",
            "userId,movieId,rating\r\n1,2,5\r\n\r\n1,b,5\r\n",
            r"ratings.csv, line 4: movieId 'b' is not an integer$",
        ),
        (
            "ratings.csv",
            "userId,movieId,rating\n1.5,2,5\n",
            r"ratings.csv, line 2: userId '1.5' is not",
        ),
        (
            "ratings.csv",
            "userId,movieId,rating,timestamp\n1,2,5,7\n1,2,5,\n",
            r"ratings.csv, line 3: missing timestamp$",
        ),
        ("ratings.csv", "userId,movieId,rating\n1,2,inf\n", r"line 2: rating 'inf' is not finite$"),
        (
            "ratings.csv",
            "userId,movieId,rating\n1,2,5\n1,2,5,6,7\n",
            r"ratings.csv, line 3: expected 3 fields, got 5$",
        ),
        (
            "movies.csv",
            "movieId,title,genres\n2,B,X\n\x01x" + "y" * 300 + ",A,B\n",
            r"movies.csv, line 3: movieId '\\x01xyyy.*\.\.\. is not an integer$",
        ),
        ("movies.csv", b"movieId,title,genres\n2,\xff,X\n", r"movies.csv: not UTF-8 text"),
    ],
)
def test_bad_values_name_file_line_and_value(tmp_path, name, text, message):
    files = {
        "ratings.csv": "userId,movieId,rating\n1,2,5\n",
        "movies.csv": "movieId,title,genres\n2,B,X\n",
    }
    files[name] = text
    for file, content in files.items():
        (tmp_path / file).write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(N2VLiteError, match=message) as info:
        load_movielens(tmp_path)
    assert "\n" not in str(info.value) and len(str(info.value)) < len(str(tmp_path)) + 120


# ------------------------------------------------------------------ download
def make_zip(folder, path, names=("ratings.csv", "movies.csv", "README.txt")):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ml-latest-small/", "")
        for name in names:
            if (folder / name).exists():
                zf.write(folder / name, f"ml-latest-small/{name}")
    return path


@contextlib.contextmanager
def serve(routes):
    """Serve {path: (status, body, declared_length)} on 127.0.0.1; count requests."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            status, body, length = routes.get(self.path, (404, b"not found", None))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def tiny_dataset(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\r\n1,1,5.0,0\r\n"
        "1,2,5.0,0\r\n2,1,5.0,0\r\n2,2,5.0,0\r\n3,3,5.0,0\r\n"
    )
    (folder / "movies.csv").write_text(
        "movieId,title,genres\r\n1,A (1),X\r\n2,B (2),Y\r\n3,C (3),Z\r\n"
    )
    body = make_zip(folder, tmp_path / "tiny.zip").read_bytes()
    sums = {
        n: hashlib.sha256((folder / n).read_bytes()).hexdigest()
        for n in ("ratings.csv", "movies.csv")
    }
    return body, sums


def test_download_verifies_unpacks_and_reuses_cache(tmp_path, tiny_dataset):
    body, sums = tiny_dataset
    cache = tmp_path / "cache"
    with serve({"/ml.zip": (200, body, None)}) as (base, hits):
        folder = download_movielens(
            cache,
            url=base + "/ml.zip",
            member_sha256=sums,
            sha256=hashlib.sha256(body).hexdigest(),
            progress=False,
        )
        assert folder == cache / "ml-latest-small"
        assert sorted(p.name for p in folder.iterdir()) == ["movies.csv", "ratings.csv"]
        again = download_movielens(cache, url=base + "/ml.zip", member_sha256=sums)
        assert again == folder and len(hits) == 1  # served from the cache
    g = movie_graph(folder, min_weight=0.01)
    assert g.num_nodes == 2 and g.node_attribute("title").tolist() == ["A (1)", "B (2)"]
    assert [p.name for p in cache.iterdir()] == ["ml-latest-small"]  # no temp leftovers


@pytest.mark.parametrize(
    "case", ["truncated", "zip-checksum", "member-checksum", "bad-zip", "missing"]
)
def test_bad_downloads_leave_no_cache(tmp_path, tiny_dataset, case):
    body, sums = tiny_dataset
    routes = {"/ml.zip": (200, body, None)}
    kwargs = {"member_sha256": sums}
    if case == "truncated":
        routes["/ml.zip"] = (200, body[: len(body) // 2], len(body))
        message = "truncated download|interrupted"
    elif case == "zip-checksum":
        kwargs["sha256"] = "0" * 64
        message = "checksum mismatch"
    elif case == "member-checksum":
        kwargs["member_sha256"] = dict(sums, **{"ratings.csv": "f" * 64})
        message = "ratings.csv: checksum mismatch"
    elif case == "bad-zip":
        routes["/ml.zip"] = (200, b"PK\x03\x04 this is not really a zip", None)
        message = "not a valid zip"
    else:
        routes = {}
        message = "download failed .*404"
    cache = tmp_path / "cache"
    with serve(routes) as (base, _):
        with pytest.raises(DownloadError, match=message):
            download_movielens(cache, url=base + "/ml.zip", progress=False, **kwargs)
    assert not (cache / "ml-latest-small").exists()
    assert list(cache.iterdir()) == []


def test_download_of_the_real_files_from_a_local_server(movielens_dir, tmp_path, monkeypatch):
    """The default member checksums accept the genuine GroupLens files."""
    body = make_zip(movielens_dir, tmp_path / "ml.zip").read_bytes()
    monkeypatch.setenv("N2V_LITE_DATA", str(tmp_path / "cache"))
    with serve({"/ml-latest-small.zip": (200, body, None)}) as (base, _):
        import n2v_lite.movielens as ml

        monkeypatch.setattr(ml, "DATA_URL", base + "/ml-latest-small.zip")
        monkeypatch.setattr(
            ml.download_movielens,
            "__kwdefaults__",
            dict(ml.download_movielens.__kwdefaults__, url=ml.DATA_URL),
        )
        g = movie_graph(download=True, progress=False)
    assert (g.num_nodes, g.num_edges) == (1405, 40043)
    assert (tmp_path / "cache" / "ml-latest-small" / "ratings.csv").is_file()
