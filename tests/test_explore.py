"""The explorer page: its data (checked against independent references) and, in
headless Chromium, the page itself (search, neighbours, offline)."""

import json
import re
from types import SimpleNamespace

import numpy as np
import pytest

from n2v_lite import Graph, Node2Vec
from n2v_lite.exceptions import ParameterError
from n2v_lite.explore import (
    MAX_GROUPS,
    OTHER_COLOUR,
    explore,
    explorer_data,
    nearest_neighbours,
    render_page,
)
from n2v_lite.ids import decode_node_ids, id_text

SMALL = dict(
    dimensions=8,
    walk_length=12,
    num_walks=8,
    window=3,
    epochs=3,
    workers=1,
    random_state=0,
    progress=False,
)
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def fitted(model):
    """The NodeEmbedding of a fitted Node2Vec (fit_movielens already returns one)."""
    return getattr(model, "embedding_", model)


def cliques_and_path(node_ids=None, titles=None):
    """Two 6-cliques (rows 0-5, 9-14) joined by the path 5-6-7-8-9."""
    src, dst = [], []
    for block in (range(0, 6), range(9, 15)):
        src += [i for i in block for j in block if i < j]
        dst += [j for i in block for j in block if i < j]
    src += [5, 6, 7, 8]
    dst += [6, 7, 8, 9]
    data = None if titles is None else {"title": np.array(titles, dtype=object)}
    ids = np.array(node_ids if node_ids is not None else range(15), dtype=object)
    return Graph.from_edges(src, dst, node_ids=ids, node_data=data)


@pytest.fixture(scope="module")
def small():
    return fitted(Node2Vec(**SMALL).fit(cliques_and_path()))


def cosine_reference(vectors):
    """Brute-force cosine similarities in float64 (self excluded as -inf)."""
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    unit = v / np.where(norms > 0, norms, 1)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    return sims


def check_neighbours(indices, sims, reference, atol):
    """Each row's list equals the reference's best k (order up to near-ties)."""
    k = indices.shape[1]
    best = -np.sort(-reference, axis=1)[:, :k]
    np.testing.assert_allclose(sims, best, atol=atol)
    got = np.take_along_axis(reference, indices.astype(np.int64), axis=1)
    np.testing.assert_allclose(got, best, atol=atol)  # the listed rows really are that close
    assert (indices != np.arange(len(indices))[:, None]).all()
    assert all(len(set(row)) == k for row in indices.tolist())


# ----------------------------------------------------------------- data
def test_coordinates_are_an_independent_pca_up_to_sign(small):
    data = explorer_data(small, method="pca")
    v = np.asarray(small.vectors, dtype=np.float64)
    centred = v - v.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reference = centred @ vt[:2].T
    got = np.column_stack([data["x"], data["y"]]) * data["scale"]
    for axis in range(2):
        sign = np.sign(got[:, axis] @ reference[:, axis])
        np.testing.assert_allclose(
            got[:, axis], sign * reference[:, axis], atol=data["scale"] * 6e-5
        )
    assert max(map(abs, data["x"] + data["y"])) == pytest.approx(1.0)


def test_neighbour_lists_equal_brute_force_cosine(small):
    data = explorer_data(small, topk=4)
    n = len(small.node_ids)
    nbr = np.array(data["nbr"]).reshape(n, 4)
    sim = np.array(data["sim"]).reshape(n, 4) / data["sim_scale"]
    check_neighbours(nbr, sim, cosine_reference(small.vectors), atol=6e-5)
    # the two cliques are far apart: a clique node's nearest neighbours are in its clique
    assert set(nbr[0, :3].tolist()) <= set(range(6)) and set(nbr[12, :3].tolist()) <= set(
        range(9, 15)
    )


def test_nearest_neighbours_blocked_equals_one_block(monkeypatch):
    vectors = np.random.default_rng(3).normal(size=(300, 16)).astype(np.float32)
    vectors[7] = 0  # a zero vector: similarity 0, no NaN
    idx, sims = nearest_neighbours(vectors, topk=10)
    check_neighbours(idx, sims, cosine_reference(vectors), atol=1e-5)
    assert np.isfinite(sims).all()
    monkeypatch.setattr("n2v_lite.explore._BLOCK_BYTES", 4 * 300 * 7)  # blocks of 7 rows
    idx7, sims7 = nearest_neighbours(vectors, topk=10)
    np.testing.assert_array_equal(idx7, idx)
    np.testing.assert_allclose(sims7, sims, atol=1e-6)  # BLAS sums blocks differently
    assert nearest_neighbours(vectors[:3], topk=10)[0].shape == (3, 2)  # k <= n - 1


