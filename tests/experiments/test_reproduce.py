"""The main job: report written, cache reused, a failing step recorded without losing the others."""

import re

import pytest

from lifstab_experiments.report import reproduce
from lifstab_experiments.report.reproduce import Step
from lifstab_experiments.training.runner import read_rows


@pytest.fixture
def two_steps(monkeypatch):
    calls = []

    def ok(ctx):
        calls.append("ok")
        (ctx.out / "t.csv").write_text("a,b\n1,2\n")
        return {"title": "ok step", "text": "measured 1", "tables": {"numbers": "t.csv"}}

    def boom(ctx):
        calls.append("boom")
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(reproduce, "STEPS", [Step("ok", ok), Step("boom", boom)])
    return calls


def test_failed_step_keeps_finished_results_and_rerun_reuses_them(tmp_path, two_steps):
    status = reproduce.run(tmp_path)
    assert status["done"] == ["ok"] and "simulated failure" in status["failed"]["boom"]
    report = (tmp_path / "report.md").read_text()
    assert "ok step" in report and "FAILED" in report
    assert re.search(r"\|\s*1\s*\|\s*2\s*\|", report), "the step's table is in the report"
    assert (tmp_path / "tables" / "numbers.csv").exists()
    status = reproduce.run(tmp_path)
    assert status["cached"] == ["ok"] and two_steps == ["ok", "boom", "boom"]


def test_unknown_step_name_is_refused(tmp_path):
    with pytest.raises(ValueError, match="only"):
        reproduce.run(tmp_path, only=["nope"])


def test_default_job_writes_report_with_existing_figures(tmp_path):
    """The light steps of the real job (the stability study and the training preset have their own
    tests: tests/test_edge_study.py, tests/experiments/test_suite.py)."""
    light = ["kernels", "theory_figures", "recommendations", "conditions"]
    status = reproduce.run(tmp_path, only=light)
    assert not status["failed"] and status["done"] == light
    html = (tmp_path / "report.html").read_text()
    md = (tmp_path / "report.md").read_text()
    assert "<img" in html and "<table>" in html
    summary = md.split("## Summary", 1)[1].split("\n## ", 1)[0]
    assert summary.count("\n- **") == len(light)
    figures = [line for line in md.splitlines() if line.startswith("![")]
    assert len(figures) >= 6
    for line in figures:
        png = tmp_path / line[line.index("(") + 1:-1]
        assert png.exists() and png.with_suffix(".pdf").exists()
    for table in ("recommendations.csv", "conditions-predicted-vs-measured.csv"):
        assert (tmp_path / "tables" / table).exists()


def test_long_horizon_step_writes_its_figures_table_and_headline(tmp_path, monkeypatch):
    """The long-horizon step at a tiny scale: accuracy against horizon per arm, rho over training."""
    from lifstab_experiments.training import long_horizon

    monkeypatch.setitem(long_horizon.QUICK, "points", ("digits:20", "memory:5"))
    monkeypatch.setitem(long_horizon.QUICK, "seeds", 1)
    monkeypatch.setitem(long_horizon.QUICK, "epochs", 1)
    monkeypatch.setitem(long_horizon.QUICK, "arms", ("default", "edge", "gru"))
    status = reproduce.run(tmp_path, only=["long_horizon"])
    assert not status["failed"] and status["done"] == ["long_horizon"]
    out = tmp_path / "long_horizon"
    for name in ("long_horizon.png", "long_horizon.pdf", "rho_over_training.png", "long_horizon_summary.csv"):
        assert (out / name).exists(), name
    assert len(read_rows(out / "long_horizon.csv")) == 2 * 3
    assert sorted(p.name for p in (out / "diagnosis").iterdir()) == ["default", "edge"]
    md = (tmp_path / "report.md").read_text()
    assert "Long horizons" in md and "latency digits at T 20" in md
