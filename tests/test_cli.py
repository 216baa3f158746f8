import json
import subprocess
import sys

from lifstab.cli import main


def test_derive_check_passes_on_checked_in_kernels():
    assert main(["derive", "--check"]) == 0


def test_families_json(capsys):
    assert main(["families", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["family"] for r in rows} >= {"exponential", "q_pseudo_spike"}
    assert all(abs(r["peak"] - 1.0) < 1e-12 for r in rows)


def test_plots_writes_png_and_pdf(tmp_path):
    assert main(["plots", "--out", str(tmp_path), "--only", "sg_families"]) == 0
    assert (tmp_path / "sg_families.png").stat().st_size > 0
    assert (tmp_path / "sg_families.pdf").read_bytes().startswith(b"%PDF")


def test_plots_rejects_unknown_figure(tmp_path, capsys):
    assert main(["plots", "--out", str(tmp_path), "--only", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_console_script_reports_bad_input_in_one_line():
    proc = subprocess.run([sys.executable, "-m", "lifstab", "derive", "--bogus"], capture_output=True, text=True)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr


def test_a_command_without_the_experiments_extra_says_how_to_install_it(tmp_path):
    """Issue 16: `lifstab reproduce` without pandas ended in a traceback. Simulated by blocking the import
    of pandas (and of the other packages of the extra) in a fresh interpreter."""
    blocked = "import sys; sys.modules.update(dict.fromkeys(['pandas', 'markdown', 'tabulate'], None)); "
    command = ["reproduce", "--out", str(tmp_path), "--only", "nothing"]
    code = blocked + f"from lifstab.cli import main; raise SystemExit(main({command!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "pip install 'lifstab[experiments]'" in done.stderr and "pandas" in done.stderr
