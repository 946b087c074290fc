"""The import graph: no cycles anywhere, and dependencies point inward.

grimp builds the graph statically, function-level and `if TYPE_CHECKING:` imports included:
a cycle hidden inside a function or behind a type hint is still a cycle.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import grimp

ROOT = "vpctest"
README = Path(__file__).resolve().parents[2] / "README.md"
EMULATORS = ("vpctest.emulator", "vpctest.slack_emulator", "vpctest.playground")
# The product modules that may import an emulator: the CLI's sandbox entries (`--sandbox`,
# `vpc-test playground`, and `vpc-test emulator`, which hands over to the emulator's own CLI).
EMULATOR_IMPORTERS = {"vpctest.cli.sandbox", "vpctest.cli.playground", "vpctest.cli"}


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(ROOT, exclude_type_checking_imports=False, cache_dir=None)


def cycles(g: grimp.ImportGraph) -> list[list[str]]:
    """One shortest cycle through each module that lies on one, each reported once."""
    found: dict[frozenset[str], list[str]] = {}
    for module in sorted(g.modules):
        for imported in sorted(g.find_modules_directly_imported_by(module)):
            chain = g.find_shortest_chain(importer=imported, imported=module)
            if chain is not None:
                found.setdefault(frozenset(chain), [module, *chain])
    return list(found.values())


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(graph()) == [], "import cycles:\n" + "\n".join(
        " → ".join(c) for c in cycles(graph())
    )


def test_the_cycle_finder_finds_a_cycle() -> None:
    g = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        g.add_module(name)
    g.add_import(importer="p.a", imported="p.b")
    g.add_import(importer="p.b", imported="p.c")
    g.add_import(importer="p.c", imported="p.a")
    assert [sorted(c[:-1]) for c in cycles(g)] == [["p.a", "p.b", "p.c"]]


def allowed_imports() -> dict[str, set[str]]:
    """The README's architecture table: each package and the packages it may import."""
    table = README.read_text(encoding="utf-8").split("## Architecture", 1)[1].split("\n## ", 1)[0]
    allowed: dict[str, set[str]] = {}
    for row in re.findall(r"^\| `(vpctest\.\w+)` \|.*\| ([^|]*) \|$", table, re.MULTILINE):
        package, may = row
        allowed[package] = set(re.findall(r"`(vpctest\.\w+)`", may))
    return allowed


def package_imports(g: grimp.ImportGraph) -> dict[str, set[str]]:
    """Each top-level package of vpctest and the other top-level packages it imports."""
    found: dict[str, set[str]] = {}
    for module in g.modules:
        if module == ROOT:
            continue
        package = ".".join(module.split(".")[:2])
        found.setdefault(package, set()).update(
            ".".join(imported.split(".")[:2])
            for imported in g.find_modules_directly_imported_by(module)
            if imported.startswith(f"{ROOT}.")
            and not imported.startswith(f"{package}.")
            and imported != package
        )
    return found


def test_the_readme_lists_every_package() -> None:
    assert sorted(allowed_imports()) == sorted(package_imports(graph()))


def test_each_package_imports_only_what_the_readme_allows() -> None:
    allowed = allowed_imports()
    beyond = {
        package: sorted(imported - allowed.get(package, set()))
        for package, imported in package_imports(graph()).items()
        if imported - allowed.get(package, set())
    }
    assert beyond == {}, f"imports the README's architecture table does not allow: {beyond}"


def test_the_table_keeps_dependencies_inward() -> None:
    """The table itself: the engine and the catalog know nothing of the bot or the CLI, the
    bot nothing of the CLI, and the two emulators neither each other nor the product."""
    allowed = allowed_imports()
    for inner, outer in [
        ("vpctest.diagnostics", "vpctest.bot"),
        ("vpctest.diagnostics", "vpctest.cli"),
        ("vpctest.messages", "vpctest.diagnostics"),
        ("vpctest.bot", "vpctest.cli"),
        ("vpctest.emulator", "vpctest.slack_emulator"),
        ("vpctest.slack_emulator", "vpctest.emulator"),
    ]:
        assert outer not in allowed[inner], f"{inner} must not depend on {outer}"
    for emulator in EMULATORS:
        assert not allowed[emulator] & {"vpctest.bot", "vpctest.diagnostics", "vpctest.cli"}
    for package, may in allowed.items():
        if package not in (*EMULATORS, "vpctest.cli"):
            assert not may & set(EMULATORS), f"{package} may not import an emulator"


def test_only_the_sandbox_entries_import_an_emulator() -> None:
    g = graph()
    offenders = sorted(
        (importer, imported)
        for emulator in EMULATORS
        for imported in (emulator, *g.find_descendants(emulator))
        for importer in g.find_modules_that_directly_import(imported)
        if not importer.startswith(EMULATORS) and importer not in EMULATOR_IMPORTERS
    )
    assert offenders == []
