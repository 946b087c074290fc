"""The bot's modules import one another without cycles, at the top of each module: no
import hidden in a function or behind TYPE_CHECKING to dodge one."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "vpctest" / "bot"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def bot_imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    """(node, module) of every `import vpctest.bot…` / `from vpctest.bot… import` in `tree`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [(node, n) for n in names if n.startswith("vpctest.bot")]
        elif isinstance(node, ast.Import):
            found += [(node, a.name) for a in node.names if a.name.startswith("vpctest.bot")]
    return found


def graph() -> dict[str, set[str]]:
    """Which bot module names which (a package's own __init__ run first is not counted)."""
    modules = {module_name(p): p for p in BOT.rglob("*.py") if "migrations" not in p.parts}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[name] = {m for _, m in bot_imports(tree) if m in modules and m != name}
    return edges


def test_no_bot_import_is_hidden_in_a_function_or_behind_type_checking() -> None:
    hidden = []
    for path in BOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(n) for n in tree.body}
        hidden += [
            f"{path.relative_to(ROOT)}:{node.lineno} {module}"
            for node, module in bot_imports(tree)
            if id(node) not in top
        ]
    assert hidden == []


def test_the_bot_modules_import_one_another_without_a_cycle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError(" → ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for imported in sorted(edges.get(name, ())):
            visit(imported, [*path, name])
        done.add(name)

    for name in sorted(edges):
        visit(name, [])