def test_labels_colour_the_map_with_a_legend(small):
    left = {node: ("left" if i < 7 else "right") for i, node in enumerate(small.node_ids)}
    data = explorer_data(small, labels=left)
    assert data["color_by"] == "label"
    assert data["groups"] == ["right", "left"] and data["counts"] == [8, 7]
    assert [data["groups"][g] for g in data["group"]] == [left[v] for v in small.node_ids]
    assert len(set(data["colours"])) == 2 and OTHER_COLOUR not in data["colours"]
    # label lists (multi-label files): the label whose members' mean vector is nearest
    # the node colours it: each clique's own label beats the label everyone has
    lists = {
        node: (["all", "left"] if i < 6 else ["right", "all"] if i > 8 else ["all"])
        for i, node in enumerate(small.node_ids)
    }
    data = explorer_data(small, labels=lists)
    assert [data["groups"][g] for g in data["group"]] == ["left"] * 6 + ["all"] * 3 + ["right"] * 6
    assert data["legend"] == "Colour: label"
    # a sequence aligned with the rows
    assert explorer_data(small, labels=["a"] * 15)["groups"] == ["a"]


def test_of_several_values_the_one_nearest_the_node_colours_it():
    # against a plain reference: mean unit vector per genre, then each node's best genre
    rng = np.random.default_rng(4)
    vectors = rng.normal(size=(60, 6))
    pool = ["A", "B", "C", "D"]
    genres = ["|".join(rng.choice(pool, size=rng.integers(1, 4), replace=False)) for _ in range(60)]
    genres[7] = ""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    centre = {g: sum(unit[i] for i in range(60) if g in genres[i].split("|")) for g in pool}
    want = []
    for i in range(60):
        options = [g for g in genres[i].split("|") if g]
        want.append(
            max(options, key=lambda g: unit[i] @ centre[g] / np.linalg.norm(centre[g]))
            if options
            else "(none)"
        )
    emb = SimpleNamespace(
        vectors=vectors,
        node_ids=list(range(60)),
        node_data={"genres": np.array(genres, dtype=object)},
    )
    data = explorer_data(emb, method="pca")
    assert [data["groups"][g] for g in data["group"]] == want
    assert data["legend"] == "Colour: genres (of several, the one nearest the node)"


def test_clusters_of_the_vectors_colour_a_map_without_labels(monkeypatch):
    rng = np.random.default_rng(5)
    centres = np.eye(8)[:3] * 5
    blob = np.repeat(np.arange(3), [50, 30, 20])
    emb = SimpleNamespace(
        vectors=centres[blob] + rng.normal(scale=0.3, size=(100, 8)),
        node_ids=list(range(100)),
        node_data={},
    )
    monkeypatch.setattr("n2v_lite.explore.CLUSTERS", 3)
    data = explorer_data(emb, method="pca")
    names = [data["groups"][g] for g in data["group"]]
    # each blob is one cluster, numbered by size
    assert names == ["cluster 1"] * 50 + ["cluster 2"] * 30 + ["cluster 3"] * 20
    assert data["color_by"] == "cluster"
    assert data["legend"] == "Colour: k-means clusters of the vectors (3)"


def test_auto_layout_is_tsne_up_to_the_threshold_then_pca(small, monkeypatch):
    assert explorer_data(small, topk=2)["method"] == "tsne"
    monkeypatch.setattr("n2v_lite.explore.TSNE_UP_TO", 10)
    data = explorer_data(small, topk=2)
    assert data["method"] == "pca"
    assert data["x"] == explorer_data(small, topk=2, method="pca")["x"]


def test_far_off_nodes_sit_at_the_edge_instead_of_squeezing_the_map():
    rng = np.random.default_rng(6)
    vectors = rng.normal(size=(400, 4))
    vectors[:2] += 1000  # a far-off small component
    emb = SimpleNamespace(vectors=vectors, node_ids=list(range(400)), node_data={})
    data = explorer_data(emb, method="pca", topk=1)
    x = np.array(data["x"])
    spread = np.percentile(x[2:], 95) - np.percentile(x[2:], 5)
    assert spread > 0.5  # the cloud fills the map (without clipping: about 0.003)
    assert max(abs(x[:2])) == pytest.approx(1.0)  # the far-off pair sits on the edge
    assert np.all(np.abs(x) <= 1.0)


