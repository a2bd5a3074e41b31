"""Rent, own or buy: one run's cost on each basis, in one kind of dollar (docs/cost-bases.md).

This layer composes a resolved scenario, its evidence and `cost_bases.basis_costs` into one
result per chip and FLOP figure:

- **rental**: chip-hours x the market price on the date (`estimate.cost_of`, unchanged);
- **amortized**: what the run costs the one who owns the chips (hardware depreciation +
  interconnect + energy, Epoch AI's method), at the assumption's chip-hours, its low/high
  carrying the evidence chip-hours interval as the rental cost's do;
- **acquisition**: what the cluster costs to buy (chips x server-level price / 0.81).

`dollars` ('YYYY-MM') restates every dollar (price, cost, evidence) in that month's dollars by the
shipped producer price index; without it, figures are nominal: rental at its price's date,
amortized at the training start, acquisition at the server price's date, and the `dollars` label
says so. `cost_bases` (and its data) is imported only when a basis other than rental, or a
dollars month, is asked for.

    >>> r = cost_on_bases(chip_hours=5.7e7, gpu="a100-40gb", start="2022-05-12", basis="amortized",
    ...                   dollars="2023-12")
    >>> round(r.amortized.to("USD").magnitude / 1e6, 1)
    40.9
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Sequence

from .errors import InputError
from .estimate import CostResult, cost_of
from .rows import Tabular, cost_row
from .scenario import Scenario, scenario
from .units import Q_, mag, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from .cost_bases import BasisCosts
    from .energy import EnergyAssumptions
    from .evidence import EvidenceModel
    from .hardware import HardwareDB, Profile
    from .units import Quantity

__all__ = ["ACQUISITION_DAYS", "BASES", "READERS", "BasesResult", "bases_of", "cost_on_bases", "cost_table_on_bases", "parse_basis",
           "parse_chip_hours", "parse_dollars", "parse_start", "price_month", "restate"]

BASES = ("rental", "amortized", "acquisition", "all")
READERS = ("rental is what journalists mean, and the statutes' \"$100 million of computing power at market prices\" "
           "(SB 1047, H.R. 9917); amortized is what the run costs the owner of the chips, the figure Epoch AI and the "
           "Stanford AI Index publish (GPT-4 about $40M); acquisition is what the cluster costs to buy.")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

def _shown(value: Any) -> str:
    s = repr(value) if isinstance(value, str) else str(value)
    return s if len(s) <= 40 else s[:37] + "..."


def parse_basis(value: Any) -> str:
    """'rental', 'amortized', 'acquisition' or 'all' (any case)."""
    s = value.strip().lower() if isinstance(value, str) else None
    if s not in BASES:
        raise InputError(f"basis {_shown(value)} is not a basis: expected one of {', '.join(BASES)}")
    return s


def parse_dollars(value: Any) -> str | None:
    """A month to state dollars in, 'YYYY-MM' (or a date), within the shipped price index; None: nominal.

    A month after the index's last published value is accepted (that value is used, and the
    result says so); one before its first (2000-12) is refused.
    """
    if value is None:
        return None
    if isinstance(value, _dt.date):
        month = value.strftime("%Y-%m")
    elif isinstance(value, str) and _MONTH.match(value.strip()) and 1 <= int(value.strip()[5:]) <= 12:
        month = value.strip()
    else:
        raise InputError(f"dollars month {_shown(value)} is not a month: expected YYYY-MM, e.g. 2023-12")
    from .cost_bases import PPI_SERIES, cost_data

    first = min(cost_data().ppi)
    if month < first:
        raise InputError(f"dollars month {month} is before the {PPI_SERIES} price index starts: expected YYYY-MM "
                         f"from {first} on, e.g. 2023-12")
    return month


def parse_start(value: Any) -> _dt.date:
    """The training start: a date or 'YYYY-MM-DD' text."""
    from .inputs import parse_date

    if isinstance(value, str) and not value.strip():
        raise InputError("start date is empty: expected YYYY-MM-DD, e.g. 2022-05-12")
    return parse_date(value, what="start date")


def parse_chip_hours(value: Any) -> Quantity:
    """A run's chip-hours: a positive number (5.7e7, 57M) or a Quantity in hours."""
    from .units import parse_count, registry

    accepted = "expected a positive number of chip-hours, e.g. 5.7e7 or 57M"
    if isinstance(value, registry().Quantity):
        q = parse_quantity(value, "time", what="chip-hours").to("hour")
    else:
        try:
            q = Q_(float(parse_count(value, what="chip-hours")), "hour")
        except InputError:
            raise InputError(f"chip-hours {_shown(value)} is not a number of chip-hours: {accepted}") from None
    x = mag(q, "hour")
    if not 0 < x < 1e30:
        raise InputError(f"chip-hours {_shown(value)} is out of range: {accepted}")
    return q


