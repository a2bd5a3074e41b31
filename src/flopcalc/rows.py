"""Results as rows: plain numbers in documented base units (JSON, CSV), sentences and --explain lines.

Base units at this edge: FLOP, FLOP/s, hours (chip-hours), USD, USD per chip-hour, W, MWh, tCO2e.
This module turns result objects into data; memo.py turns them into a one-page report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fmt import grouped, human, money, money_sig, pct, plural, sci, sig
from .units import mag

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from .estimate import BudgetResult, CostResult, EvidenceEstimate

__all__ = ["Tabular", "basis_mark", "basis_words", "budget_row", "cost_row", "cost_summary", "evidence_dict",
           "energy_line", "explain_cost", "html_table", "opt"]


class Tabular:
    """A result that serializes to a row: Jupyter shows it as a small table of that row."""

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return html_table(self.to_dict())


def basis_words(basis: str | None, *, runs: int = 0) -> str:
    """What an evidence interval rests on, in the same words in every output (table, memo, chart, note).

    runs: known runs on the chip's generation; class: known runs of the precision class, none yet on this
    generation; cited: the profile's cited MFU range, not evidence from runs.
    """
    if basis == "runs":
        return f"all-in efficiency that {runs} known run{'s' if runs != 1 else ''} on this generation imply" if runs \
            else "all-in efficiency that known runs imply"
    if basis == "class":
        return "all-in efficiency that known runs of its precision class imply (class: none yet on this generation)"
    if basis == "cited":
        return "the profile's cited MFU range (cited: not evidence from runs)"
    return "no evidence"


def basis_mark(basis: str | None) -> str:
    """The one-word mark for a table cell or chart label: '' for runs on the generation, else 'class' or 'cited'."""
    return "" if basis == "runs" else (basis or "none")


def opt(q: Any, unit: str) -> float | None:
    """mag() for optional quantities."""
    return None if q is None else mag(q, unit)


def evidence_dict(ev: EvidenceEstimate | None) -> dict[str, Any] | None:
    if ev is None:
        return None
    return {
        "basis": ev.basis,
        "efficiency_kind": ev.efficiency_kind,
        "efficiency": ev.efficiency,
        "efficiency_low": ev.efficiency_low,
        "efficiency_high": ev.efficiency_high,
        "chip_hours": opt(ev.chip_hours, "hour"),
        "chip_hours_low": opt(ev.chip_hours_low, "hour"),
        "chip_hours_high": opt(ev.chip_hours_high, "hour"),
        "price_usd_per_chip_hour": mag(ev.price, "USD/hour"),
        "price_usd_per_chip_hour_low": mag(ev.price_low, "USD/hour"),
        "price_usd_per_chip_hour_high": mag(ev.price_high, "USD/hour"),
        "cost_usd": opt(ev.cost, "USD"),
        "cost_usd_low": opt(ev.cost_low, "USD"),
        "cost_usd_high": opt(ev.cost_high, "USD"),
        "cost_with_overhead_usd": opt(ev.cost_with_overhead, "USD"),
        "cost_with_overhead_usd_low": opt(ev.cost_with_overhead_low, "USD"),
        "cost_with_overhead_usd_high": opt(ev.cost_with_overhead_high, "USD"),
        "runs": ev.runs,
        "group": ev.group,
        "level": ev.level,
        "method": ev.method,
    }


def _ordered(lo: float | None, hi: float | None) -> tuple[float | None, float | None]:
    if lo is None or hi is None:
        return lo, hi
    return (lo, hi) if lo <= hi else (hi, lo)


def cost_row(r: CostResult, *, ranges: bool = True) -> dict[str, Any]:
    """One JSON/CSV row for a cost result: plain numbers in documented base units."""
    from .datadates import data_as_of

    ea = r.energy_assumptions
    row: dict[str, Any] = {
        "flop": mag(r.flop, "FLOP"),
        "gpu": r.gpu,
        "gpu_name": r.gpu_name,
        "precision": r.precision,
        "precision_requested": r.precision_requested,
        "precision_fallback": r.precision_fallback,
        "peak_flop_per_s": mag(r.peak, "FLOP/s"),
        "efficiency": mag(r.efficiency, ""),
        "efficiency_kind": "assumed",
        "effective_flop_per_s": mag(r.effective_flop_per_s, "FLOP/s"),
        "flop_per_chip_hour": mag(r.flop_per_chip_hour, "FLOP"),
        "chip_hours": mag(r.chip_hours, "hour"),
        "run_chip_hours": mag(r.chip_hours, "hour"),
        "price_usd_per_chip_hour": mag(r.price, "USD/hour"),
        "price_tier": r.price_tier,
        "price_date": r.price_date,
        "price_provider": r.price_provider,
        "price_basis": r.price_choice.description if r.price_choice is not None else None,
        "price_quotes": r.price_choice.count if r.price_choice is not None and r.price_choice.rule == "median" else None,
        "price_quote_low": r.price_choice.low if r.price_choice is not None else None,
        "price_quote_high": r.price_choice.high if r.price_choice is not None else None,
        "price_providers": list(r.price_choice.providers) if r.price_choice is not None else [],
        "price_tier_fallback": r.price_tier_fallback,
        "price_is_estimate": r.price_is_estimate,
        "cost_usd": mag(r.cost, "USD"),
        "overhead": mag(r.overhead, ""),
        "cost_with_overhead_usd": mag(r.cost_with_overhead, "USD"),
    }
    if r.chips is not None:
        row["chips"] = r.chips
        row["wall_clock_days"] = opt(r.wall_clock, "day")
    if r.days is not None:
        row["days"] = mag(r.days, "day")
        row["chips_needed"] = r.chips_needed
    row.update({
        "energy_mwh": mag(r.energy, "MWh"),
        "co2e_tonnes": mag(r.co2e, "tCO2e"),
        "tdp_w": mag(r.tdp, "W"),
        "server_power_factor": ea.server_power_factor,
        "average_load": ea.average_load,
        "pue": ea.pue,
        "grid_intensity_kgco2e_per_kwh": ea.grid_intensity,
    })
    if ranges:
        ev = r.evidence
        row["range_level"] = ev.level if ev is not None and ev.chip_hours is not None else None
        row["efficiency_low"], row["efficiency_high"] = _ordered(opt(r.efficiency_low, ""), opt(r.efficiency_high, ""))
        row["efficiency_range_basis"] = r.efficiency_basis
        row["price_usd_per_chip_hour_low"], row["price_usd_per_chip_hour_high"] = _ordered(
            mag(r.price_low, "USD/hour"), mag(r.price_high, "USD/hour"))
        for key, lo, hi, unit in (("chip_hours", r.chip_hours_low, r.chip_hours_high, "hour"),
                                  ("cost_usd", r.cost_low, r.cost_high, "USD"),
                                  ("cost_with_overhead_usd", r.cost_with_overhead_low, r.cost_with_overhead_high,
                                   "USD")):
            row[f"{key}_low"], row[f"{key}_high"] = _ordered(opt(lo, unit), opt(hi, unit))
        row["evidence"] = evidence_dict(ev)
        row["assumption_in_range"] = r.assumption_in_range
    row["summary"] = cost_summary(r)
    row["confidence"] = r.confidence
    row["assumptions_from"] = dict(r.origin)
    row["assumption_source"] = r.assumption_label
    row["profile_file"] = r.profile_path
    row["as_of"] = r.scenario.day.isoformat() if r.scenario is not None else None
    row["notes"] = list(r.notes)
    row["data_as_of"] = data_as_of(r.data_as_of)
    # The rental basis (docs/cost-bases.md): the same figure as cost_usd, named for the basis.
    row["rental_cost_usd"] = row["cost_usd"]
    if ranges:
        row["rental_cost_usd_low"], row["rental_cost_usd_high"] = row["cost_usd_low"], row["cost_usd_high"]
    return row


def budget_row(b: BudgetResult, *, ranges: bool = True) -> dict[str, Any]:
    """One JSON/CSV row for a budget result; keys in docs/json.md."""
    from .datadates import data_as_of

    final = mag(b.flop_after_overhead, "FLOP")
    row: dict[str, Any] = {
        "budget_usd": mag(b.usd, "USD"),
        "usd": mag(b.usd, "USD"),  # deprecated alias of budget_usd (flopcalc 0.2)
        "gpu": b.gpu,
        "precision": b.precision,
        "price_usd_per_chip_hour": mag(b.price, "USD/hour"),
        "price_tier": b.unit.price_tier,
        "price_date": b.unit.price_date,
        "price_provider": b.unit.price_provider,
        "effective_flop_per_s": mag(b.effective_flop_per_s, "FLOP/s"),
        "efficiency": mag(b.efficiency, ""),
        "overhead": mag(b.overhead, ""),
        "chip_hours": mag(b.chip_hours, "hour"),
        "run_chip_hours": opt(b.run_chip_hours, "hour"),
        "cost_usd": mag(b.run_cost, "USD"),
        "cost_with_overhead_usd": mag(b.usd, "USD"),
        "flop": final,
        "flop_bought": mag(b.flop, "FLOP"),
        "flop_after_overhead": final,  # deprecated alias of flop
    }
    if ranges:
        d = b.delivered
        row["range_level"] = d.level if d is not None and d.flop is not None else None
        row["evidence_flop"] = opt(b.evidence_flop, "FLOP")
        row["flop_centre"] = row["evidence_flop"]
        row["flop_low"], row["flop_high"] = _ordered(opt(b.flop_after_overhead_low, "FLOP"),
                                                     opt(b.flop_after_overhead_high, "FLOP"))
        row["flop_after_overhead_low"], row["flop_after_overhead_high"] = row["flop_low"], row["flop_high"]
        row["evidence"] = d.to_dict() if d is not None else None
    row["as_of"] = b.unit.scenario.day.isoformat() if b.unit.scenario is not None else None
    row["notes"] = list(b.notes)
    row["data_as_of"] = data_as_of(b.unit.data_as_of)
    return row


def cost_summary(r: CostResult) -> str:
    """One quotable sentence: the assumption, the evidence point and its 90% interval (2-3 significant figures)."""
    ch = mag(r.chip_hours, "hour")
    usd = mag(r.cost, "USD")
    tier = f" {r.price_tier}" if r.price_tier and r.price_tier != "given" else ""
    assumption = (f"at the {'essay-style ' if r.assumption_label == 'essay' else ''}assumption of "
                  f"{pct(mag(r.efficiency, ''))} of dense {r.precision.upper()} peak and "
                  f"{money(mag(r.price, 'USD/hour'))}/h{tier}")
    head = (f"{sci(mag(r.flop, 'FLOP'), 3)} FLOP on {r.gpu_name}: {sig(ch)} chip-hours and {money_sig(usd)} "
            f"{assumption}")
    ev = r.evidence
    if ev is None or ev.chip_hours is None:
        return head + "; no evidence interval for this chip and precision."
    # The evidence's figures are set together: with chip-hours come their interval and the cost's.
    assert ev.chip_hours_low is not None and ev.chip_hours_high is not None
    assert ev.cost is not None and ev.cost_low is not None and ev.cost_high is not None
    what = basis_words(ev.basis, runs=ev.runs) + (" implies" if ev.basis == "cited" else "")
    return (f"{head}; {what} {sig(mag(ev.chip_hours, 'hour'))} chip-hours "
            f"(90% interval {sig(mag(ev.chip_hours_low, 'hour'))}-{sig(mag(ev.chip_hours_high, 'hour'))}) and "
            f"{money_sig(mag(ev.cost, 'USD'))} (90% interval {money_sig(mag(ev.cost_low, 'USD'))}-"
            f"{money_sig(mag(ev.cost_high, 'USD'))}).")


def explain_cost(r: CostResult) -> list[str]:
    """The derivation, line by line, with the real numbers (the essay's arithmetic), then the evidence."""
    f = mag(r.flop, "FLOP")
    pk = mag(r.peak, "FLOP/s")
    e = mag(r.efficiency, "")
    eff = mag(r.effective_flop_per_s, "FLOP/s")
    per_h = mag(r.flop_per_chip_hour, "FLOP")
    ch = mag(r.chip_hours, "hour")
    price = mag(r.price, "USD/hour")
    usd = mag(r.cost, "USD")
    ovh = mag(r.overhead, "")
    usd_o = mag(r.cost_with_overhead, "USD")
    o = r.origin
    tier = f" ({r.price_tier}{', ' + r.price_date if r.price_date else ''})" if r.price_tier else ""
    lines = [
        f"{sci(f)} FLOP on {r.gpu_name} ({r.gpu}), {r.precision}",
        "Assumption:",
        f"  peak ({r.precision}, dense)      {pk / 1e12:g} TFLOP/s = {sci(pk, 4)} FLOP/s   [{o.get('peak')}]",
        f"  x efficiency (assumed)   {pct(e)}   [{o.get('efficiency')}]",
        f"  = useful FLOP/s per chip {sci(pk, 4)} x {e:g} = {sci(eff, 4)} FLOP/s",
        f"  x 3600 s per hour        = {sci(per_h, 4)} FLOP per chip-hour",
        f"  chip-hours               {sci(f)} / {sci(per_h, 4)} = {human(ch)} chip-hours ({grouped(ch)})",
        f"  x price                  {money(price)} per chip-hour{tier}   [{o.get('price')}]",
        f"  = cost                   {money(usd)} ({'$' + grouped(usd)})",
        f"  x overhead               {ovh:g}x (failed runs, restarts, bugs)   [{o.get('overhead')}]",
        f"  = cost with overhead     {money(usd_o)} ({'$' + grouped(usd_o)})",
    ]
    if r.chips is not None and r.wall_clock is not None:
        days = mag(r.wall_clock, "day")
        lines.append(f"  wall-clock on {plural(r.chips, 'chip')} {human(ch)} / {r.chips:,} / 24 = {days:,.1f} days")
    if r.days is not None:
        d = mag(r.days, "day")
        lines.append(f"  chips to finish in {d:g} days {human(ch)} / ({d:g} x 24) = {plural(r.chips_needed or 0, 'chip')}")
    ea = r.energy_assumptions
    mwh = mag(r.energy, "MWh")
    lines += [
        f"  energy                   {human(ch)} chip-h x {mag(r.tdp, 'W'):g} W TDP x {ea.server_power_factor:g} "
        f"server x {ea.average_load:g} load x {ea.pue:g} PUE = {grouped(mwh)} MWh   [{_energy_origin(r)}]",
        f"  emissions                {grouped(mwh)} MWh x {ea.grid_intensity:g} kgCO2e/kWh = "
        f"{grouped(mag(r.co2e, 'tCO2e'))} tCO2e",
    ]
    ev = r.evidence
    if ev is not None and ev.chip_hours is not None:
        # The evidence's figures are set together: with chip-hours come the efficiency, the intervals and the cost.
        assert ev.efficiency is not None and ev.efficiency_low is not None and ev.efficiency_high is not None
        assert ev.chip_hours_low is not None and ev.chip_hours_high is not None
        assert ev.cost is not None and ev.cost_low is not None and ev.cost_high is not None
        assert ev.cost_with_overhead is not None
        kind = "all-in efficiency" if ev.efficiency_kind == "all-in" else "MFU (cited)"
        lines += [
            f"Evidence ({ev.basis}: {ev.method}):",
            f"  {kind:<24} {pct(ev.efficiency)} (90% {pct(ev.efficiency_low)}-{pct(ev.efficiency_high)})",
            f"  chip-hours               {sci(f)} / ({sci(pk, 4)} x {ev.efficiency:.4g} x 3600) = "
            f"{human(mag(ev.chip_hours, 'hour'))} (90% {human(mag(ev.chip_hours_low, 'hour'))}-"
            f"{human(mag(ev.chip_hours_high, 'hour'))})",
            f"  price                    {money(mag(ev.price, 'USD/hour'))} per chip-hour (centre of "
            f"{money(mag(ev.price_low, 'USD/hour'))}-{money(mag(ev.price_high, 'USD/hour'))})",
            f"  cost                     {money(mag(ev.cost, 'USD'))} (90% {money(mag(ev.cost_low, 'USD'))}-"
            f"{money(mag(ev.cost_high, 'USD'))}); with overhead {money(mag(ev.cost_with_overhead, 'USD'))}",
            f"  what the interval is for: a run like those in the public record at about {sci(f)} FLOP "
            f"({basis_words(ev.basis, runs=ev.runs)}); a well-engineered frontier run may sit in its upper half "
            "or above it",
        ]
    else:
        lines.append(f"Evidence: none ({ev.method if ev else 'not computed'})")
    lines += [f"  note: {n}" for n in r.notes]
    return lines


def html_table(row: dict[str, Any]) -> str:
    """A small two-column HTML table of a result's scalar fields (for Jupyter), every string escaped."""
    from html import escape

    keep = [(k, v) for k, v in row.items() if isinstance(v, (str, int, float, bool)) or v is None][:24]
    body = "".join(f"<tr><th style='text-align:left'>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in keep)
    return f"<table>{body}</table>"


def check_row(res: Any) -> dict[str, Any]:
    """The JSON object of a check result (flopcalc check --format json); keys in docs/json.md."""
    from .datadates import data_as_of

    mod = res.modification
    unit = res.unit
    if res.evidence is not None:  # a fixed cluster: the interval is on the FLOP it delivers
        evidence = res.evidence.to_dict()
    elif unit is not None and res.method in ("flop", "architecture", "both", "hardware"):
        evidence = evidence_dict(unit.evidence)
    else:
        evidence = None
    rules = [c.to_dict() for c in res.checks]
    notification = next((r["notification_flop"] for r in rules if r["notification_flop"] is not None), None)
    provider = res.provider
    data: dict[str, Any] = {
        "flop": mag(res.flop, "FLOP"),
        "flop_low": opt(res.flop_low, "FLOP"),
        "flop_high": opt(res.flop_high, "FLOP"),
        "flop_centre": opt(res.flop_centre, "FLOP"),
        "method": res.method,
        "architecture_flop": opt(res.architecture_flop, "FLOP"),
        "hardware_flop": opt(res.hardware_flop, "FLOP"),
        "hardware_to_architecture_ratio": res.method_ratio,
        "bf16_flop": opt(res.bf16_flop, "FLOP"),
        "gpu": res.gpu,
        "precision": res.precision,
        "peak_flop_per_s": opt(res.peak, "FLOP/s"),
        "efficiency": res.efficiency,
        "efficiency_kind": "assumed",
        "price_usd_per_chip_hour": opt(res.price, "USD/hour"),
        "price_tier": res.price_tier,
        "price_date": unit.price_date if unit is not None else None,
        "price_provider": unit.price_provider if unit is not None else None,
        "evidence": evidence,
        "chips": res.chips,
        "days": opt(res.days, "day"),
        "run_chip_hours": mag(res.scenario.cluster_chip_hours(), "hour") if res.scenario is not None
        and res.scenario.has_cluster else (opt(unit.chip_hours, "hour") if unit else None),  # a cluster's are known
        "cluster_peak_flop_per_s": opt(res.cluster_peak, "FLOP/s"),
        "cost_usd": mag(res.cost, "USD"),
        "overhead": res.overhead,
        "cost_with_overhead_usd": mag(res.cost_with_overhead, "USD"),
        "cost_basis": res.cost_basis,
        "revenue_usd": opt(res.revenue, "USD"),
        "as_of": res.as_of.isoformat() if res.as_of else None,
        "modification": None if mod is None else {
            "flop": mod.flop, "base_flop": mod.base_flop, "cumulative_flop": mod.cumulative_flop,
            "formula": mod.formula, **(provider.to_dict() if provider is not None else {})},
        "notification_flop": notification,
        "notes": list(res.notes),
        "rules": rules,
        "thresholds": rules,  # deprecated alias of `rules` (flopcalc 0.2); removed in 0.4
    }
    data["data_as_of"] = data_as_of()
    return data


def _energy_origin(r: CostResult) -> str:
    ea = r.energy_assumptions
    pue = "PUE given" if ea.operator is None else f"PUE of operator '{ea.operator}'"
    src = (ea.sources or {}).get("server_power_factor", "")
    server = (f"{r.gpu}'s own server factor" if src.startswith("the chip's own") else
              f"the {'TPU' if src.startswith('the TPU') else 'GPU'} default server factor (none for {r.gpu})")
    kind = "TPU" if r.gpu.startswith("tpu") else "GPU"
    return f"{server}, {kind} load, {pue} (Epoch AI's energy model)"


def energy_line(results: Sequence[CostResult]) -> str:
    """The energy sentence under a cost table, true of every row: one set of factors, or each chip's."""
    by: dict[tuple[float, float, float], list[str]] = {}
    for r in results:
        ea = r.energy_assumptions
        by.setdefault((ea.server_power_factor, ea.average_load, ea.pue), [])
        if r.gpu not in by[(ea.server_power_factor, ea.average_load, ea.pue)]:
            by[(ea.server_power_factor, ea.average_load, ea.pue)].append(r.gpu)
    ops = {r.energy_assumptions.operator for r in results}
    who = ("PUE given" if ops == {None} else
           f"PUE of operator '{next(iter(ops))}'" if len(ops) == 1 else "PUE given or the operator's")
    grids = sorted({r.energy_assumptions.grid_intensity for r in results})
    co2 = "; CO2e at " + " or ".join(f"{g:g}" for g in grids) + " kgCO2e/kWh"
    if len(by) == 1:
        (spf, load, pue), chips = next(iter(by.items()))
        return (f"Energy = final-run chip-hours x TDP x {spf:g} (server, {', '.join(chips)}) x {load:g} (load) x PUE "
                f"{pue:g} ({who}){co2}.")
    each = "; ".join(f"{', '.join(chips)} {spf:g} x {load:g} x {pue:g}" for (spf, load, pue), chips in by.items())
    return f"Energy = final-run chip-hours x TDP x server factor x load x PUE ({who}), by chip: {each}{co2}."
