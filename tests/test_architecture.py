"""The direction of the imports between the project's apps, read from the source (docs/architecture.md).

Every `import` and `from ... import` counts, at module level and inside functions: a lazy import is a dependency
all the same. guide_site is the composition root (settings, URLs) and may import any app.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# app -> the project apps it may import. guides is the foundation and knows none of them; the apps built on it
# reach it, and it reaches them only through the slots they fill (guides.extensions).
ALLOWED = {
    "guides": set(),
    "home": {"guides"},
    "counties": {"guides"},
    "screening": {"guides"},
    "search": {"guides"},
    "accounts": set(),  # who someone is at the identity provider; knows no domain
    "intake": {"guides", "screening", "accounts"},  # the form's fields follow the checklist the visitor was given
    # receives intake's hand-off; shows the applicant's checklist; staff roles from the provider's claims
    "window": {"guides", "screening", "intake", "accounts"},
    "notices": {"guides", "intake"},  # messages at intake's milestones, which intake announces by signals
}
APPS = {*ALLOWED, "guide_site"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, lazy: bool = True):
    """(line, modules) for every import statement of a file; module level only unless `lazy`.

    `from pkg import name` lists pkg.name too, since the name may be a module.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree) if lazy else tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, [alias.name]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            yield node.lineno, [target, *(f"{target}.{alias.name}" for alias in node.names)]


def _sources():
    for app in sorted(APPS):
        yield from sorted((ROOT / app).rglob("*.py"))


def test_imports_follow_the_direction_of_the_apps():
    offending = set()  # a set: a statement importing several names is one edge
    for path in _sources():
        app = path.relative_to(ROOT).parts[0]
        if app == "guide_site":
            continue
        for line, (target, *_) in _imports(path):
            other = target.split(".")[0]
            if other in APPS and other != app and other not in ALLOWED[app]:
                offending.add(f"{path.relative_to(ROOT)}:{line} {app} -> {other} ({target})")
    assert not offending, "imports against the direction of the apps:\n" + "\n".join(sorted(offending))


def test_no_import_cycles_between_modules():
    """Module-level imports form no cycle: each module can be read (and imported) after the ones it names."""
    modules = {_module_name(path): path for path in _sources()}
    graph = {}
    for name, path in modules.items():
        graph[name] = {target for _, targets in _imports(path, lazy=False) for target in targets
                       if target in modules and target != name}
    cycles, state = [], {}

    def visit(name, trail):
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target):], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


# A model method calling the helpers built on its own models (the guide page, the editor's checks, the listing).
MUTUAL_ALLOWED = {("guides.models", "guides.queries"), ("guides.models", "guides.spec")}


def test_no_two_modules_import_each_other():
    """Lazy imports included: a pair of modules that need each other is one module, or a missing interface."""
    modules = {_module_name(path): path for path in _sources()}
    graph = {name: {target for _, targets in _imports(path) for target in targets if target in modules}
             for name, path in modules.items()}
    pairs = {tuple(sorted((a, b))) for a in graph for b in graph[a] if a != b and a in graph[b]}
    assert not pairs - MUTUAL_ALLOWED, "modules importing each other:\n" + "\n".join(
        " <-> ".join(pair) for pair in sorted(pairs - MUTUAL_ALLOWED))
