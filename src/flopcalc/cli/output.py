"""Print rows as a table for people, or as JSON, CSV or Markdown for programs. Every string is made safe."""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from typing import Any, Iterable, Sequence

import click

from ..text import clean, clean_block


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """click.echo of text with every control character removed (newlines kept)."""
    click.echo(clean_block(text), err=err, nl=nl)


def warn(lines: Sequence[str]) -> None:
    for line in lines:
        echo(f"Warning: {clean(line)}", err=True)


def _plain(v: Any) -> Any:
    """A value as plain JSON data: finite floats, ISO dates, cleaned strings."""
    if isinstance(v, str):
        return clean(v)
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (_dt.date,)):
        return v.isoformat()
    if isinstance(v, dict):
        return {clean(str(k)): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _cell(v: Any) -> str:
    """One CSV cell: plain numbers, ISO dates, empty for none, JSON for nested data (never a Python repr)."""
    v = _plain(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, allow_nan=False, separators=(",", ":"))
    if isinstance(v, float):
        return repr(v)
    return str(v)


def emit_data(data: Any, fmt: str, *, columns: Sequence[str] | None = None) -> None:
    """JSON or CSV of plain data: a list of row dicts (CSV) or any JSON value.

    CSV always has a header, even with no rows (`columns` names them then).
    """
    if fmt == "json":
        echo(json.dumps(_plain(data), indent=2, allow_nan=False))
        return
    import csv
    import io

    rows = data if isinstance(data, list) else [data]
    cols: list[str] = list(columns or [])
    for row in rows:
        cols.extend(k for k in row if k not in cols)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([_cell(row.get(k)) for k in cols])
    echo(buf.getvalue(), nl=False)


def say_empty(why: str, fmt: str) -> None:
    """Say why an answer is empty: a line under a table, or on stderr beside empty JSON or a CSV header."""
    if fmt in ("json", "csv"):
        click.echo(f"note: {clean(why)}", err=True)
    else:
        echo(f"- {why}" if fmt == "markdown" else why)


def emit_rows(rows: Iterable[dict[str, Any]], fmt: str) -> None:
    """JSON (a list) or CSV of rows written as they come: memory does not grow with the number of rows.

    The text is the same as emit_data's for the same rows; CSV takes its columns from the first row
    (one command's rows share their keys).
    """
    if fmt == "json":
        first = True
        for row in rows:
            text = json.dumps(_plain(row), indent=2, allow_nan=False)
            echo(("[\n" if first else ",\n") + "\n".join("  " + line for line in text.splitlines()), nl=False)
            first = False
        echo("[]" if first else "\n]")
        return
    import csv
    import io

    cols: list[str] | None = None
    for row in rows:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        if cols is None:
            cols = list(row)
            writer.writerow(cols)
        writer.writerow([_cell(row.get(k)) for k in cols])
        echo(buf.getvalue(), nl=False)
    if cols is None:
        echo("", nl=False)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>!])")


def md_escape(v: Any) -> str:
    """One Markdown table cell or line from any text: control characters dropped, newlines folded,
    HTML made inert (&, <, > as entities) and the characters of links, images, code and emphasis
    backslash-escaped, so a data or user file can inject neither a tag nor a link."""
    s = clean(str(v)).replace("&", "&amp;")
    return _MD_SPECIAL.sub(lambda m: {"<": "&lt;", ">": "&gt;"}.get(m[1], "\\" + m[1]), s)


_md = md_escape


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, *,
               footer: Sequence[str] = (), title: str | None = None, colalign: Sequence[str] | None = None) -> None:
    """A table for people ('table') or GitHub Markdown ('markdown'), with notes beneath."""
    from tabulate import tabulate

    markdown = fmt == "markdown"
    cell = _md if markdown else (lambda v: clean(str(v)))
    safe_rows = [[cell(v) for v in row] for row in rows]
    safe_headers = [cell(h) for h in headers]
    if title:
        echo(f"**{_md(title)}**\n" if markdown else clean(title))
    echo(tabulate(safe_rows, headers=safe_headers, tablefmt="github" if markdown else "simple",
                  disable_numparse=True, colalign=colalign))
    if footer:
        echo("")
        for line in footer:
            echo(f"- {_md(line)}" if markdown else clean(line))
