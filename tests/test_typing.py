"""The package is typed (issue 15): py.typed ships, `mypy --strict` is clean, and the public functions take
explicit, annotated keyword arguments (no **kw) and carry a docstring example that still holds."""

from __future__ import annotations

import doctest
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

import flopcalc

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "flopcalc"

# The library functions issue 15 names: explicit keyword arguments, each with an example.
PUBLIC_FUNCTIONS = ("cost", "budget", "cost_table", "size", "finetune_flop", "check", "thresholds", "threshold_costs",
                    "calibrate", "load_profiles", "load_thresholds", "load_runs", "grid", "trend", "plan", "to_frame",
                    "parse_quantity")


def _exported_functions() -> dict[str, Callable[..., Any]]:
    out = {}
    for name in flopcalc.__all__:
        obj = getattr(flopcalc, name)
        if inspect.isfunction(obj):
            out[name] = obj
    return out


def test_py_typed_marker_ships() -> None:
    assert (PKG / "py.typed").is_file(), "src/flopcalc/py.typed is missing: type checkers would ignore the hints"


def test_mypy_strict_is_clean(tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]' brings it and the stub packages)")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "mypy-cache"),
                           "src/flopcalc"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"mypy --strict src/flopcalc failed:\n{proc.stdout}{proc.stderr}"


def test_the_issue_names_only_exported_functions() -> None:
    missing = sorted(set(PUBLIC_FUNCTIONS) - set(_exported_functions()))
    assert not missing, f"not exported as functions from flopcalc: {missing}"


@pytest.mark.parametrize("name", sorted(_exported_functions()))
def test_public_function_is_annotated_without_kwargs(name: str) -> None:
    fn = _exported_functions()[name]
    sig = inspect.signature(fn)
    kwargs = [p.name for p in sig.parameters.values() if p.kind is inspect.Parameter.VAR_KEYWORD]
    assert not kwargs, f"flopcalc.{name} takes **{kwargs[0]}: list its keyword arguments explicitly"
    bare = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not bare, f"flopcalc.{name}: parameters without a type annotation: {bare}"
    assert sig.return_annotation is not inspect.Signature.empty, f"flopcalc.{name} has no return annotation"


@pytest.mark.parametrize("name", sorted(_exported_functions()))
def test_public_function_docstring_example_holds(name: str) -> None:
    fn = _exported_functions()[name]
    tests = doctest.DocTestFinder(recurse=False).find(fn, f"flopcalc.{name}", globs=vars(sys.modules[fn.__module__]))
    examples = [ex for t in tests for ex in t.examples]
    assert examples, f"flopcalc.{name}'s docstring has no '>>>' example"
    needs = {"grid": ("numpy", "grid"), "to_frame": ("pandas", "frame")}.get(name)
    if needs is not None:
        pytest.importorskip(needs[0], reason=f"flopcalc.{name}'s example needs {needs[0]} (flopcalc[{needs[1]}])")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    failed = attempted = 0
    for t in tests:
        result = runner.run(t, out=report.append)
        failed, attempted = failed + result.failed, attempted + result.attempted
    assert attempted, f"flopcalc.{name}'s docstring examples are all skipped"
    assert not failed, f"flopcalc.{name}'s docstring example no longer holds:\n{''.join(report)}"


USER_SCRIPT = "import flopcalc\nr = flopcalc.cost(1e26)\n"


def test_mypy_strict_passes_on_a_user_script(tmp_path: Path) -> None:
    """User code type-checks against the installed package: `flopcalc.cost` resolves through the static __all__."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]' brings it and the stub packages)")
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT + "reveal_type(r)\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "mypy-cache"),
                           str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mypy --strict on a user script failed:\n{out}"
    assert 'Revealed type is "flopcalc.estimate.CostResult"' in out, out


def test_all_is_static_and_matches_the_lazy_table() -> None:
    import ast

    tree = ast.parse((PKG / "__init__.py").read_text(encoding="utf-8"))
    (node,) = [n for n in tree.body if isinstance(n, ast.Assign)
               and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)]
    assert isinstance(node.value, ast.List) and all(isinstance(e, ast.Constant) for e in node.value.elts), \
        "__all__ must be a literal list of strings for type checkers"
    assert sorted(flopcalc.__all__) == sorted(["__version__", *flopcalc._EXPORTS])
    assert len(set(flopcalc.__all__)) == len(flopcalc.__all__)


def test_import_stays_lazy() -> None:
    code = "import sys, flopcalc; print(sorted(m for m in sys.modules if m.startswith('flopcalc')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.strip() == "['flopcalc']", out


def test_reprs_are_one_line(tmp_path: Path) -> None:
    objs = [flopcalc.cost(1e26), flopcalc.budget("$100M"), flopcalc.load_profiles(),
            flopcalc.load_profiles().get("h100"), flopcalc.plan("$50M")]
    for obj in objs:
        text = repr(obj)
        assert "\n" not in text and len(text) <= 200, text
