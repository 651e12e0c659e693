#!/usr/bin/env python
"""Start-up: how long the commands that do not train take, beside ``python -c pass``.

Fits the MovieLens model once (the bundled data, seed 0) into a temporary folder, then
times each of these in fresh processes (the median of ``--repeats`` runs) and lists the
heavy libraries each one imported:

* ``python -c pass`` (the baseline) and ``import n2v_lite``;
* ``n2v-lite similar MODEL 260`` (the bar: under 0.3 s here), ``info``, ``export --format
  npz`` and ``explore --method pca``;
* ``explore`` with its default layout, which at MovieLens's size is a t-SNE computed with
  scikit-learn: its time is the layout's, not start-up;
* ``n2v_lite.load(MODEL)`` and one ``most_similar`` from Python.

Commands that do not train should not import scikit-learn (a t-SNE layout is the one
exception, and only when asked for or chosen by ``--method auto``). Usage::

    python scripts/bench_startup.py [--repeats 5]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _bench import json_line  # noqa: E402

HEAVY = ("pandas", "sklearn", "gensim", "scipy", "matplotlib", "pyspark")
PROBE = (
    "import runpy, sys\n"
    "sys.argv = {argv!r}\n"
    "try:\n    runpy.run_module('n2v_lite', run_name='__main__')\n"
    "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
    "heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))\n"
    "sys.stderr.write('HEAVY ' + ','.join(heavy) + '\\n')\n"
)


def timed(code, repeats):
    """Median wall seconds of ``python -c code`` and the heavy modules it imported."""
    times, heavy = [], ""
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(time.perf_counter() - start)
        heavy = next(
            (line[6:] for line in done.stderr.splitlines() if line.startswith("HEAVY ")), heavy
        )
    return statistics.median(times), heavy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="n2v_lite-startup-") as tmp:
        model = str(Path(tmp) / "movies.n2v")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "n2v_lite",
                "movielens",
                "--seed",
                "0",
                "--quiet",
                "--out",
                model,
                "-k",
                "1",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        report = (
            f"\nheavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
            "sys.stderr.write('HEAVY ' + ','.join(heavy) + '\\n')\n"
        )
        cases = [
            ("python -c pass", "pass"),
            ("import n2v_lite", "import sys, n2v_lite" + report),
            (
                "n2v-lite similar MODEL 260",
                PROBE.format(argv=["n2v-lite", "similar", model, "260", "-k", "5"], heavy=HEAVY),
            ),
            ("n2v-lite info MODEL", PROBE.format(argv=["n2v-lite", "info", model], heavy=HEAVY)),
            (
                "n2v-lite export MODEL --format npz",
                PROBE.format(
                    argv=[
                        "n2v-lite",
                        "export",
                        model,
                        "--format",
                        "npz",
                        "--out",
                        str(Path(tmp) / "v.npz"),
                    ],
                    heavy=HEAVY,
                ),
            ),
            (
                "n2v-lite explore MODEL --method pca",
                PROBE.format(
                    argv=[
                        "n2v-lite",
                        "explore",
                        model,
                        "--method",
                        "pca",
                        "--out",
                        str(Path(tmp) / "m.html"),
                    ],
                    heavy=HEAVY,
                ),
            ),
            # The default layout at this size is t-SNE (scikit-learn's): a computation,
            # listed to show its cost, not a start-up figure.
            (
                "n2v-lite explore MODEL (t-SNE)",
                PROBE.format(
                    argv=["n2v-lite", "explore", model, "--out", str(Path(tmp) / "m.html")],
                    heavy=HEAVY,
                ),
            ),
            (
                "n2v_lite.load + most_similar",
                "import sys, n2v_lite\n"
                f"n2v_lite.load({model!r}).most_similar(260, topn=5)" + report,
            ),
        ]
        rows = []
        for name, code in cases:
            seconds, heavy = timed(code, args.repeats)
            rows.append({"what": name, "seconds": round(seconds, 3), "heavy": heavy})
    base = rows[0]["seconds"]
    print(f"{'what':<38}{'seconds':>9}{'- baseline':>12}   heavy imports")
    for row in rows:
        row["over_baseline"] = round(row["seconds"] - base, 3)
        print(
            f"{row['what']:<38}{row['seconds']:>9.3f}{row['over_baseline']:>12.3f}   "
            f"{row['heavy'] or '-'}"
        )
    print(json_line({"bench": "startup", "repeats": args.repeats, "rows": rows}))


if __name__ == "__main__":
    main()
