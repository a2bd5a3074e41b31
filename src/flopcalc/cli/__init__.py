"""The flopcalc command line: a thin shell over the library (each command parses, calls, prints).

Exit codes: 0 success; 1 a problem outside the input (a file that cannot be written, stdout
closed or full, a missing optional dependency); 2 a usage error (a bad option or value, a bad
data file); 130 interrupted (Ctrl-C). Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__
from ..errors import FlopcalcError
from ..text import clean

__all__ = ["cli", "main"]


def _one_line(text: str) -> str:
    return " ".join(clean(str(text)).split())


class StrictCommand(click.Command):
    """A command that refuses a single-value option given twice (click would silently keep the last)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _refuse_repeats(self, args)
        return super().parse_args(ctx, args)


def _refuse_repeats(cmd: click.Command, args: list[str]) -> None:
    single: dict[str, click.Option] = {}
    for p in cmd.params:
        if isinstance(p, click.Option) and not p.multiple and not p.count:
            for name in p.opts + p.secondary_opts:
                single[name] = p
    seen: dict[str, str] = {}
    for a in args:
        if a == "--":
            break
        name = a.split("=", 1)[0] if a.startswith("--") else a
        opt = single.get(name)
        if opt is None:
            continue
        key = opt.name or name
        if key in seen:
            raise click.UsageError(f"option {name} was given twice ({seen[key]} and {name}); it takes one value",
                                   ctx=None)
        seen[key] = name


class StrictGroup(click.Group):
    command_class = StrictCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # the group's own options: those before its subcommand's name (a subcommand checks its own)
        end = next((i for i, a in enumerate(args) if a in self.commands), len(args))
        _refuse_repeats(self, args[:end])
        return super().parse_args(ctx, args)


StrictGroup.group_class = StrictGroup


class FlopcalcGroup(StrictGroup):
    """The top-level group: errors are one line on stderr; flopcalc's own errors map to their exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FlopcalcError as e:
            exc = click.ClickException(str(e))
            exc.exit_code = e.exit_code  # type: ignore[misc]  # click types it a ClassVar; this one's own code
            raise exc from None

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        code = 0
        try:
            import os

            var = complete_var or f"_{(prog_name or 'flopcalc').replace('-', '_').upper()}_COMPLETE"
            if os.environ.get(var):  # shell completion: click's own protocol, untouched
                return super().main(argv, prog_name, complete_var, standalone_mode=True, **extra)
            if not argv:
                with self.make_context(prog_name or "flopcalc", ["--help"]):
                    pass
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
            _flush()
        except click.exceptions.Exit as e:
            code = e.exit_code
            _flush_quietly()
        except click.UsageError as e:
            hint = ""
            if e.ctx is not None and e.ctx.command.get_help_option(e.ctx) is not None:
                hint = f" (see '{e.ctx.command_path} --help')"
            _error(f"Error: {_one_line(e.format_message())}{hint}")
            code = e.exit_code
        except click.ClickException as e:
            _error(f"Error: {_one_line(e.format_message())}")
            code = e.exit_code
        except (click.exceptions.Abort, KeyboardInterrupt):
            _error("Aborted.")
            code = 130
        except BrokenPipeError:
            _quiet_stdout()
            code = 1
        except OSError as e:
            _quiet_stdout()
            _error(f"Error: cannot write the output: {e.strerror or e}")
            code = 1
        sys.exit(code)


def _flush() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError:
        raise


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except OSError:
        _quiet_stdout()


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot print a traceback."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _error(line: str) -> None:
    try:
        click.echo(line, err=True)
    except OSError:
        pass


def _version_message() -> str:
    from ..datadates import file_stamp

    hw = _hardware_stamp()
    return (f"flopcalc {__version__}\ndata as of: thresholds {file_stamp('thresholds.yaml') or '-'}, "
            f"runs {file_stamp('runs.yaml') or '-'}, hardware {hw or '-'}")


def _hardware_stamp() -> str | None:
    import re

    from .._paths import data_path

    dates = []
    try:
        for p in data_path("hardware").iterdir():
            if p.suffix == ".yaml":
                m = re.search(r"^data_as_of:\s*['\"]?(\d{4}-\d{2}-\d{2})", p.read_text(encoding="utf-8")[:2000], re.M)
                if m:
                    dates.append(m[1])
    except OSError:
        return None
    return max(dates) if dates else None


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(_version_message())
    ctx.exit(0)


@click.group(cls=FlopcalcGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and the dates of the data, then exit.")
def cli() -> None:
    """Napkin math for AI compute thresholds: FLOP to chip-hours, dollars and megawatt-hours.

    Every assumption (peak, efficiency, price, overhead) comes from a cited hardware profile
    and can be overridden; beside it, known training runs give an evidence estimate with a
    90% interval. Start with:  flopcalc cost 1e26 --gpu h100
    """


from . import (  # noqa: E402,F401
    commands_cost,
    commands_data,
    commands_plan,
    commands_plot,
    commands_report,
    commands_rules,  # noqa: E402,F401  (registers commands)
    commands_time,
)


def main() -> None:
    """Console-script entry point."""
    from .. import units

    units.SCALAR_ONLY = True  # commands compute scalars: spare pint's optional numpy import
    try:
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]  # a non-UTF-8 terminal
        sys.stderr.reconfigure(errors="replace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    cli.main(prog_name="flopcalc")
