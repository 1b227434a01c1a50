"""The shape of the export package: no exporter reaches up into the package root or the CLI,
no import cycle between its modules, and a PDF build does not load the deck loader."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
EXPORT = SRC / "histquiz" / "export"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function, made absolute."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # "from . import html" imports the submodule html
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def export_modules() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in EXPORT.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name}
            for name, path in modules.items()}


def test_no_exporter_imports_the_package_root_or_the_cli() -> None:
    for path in EXPORT.rglob("*.py"):
        for target in imports_of(path):
            assert target != "histquiz", f"{path.name} imports the package root"
            assert not target.startswith(("histquiz.cli", "histquiz.commands")), (path, target)


def test_no_import_cycle_under_export() -> None:
    graph = export_modules()
    assert "histquiz.export.worksheet.plan" in graph["histquiz.export.worksheet.pdf"]
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " → ".join([*path[path.index(node):], node]))
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])


def test_a_worksheet_build_does_not_load_the_loader_or_yaml() -> None:
    code = ("import sys, histquiz.export.worksheet.pdf, histquiz.export.anki.writer, "
            "histquiz.export.classroom.kahoot, histquiz.export.build; "
            "print(sorted({'yaml', 'histquiz.load.yaml', 'histquiz.load.loader', 'histquiz.cli'}"
            " & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={"PYTHONPATH": str(SRC)})
    assert result.stdout.strip() == "[]"
