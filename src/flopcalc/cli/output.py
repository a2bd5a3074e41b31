"""Print rows as a table for people, or as JSON, CSV or Markdown for programs."""

from __future__ import annotations

from typing import Any, Sequence

import click


def _flat(v: Any) -> Any:
    if isinstance(v, dict):
        return "; ".join(f"{k}={v2}" for k, v2 in v.items())
    if isinstance(v, (list, tuple)):
        return " | ".join(str(x) for x in v)
    return v


def emit_data(data: Any, fmt: str) -> None:
    """JSON or CSV of plain data: a list of row dicts (CSV) or any JSON value."""
    if fmt == "json":
        import json

        click.echo(json.dumps(data, indent=2, allow_nan=False))
        return
    import csv
    import io

    rows = data if isinstance(data, list) else [data]
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _flat(row.get(k)) for k in columns})
    click.echo(buf.getvalue(), nl=False)


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, *,
               footer: Sequence[str] = (), title: str | None = None, colalign: Sequence[str] | None = None) -> None:
    """A table for people ('table') or GitHub Markdown ('markdown'), with notes beneath."""
    from tabulate import tabulate

    tablefmt = "github" if fmt == "markdown" else "simple"
    if title:
        click.echo(f"**{title}**\n" if fmt == "markdown" else title)
    click.echo(tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True,
                        colalign=colalign))
    if footer:
        click.echo("")
        for line in footer:
            click.echo(f"- {line}" if fmt == "markdown" else line)
