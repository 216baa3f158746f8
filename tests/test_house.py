"""The house keeps rooms one can live in (STYLE.md): no hand-written module of ``lifstab/`` over 400 lines,
no function over 60 lines (docstring included), read with ``ast``; generated kernels are exempt."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import lifstab

PACKAGE = Path(lifstab.__file__).parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
#: modules allowed past the limits, each with why (none since lifstab/stability.py was split)
ALLOWED_MODULES: set[str] = set()
#: functions allowed past MAX_FUNCTION_LINES, by module and qualified name, each with why
ALLOWED_FUNCTIONS: set[tuple[str, str]] = set()


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_generated" not in p.relative_to(PACKAGE).parts)


def _functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, lines) of every function and method, nested ones too."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{node.name}"
            if not isinstance(node, ast.ClassDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                yield name, node.end_lineno - start + 1
            yield from _functions(node, f"{name}.")
        else:
            yield from _functions(node, prefix)


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def test_the_walk_sees_the_package():
    names = {_name(p) for p in _modules()}
    assert {"conditions/recommender.py", "native/build.py", "lif.py"} <= names
    assert not any(n.startswith("_generated/") for n in names)


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_module_and_functions_are_short(path):
    source = path.read_text()
    name = _name(path)
    if name not in ALLOWED_MODULES:
        assert len(source.splitlines()) <= MAX_MODULE_LINES, f"{name} has {len(source.splitlines())} lines"
        long = [(f, n) for f, n in _functions(ast.parse(source))
                if n > MAX_FUNCTION_LINES and (name, f) not in ALLOWED_FUNCTIONS]
        assert not long, f"{name}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_the_allow_lists_name_what_exists():
    """An allowance for a module or function that no longer exists, or no longer needs it, is removed."""
    for module in ALLOWED_MODULES:
        assert len((PACKAGE / module).read_text().splitlines()) > MAX_MODULE_LINES, module
    for module, function in ALLOWED_FUNCTIONS:
        lengths = dict(_functions(ast.parse((PACKAGE / module).read_text())))
        assert lengths.get(function, 0) > MAX_FUNCTION_LINES, (module, function)


def test_the_measure_counts_a_long_function():
    body = "".join(f"        x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    tree = ast.parse(f"class A:\n    @staticmethod\n    def f():\n{body}")
    assert dict(_functions(tree)) == {"A.f": MAX_FUNCTION_LINES + 2}


ROOT = PACKAGE.parent


def _imports(path: Path) -> set[str]:
    """The modules ``path`` imports (absolute names; relative imports are skipped)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.update([node.module] + [f"{node.module}.{alias.name}" for alias in node.names])
    return names


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_experiments_use_the_public_api_not_the_generated_kernels():
    files = _python_files("experiments")
    assert files
    direct = {p.name: sorted(n for n in _imports(p) if n.startswith("lifstab._generated")) for p in files}
    assert not {name: found for name, found in direct.items() if found}


def test_the_derivations_are_imported_by_their_installed_name():
    """``derivations/`` installs as ``lifstab_derivations``; ``import derivations`` works only from the
    repository root (the current directory on sys.path), never from an installed wheel."""
    files = _python_files("lifstab", "experiments", "tests", "benchmarks", "docs")
    assert any("lifstab_derivations" in _imports(p) or any(n.startswith("lifstab_derivations.") for n in _imports(p))
               for p in files)
    bare = {p.relative_to(ROOT).as_posix() for p in files
            if any(n == "derivations" or n.startswith("derivations.") for n in _imports(p))}
    assert not bare


EXPERIMENTS = ROOT / "experiments"
#: experiments/ groups into what the report is made of (experiments/__init__.py says what goes where)
EXPERIMENT_GROUPS = {"verification", "training", "report"}


def test_experiments_are_grouped_into_three_subpackages():
    """Every top-level module of lifstab_experiments is one of the three subpackages (plus ``__init__``)."""
    import lifstab_experiments

    top = {m.name for m in pkgutil.iter_modules(lifstab_experiments.__path__)}
    assert top == EXPERIMENT_GROUPS
    for group in EXPERIMENT_GROUPS:
        package = importlib.import_module(f"lifstab_experiments.{group}")
        assert package.__doc__, group
        assert [m.name for m in pkgutil.iter_modules(package.__path__)], group


def _experiment_names() -> dict[str, set[str]]:
    """Dotted ``lifstab_experiments.X.Y`` names cited in the docs, README, lifstab and the experiments."""
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *_python_files("lifstab", "experiments", "docs")]
    cited: dict[str, set[str]] = {}
    for path in files:
        for name in re.findall(r"lifstab_experiments(?:\.\w+)+", path.read_text()):
            cited.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    return cited


def _resolves(name: str) -> bool:
    """``name`` is a module of experiments/, or a top-level name defined in one."""
    parts = name.split(".")[1:]
    for cut in (len(parts), len(parts) - 1):
        base = EXPERIMENTS.joinpath(*parts[:cut])
        source = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if source.is_file():
            rest = parts[cut:]
            tree = ast.parse(source.read_text())
            defined = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                       if isinstance(t, ast.Name)}
            defined |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
            defined |= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            return not rest or rest[0] in defined
    return False


def test_cited_experiment_paths_exist():
    """Every ``lifstab_experiments....`` path the docs or a help text cite (``python -m`` lines included)
    names a module that exists, so a move of a module cannot leave its commands stale."""
    cited = _experiment_names()
    assert "lifstab_experiments.training.long_horizon" in cited
    assert not {name: sorted(where) for name, where in cited.items() if not _resolves(name)}


def test_the_resolver_rejects_a_stale_path():
    assert _resolves("lifstab_experiments.training.long_horizon.ARMS")
    assert not _resolves("lifstab_experiments.long_horizon")
    assert not _resolves("lifstab_experiments.training.long_horizon.NO_SUCH_NAME")
