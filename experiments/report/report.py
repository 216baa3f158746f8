"""The report a researcher reads top to bottom: ``report.md`` and ``report.html`` from sections.

Each section says what was predicted, what was measured and where they agree, with its figures
(PNG, beside a vector PDF) and tables (also written as CSV).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import pandas as pd


@dataclass(frozen=True)
class Section:
    """One section: a title, markdown text, figures (paths to PNGs) and named tables."""

    title: str
    text: str = ""
    figures: tuple[Path, ...] = ()
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def _table_markdown(df: pd.DataFrame, floatfmt: str = ".4g") -> str:
    return df.to_markdown(index=False, floatfmt=floatfmt)


def render_markdown(title: str, sections: list[Section], out_dir: Path) -> str:
    """The report as markdown, with figure paths relative to ``out_dir``."""
    lines = [f"# {title}", ""]
    lines += ["Contents: " + ", ".join(f"[{s.title}](#{_anchor(s.title)})" for s in sections), ""]
    for s in sections:
        lines += [f"## {s.title}", "", s.text.strip(), ""]
        for name, df in s.tables.items():
            lines += [f"**{name}**", "", _table_markdown(df), ""]
        for fig in s.figures:
            rel = Path(fig).resolve().relative_to(out_dir.resolve())
            pdf = rel.with_suffix(".pdf")
            lines += [f"![{rel.stem}]({rel.as_posix()})", "", f"*{rel.stem}* ([PDF]({pdf.as_posix()}))", ""]
    return "\n".join(lines)


def _anchor(title: str) -> str:
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c == "-")


def write_report(out_dir: Path | str, title: str, sections: list[Section]) -> tuple[Path, Path]:
    """Write ``report.md``, ``report.html`` and every table as ``tables/<name>.csv``."""
    out_dir = Path(out_dir)
    (out_dir / "tables").mkdir(parents=True, exist_ok=True)
    for s in sections:
        for name, df in s.tables.items():
            df.to_csv(out_dir / "tables" / f"{_anchor(name)}.csv", index=False)
    text = render_markdown(title, sections, out_dir)
    md_path = out_dir / "report.md"
    md_path.write_text(text, encoding="utf-8")
    body = markdown.markdown(text, extensions=["tables", "toc"])
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.45;padding:0 1em}"
        "img{max-width:100%}table{border-collapse:collapse;font-size:90%}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}code{background:#f4f4f4}"
        f"</style></head><body>{body}</body></html>"
    )
    html_path = out_dir / "report.html"
    html_path.write_text(page, encoding="utf-8")
    return md_path, html_path
