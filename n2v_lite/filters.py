"""Candidate filters on node metadata: ``where("degree>=20")``, ``where("genres~Comedy")``.

The grammar, one condition per expression (give several to require all)::

    COLUMN OP VALUE
    OP:  >=  <=  >  <  ==  !=     compare (numbers numerically, text as text)
         ~                        contains, ignoring case   (genres~comedy)
         !~                       does not contain, ignoring case

``COLUMN`` is a node metadata column (``title``, ``genres``, ``degree``,
``ratings``, ...) or ``node`` for the node id itself; spaces around the
operator are allowed. A :class:`Where` is used as ``among=`` in
:meth:`n2v_lite.NodeEmbedding.most_similar` (and ``--where`` on the command
line); it is evaluated on whole columns at once.

Examples
--------
>>> import numpy as np
>>> columns = {"degree": np.array([3, 25, 40]),
...            "genres": np.array(["Drama", "Comedy|Drama", "Action"], dtype=object)}
>>> where("degree>=20").mask(columns, [10, 20, 30]).tolist()
[False, True, True]
>>> where("genres ~ comedy").mask(columns, [10, 20, 30]).tolist()
[False, True, False]
>>> where("degree>=20") & where("genres!~drama")
Where('degree>=20' and 'genres!~drama')
"""

from __future__ import annotations

import operator
import re
from typing import TYPE_CHECKING

import numpy as np

from .exceptions import ParameterError

if TYPE_CHECKING:
    from collections.abc import Hashable, Mapping, Sequence


__all__ = ["Where", "where", "OPERATORS"]

_COMPARE = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
#: The operators of the grammar, longest first (as the parser tries them).
OPERATORS = ("!~", ">=", "<=", "==", "!=", "~", ">", "<")
_PATTERN = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*(!~|>=|<=|==|!=|~|>|<)\s*(.*?)\s*$", re.S)


class Where:
    """Conditions on node metadata, all of which must hold (see the module docs)."""

    def __init__(self, conditions: Sequence[tuple[str, str, str, str]]) -> None:
        self.conditions = tuple(conditions)

    def __and__(self, other):
        return Where(self.conditions + tuple(other.conditions))

    def __repr__(self):
        return "Where(" + " and ".join(repr(text) for text, *_ in self.conditions) + ")"

    def mask(self, columns: Mapping[str, np.ndarray], node_ids: Sequence[Hashable]) -> np.ndarray:
        """A boolean array: which nodes satisfy every condition.

        Parameters
        ----------
        columns : dict of str to array
            Node metadata columns aligned with ``node_ids``.
        node_ids : sequence
            The node ids (the ``node`` column).
        """
        keep = np.ones(len(node_ids), dtype=bool)
        for text, name, op, value in self.conditions:
            if name == "node":
                column = np.empty(len(node_ids), dtype=object)
                column[:] = list(node_ids)
            elif name in columns:
                column = np.asarray(columns[name])
            else:
                known = ", ".join(["node", *columns]) or "node"
                raise ParameterError(
                    f"where {text!r}: no node metadata column {name!r} (columns: {known})"
                )
            keep &= _evaluate(text, column, op, value)
        return keep


def _evaluate(text, column, op, value):
    if op in ("~", "!~"):
        needle = value.casefold()
        found = np.array([needle in str(v).casefold() for v in column.tolist()], dtype=bool)
        return found if op == "~" else ~found
    compare = _COMPARE[op]
    if column.dtype.kind in "iufb":
        try:
            number = float(value)
        except ValueError:
            raise ParameterError(
                f"where {text!r}: {value!r} is not a number, and the column holds numbers"
            ) from None
        return np.asarray(compare(column.astype(np.float64), number), dtype=bool)
    if op not in ("==", "!="):
        numbers = _as_numbers(column)
        if numbers is None:
            raise ParameterError(f"where {text!r}: {op} needs a numeric column")
        return _evaluate(text, numbers, op, value)
    return np.array([compare(str(v), value) for v in column.tolist()], dtype=bool)


def _as_numbers(column):
    try:
        return np.array([float(v) for v in column.tolist()], dtype=np.float64)
    except (TypeError, ValueError):
        return None


def where(*expressions: str) -> Where:
    """Parse ``COLUMN OP VALUE`` expressions into one :class:`Where` (all must hold).

    Raises
    ------
    ParameterError
        An expression that does not follow the grammar.
    """
    conditions = []
    for text in expressions:
        match = _PATTERN.match(text) if isinstance(text, str) else None
        if match is None:
            raise ParameterError(
                f"where {text!r}: expected COLUMN OP VALUE with OP one of "
                f"{' '.join(OPERATORS)} (e.g. 'degree>=20', 'genres~Comedy')"
            )
        name, op, value = match.groups()
        conditions.append((text, name, op, value))
    if not conditions:
        raise ParameterError("where: give at least one expression")
    return Where(conditions)
