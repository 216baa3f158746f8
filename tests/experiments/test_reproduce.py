"""The main job: report written, cache reused, a failing step recorded without losing the others."""

import re

import pytest

from lifstab_experiments import reproduce
from lifstab_experiments.reproduce import Step


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
    status = reproduce.run(tmp_path)
    assert not status["failed"]
    html = (tmp_path / "report.html").read_text()
    md = (tmp_path / "report.md").read_text()
    assert "<img" in html
    for line in md.splitlines():
        if line.startswith("!["):
            assert (tmp_path / line[line.index("(") + 1:-1]).exists()
