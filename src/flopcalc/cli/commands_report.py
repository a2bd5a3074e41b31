"""flopcalc report: a one-page memo (HTML or Markdown) of an answer, its evidence, the rules and the sources."""

from __future__ import annotations

from typing import Any

import click

from . import StrictCommand, cli, params
from .common import assumption_options, gpu_option, hardware_files_option, load_db, overrides, thresholds_files_option
from .output import echo


class ReportCommand(StrictCommand):
    """Keeps the command's own arguments, as typed, for the memo's footer stamp."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["flopcalc.report.argv"] = list(args)
        return super().parse_args(ctx, args)


@cli.command(cls=ReportCommand)
@click.argument("flop", required=False, type=params.FLOP)
@click.option("--out", required=True, metavar="FILE",
              help="The memo: .html (one self-contained page) or .md (Markdown, with the chart as <name>.svg beside "
                   "it). The folder must exist.")
@gpu_option()
@assumption_options()
@click.option("--as-of", type=params.DATE,
              help="Set the run against the rules as they stood on this date (default today) and price each chip at "
                   "its tier's price on that date (the median of its quotes in the 12 months to it).")
@click.option("--revenue", type=params.REVENUE, help="The developer's annual revenue, for revenue tiers ('$600M').")
@click.option("--params", "n_params", type=params.count("params"),
              help="Instead of FLOP: parameters N (with --tokens; C = 6 N D).")
@click.option("--tokens", type=params.count("tokens"), help="Instead of FLOP: training tokens D (with --params).")
@click.option("--chips", type=params.CHIPS, help="Instead of FLOP: chips in the run (with --days, on the first --gpu).")
@click.option("--days", type=params.DAYS, help="Instead of FLOP: days of training (with --chips).")
@click.option("--base-flop", metavar="X", help="Modification: the original model's training compute, or 'unknown'.")
@click.option("--finetune-tokens", type=params.count("fine-tuning tokens"),
              help="Modification: tokens of fine-tuning (with --params).")
@click.option("--trainable-params", type=params.count("trainable params"),
              help="Modification: parameters that train (default: all; LoRA: a few million).")
@click.option("--basis", type=click.Choice(("rental", "amortized", "acquisition", "all")), default="rental",
              show_default=True, help="Add the final run's other dollars: amortized (what the owner's run costs), "
                                      "acquisition (the cluster), or all (docs/cost-bases.md).")
@thresholds_files_option()
@hardware_files_option()
@click.pass_context
def report(ctx: click.Context, /, flop: Any, out: str, gpus: tuple[str, ...], as_of: Any, revenue: Any,
           n_params: float | None, tokens: float | None, chips: int | None, days: Any, base_flop: str | None,
           finetune_tokens: float | None, trainable_params: float | None, basis: str, thresholds_files: tuple[str, ...], hardware_files: tuple[str, ...], **kw: Any) -> None:
    """Write a one-page memo: the question, the answer in one sentence, assumption vs evidence (90%
    interval) per chip, the rules crossed on the date, every source, and a stamp of what made it.

    FLOP as for 'flopcalc cost' (one figure), or --params and --tokens, or --chips and --days, or a
    modification: --base-flop X|unknown --params N --finetune-tokens D [--trainable-params N].

    \b
    Example:
      flopcalc report 1e26 --gpu h100 --gpu a100 --out memo.html
    """
    import shlex

    from ..memo import build_memo, memo_format, write_memo
    from ..rules import load_thresholds

    memo_format(out)  # a bad suffix is a usage error, before any work
    command = shlex.join(["flopcalc", "report", *ctx.meta.get("flopcalc.report.argv", [])])
    db = load_db(hardware_files)
    memo = build_memo(flop, gpus, params=n_params, tokens=tokens, chips=chips, days=days, as_of=as_of,
                      revenue=revenue, hardware=db, rules=load_thresholds(thresholds_files), command=command,
                      base_flop=base_flop, finetune_tokens=finetune_tokens, trainable_params=trainable_params,
                      basis=basis, **overrides(kw))
    written = write_memo(memo, out)
    echo("wrote " + " and ".join(str(p) for p in written))
