"""Named presets: what they hold, how they are looked up, and that `fast` is cheaper and as good."""

import networkx as nx
import pytest

from n2v_lite import Graph, Node2Vec
from n2v_lite.exceptions import N2VLiteError, ParameterError
from n2v_lite.presets import PRESETS, preset_params


def work(params):
    """Skip-gram updates per node: tokens x mean shrunk window (w+1)/2 x (1 + negatives)."""
    return (
        params["num_walks"]
        * params["walk_length"]
        * params["epochs"]
        * (params["window"] + 1)
        / 2
        * (1 + params["negative"])
    )


def test_paper_preset_is_the_estimator_default_and_the_papers_setting():
    defaults = Node2Vec().get_params()
    assert {k: defaults[k] for k in PRESETS["paper"]} == PRESETS["paper"]
    assert (
        PRESETS["paper"]["dimensions"],
        PRESETS["paper"]["num_walks"],
        PRESETS["paper"]["walk_length"],
        PRESETS["paper"]["window"],
        PRESETS["paper"]["epochs"],
        PRESETS["paper"]["negative"],
        PRESETS["paper"]["sample"],
    ) == (128, 10, 80, 10, 1, 5, 0.0)


def test_every_preset_holds_only_estimator_parameters():
    names = set(Node2Vec().get_params())
    for name, params in PRESETS.items():
        assert set(params) == set(PRESETS["paper"]) and set(params) <= names, name


def test_unknown_preset_names_the_known_ones():
    with pytest.raises(ParameterError, match="'paper', 'fast'.*'turbo'") as info:
        preset_params("turbo")
    assert isinstance(info.value, N2VLiteError) and "\n" not in str(info.value)


def test_overrides_replace_values_and_never_touch_the_table():
    before = dict(PRESETS["fast"])
    params = preset_params("fast", p=0.25, dimensions=32, random_state=0)
    assert params["p"] == 0.25 and params["dimensions"] == 32 and params["random_state"] == 0
    params["window"] = 99
    assert PRESETS["fast"] == before and preset_params("fast")["dimensions"] == before["dimensions"]
    with pytest.raises(ParameterError, match="window"):
        Node2Vec(**preset_params("fast", window=0)).fit(Graph.from_edges([0, 1], [1, 2]))


def test_fast_does_at_most_half_the_papers_training_work():
    assert work(PRESETS["fast"]) <= 0.5 * work(PRESETS["paper"])


def test_fast_trains_and_separates_communities():
    from n2v_lite.evaluate import node_classification

    g = nx.stochastic_block_model(
        [30, 30, 30], [[0.3, 0.01, 0.01], [0.01, 0.3, 0.01], [0.01, 0.01, 0.3]], seed=0
    )
    graph = Graph.from_networkx(g)
    labels = {n: [n // 30] for n in range(90)}
    model = Node2Vec(**preset_params("fast", dimensions=16, random_state=0, progress=False))
    scores = node_classification(model.fit(graph), labels, train_ratios=[0.5], repeats=3, seed=0)
    assert scores["macro_f1"][0.5] > 0.9
    assert model.embedding_.params["window"] == PRESETS["fast"]["window"]


@pytest.mark.slow
def test_fast_is_as_good_as_paper_on_cora(graphs_dir):
    """Cora, 50% training, one seed: fast within 0.03 Macro-F1 of paper (seed noise ~0.01)."""
    from n2v_lite.evaluate import node_classification, read_labels

    graph = Graph.from_edgelist(graphs_dir / "cora" / "edges.tsv", directed=False)
    labels = read_labels(graphs_dir / "cora" / "labels.tsv")
    scores = {}
    for name in ("paper", "fast"):
        model = Node2Vec(**preset_params(name, random_state=0, progress=False)).fit(graph)
        scores[name] = node_classification(model, labels, train_ratios=[0.5], repeats=5, seed=0)[
            "macro_f1"
        ][0.5]
    assert scores["paper"] > 0.75
    assert scores["fast"] >= scores["paper"] - 0.03, scores
