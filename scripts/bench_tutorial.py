"""Benchmark the tutorial backend against the Keras example it reproduces, on MovieLens.

Same walks for everything (the example's settings: 5 walks of 10 nodes from
every movie, p = q = 1). Baselines measured in the same run:

* example generation: the example's own method -- the legacy
  ``keras.preprocessing.sequence.skipgrams`` loop and the ``(min, max)`` dict
  count -- in plain Python (Python's ``random``; no Keras needed);
* training (with ``--keras``, when ``keras`` and a backend are installed): the
  example's Keras model (shared ``Embedding``, ``Dot``, BCE from logits, Adam)
  fitted for the same epochs on the same examples. Keras's ``fit`` on arrays
  keeps the last partial batch, the example's dataset drops it.

Prints a table with speed-ups and the issue's bars, then, as the last line,
one JSON object with every figure measured.

Usage::

    python scripts/bench_tutorial.py [--data PATH] [--seed N] [--epochs N] [--keras]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("N2V_LITE_SHARED", REPO.parent / "shared"))
DEFAULT_DATA = SHARED / "data" / "ml-latest-small"
#: The example's published figures and the bars of the issue.
PAGE_EXAMPLES = 881_412
PAGE_LOSS = (2.4527, 2.3104)
KERAS_RUN_SECONDS = 66.0  # the real Keras run here: examples 5.2 s + training 60.8 s


def example_loop(sequences, vocabulary_size, window_size, negative_samples, rnd):
    """The Keras example's generation, written plainly: legacy skipgrams per walk, then a dict."""
    counts = defaultdict(int)
    for sequence in sequences:
        couples = []
        for i, wi in enumerate(sequence):
            if not wi:
                continue
            for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
                if j != i and sequence[j]:
                    couples.append((wi, sequence[j], 1))
        words = [c[0] for c in couples]
        rnd.shuffle(words)
        couples += [
            (words[k % len(words)], rnd.randint(1, vocabulary_size - 1), 0)
            for k in range(int(len(couples) * negative_samples))
        ]
        for a, b, label in couples:
            if a != b:
                counts[(min(a, b), max(a, b), label)] += 1
    return counts


def keras_training(examples, vocabulary_size, epochs, seed):
    """The example's model trained by Keras on the same examples; (seconds, losses)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    targets, contexts, labels, weights = examples
    inputs = {
        "target": layers.Input(name="target", shape=(), dtype="int32"),
        "context": layers.Input(name="context", shape=(), dtype="int32"),
    }
    embed = layers.Embedding(
        vocabulary_size,
        50,
        embeddings_initializer="he_normal",
        embeddings_regularizer=keras.regularizers.l2(1e-6),
    )
    logits = layers.Dot(axes=1, normalize=False)(
        [embed(inputs["target"]), embed(inputs["context"])]
    )
    model = keras.Model(inputs=inputs, outputs=logits)
    model.compile(
        optimizer=keras.optimizers.Adam(0.001),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    start = time.perf_counter()
    history = model.fit(
        {"target": targets.astype("int32"), "context": contexts.astype("int32")},
        labels.astype("float32"),
        sample_weight=weights.astype("float32"),
        batch_size=1024,
        epochs=epochs,
        shuffle=True,
        verbose=0,
    )
    return (
        time.perf_counter() - start,
        [float(x) for x in history.history["loss"]],
        f"keras {keras.__version__} ({keras.backend.backend()})",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--keras", action="store_true", help="also train the Keras model")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    from n2v_lite import tutorial
    from n2v_lite.movielens import movie_graph
    from n2v_lite.walks import random_walks

    rng = np.random.default_rng(args.seed)
    graph = movie_graph(args.data)
    vocabulary_size = graph.num_nodes + 1
    tokens = tutorial.walks_to_tokens(random_walks(graph, 5, 10, seed=rng), graph.num_nodes)

    start = time.perf_counter()
    reference = example_loop(tokens.tolist(), vocabulary_size, 10, 4, random.Random(args.seed))
    loop_seconds = time.perf_counter() - start

    start = time.perf_counter()
    examples = tutorial.generate_examples(tokens, vocabulary_size, 10, 4, seed=rng)
    generate_seconds = time.perf_counter() - start

    start = time.perf_counter()
    _, losses = tutorial.fit_examples(
        *examples, vocabulary_size, epochs=args.epochs, seed=rng, progress=False
    )
    train_seconds = time.perf_counter() - start

    keras_seconds = keras_losses = keras_name = None
    if args.keras:
        keras_seconds, keras_losses, keras_name = keras_training(
            examples, vocabulary_size, args.epochs, args.seed
        )

    count = int(len(examples[0]))
    total = generate_seconds + train_seconds
    bars = {
        "examples_within_1pct_of_page": abs(count / PAGE_EXAMPLES - 1) < 0.01,
        "final_loss_within_0.03_of_2.31": abs(losses[-1] - 2.31) <= 0.03,
        "total_under_tenth_of_keras_run": total < KERAS_RUN_SECONDS / 10,
    }
    print(
        f"MovieLens movie graph: {graph.num_nodes} nodes, {len(tokens)} walks of 10 nodes; "
        f"{args.epochs} epochs"
    )
    print(f"{'stage':26}{'baseline (s)':>14}{'n2v_lite (s)':>14}{'speed-up':>10}")
    print(
        f"{'example generation':26}{loop_seconds:>14.2f}{generate_seconds:>14.3f}"
        f"{loop_seconds / generate_seconds:>10.1f}   baseline: the example's Python loop"
    )
    if keras_seconds is not None:
        print(
            f"{'training':26}{keras_seconds:>14.2f}{train_seconds:>14.2f}"
            f"{keras_seconds / train_seconds:>10.1f}   baseline: {keras_name}"
        )
    else:
        print(
            f"{'training':26}{'-':>14}{train_seconds:>14.2f}{'-':>10}   "
            f"(--keras not given; the Keras run here took 60.8 s)"
        )
    print(f"{'generation + training':26}{'':>14}{total:>14.2f}")
    print()
    print(
        f"examples: {count:,} (the example's loop on the same walks: {len(reference):,}; "
        f"the page: {PAGE_EXAMPLES:,})"
    )
    print(
        f"loss per epoch: {' '.join(f'{x:.4f}' for x in losses)} "
        f"(the page: {PAGE_LOSS[0]} -> {PAGE_LOSS[1]})"
    )
    if keras_losses:
        print(f"Keras loss per epoch: {' '.join(f'{x:.4f}' for x in keras_losses)}")
    for name, ok in bars.items():
        print(f"bar {name}: {'PASS' if ok else 'FAIL'}")
    print(
        json.dumps(
            {
                "examples": count,
                "examples_reference_loop": len(reference),
                "examples_page": PAGE_EXAMPLES,
                "loss_history": losses,
                "generate_seconds": round(generate_seconds, 4),
                "reference_loop_seconds": round(loop_seconds, 3),
                "generate_speedup": round(loop_seconds / generate_seconds, 1),
                "train_seconds": round(train_seconds, 3),
                "total_seconds": round(total, 3),
                "keras": keras_name,
                "keras_train_seconds": keras_seconds and round(keras_seconds, 2),
                "keras_loss_history": keras_losses,
                "train_speedup": keras_seconds and round(keras_seconds / train_seconds, 1),
                "bars": bars,
                "seed": args.seed,
                "epochs": args.epochs,
            }
        )
    )


if __name__ == "__main__":
    main()
