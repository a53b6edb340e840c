"""The shape of the house, checked: layers point one way, no import circles, no reaching into another
module's private names, nothing writes the process environment, roles are checked in one place.

Imports inside functions count too: hiding a circle behind a function-level import is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# top to bottom: each may import only those below (the tracker makes its weekly pack with the exports)
PACKAGES = ("ui", "tracker", "exports", "graphs", "agents", "knowledge", "core")
LAYER = {p: i for i, p in enumerate(PACKAGES)}
FOLDERS = (*PACKAGES, "evals")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            parts = list(p.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = p
    return out


MODULES = _modules()


def _resolve(mod: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = mod.split(".")
    if not MODULES[mod].name == "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _unpacked(name: str) -> str:
    """``katachi.core.x`` → ``core.x``: the layers are the folders below the one installed package."""
    return name.removeprefix("katachi.")


def _imports(mod: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import in the file, at any depth."""
    tree = ast.parse(MODULES[mod].read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(_unpacked(a.name), [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _unpacked(_resolve(mod, node))
            for a in node.names:
                sub = f"{target}.{a.name}"
                if sub in MODULES:  # `from pkg import module`
                    out.append((sub, [], node.lineno))
                else:
                    out.append((target, [a.name], node.lineno))
    return [(t, n, ln) for t, n, ln in out if t.split(".")[0] in LAYER]


def _graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for target, _, _ in _imports(m):
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != m and not m.startswith(target + "."):
                g[m].add(target)
    return g


def _bare_imports(path: Path) -> list[str]:
    """Imports that name a code folder as a top-level package (``from core.x import``, ``import ui``)."""
    wrong = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        wrong += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] in FOLDERS]
    return wrong


def test_code_is_imported_only_through_the_one_package():
    """``core``, ``ui`` … are folders of the ``katachi`` package, never top-level names: a bare import would
    load a second copy of a module (or another project's ``core``) beside ``katachi.core``."""
    files = [p for d in (*FOLDERS, "tests", "benchmarks") for p in (ROOT / d).rglob("*.py")]
    wrong = [w for p in files if "reports" not in p.parts for w in _bare_imports(p)]
    assert not wrong, "\n".join(wrong)


def test_layers_point_down():
    wrong = []
    for m in MODULES:
        for target, _, line in _imports(m):
            if LAYER[target.split(".")[0]] < LAYER[m.split(".")[0]]:
                wrong.append(f"{m}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_circles():
    g = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    assert not circles, circles


def test_no_private_names_across_modules():
    wrong = []
    for m in MODULES:
        for target, names, line in _imports(m):
            for n in names:
                if n.startswith("_") and not n.startswith("__") and target != m:
                    wrong.append(f"{m}:{line} takes {target}.{n}")
        tree = ast.parse(MODULES[m].read_text(encoding="utf-8"))
        aliases = {
            a.asname or a.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for a in node.names
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                wrong.append(f"{m}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not wrong, "\n".join(wrong)


def test_nothing_writes_the_environment():
    wrong = []
    for m, p in MODULES.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            target = None
            if isinstance(node, ast.Assign):
                target = node.targets[0]
            if isinstance(target, ast.Subscript) and "environ" in ast.unparse(target.value):
                wrong.append(f"{m}:{node.lineno}")
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(
                ("environ.setdefault", "environ.update", "os.putenv")
            ):
                wrong.append(f"{m}:{node.lineno}")
    assert not wrong, wrong


def test_roles_are_named_only_in_the_policy():
    """Role names appear in code only in the policy module (and the account command's choices, which
    take them from it)."""
    policy = "ui.policy"
    wrong = []
    for m, p in MODULES.items():
        if m == policy:
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                text = ast.unparse(node)
                if ".role" in text or "role ==" in text or "role in" in text:
                    wrong.append(f"{m}:{node.lineno} {text[:80]}")
    assert not wrong, "\n".join(wrong)


LONGEST = 60  # lines from `def` to its last line: a function a reader takes in at one glance


def test_no_function_is_longer_than_a_screen():
    """Outside tests: split by what the parts do (a page's layout and its events, a generator's retrieve →
    ask → repair → cite, a migration's groups of tables)."""
    folders = (*FOLDERS, "benchmarks", "tools", "katachi")
    wrong = []
    for p in (p for d in folders for p in (ROOT / d).rglob("*.py") if "reports" not in p.parts):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > LONGEST:
                    wrong.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not wrong, "\n".join(wrong)
