"""The documentation site builds in strict mode, shows every public name, and cites only itself."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import lifstab

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed: pip install -e '.[docs]' (CI installs it)")
    pytest.importorskip("mkdocstrings", reason="mkdocstrings is not installed: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def test_docs_build_strict(site):
    assert (site / "index.html").exists() and (site / "theory" / "index.html").exists()


def test_every_public_name_is_in_the_api_reference(site):
    html = (site / "api" / "lifstab" / "index.html").read_text()
    missing = [name for name in lifstab.__all__ if f'id="lifstab.{name}"' not in html]
    assert not missing


def test_theory_equations_come_from_the_derivations(site):
    html = (site / "theory" / "index.html").read_text()
    assert "[[derive:" not in html
    from lifstab_derivations.latex import results, tex

    expected = tex(results()["condition_iii_subtractive"].equations[0][1])
    assert expected in html.replace("&amp;", "&")


def _hook():
    spec = importlib.util.spec_from_file_location("docs_hook", ROOT / "docs" / "hooks" / "derivations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_derive_marker_renders_and_an_unknown_name_fails():
    pytest.importorskip("mkdocs")
    from mkdocs.exceptions import PluginError

    hook = _hook()
    page = SimpleNamespace(file=SimpleNamespace(src_uri="page.md"))
    shown = hook.on_page_markdown("before\n\n[[derive: update_subtractive]]\n\nafter\n", page, None, None)
    assert "v_t = " in shown and "\\vartheta" in shown and shown.endswith("\n\nafter\n")
    with pytest.raises(PluginError, match="no_such_result"):
        hook.on_page_markdown("text\n[[derive: no_such_result]]\n", page, None, None)


def test_code_cites_the_theory_in_the_repository():
    """Code and README cite docs/theory.md (in the repository), never a bare theory.md from elsewhere."""
    bare = re.compile(r"(?<![/\w])theory\.md")
    paths = [ROOT / "README.md"] + [p for folder in ("lifstab", "derivations", "experiments", "tests", "benchmarks")
                                    for p in (ROOT / folder).rglob("*.py")]
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in paths if p.name != "test_docs.py"
                 for i, line in enumerate(p.read_text().splitlines(), 1) if bare.search(line)]
    assert not offenders