# ---------------------------------------------------------------------------------------------
# Dollars
# ---------------------------------------------------------------------------------------------

def price_month(r: CostResult) -> str:
    """The month (or year, 'YYYY') the rental price is nominal in: its date, else the scenario's date."""
    if r.price_date:
        return r.price_date[:7]
    day = r.scenario.day if r.scenario is not None else _dt.date.today()
    return day.strftime("%Y-%m")


def _ppi_at(when: str, notes: list[str]) -> tuple[float, str]:
    """The index for a month 'YYYY-MM', or a year's mean for 'YYYY'; (value, what was used)."""
    from .cost_bases import PPI_SERIES, cost_data, ppi_month

    data = cost_data()
    if len(when) == 4:
        months = [m for m in data.ppi if m.startswith(when + "-")]
        if months:
            return sum(data.ppi[m] for m in months) / len(months), f"{when} mean"
        when = f"{when}-01"
    used = ppi_month(when, data=data)
    if used != when:
        notes.append(f"{PPI_SERIES} for {when} is not published yet: {used} is used")
    return data.ppi[used], used


def restate(r: CostResult, to_month: str) -> tuple[CostResult, float, str]:
    """The rental result with every dollar (price, cost, evidence) in `to_month`'s dollars.

    Returns (result, factor, note): factor = PPI(to) / PPI(the price's month; a year-only price
    date uses that year's mean index).
    """
    from .cost_bases import PPI_SERIES

    notes: list[str] = []
    src = price_month(r)
    p_from, used_from = _ppi_at(src, notes)
    p_to, _ = _ppi_at(to_month, notes)
    f = p_to / p_from
    ev = r.evidence
    if ev is not None:
        ev = replace(ev, price=ev.price * f, price_low=ev.price_low * f, price_high=ev.price_high * f,
                     cost=None if ev.cost is None else ev.cost * f,
                     cost_low=None if ev.cost_low is None else ev.cost_low * f,
                     cost_high=None if ev.cost_high is None else ev.cost_high * f)
    note = (f"dollars: {to_month} USD by {PPI_SERIES}: the rental price of {src} x {p_to:.3f} / {p_from:.3f} "
            f"({used_from}) = x{f:.4f}")
    out = replace(r, price=r.price * f, cost=(r.cost * f).to("USD"),
                  cost_with_overhead=(r.cost_with_overhead * f).to("USD"), evidence=ev,
                  notes=(*r.notes, *notes, note))
    return out, f, note


# ---------------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BasesResult(Tabular):
    """One run on one chip, on the bases asked for, in one kind of dollar.

    `rental` is the cost result (its money already in `dollars`); `costs` the amortized and
    acquisition figures (None for basis 'rental'). `chip_hours_given`: the run was given as
    chip-hours (FLOP = chip-hours x useful FLOP per chip-hour at the assumption).
    """

    rental: CostResult
    basis: str
    start: str
    dollars: str
    dollars_month: str | None = None
    costs: BasisCosts | None = None
    chip_hours_given: bool = False
    rental_inflation_factor: float = 1.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def amortized(self) -> Quantity | None:
        return None if self.costs is None else self.costs.amortized

    @property
    def acquisition(self) -> Quantity | None:
        return None if self.costs is None else self.costs.acquisition

    @property
    def rental_cost(self) -> Quantity:
        return self.rental.cost

    def to_dict(self, *, ranges: bool = True) -> dict[str, Any]:
        """cost_row's keys (never renamed or dropped), then the bases: rental_cost_usd (== cost_usd),
        amortized_cost_usd, hardware_cost_usd, interconnect_cost_usd, energy_cost_usd,
        acquisition_cost_usd (each with _low/_high where an interval applies), dollars, start, basis."""
        row = cost_row(self.rental, ranges=ranges)
        if self.costs is not None:
            d = self.costs.to_dict()
            for k, v in d.items():
                if k in ("dollars", "start"):
                    continue
                if ranges or not k.endswith(("_low", "_high")):
                    row[k] = v
        row["dollars"] = self.dollars
        row["start"] = self.start
        row["basis"] = self.basis
        row["chip_hours_given"] = self.chip_hours_given
        if self.costs is not None and self.costs.chips is not None:
            row["acquisition_chips"] = self.costs.chips
        row["notes"] = list(dict.fromkeys([*row.get("notes", []), *self.notes]))
        return row

    def __repr__(self) -> str:
        a = "" if self.amortized is None else f", amortized_usd={mag(self.amortized, 'USD'):.4g}"
        return (f"BasesResult(gpu={self.rental.gpu!r}, rental_usd={mag(self.rental.cost, 'USD'):.4g}{a}, "
                f"dollars={self.dollars!r})")


