"""The flopcalc command line: a thin shell over the library (each command parses, calls, prints)."""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__
from ..errors import FlopcalcError

__all__ = ["cli", "main"]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class FlopcalcGroup(click.Group):
    """A group whose errors are one line on stderr: click's usage errors exit 2, flopcalc's own errors too."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FlopcalcError as e:
            exc = click.ClickException(str(e))
            exc.exit_code = e.exit_code
            raise exc from None

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as e:
            hint = ""
            if e.ctx is not None and e.ctx.command.get_help_option(e.ctx) is not None:
                hint = f" (see '{e.ctx.command_path} --help')"
            click.echo(f"Error: {_one_line(e.format_message())}{hint}", err=True)
            sys.exit(e.exit_code)
        except click.ClickException as e:
            click.echo(f"Error: {_one_line(e.format_message())}", err=True)
            sys.exit(e.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except BrokenPipeError:
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=FlopcalcGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="flopcalc", message="%(prog)s %(version)s")
def cli() -> None:
    """Napkin math for AI compute thresholds: FLOP to chip-hours, dollars and megawatt-hours.

    Every assumption (peak, efficiency, price, overhead) comes from a cited hardware profile
    and can be overridden. Start with:  flopcalc cost 1e26 --gpu h100
    """


from . import commands_cost, commands_data, commands_rules  # noqa: E402,F401  (registers the commands)


def main() -> None:
    """Console-script entry point."""
    from .. import units

    units.SCALAR_ONLY = True  # commands compute scalars: spare pint's optional numpy import
    cli.main(prog_name="flopcalc")
