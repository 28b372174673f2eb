"""The package's shape: imports point one way with no cycle (function-level imports included), no function is long,
and every table's columns are the ones CODEBOOK.md documents."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "analysis"
#: numba kernels: one loop each, kept whole so that they read like SnowNLP's code they mirror (README, Performance).
LONG_FUNCTIONS_ALLOWED = {"analysis.sentiment.snowfast.kernel.tag_run", "analysis.sentiment.snowfast.kernel.analyse"}
MAX_FUNCTION_LINES = 60


# ----------------------------------------------------------------------------------------------- the import graph


def module_name(path: Path, root: Path) -> str:
    """The dotted module name of a file below the folder holding the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports anywhere in its code (module level and inside functions alike).

    `from X import name` counts as an import of X.name when that is a module, else of X; a package's own
    `__init__` counts only when something is imported from it.
    """
    root = package.parent
    files = {module_name(p, root): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        is_pkg = path.name == "__init__.py"
        here = mod.split(".") if is_pkg else mod.split(".")[:-1]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else [])) \
                    if node.level else node.module
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t in files and t != mod}
        graph[mod] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, …, a], or None when it has none (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_the_graph_sees_an_import_inside_a_function(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..a import x\n    return x\n")
    graph = import_graph(pkg)
    assert graph["pkg.a"] == {"pkg.sub.b"} and graph["pkg.sub.b"] == {"pkg.a"}
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.a"]


def test_the_package_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert len(graph) > 40 and graph["analysis.analyse"] >= {"analysis.text.segment", "analysis.framing.match"}
    assert find_cycle(graph) is None


def _lint_imports(*args: str) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), "--no-cache", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_linter_keeps_the_contracts():
    r = _lint_imports()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: 2 kept, 0 broken" in r.stdout


def test_import_linter_would_see_a_broken_layer_even_inside_a_function(tmp_path):
    # cli imports present/ only inside its command functions: a contract putting present above cli must break
    config = tmp_path / "reversed.toml"
    config.write_text('[tool.importlinter]\nroot_package = "analysis"\n\n[[tool.importlinter.contracts]]\n'
                      'name = "reversed"\ntype = "layers"\nlayers = ["analysis.present", "analysis.cli"]\n')
    r = _lint_imports("--config", str(config))
    assert r.returncode != 0 and "analysis.cli -> analysis.present.render" in r.stdout, r.stdout


# -------------------------------------------------------------------------------------------- function length


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """(qualified name, lines) of every function or method longer than `limit` lines, decorators excluded."""
    out = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef) and child.end_lineno - child.lineno + 1 > limit:
                    out.append((name, child.end_lineno - child.lineno + 1))
                walk(child, name + ".")
            else:
                walk(child, prefix)

    walk(ast.parse(source), "")
    return out


def test_the_length_check_counts_nested_functions_and_methods():
    def body(indent: int) -> str:
        return "\n".join(" " * indent + f"x{i} = {i}" for i in range(60))

    source = (f"def short():\n    return 1\n\n"
              f"class C:\n    def long(self):\n{body(8)}\n\n"
              f"def outer():\n    def inner():\n{body(8)}\n    return inner\n")
    assert long_functions(source) == [("C.long", 61), ("outer", 63), ("outer.inner", 61)]
    assert long_functions(source, limit=61) == [("outer", 63)]


def test_no_function_is_over_60_lines_but_the_numba_kernels():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        mod = module_name(path, ROOT)
        found += [f"{mod}.{name} ({n} lines)" for name, n in long_functions(path.read_text(encoding="utf-8"))
                  if f"{mod}.{name}" not in LONG_FUNCTIONS_ALLOWED]
    assert found == []
    for name in LONG_FUNCTIONS_ALLOWED:  # the exemptions name real functions
        mod, func = name.rsplit(".", 1)
        assert f"def {func}(" in (ROOT / Path(*mod.split("."))).with_suffix(".py").read_text(encoding="utf-8")
