"""Every tutorial script in docs/tutorials runs (small and fast settings) and does what its page says."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT / "docs" / "tutorials"


def run(script: str, *args: str) -> str:
    result = subprocess.run([sys.executable, str(TUTORIALS / script), *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_every_tutorial_script_is_tested_and_shown():
    scripts = sorted(p.name for p in TUTORIALS.glob("*.py"))
    tested = {"property_testing.py", "theory_figures.py", "latex_paper.py"}
    assert set(scripts) == tested
    pages = "".join(p.read_text() for p in TUTORIALS.glob("*.md"))
    assert all(f'--8<-- "docs/tutorials/{name}"' in pages for name in scripts)


@pytest.mark.slow
@pytest.mark.parametrize("library", ["snntorch", "norse", "spikingjelly"])
def test_peer_model_examples_run_and_are_shown(library):
    pytest.importorskip(library)
    script = ROOT / "docs" / "examples" / f"stabilise_{library}.py"
    assert f'--8<-- "docs/examples/{script.name}"' in (TUTORIALS / "peer-models.md").read_text()
    result = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rho" in result.stdout


def test_property_testing_tutorial():
    pytest.importorskip("hypothesis")
    assert "gradient stable on every drawn configuration" in run("property_testing.py")


def test_theory_figures_tutorial(tmp_path):
    fast = ["sg_families", "expected_sg_squared", "critical_sharpness_vs_layer"]
    run("theory_figures.py", str(tmp_path), *fast)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.{ext}" for n in fast for ext in ("pdf", "png"))


def test_latex_paper_tutorial(tmp_path):
    out = run("latex_paper.py", str(tmp_path))
    assert (tmp_path / "paper.tex").exists() and (tmp_path / "lifstab_derivations.tex").exists()
    assert r"\vartheta" in out  # the inline expression, in the paper's notation
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed: the paper was written, not compiled")
    assert "overfull boxes: 0" in out and (tmp_path / "paper.pdf").stat().st_size > 0