def test_legend_keeps_the_largest_groups_and_greys_the_rest():
    rng = np.random.default_rng(0)
    genres = [f"G{i % 13:02d}" for i in range(130)] + ["G00"] * 5 + [""]
    emb = SimpleNamespace(
        vectors=rng.normal(size=(136, 5)),
        node_ids=list(range(136)),
        node_data={"genres": np.array(genres, dtype=object)},
    )
    data = explorer_data(emb)  # genres colour by default
    assert data["color_by"] == "genres" and data["legend"] == "Colour: genres"
    assert data["groups"][0] == "G00" and data["counts"][0] == 15
    assert len(data["groups"]) == MAX_GROUPS + 1 and data["groups"][-1] == "other"
    assert data["colours"][-1] == OTHER_COLOUR and len(set(data["colours"])) == MAX_GROUPS + 1
    assert data["counts"][-1] == 136 - sum(data["counts"][:-1]) and data["has_other"]
    names = [data["groups"][g] for g in data["group"]]
    assert names[:2] == ["G00", "G01"] and names[135] == "other"  # '' -> '(none)', a small group
    assert "(none)" not in data["groups"]
    with pytest.raises(ParameterError, match="color_by must be one of 'genres', got 'year'"):
        explorer_data(emb, color_by="year")
    with pytest.raises(ParameterError, match="not both"):
        explorer_data(emb, color_by="genres", labels=["a"] * 136)
    with pytest.raises(ParameterError, match="none of the 1 labelled ids is a node"):
        explorer_data(emb, labels={"n1": "a"})
    with pytest.raises(ParameterError, match=r"one label per node \(136\), got 2"):
        explorer_data(emb, labels=["a", "b"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "mds"}, "method must be one of 'auto', 'pca', 'tsne', 'umap', got 'mds'"),
        ({"topk": 0}, "topk must be an integer >= 1, got 0"),
        ({"max_points": 2.5}, "max_points must be an integer >= 1"),
        ({"seed": -1}, "seed must be an integer >= 0"),
    ],
)
def test_bad_parameters_name_the_option(small, tmp_path, kwargs, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        explore(small, tmp_path / "page.html", **kwargs)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


@pytest.mark.slow
def test_above_max_points_a_seeded_sample_is_drawn_and_every_node_is_kept():
    emb = SimpleNamespace(
        vectors=np.random.default_rng(1).normal(size=(500, 8)),
        node_ids=[f"n{i}" for i in range(500)],
        node_data={},
    )
    data = explorer_data(emb, max_points=120, topk=3, seed=5)
    sample = data["sample"]
    assert len(sample) == 120 == data["shown"] and sample == sorted(set(sample))
    assert explorer_data(emb, max_points=120, topk=3, seed=5)["sample"] == sample
    assert explorer_data(emb, max_points=120, topk=3, seed=6)["sample"] != sample
    # every node keeps its id, coordinates and neighbours: all stay searchable
    assert len(data["ids"]) == len(data["x"]) == 500 and len(data["nbr"]) == 1500
    assert explorer_data(emb, max_points=500, topk=3)["sample"] is None
    # t-SNE is seeded too
    few = SimpleNamespace(vectors=emb.vectors[:40], node_ids=emb.node_ids[:40], node_data={})
    tsne = [explorer_data(few, method="tsne", topk=1, seed=2)["x"] for _ in range(2)]
    assert tsne[0] == tsne[1]


def test_umap_without_umap_learn_says_how_to_install_it(monkeypatch):
    from n2v_lite.exceptions import N2VLiteError

    monkeypatch.setitem(__import__("sys").modules, "umap", None)  # import umap -> ImportError
    emb = SimpleNamespace(vectors=np.ones((4, 3)), node_ids=[1, 2, 3, 4], node_data={})
    with pytest.raises(N2VLiteError, match=r"pip install umap-learn"):
        explorer_data(emb, method="umap")


def test_ids_round_trip_and_everything_is_escaped(tmp_path):
    ids = [(0, 1), "007", 7, 2.5, "x", ("a", 2)]
    evil = [
        '</script><script>alert("x")</script>',
        "Amélie & \"Léon\" 'quoted' (2001)",
        "line\u2028break",
        "<!-- comment",
        "日本語 🎬",
        "x > y & z",
    ]
    emb = SimpleNamespace(
        vectors=np.random.default_rng(2).normal(size=(6, 4)),
        node_ids=ids,
        node_data={"title": np.array(evil, dtype=object)},
    )
    data = explorer_data(emb, topk=2, title="<b>Mine</b> & co")
    assert data["ids"] == ["(0, 1)", "007", "7", "2.5", "x", "('a', 2)"]
    assert [id_text(v) for v in ids] == data["ids"]
    assert decode_node_ids(data["id_json"], data["id_kind"]) == ids
    assert data["id_types"] == "osioso"
    page = explore(emb, tmp_path / "evil.html", topk=2, title="<b>Mine</b> & co")
    text = page.read_text(encoding="utf-8")
    assert text.count("<script") == 2 and text.count("</script>") == 2
    assert "<!--" not in text and "<b>" not in text and "&lt;b&gt;Mine&lt;/b&gt; &amp; co" in text
    body = text.split('<script id="n2v-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(body) == json.loads(json.dumps(data))  # the data survives, exactly
    assert text == render_page(data)


# ----------------------------------------------------------------- browser
@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(
            "browser tests need playwright: pip install playwright (and Debian's "
            "chromium at /usr/bin/chromium)"
        )
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
    except Exception as exc:  # noqa: BLE001 - no browser: skip, saying why
        manager.stop()
        pytest.skip(
            f"cannot launch /usr/bin/chromium (apt-get install chromium): "
            f"{str(exc).splitlines()[0]}"
        )
    yield browser
    browser.close()
    manager.stop()


class Page:
    """A page opened from file:// with every other request aborted (and recorded)."""

    def __init__(self, browser, path):
        self.context = browser.new_context(viewport={"width": 1200, "height": 720})
        self.requests, self.errors = [], []

        def route(request_route):
            url = request_route.request.url
            if url.startswith("file://"):
                request_route.continue_()
            else:
                self.requests.append(url)
                request_route.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-ready='1']", timeout=30_000)

    def search(self, text):
        """Type into the search box like a user; wait for the answer."""
        self.page.fill("#search", text)
        self.page.press("#search", "Enter")
        self.page.wait_for_function("document.getElementById('status').textContent !== ''")
        return self.page.inner_text("#status")

    def neighbours(self):
        rows = self.page.query_selector_all("#neighbours li")
        return [[span.inner_text() for span in row.query_selector_all("span")] for row in rows]

    def close(self):
        assert self.errors == [], self.errors
        assert self.requests == [], f"the page asked the network for {self.requests}"
        self.context.close()


def reference_top(embedding, row, k):
    sims = cosine_reference(embedding.vectors)[row]
    order = np.argsort(-sims, kind="stable")[:k]
    return order, sims[order]


def js_rows_match_python(page, embedding, queries):
    """The page's search and the Python lookups agree on every query."""
    from n2v_lite.exceptions import AmbiguousQueryError, NodeNotFoundError

    answers = page.evaluate("(qs) => qs.map((q) => n2vExplorer.search(q).rows)", queries)
    ids = [id_text(v) for v in embedding.node_ids]
    for query, rows in zip(queries, answers):
        try:
            expected = [id_text(embedding.resolve(query))]
        except NodeNotFoundError:
            expected = []
        except AmbiguousQueryError as exc:
            count = int(re.search(r"matches (\d+) titles", str(exc)).group(1))
            assert len(rows) == count > 1, query
            continue
        assert [ids[r] for r in rows] == expected, query


def js_closest_matches_python(page, embedding, queries):
    """The page's "closest" hints are the Python error's, query by query."""
    from n2v_lite.exceptions import NodeNotFoundError

    answers = page.evaluate("(qs) => qs.map((q) => n2vExplorer.closest(q))", queries)
    shown = (
        [str(t) for t in embedding.node_data["title"]]
        if "title" in getattr(embedding, "node_data", {})
        else [id_text(v) for v in embedding.node_ids]
    )
    for query, rows in zip(queries, answers):
        with pytest.raises(NodeNotFoundError) as caught:
            embedding.resolve(query)
        hint = re.search(r"; closest: (.*)$", str(caught.value))
        expected = [] if hint is None else eval("[" + hint.group(1) + "]")  # noqa: S307 - reprs
        assert [shown[r] for r in rows] == expected, query


@pytest.mark.browser
@pytest.mark.shared
def test_movielens_page_finds_toy_story_and_its_true_neighbours(browser, movielens_dir, tmp_path):
    try:
        from n2v_lite.movielens import fit_movielens
    except ImportError:  # today's layout
        from n2v_lite.model import fit_movielens
    emb = fitted(fit_movielens(movielens_dir, random_state=0, workers=1, progress=False))
    path = explore(emb, tmp_path / "movies.html")
    page = Page(browser, path)
    status = page.search("Toy Story")
    assert status.startswith("Found by title")
    titles = [str(t) for t in emb.node_data["title"]]
    row = titles.index("Toy Story (1995)")
    assert page.page.inner_text("#chosen-name") == "Toy Story (1995)"
    order, sims = reference_top(emb, row, 10)
    shown = page.neighbours()
    assert [r[2] for r in shown] == [titles[j] for j in order]
    assert [r[0] for r in shown] == [f"{k}." for k in range(1, 11)]
    np.testing.assert_allclose([float(r[1]) for r in shown], sims, atol=1.5e-4)
    # clicking a listed neighbour selects it
    page.page.click("#neighbours li:nth-child(2)")
    assert page.page.inner_text("#chosen-name") == titles[order[1]]
    assert page.neighbours()[0][2] == titles[reference_top(emb, order[1], 1)[0][0]]
    # several matches are listed to choose from; none says so
    assert "choose one" in page.search("star wars")
    assert len(page.page.query_selector_all("#matches li")) > 1
    page.page.click("#matches li:first-child")
    assert page.page.inner_text("#chosen-name").startswith("Star Wars")
    assert page.search("zzqqxx") == "No node id or title matches \u201czzqqxx\u201d."
    assert page.search("godfathr") == "No node id or title matches \u201cgodfathr\u201d; closest:"
    hints = [
        r[0]
        for r in page.page.evaluate(
            "() => [...document.querySelectorAll('#matches li')].map((li) => "
            "[...li.querySelectorAll('span')].map((s) => s.innerText))"
        )
    ]
    assert hints[0] == "Godfather, The (1972)"
    page.page.click("#matches li:first-child")
    assert page.page.inner_text("#chosen-name") == "Godfather, The (1972)"
    js_closest_matches_python(
        page.page,
        emb,
        [
            "godfathr",
            "matirx",
            "toy stroy",
            "amelei",
            "star warz",
            "the lion kin",
            "zzqqxx",
            "heet (1995)",
            "Shawshank Redemtion",
        ],
    )
    js_rows_match_python(
        page.page,
        emb,
        [
            "Toy Story",
            "toy story (1995)",
            "Toy Story (1995)",
            "the matrix",
            "matrix",
            "Matrix, The (1999)",
            "MATRIX, THE",
            "godfather",
            "godfather: part ii",
            "star wars",
            "1",
            "2571",
            " 2571 ",
            "+2571",
            "02571",
            "-3",
            "amélie",
            "AMÉLIE",
            "heat",
            "alien",
            "aliens",
            "the",
            "a",
            "zzqqxx",
            "Lion King",
            "lion king, the",
        ],
    )
    screenshot = page.page.screenshot()
    assert screenshot[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "explorer.png").write_bytes(screenshot)
    page.page.mouse.move(700, 400)  # hovering shows a card or nothing, never an error
    page.close()
    assert path.stat().st_size < 600_000


@pytest.mark.browser
@pytest.mark.shared
def test_blogcatalog_page_search_by_id_with_a_sample(browser, graphs_dir, tmp_path):
    from n2v_lite.evaluate import read_labels

    folder = graphs_dir / "blogcatalog"
    graph = Graph.from_edgelist(folder / "edges.tsv")
    model = Node2Vec(
        dimensions=16,
        walk_length=10,
        num_walks=1,
        window=3,
        epochs=1,
        workers=1,
        random_state=0,
        progress=False,
    ).fit(graph)
    emb = fitted(model)
    labels = read_labels(folder / "labels.tsv")
    path = explore(emb, tmp_path / "blog.html", labels=labels, max_points=3000)
    page = Page(browser, path)
    assert "fixed random sample of 3,000 of the 10,312 nodes" in page.page.inner_text(
        "#sample-note"
    )
    data = page.page.evaluate("n2vExplorer.data.sample")
    hidden = next(i for i in range(len(emb.node_ids)) if i not in set(data))
    node = emb.node_ids[hidden]
    before = page.page.evaluate("n2vExplorer.shownCount()")
    assert page.search(str(node)) == "Found by id as text."
    assert page.page.inner_text("#chosen-name") == str(node)
    assert page.page.evaluate("n2vExplorer.shownCount()") > before  # drawn once found
    order, _ = reference_top(emb, hidden, 10)
    assert [r[2] for r in page.neighbours()] == [str(emb.node_ids[j]) for j in order]
    js_rows_match_python(
        page.page, emb, [str(node), f" {node} ", f"0{node}", "10311", "10312", "-1", "x"]
    )
    page.close()


@pytest.mark.browser
def test_escaped_titles_and_odd_ids_work_in_the_page(browser, tmp_path):
    ids = [(0, 1), "007", 7, 2.5, "x", ("a", 2)]
    titles = [
        '</script><script>document.title="owned"</script>',
        'Amélie & "Léon" (2001)',
        "",
        "日本語 🎬",
        "Straße (1990)",
        "x > y & z",
    ]
    emb = SimpleNamespace(
        vectors=np.random.default_rng(2).normal(size=(6, 4)),
        node_ids=ids,
        node_data={"title": np.array(titles, dtype=object)},
    )
    page = Page(browser, explore(emb, tmp_path / "odd.html", topk=2))
    assert page.page.title() == "n2v_lite explorer: 6 nodes"
    expect = {
        "(0, 1)": titles[0],
        "007": titles[1],
        "7": "7",
        " 007 ": "7",
        "2.5": "日本語 🎬",
        "('a', 2)": "x > y & z",
        "strasse": "Straße (1990)",
        'AMÉLIE & "léon"': titles[1],
        '</script><script>document.title="owned"</script>': titles[0],
    }
    for query, name in expect.items():
        page.search(query)
        assert page.page.inner_text("#chosen-name") == name, query
    page.close()


@pytest.mark.browser
def test_an_unknown_id_gets_the_closest_ids_as_in_python(browser, tmp_path):
    import networkx as nx

    from n2v_lite import NodeEmbedding

    ids = list(nx.les_miserables_graph().nodes)
    emb = NodeEmbedding(np.random.default_rng(0).normal(size=(len(ids), 4)), ids)
    page = Page(browser, explore(emb, tmp_path / "lesmis.html", method="pca"))
    assert page.search("valjean") == "No node id or title matches \u201cvaljean\u201d; closest:"
    assert page.page.inner_text("#matches li:first-child").strip() == "Valjean"
    page.page.click("#matches li:first-child")
    assert page.page.inner_text("#chosen-name") == "Valjean"
    js_closest_matches_python(
        page.page,
        emb,
        [
            "valjean",
            "Valjen",
            "VALJEAN",
            " cosete ",
            "javert2",
            "zzzz",
            "Marius Pontmercy",
            "Mme Thenardier",
            "Gavroche!",
        ],
    )
    page.close()


def test_pca_is_scikit_learns_without_importing_it():
    """The map's PCA (numpy, in blocks of rows) equals scikit-learn's up to each axis's
    sign (scikit-learn 1.5 changed its sign convention), for any block size; the sign is
    fixed: each component's largest entry is positive."""
    from sklearn.decomposition import PCA

    from n2v_lite.plot import pca_2d

    rng = np.random.default_rng(0)
    vectors = (rng.normal(size=(500, 12)) * np.linspace(3, 1, 12)).astype(np.float32)
    reference = PCA(n_components=2).fit_transform(vectors.astype(np.float64))
    first = pca_2d(vectors, block_rows=7)
    for block_rows in (7, 64, 10_000):
        got = pca_2d(vectors, block_rows=block_rows)
        np.testing.assert_array_equal(np.sign(got[:5]), np.sign(first[:5]))  # same signs
        for axis in range(2):
            sign = np.sign(got[:, axis] @ reference[:, axis])
            np.testing.assert_allclose(got[:, axis], sign * reference[:, axis], atol=1e-9)
    centred = vectors.astype(np.float64) - vectors.mean(axis=0, dtype=np.float64)
    components = np.linalg.lstsq(centred, first, rcond=None)[0].T  # back out the axes
    assert all(c[np.argmax(np.abs(c))] > 0 for c in components)
    flat = pca_2d(vectors[:, :1])  # one dimension: a flat second axis
    assert flat.shape == (500, 2) and not flat[:, 1].any()
