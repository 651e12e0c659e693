"""Helpers shared by the benchmark scripts: memory probes and the closing JSON line."""

import json
import math


def status_mib(field):
    """A ``/proc/self/status`` figure (``VmRSS``, ``VmHWM``) in MiB; ru_maxrss off Linux."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    """Reset the kernel's RSS high-water mark (Linux >= 4.0); False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


#: The big-graph run users type (``n2v-lite embed EDGES`` + these): ``--preset fast``, one
#: walk of 20 a node, sample 1e-3, 2 workers (bench_scale.py and bench_memory.py).
FAST_ONE_WALK = [
    "--preset",
    "fast",
    "--num-walks",
    "1",
    "--walk-length",
    "20",
    "--sample",
    "1e-3",
    "--workers",
    "2",
    "--seed",
    "0",
    "--quiet",
]


def command_here(args):
    """Run ``n2v-lite args`` in this process, so that its peak RSS is the command's:
    (wall seconds, ``VmHWM`` in MiB)."""
    import time

    from n2v_lite.cli import cli

    start = time.perf_counter()
    try:
        cli.main(list(args), prog_name="n2v-lite", standalone_mode=False)
    finally:
        seconds = time.perf_counter() - start
    return seconds, status_mib("VmHWM")


def _strict(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def json_line(obj):
    """One line of strict JSON: NaN and infinities become null."""
    return json.dumps(_strict(obj), allow_nan=False)
