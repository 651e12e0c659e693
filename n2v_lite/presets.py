"""Named parameter sets for :class:`~n2v_lite.model.Node2Vec`: ``paper`` and ``fast``.

``paper`` is the node2vec paper's setting (128 dimensions, 10 walks of 80
nodes per node, window 10, one epoch, 5 negatives, no down-sampling), so
results compare with the literature; it equals ``Node2Vec()``'s defaults.

``fast`` was chosen by measurement on the time-quality curve of the shared
graphs (BlogCatalog, Cora, ego-Facebook, ca-AstroPh, MovieLens) with
``scripts/bench_presets.py``: on BlogCatalog (p = q = 0.25, 50% training) it
gives the paper setting's one-epoch Macro-F1 (or better) in at most half its
training time, and it is not worse elsewhere by more than seed noise; the
figures are in that script's docstring and the project's README.

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

from .validation import check_choice

__all__ = ["PRESETS", "preset_params"]

#: Parameter sets by name; every key is a :class:`~n2v_lite.model.Node2Vec` parameter.
PRESETS = {
    "paper": {"num_walks": 10, "walk_length": 80, "window": 10, "epochs": 1, "negative": 5,
              "sample": 0.0, "dimensions": 128, "learning_rate": None},
    "fast": {"num_walks": 10, "walk_length": 80, "window": 5, "epochs": 1, "negative": 2,
             "sample": 0.0, "dimensions": 128, "learning_rate": None},
}


def preset_params(name, **overrides):
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
