"""Named parameter sets for :class:`~n2v_lite.model.Node2Vec`: ``paper`` and ``fast``.

``paper`` is the node2vec paper's setting (128 dimensions, 10 walks of 80
nodes per node, window 10, one epoch, 5 negatives, no down-sampling), so
results compare with the literature; it equals ``Node2Vec()``'s defaults.

``fast`` (window 5, 2 negatives, initial learning rate 0.05) was chosen by
measurement with ``scripts/bench_presets.py`` (one seed, on a heavily shared
2-core machine, so CPU seconds are the steadier measure): on BlogCatalog
(p = q = 0.25, 50% training) paper gave Macro-F1 0.239 in 183 CPU s of fitting,
fast 0.248 in 56 CPU s (0.31x; the same settings at the default learning rate
0.025 lost 0.031 Macro-F1, window 5 alone lost 0.001 at about 0.55x the work).
Smaller windows and fewer negatives cut the work per token; the larger step
makes up for the fewer updates (one epoch is undertrained on BlogCatalog).

Judged again with the classifiers' ``C`` tuned per split (three seeds on each
shared graph; the README's "Presets" table): ``fast`` is as good as ``paper`` or
better on BlogCatalog, ca-AstroPh, ego-Facebook and Cora (0.6 sd below there)
at about a third of the training time, and 0.0076 Macro-F1 (1.4 sd) below it on
MovieLens, a weighted co-occurrence graph, where its learning rate is the cause:
for such graphs give ``learning_rate=0.025`` (or use ``paper``).

Examples
--------
>>> preset_params("paper")["num_walks"], preset_params("paper")["walk_length"]
(10, 80)
>>> preset_params("fast", dimensions=64)["dimensions"]
64
>>> preset_params("quick")
Traceback (most recent call last):
...
n2v_lite.exceptions.ParameterError: preset must be one of 'paper', 'fast', got 'quick'
"""

from __future__ import annotations

from typing import Any

from .validation import check_choice

__all__ = ["PRESETS", "preset_params"]

#: Parameter sets by name; every key is a :class:`~n2v_lite.model.Node2Vec` parameter.
PRESETS: dict[str, dict[str, Any]] = {
    "paper": {
        "num_walks": 10,
        "walk_length": 80,
        "window": 10,
        "epochs": 1,
        "negative": 5,
        "sample": 0.0,
        "dimensions": 128,
        "learning_rate": None,
    },
    "fast": {
        "num_walks": 10,
        "walk_length": 80,
        "window": 5,
        "epochs": 1,
        "negative": 2,
        "sample": 0.0,
        "dimensions": 128,
        "learning_rate": 0.05,
    },
}


def preset_params(name: str, **overrides: Any) -> dict[str, Any]:
    """The parameters of preset ``name``, updated with ``overrides``.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`.
    **overrides
        Any :class:`~n2v_lite.model.Node2Vec` parameters (``p``, ``q``,
        ``random_state``, ``workers``, ...); they replace the preset's values.
        They are checked by ``Node2Vec.fit``, like every parameter.

    Returns
    -------
    dict
        A new dict, ready for ``Node2Vec(**params)``.

    Raises
    ------
    ParameterError
        ``name`` is not a preset (the message lists the known ones).

    Examples
    --------
    >>> from n2v_lite import Node2Vec
    >>> Node2Vec(**preset_params("paper", p=0.25, q=0.25)).get_params()["p"]
    0.25
    """
    check_choice("preset", name, tuple(PRESETS))
    return {**PRESETS[name], **overrides}
