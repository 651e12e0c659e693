"""The hostile-input catalogue (scripts/hostile.py) fails cleanly, case by case.

Every case is a separate command in a fresh process: one ``Error:`` line on stderr, exit
1 or 2 within the time limit, no traceback and nothing left behind.
"""

import importlib.util
from pathlib import Path

import pytest

from n2v_lite import GraphError
from n2v_lite._text import data_lines

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "hostile.py"


def _hostile():
    spec = importlib.util.spec_from_file_location("hostile", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_every_hostile_input_fails_cleanly(tmp_path):
    hostile = _hostile()
    cases = list(hostile.cases(tmp_path))
    names = [name for name, _, _ in cases]
    assert len(names) >= 30 and len(set(names)) == len(names)
    results = [hostile.run_case(name, argv, codes, tmp_path, 60) for name, argv, codes in cases]
    assert not [r for r in results if not r["ok"]]
    assert not (tmp_path / "PWNED").exists()  # --where never runs code


def test_a_device_is_refused_before_it_is_read():
    """/dev/zero is one endless line: reading it hung the reader before."""
    with pytest.raises(GraphError, match=r"^/dev/zero: a device, not a file$"):
        next(data_lines("/dev/zero", "#"))


def test_the_check_sees_a_command_that_fails_badly(tmp_path):
    hostile = _hostile()
    result = hostile.run_case("succeeds", ["--version"], (1,), tmp_path, 60)
    assert not result["ok"] and "exit 0" in result["why"] and "not one 'Error:'" in result["why"]