ACQUISITION_DAYS = 90  # without chips or days, acquisition prices the cluster that finishes the run in this time


def _chips_for(r: CostResult, chips: int | None) -> tuple[int, str | None]:
    """The cluster acquisition prices, and a note when it is the default (the run in ACQUISITION_DAYS)."""
    if chips is not None:
        return chips, None
    if r.chips is not None:
        return r.chips, None
    from .fmt import plural

    if r.chips_needed is not None:
        return r.chips_needed, None
    from . import calc

    n = calc.fewest_chips(r.chip_hours, Q_(ACQUISITION_DAYS, "day"))
    return n, (f"acquisition prices the cluster that runs the final run in {ACQUISITION_DAYS} days: "
               f"{plural(n, 'chip')} (give --chips N or --days D for another)")


def _energy_of(scn: Scenario, operator: str | None) -> EnergyAssumptions:
    """The scenario's energy factors; an operator asked for here (not in the scenario) sets the PUE."""
    from . import energy as _energy

    ea = scn.energy
    op = _energy.parse_operator(operator)
    if op is None or op == ea.operator or ea.operator is None:  # the scenario's own, or a --pue that wins
        return ea
    return _energy.assumptions_for(scn.profile.id, operator=op, grid_intensity=ea.grid_intensity)


def bases_of(r: CostResult, *, basis: str = "all", start: Any = None, chips: int | None = None,
             dollars: Any = None, operator: str | None = None, chip_hours_given: bool = False) -> BasesResult:
    """Put a rental cost result on the bases asked for.

    start: the training start (default: the scenario's --as-of date, else today). chips: the
    cluster for acquisition (default: the result's chips, else the chips needed for its days).
    The amortized figure is at the result's (assumption) chip-hours; its low/high at the evidence
    chip-hours interval, as cost_usd_low/high are, unless the chip-hours were given
    (chip_hours_given: they are known, so only the depreciation band and price range apply).
    """
    b = parse_basis(basis)
    month = parse_dollars(dollars)
    scn = r.scenario
    if start is None:
        start_d = scn.as_of if scn is not None and scn.as_of is not None else _dt.date.today()
    else:
        start_d = parse_start(start)
    notes: list[str] = []
    rental, factor = r, 1.0
    if month is not None:
        rental, factor, _ = restate(r, month)
    costs = None
    if b != "rental":
        from .cost_bases import basis_costs

        if scn is None:
            raise InputError("this cost result has no scenario: build it with flopcalc.cost() or estimate.cost_of()")
        n: int | None = None
        if b in ("acquisition", "all"):
            n, chips_note = _chips_for(r, chips)
            if chips_note:
                notes.append(chips_note)
        costs = basis_costs(scn.profile, r.chip_hours.to("hour"), start_d, chips=n, dollars=month,
                            energy=_energy_of(scn, operator))
        ev = r.evidence
        if not chip_hours_given and ev is not None and ev.chip_hours is not None:
            assert ev.chip_hours_low is not None and ev.chip_hours_high is not None
            band = basis_costs(scn.profile, ev.chip_hours.to("hour"), start_d, dollars=month,
                               energy=_energy_of(scn, operator),
                               chip_hours_low=ev.chip_hours_low.to("hour"),
                               chip_hours_high=ev.chip_hours_high.to("hour"))
            costs = replace(costs, **{f"{k}_{s}": getattr(band, f"{k}_{s}")
                                      for k in ("amortized", "hardware", "interconnect", "energy")
                                      for s in ("low", "high")})
        notes.extend(costs.notes)
        if month is None:
            label = f"nominal USD (rental at {price_month(r)} prices; amortized at {start_d:%Y-%m} prices"
            label += f"; acquisition at {costs.server_price_date[:7]} prices)" if costs.acquisition is not None else ")"
        else:
            label = costs.dollars
    elif month is not None:
        from .cost_bases import PPI_SERIES

        label = f"{month} USD (PPI {PPI_SERIES})"
    else:
        label = f"nominal USD (rental at {price_month(r)} prices)"
    return BasesResult(rental=rental, basis=b, start=start_d.isoformat(), dollars=label, dollars_month=month,
                       costs=costs, chip_hours_given=chip_hours_given, rental_inflation_factor=factor,
                       notes=tuple(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

def _flop_for(scn: Scenario, chip_hours: Quantity) -> Quantity:
    from . import calc

    return calc.finite((chip_hours * scn.flop_per_chip_hour / Q_(1, "hour")).to("FLOP"), "FLOP")


def cost_table_on_bases(
    flops: Sequence[Any] | None,
    gpus: Sequence[str | Profile],
    *,
    chip_hours: Any = None,
    basis: str = "all",
    start: Any = None,
    dollars: Any = None,
    operator: str | None = None,
    precision: str | None = None,
    peak: Any = None,
    efficiency: Any = None,
    price: Any = None,
    price_tier: str | None = None,
    as_of: _dt.date | str | None = None,
    overhead: Any = None,
    chips: Any = None,
    days: Any = None,
    pue: Any = None,
    grid_intensity: Any = None,
    hardware: HardwareDB | None = None,
    evidence_model: EvidenceModel | None = None,
) -> list[BasesResult]:
    """cost_table() on the bases asked for: one result per chip x FLOP figure (or per chip, for chip_hours).

    Give FLOP figures or `chip_hours` (a run given as chip-hours: its FLOP is chip-hours x the
    useful FLOP per chip-hour at the assumption), not both.
    """
    from .estimate import cost_table
    from .inputs import parse_chips, parse_precision

    b = parse_basis(basis)
    month = parse_dollars(dollars)
    start_d = parse_start(start) if start is not None else None
    flops = list(flops or [])
    n = parse_chips(chips) if chips is not None else None
    kw: dict[str, Any] = dict(precision=precision, peak=peak, efficiency=efficiency, price=price,
                              price_tier=price_tier, as_of=as_of, overhead=overhead, chips=chips, days=days, pue=pue,
                              grid_intensity=grid_intensity, operator=operator, hardware=hardware)
    if chip_hours is not None:
        if flops:
            raise InputError(f"give FLOP or chip-hours, not both: got FLOP {_shown(flops[0])} and chip-hours "
                             f"{_shown(chip_hours)}")
        h = parse_chip_hours(chip_hours)
        several = len(gpus) > 1
        p = parse_precision(precision)
        results: list[CostResult] = []
        for g in gpus:
            scn = scenario(g, **{**kw, "precision": p}, fallback_precision=several)
            r = cost_of(scn, _flop_for(scn, h), evidence_model=evidence_model)
            results.append(replace(r, precision_requested=p) if p is not None else r)
    else:
        if not flops:
            raise InputError("no FLOP figure or chip-hours given: expected FLOP (e.g. 1e26) or chip-hours "
                             "(e.g. 5.7e7)")
        results = cost_table(flops, gpus, evidence_model=evidence_model, **kw)
    return [bases_of(r, basis=b, start=start_d, chips=n, dollars=month, operator=operator,
                     chip_hours_given=chip_hours is not None) for r in results]


def cost_on_bases(
    flop: Any = None,
    gpu: str | Profile | None = "h100",
    *,
    chip_hours: Any = None,
    basis: str = "all",
    start: Any = None,
    dollars: Any = None,
    operator: str | None = None,
    precision: str | None = None,
    peak: Any = None,
    efficiency: Any = None,
    price: Any = None,
    price_tier: str | None = None,
    as_of: _dt.date | str | None = None,
    overhead: Any = None,
    chips: Any = None,
    days: Any = None,
    pue: Any = None,
    grid_intensity: Any = None,
    hardware: HardwareDB | None = None,
    evidence_model: EvidenceModel | None = None,
) -> BasesResult:
    """What a run costs on each basis (rental, amortized, acquisition), in one kind of dollar.

    flop: as flopcalc.cost(); or chip_hours instead (a run given as chip-hours). basis: 'rental',
    'amortized', 'acquisition' or 'all'. start: the training start (default as_of, else today).
    dollars: 'YYYY-MM' to state every dollar in that month's dollars by the PPI (default nominal).
    operator: 'hyperscaler' (PUE 1.1) or 'other' (1.25). chips: the cluster (acquisition).
    """
    g: Any = "h100" if gpu is None else gpu
    return cost_table_on_bases([] if flop is None else [flop], [g], chip_hours=chip_hours, basis=basis, start=start,
                               dollars=dollars, operator=operator, precision=precision, peak=peak,
                               efficiency=efficiency, price=price, price_tier=price_tier, as_of=as_of,
                               overhead=overhead, chips=chips, days=days, pue=pue, grid_intensity=grid_intensity,
                               hardware=hardware, evidence_model=evidence_model)[0]
