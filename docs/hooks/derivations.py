"""MkDocs hook: a line ``[[derive: STEM ...]]`` in a page becomes the displayed equations of those
results of ``lifstab derive --latex`` (``lifstab_derivations.latex.results()``), each under its title, so the
docs show the derivations' own LaTeX, never a copy. An unknown stem fails the build."""

from __future__ import annotations

import functools
import re

from mkdocs.exceptions import PluginError

MARKER = re.compile(r"^\[\[derive:[ \t]*(?P<stems>[\w \t]+?)[ \t]*\]\][ \t]*$", re.MULTILINE)


@functools.cache
def _results():
    from lifstab_derivations.latex import results

    return results()


def _display(lines: list[str]) -> str:
    """One equation as MathJax display math (``gathered`` for the lines of a broken equation)."""
    body = lines[0] if len(lines) == 1 else "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"
    return f"$$\n{body}\n$$"


def _render(stem: str, page: str) -> str:
    from lifstab_derivations.latex import equation_lines

    results = _results()
    if stem not in results:
        raise PluginError(f"{page}: [[derive: {stem}]] names no result of lifstab_derivations.latex.results()")
    result = results[stem]
    shown = [_display(lines) for lhs, rhs in result.equations for lines in equation_lines(lhs, rhs)]
    return "\n\n".join([f"*{result.title}*", *shown])


def on_page_markdown(markdown: str, page, config, files) -> str:
    def replace(match: re.Match) -> str:
        return "\n\n".join(_render(stem, page.file.src_uri) for stem in match["stems"].split())

    return MARKER.sub(replace, markdown)
