"""The house reads from the bottom up: lower layers never import higher ones, and no module imports itself back.

Every import counts, including those inside functions; only `if TYPE_CHECKING:` imports (annotations)
are left out, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "src" / "flopcalc"

# The floors, bottom up (README "How the code is laid out").
LAYERS: dict[str, int] = {
    **dict.fromkeys(["errors", "text", "units", "fmt", "stats", "_paths", "_yaml", "_schema", "inputs", "energy",
                     "datadates"], 0),
    **dict.fromkeys(["hardware", "runs", "rules", "pricing"], 1),
    **dict.fromkeys(["calc", "rows"], 2),
    **dict.fromkeys(["evidence", "sizing", "sweep", "scenario", "judgement", "cost_bases"], 3),
    **dict.fromkeys(["estimate", "bases"], 4),
    **dict.fromkeys(["verdicts", "calibration", "trends", "planning", "memo", "plot", "frames"], 5),
    "cli": 6,
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    return ".".join(rel.parts)


def _layer(mod: str) -> int | None:
    return LAYERS.get(mod.split(".")[0])


def _runtime_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    me = _module_name(path)
    package = me.rsplit(".", 1)[0] if "." in me else ""
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.ImportFrom) or not node.level:
            if isinstance(node, ast.Import) and id(node) not in skip:
                out.update(a.name[len("flopcalc."):] for a in node.names if a.name.startswith("flopcalc."))
            continue
        base_parts = package.split(".") if package else []
        base_parts = base_parts[: len(base_parts) - (node.level - 1)] if node.level > 1 else base_parts
        base = ".".join(p for p in [*base_parts, node.module or ""] if p)
        if node.module:
            out.add(base)
        else:
            out.update(".".join(p for p in [*base_parts, a.name] if p) for a in node.names)
    return {m for m in out if m}


MODULES = {_module_name(p): p for p in PKG.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")}
GRAPH = {m: {i for i in _runtime_imports(p) if i in MODULES or i.split(".")[0] in LAYERS} for m, p in MODULES.items()}


def test_every_module_has_a_floor() -> None:
    missing = [m for m in MODULES if _layer(m) is None]
    assert not missing, f"give these modules a floor in LAYERS: {missing}"


@pytest.mark.parametrize("mod", sorted(MODULES))
def test_no_import_reaches_up(mod: str) -> None:
    mine = _layer(mod)
    up = sorted(i for i in GRAPH[mod] if (_layer(i) or 0) > (mine or 0))
    assert not up, f"{mod} (floor {mine}) imports higher floors: {up}"


def test_calc_is_pure_arithmetic() -> None:
    assert GRAPH["calc"] <= {"errors", "units"}


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(GRAPH.get(m, ())):
            if n not in GRAPH:
                continue
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(n):] + [n]))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m)


def test_no_submodule_shadows_a_public_function() -> None:
    import flopcalc

    assert not set(flopcalc.__all__) & {p.stem for p in PKG.glob("*.py")}
