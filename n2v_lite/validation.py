"""One home for parameter checks.

The estimator, the walk engine, the trainers and the command line all check
their parameters with these functions, so a bad value gives the same message
(and the same exception type, :class:`~n2v_lite.exceptions.ParameterError`,
a :class:`ValueError`) whatever the entry point.

Examples
--------
>>> check_positive("p", 0.5)
0.5
>>> check_positive("p", float("nan"))
Traceback (most recent call last):
...
n2v_lite.exceptions.ParameterError: p must be a positive finite number, got nan
>>> check_int("walk_length", 0)
Traceback (most recent call last):
...
n2v_lite.exceptions.ParameterError: walk_length must be an integer >= 1, got 0
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

from .exceptions import ParameterError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


__all__ = [
    "check_int",
    "check_positive",
    "check_fraction",
    "check_share",
    "check_budget",
    "check_choice",
    "check_seed",
    "query_list",
    "MAXIMUMS",
]

#: Upper bounds of the count parameters, far above any useful value and low
#: enough that a typo (``--epochs 99999999999999999999``) is refused at once
#: instead of running for days; memory (nodes x dimensions, walks held) is
#: checked against the machine by :mod:`n2v_lite.memory`'s plan.
MAXIMUMS = {
    "dimensions": 10_000,
    "walk_length": 100_000,
    "num_walks": 100_000,
    "window": 10_000,
    "epochs": 10_000,
    "negative": 1_000,
    "workers": 4_096,
    "topn": 1_000_000,
    "steps": 100_000,
    "hops": 1_000,
    "repeats": 10_000,
    "splits": 10_000,
    "eta": 1_000,
    "connectivity": 1_000,
    "expansion_add": 100_000,
    "expansion_search": 100_000,
}


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(name: str, value: Any, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an int >= ``minimum`` (and <= ``maximum``, by default
    :data:`MAXIMUMS` of ``name`` if any), else a :class:`ParameterError` naming ``name``."""
    if maximum is None:
        maximum = MAXIMUMS.get(name)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and int(value) > maximum:
        raise ParameterError(
            f"{name} must be an integer from {minimum} to {maximum}, got {value!r}"
        )
    return int(value)


def check_positive(name: str, value: Any) -> float:
    """``value`` as a finite float > 0, else a :class:`ParameterError` naming ``name``."""
    if not _is_real(value) or not math.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def check_finite(name: str, value: Any) -> float:
    """``value`` as a finite float, else a :class:`ParameterError` naming ``name``."""
    if not _is_real(value) or not math.isfinite(value):
        raise ParameterError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_fraction(name: str, value: Any) -> float:
    """``value`` as a float in [0, 1), else a :class:`ParameterError` naming ``name``."""
    if not _is_real(value) or not 0 <= value < 1:
        raise ParameterError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def check_share(name: str, value: Any) -> float:
    """``value`` as a float strictly between 0 and 1, else a :class:`ParameterError`."""
    if not _is_real(value) or not 0 < value < 1:
        raise ParameterError(f"{name} must be a number between 0 and 1 (exclusive), got {value!r}")
    return float(value)


def check_budget(name: str, value: Any) -> float:
    """A share of a full run's work: a float in (0, 1], else a :class:`ParameterError`."""
    if not _is_real(value) or not 0 < value <= 1:
        raise ParameterError(f"{name} must be a number in (0, 1], got {value!r}")
    return float(value)


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices``, else a :class:`ParameterError` listing them."""
    if value not in choices:
        raise ParameterError(
            f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}"
        )
    return value


def check_seed(name: str, value: Any) -> Any:
    """A seed: None, an int >= 0 or a numpy Generator (returned unchanged)."""
    if value is None or type(value).__name__ == "Generator":
        return value
    return check_int(name, value, minimum=0)


def query_list(value: Any, name: str) -> list:
    """A list of queries: None -> []; one id, title, tuple id or vector -> [it]."""
    import numpy as np

    if value is None:
        return []
    if isinstance(value, (str, tuple, np.ndarray, int, float, np.generic)):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise ParameterError(
            f"{name} must be a list of node ids or titles, got {type(value).__name__}"
        ) from None
