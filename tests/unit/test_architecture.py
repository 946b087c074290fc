"""The import graph: no cycles anywhere, and dependencies point inward.

grimp builds the graph statically, function-level and `if TYPE_CHECKING:` imports included:
a cycle hidden inside a function or behind a type hint is still a cycle.
"""

from __future__ import annotations

from functools import cache

import grimp
import pytest

ROOT = "vpctest"
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


@pytest.mark.parametrize(
    ("inner", "outer"),
    [
        ("vpctest.diagnostics", "vpctest.bot"),
        ("vpctest.diagnostics", "vpctest.cli"),
        ("vpctest.messages", "vpctest.diagnostics"),
        ("vpctest.messages", "vpctest.bot"),
        ("vpctest.bot", "vpctest.cli"),
    ],
)
def test_dependencies_point_inward(inner: str, outer: str) -> None:
    chain = graph().find_shortest_chains(importer=inner, imported=outer, as_packages=True)
    assert not chain, f"{inner} must not depend on {outer}: {sorted(chain)}"


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


def test_the_emulators_stand_apart() -> None:
    """The Alibaba Cloud and Slack emulators do not know each other, nor the product."""
    g = graph()
    for source, forbidden in [
        ("vpctest.emulator", "vpctest.slack_emulator"),
        ("vpctest.slack_emulator", "vpctest.emulator"),
        ("vpctest.emulator", "vpctest.bot"),
        ("vpctest.slack_emulator", "vpctest.bot"),
        ("vpctest.emulator", "vpctest.diagnostics"),
    ]:
        assert not g.find_shortest_chains(importer=source, imported=forbidden, as_packages=True), (
            f"{source} imports {forbidden}"
        )
