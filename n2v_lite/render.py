"""Text renderings of results: the one place that decides how output looks.

The command line prints what these functions return; a Python user gets the
same text (``print(render_neighbours(frame, "table"))``).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"query": ["a", "a"], "rank": [1, 2], "node": ["b", "c"],
...                       "label": ["b", "c"], "similarity": [0.9, 0.5]})
>>> print(render_neighbours(frame, "table"))
Nearest to 'a':
  1  0.9000  b
  2  0.5000  c
>>> print(render_neighbours(frame, "csv"))
query,rank,node,label,similarity
a,1,b,b,0.9
a,2,c,c,0.5
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os
    from collections.abc import Hashable, Iterable, Mapping
    from typing import Any

    import pandas

    from .embedding import NodeEmbedding


__all__ = [
    "NEIGHBOUR_FORMATS",
    "render_neighbours",
    "render_info",
    "render_evaluation",
    "render_rows",
    "render_tuning",
    "render_update",
    "to_json",
]

#: Output formats of neighbour lists.
NEIGHBOUR_FORMATS = ("table", "json", "tsv", "csv")


def to_json(data: Any) -> str:
    """Indented JSON; numpy numbers as numbers, other objects as text."""

    def default(value):
        if hasattr(value, "item"):
            return value.item()
        return str(value)

    return json.dumps(data, indent=2, default=default)


def render_neighbours(
    frame: pandas.DataFrame, fmt: str = "table", headings: Mapping[Hashable, str] | None = None
) -> str:
    """Neighbour lists (columns ``query, rank, node, label, similarity``) as text.

    Parameters
    ----------
    frame : pandas.DataFrame
        As returned by :meth:`n2v_lite.NodeEmbedding.most_similar_many`.
    fmt : {"table", "json", "tsv", "csv"}
        ``table``: a block per query (rank, similarity, label and ``[id]``
        when the label is a title); ``json``: ``{query: [records]}``;
        ``tsv``: ``query, node, label, similarity`` rows; ``csv``: all
        columns with a header.
    headings : dict, optional
        How each query is named in table headings (default: the frame's
        ``attrs["headings"]``, else the query's repr).
    """
    headings = headings if headings is not None else frame.attrs.get("headings", {})
    return render_rows(list(frame.itertuples(index=False, name=None)), headings, fmt)


def render_rows(rows: Iterable[tuple], headings: Mapping[Hashable, str], fmt: str = "table") -> str:
    """:func:`render_neighbours` of plain ``(query, rank, node, label, similarity)`` tuples
    (no pandas, so quick queries start quickly). ``csv`` and ``tsv`` have the same header
    and columns, and write what pandas' ``to_csv`` would (minimal quoting)."""
    if fmt in ("csv", "tsv"):
        import csv

        from .embedding import NEIGHBOUR_COLUMNS

        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(NEIGHBOUR_COLUMNS)
        writer.writerows(
            (query, int(rank), node, label, float(similarity))
            for query, rank, node, label, similarity in rows
        )
        return buffer.getvalue().rstrip("\n")
    groups: dict = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    if fmt == "json":
        return to_json(
            {
                str(query): [
                    {
                        "rank": int(rank),
                        "node": node,
                        "label": label,
                        "similarity": float(similarity),
                    }
                    for _, rank, node, label, similarity in group
                ]
                for query, group in groups.items()
            }
        )
    blocks = []
    for query, group in groups.items():
        heading = headings.get(query, repr(query))
        lines = [f"Nearest to {heading}:"]
        for _, rank, node, label, similarity in group:
            ident = "" if label == node else f"  [{node}]"
            lines.append(f"{rank:>3}  {similarity:.4f}  {label}{ident}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_info(details: dict[str, Any], fmt: str = "text") -> str:
    """:meth:`n2v_lite.NodeEmbedding.describe` as aligned ``key  value`` lines or JSON."""
    if fmt == "json":
        return to_json(details)
    width = max(len(key) for key in details)
    lines = []
    for key, value in details.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or "none"
        lines.append(f"{key:<{width}}  {value}")
    return "\n".join(lines)


def _chosen(values):
    """The classifier Cs used, e.g. ``10`` or ``1/10`` (distinct values, smallest first)."""
    return "/".join(f"{c:g}" for c in sorted(set(values)))


def render_evaluation(results: dict[str, Any]) -> str:
    """:func:`n2v_lite.evaluate.evaluate_embeddings` results as a text report."""
    lines = []
    link = results.get("link_prediction")
    if link:
        lines.append(
            f"link prediction: {link['removed_edges']} edges hidden "
            f"({link['removed_fraction']:.0%}), {link['test_pairs']} test pairs; ROC-AUC"
        )
        chosen = link.get("C", {})
        lines += [
            f"  {name:<10}{value:.4f}"
            + (f"  C={_chosen([chosen[name]])}" if name in chosen else "")
            for name, value in link["auc"].items()
        ]
    node = results.get("node_classification")
    if node:
        lines.append(
            f"node classification: {node['num_nodes']} nodes, {node['num_labels']} "
            f"labels, mean of {node['repeats']} splits"
        )
        lines.append(f"  {'train':<8}{'macro-F1':>10}{'micro-F1':>10}  C")
        lines += [
            f"  {float(ratio):<8.0%}{macro:>10.4f}{node['micro_f1'][ratio]:>10.4f}"
            f"  {_chosen(node['C'][ratio])}"
            for ratio, macro in node["macro_f1"].items()
        ]
    return "\n".join(lines)


def render_tuning(result: dict[str, Any]) -> str:
    """:func:`n2v_lite.evaluate.tune` results: the table (mean and sd over the splits), the pick."""
    spread = result["spread"]
    method = result["method"]
    if method == "halving" and "min_budget" in result:
        method += f" from {result['min_budget']:g} of a fit"
    lines = [
        f"{result['task'].replace('_', ' ')}: validation {result['metric']}, mean and sd of "
        f"{spread['splits']} splits ({method}, {result['cost_full_fits']:.2f} "
        f"full fits, classifier C {result.get('C', 'auto')})",
        f"  {'p':>6}{'q':>6}{'cheap':>9}{'sd':>8}{'full':>9}{'sd':>8}{'budget':>8}{'seconds':>9}",
    ]

    def score(value, width):
        return f"{value:>{width}.4f}" if value is not None else f"{'-':>{width}}"

    lines += [
        f"  {row['p']:>6g}{row['q']:>6g}{score(row.get('cheap'), 9)}"
        f"{score(row.get('cheap_sd'), 8)}{score(row.get('full'), 9)}"
        f"{score(row.get('full_sd'), 8)}{row['budget']:>8.2f}{row['seconds']:>9.1f}"
        for row in result["table"]
    ]
    best = result["best"]
    ties = ", ".join(f"p={p:g} q={q:g}" for p, q in spread["ties"]) or "none"
    lines.append(
        f"best: p={best['p']:g} q={best['q']:g} (validation {best['validation']:.4f} "
        f"sd {best['validation_sd']:.4f}, test {best['test']:.4f}); within one sd: "
        f"{ties}"
    )
    return "\n".join(lines)


def render_update(path: str | os.PathLike[str], embedding: NodeEmbedding) -> str:
    """What :meth:`n2v_lite.NodeEmbedding.update` changed, as two lines."""
    report = embedding.info.get("update", {})
    seconds = report.get("seconds")
    return (
        f"saved {path}: {len(embedding)} nodes x {embedding.dimensions} dimensions"
        f"{f' in {seconds:.1f} s' if seconds is not None else ''}\n"
        f"changed: {report.get('new_nodes', 0)} new, {report.get('removed_nodes', 0)} "
        f"removed, {report.get('changed_nodes', 0)} with other edges; walked again from "
        f"{report.get('rewalked_nodes', 0)} nodes ({report.get('walks', 0)} walks, "
        f"{report.get('walks', 0) / max(report.get('full_walks', 1), 1):.1%} of a refit)"
    )
