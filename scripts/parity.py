"""Parity report: the gensim backend against the Keras example's method, on MovieLens.

Samples one set of walks with the Keras node2vec example's settings (5 walks of
10 nodes from every movie, p = q = 1), trains both backends on them (each twice,
with two seeds, so the cross-backend agreement can be read against each
backend's own seed-to-seed agreement), evaluates link prediction and genre
classification, and prints the side-by-side table and a verdict. The last line
is one JSON object with every figure measured.

Usage::

    python scripts/parity.py [--data PATH] [--seed N] [--no-evaluate] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("N2V_LITE_SHARED", REPO.parent / "shared"))
DEFAULT_DATA = SHARED / "data" / "ml-latest-small"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=str(DEFAULT_DATA),
        help="ml-latest-small folder or zip (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workers", type=int, default=None, help="gensim threads (default: all CPUs)"
    )
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--num-walks", type=int, default=5)
    parser.add_argument("--walk-length", type=int, default=10)
    parser.add_argument(
        "--no-evaluate", action="store_true", help="skip link prediction and node classification"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    from n2v_lite.movielens import movie_graph
    from n2v_lite.parity import format_parity, parity_report

    start = time.perf_counter()
    graph = movie_graph(args.data)
    report = parity_report(
        graph,
        num_walks=args.num_walks,
        walk_length=args.walk_length,
        epochs=args.epochs,
        evaluate=not args.no_evaluate,
        workers=args.workers,
        seed=args.seed,
    )
    report["total_seconds"] = round(time.perf_counter() - start, 2)
    report["data"] = str(args.data)
    print(format_parity(report))
    print(f"(total {report['total_seconds']:.1f} s)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
