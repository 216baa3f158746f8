"""The checked-in kernels are exactly what the derivations generate."""

import pytest

from lifstab_derivations import codegen


def test_generated_files_match_derivations(tmp_path):
    codegen.write(tmp_path)
    for name in codegen.generated_files():
        checked_in = (codegen.GENERATED_DIR / name).read_bytes()
        assert (tmp_path / name).read_bytes() == checked_in, (
            f"lifstab/_generated/{name} drifted from derivations/; run `lifstab derive`")
    assert codegen.check() == []


def test_every_checked_in_file_is_generated():
    on_disk = {p.name for p in codegen.GENERATED_DIR.glob("*.py")}
    assert on_disk == set(codegen.generated_files())


def test_generation_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    codegen.write(a)
    codegen.write(b)
    for name in codegen.generated_files():
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_check_reports_a_hand_edit(tmp_path):
    codegen.write(tmp_path)
    victim = tmp_path / "surrogates_numpy.py"
    victim.write_text(victim.read_text().replace("numpy.exp", "numpy.exp2", 1))
    problems = codegen.check(tmp_path)
    assert len(problems) == 1 and "surrogates_numpy.py" in problems[0]
    assert codegen.main(["--check", "--out", str(tmp_path)]) == 1


def test_runtime_imports_no_sympy():
    import subprocess
    import sys

    code = "import sys, lifstab; assert 'sympy' not in sys.modules, 'lifstab imported sympy'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_generated_files_carry_header(backend):
    text = (codegen.GENERATED_DIR / f"surrogates_{backend}.py").read_text()
    assert text.startswith("# GENERATED FILE: do not edit") and "lifstab derive" in text


def test_fresh_process_regenerates_identical_bytes(tmp_path):
    """A separate interpreter (another hash seed) writes byte-identical files: no hidden order."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-m", "lifstab_derivations.codegen", "--out", str(tmp_path)], check=True, env=env,
                   capture_output=True, cwd=codegen.GENERATED_DIR.parent.parent)
    for name in codegen.generated_files():
        assert (tmp_path / name).read_bytes() == (codegen.GENERATED_DIR / name).read_bytes(), name


def test_edge_condition_kernels_are_generated_and_checked(tmp_path):
    """The edge-of-stability condition's kernels are in the generated edge group, and a hand edit of one
    of them is reported like any other drift."""
    names = {k.name for k in codegen.GROUPS["edge"]()}
    assert {"backward_step_variance", "backward_step_covariance", "backward_step_signal_weight",
            "backward_step_field_weight", "field_covariance_term", "attached_backward_step_variance",
            "attached_backward_step_covariance", "attached_backward_step_signal_weight",
            "attached_backward_step_field_weight"} <= names
    codegen.write(tmp_path)
    victim = tmp_path / "edge_torch.py"
    victim.write_text(victim.read_text().replace("leak**2*signal_variance", "leak*signal_variance", 1))
    problems = codegen.check(tmp_path)
    assert len(problems) == 1 and "edge_torch.py" in problems[0]
    codegen.write(tmp_path)
    victim = tmp_path / "edge_numpy.py"  # the attached reset's diagonal squared, its surrogate dropped
    victim.write_text(victim.read_text().replace("reset_slope**2*surrogate_gradient**2", "reset_slope**2", 1))
    problems = codegen.check(tmp_path)
    assert len(problems) == 1 and "edge_numpy.py" in problems[0]
