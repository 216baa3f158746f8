"""The README's two commands stay what CI runs."""

import re
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_exactly_two_commands():
    main, tests = readme_commands()
    assert "lifstab reproduce" in main and "torch==2.13.0" in main
    assert "pytest" in tests and "torch==2.13.0" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci_lines


def test_every_package_folder_is_installed():
    """A subpackage missing from pyproject's explicit list works in editable installs but not from a wheel."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    # a folder installed under another name (derivations/ as lifstab_derivations)
    installed_as = {folder: name for name, folder in setuptools["package-dir"].items()}
    for top in ("lifstab", "derivations"):
        for init in (ROOT / top).rglob("__init__.py"):
            folder, *rest = init.parent.relative_to(ROOT).parts
            assert ".".join([installed_as.get(folder, folder), *rest]) in listed


def test_readme_is_a_front_door():
    """At most ~150 lines, with a place for the headline figures above the commands."""
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 150
    assert text.index("## Headline results") < text.index("## The two commands")


def _local_links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)  # code is not a link
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    return [t.split("#", 1)[0] for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


def test_readme_links_point_at_files_that_exist():
    links = _local_links(ROOT / "README.md")
    assert len(links) >= 10  # the links into the docs are there
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing


def test_link_check_sees_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[ok](README.md) [gone](docs/nope.md#x) `[code](nope.md)` [web](https://example.org)")
    assert _local_links(page) == ["README.md", "docs/nope.md"]


@pytest.mark.slow
def test_readme_five_line_example_runs():
    section = (ROOT / "README.md").read_text().split("## In five lines", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.+?)\n```", section, flags=re.DOTALL)
    assert len(code.splitlines()) == 5
    namespace: dict = {}
    exec(compile(code, "README.md (In five lines)", "exec"), namespace)  # noqa: S102
    layer = namespace["layer"]
    assert layer.w_rec.grad is not None and torch.isfinite(layer.w_rec.grad).all()
