"""Amortized and acquisition cost of a training run, and constant dollars (docs/cost-bases.md).

Three readers mean three dollars. Rental (chip-hours x a market price) is computed elsewhere;
this module gives the other two, following Epoch AI's published method (Cottier et al. 2024,
arXiv:2405.21015; code github.com/epoch-research/training-cost-trends):

- amortized = hardware + interconnect + energy, where
  hardware     = V x (r ln10 / 8766 h) x H, V = P x 10^(-r x years from acquisition to start),
  interconnect = hardware x 0.19 / 0.81,
  energy       = H x TDP x server-power factor x average load x PUE x electricity price (start year);
- acquisition  = chips x P / 0.81.

P is the server-level price per chip (cost-bases.yaml), r = 0.14 orders of magnitude a year.
Dollars: nominal at the price's month, or any month's by the producer price index
PCU518210518210 (ppi-pcu518210518210.csv). The data are read on first use only, so importing
this module costs nothing at start-up.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping

from .energy import OPERATOR_KINDS  # re-exported: who runs the cluster sets the PUE
from .errors import DataError, InputError, UnknownNameError
from .units import Q_

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from .energy import EnergyAssumptions
    from .hardware import Profile
    from .units import Quantity

__all__ = ["BasisCosts", "ServerPrice", "CostData", "basis_costs", "deflate", "ppi", "ppi_month",
           "server_price", "electricity_price", "cost_data", "PPI_SERIES", "OPERATOR_KINDS"]

PPI_SERIES = "PCU518210518210"
_DATA_FILE = "cost-bases.yaml"
_PPI_FILE = "ppi-pcu518210518210.csv"


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ServerPrice:
    """The server-level price of one chip (USD per accelerator, server included) and its source."""

    chip: str
    usd_per_chip: float
    date: str                 # the price's date, YYYY-MM-DD
    released: str             # the release date the acquisition rule uses
    family: str               # "gpu" or "tpu" (TPUs: acquired at release; load 0.43)
    basis: str
    source: str
    url: str | None
    low: float
    high: float
    range_basis: str
    estimate: bool = False


@dataclass(frozen=True)
class CostData:
    """The checked contents of cost-bases.yaml and the PPI series."""

    depreciation: float
    depreciation_band: tuple[float, float]
    interconnect_fraction: float
    hours_per_year: float
    acquisition_days: int
    acquisition_days_tpu: int
    electricity: Mapping[int, float]          # USD per kWh by year
    electricity_notes: Mapping[int, str]
    prices: Mapping[str, ServerPrice]
    ppi: Mapping[str, float]                  # 'YYYY-MM' -> index
    ppi_status: Mapping[str, str]
    data_as_of: str | None = None
    path: str = ""


def _num(path: Any, where: str, v: Any, *, lo: float = 0.0, hi: float | None = None) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
        raise DataError(path, f"must be a number, not {v!r:.40}", field=where)
    x = float(v)
    if x <= lo or (hi is not None and x > hi):
        raise DataError(path, f"{x:g} is out of range: must be > {lo:g}" + (f" and <= {hi:g}" if hi is not None else ""),
                        field=where)
    return x


def _text(path: Any, where: str, v: Any, *, optional: bool = False) -> str | None:
    from .text import clean

    if v is None and optional:
        return None
    if not isinstance(v, str) or not v.strip():
        raise DataError(path, "must be non-empty text", field=where)
    return clean(v).strip()


def _day(path: Any, where: str, v: Any) -> str:
    from ._schema import as_date

    d = as_date(v)
    if d is None:
        raise DataError(path, f"must be a date YYYY-MM-DD, not {v!r:.30}", field=where)
    return _first_day(d).isoformat()


def _map(path: Any, where: str, v: Any) -> dict[Any, Any]:
    if not isinstance(v, dict) or not v:
        raise DataError(path, "must be a non-empty mapping", field=where)
    return v


def _load_yaml(path: Path) -> dict[str, Any]:
    from ._yaml import read_yaml

    d = read_yaml(path)
    return _map(path, "(top level)", d)


def _parse_prices(path: Any, raw: Any) -> dict[str, ServerPrice]:
    allowed = {"usd_per_chip", "date", "released", "family", "basis", "source", "url", "low", "high",
               "range_basis", "estimate"}
    out: dict[str, ServerPrice] = {}
    for cid, e in _map(path, "server_prices", raw).items():
        w = f"server_prices.{str(cid)[:40]}"
        e = _map(path, w, e)
        unknown = sorted(str(k) for k in e if k not in allowed)
        if unknown:
            raise DataError(path, f"unknown key {unknown[0][:40]!r}; allowed keys are {', '.join(sorted(allowed))}", field=w)
        p = _num(path, f"{w}.usd_per_chip", e.get("usd_per_chip"))
        low = _num(path, f"{w}.low", e.get("low"))
        high = _num(path, f"{w}.high", e.get("high"))
        if not low <= p <= high:
            raise DataError(path, f"low {low:g} and high {high:g} must bracket usd_per_chip {p:g}", field=w)
        family = _text(path, f"{w}.family", e.get("family"))
        if family not in ("gpu", "tpu"):
            raise DataError(path, f"{family!r} must be gpu or tpu", field=f"{w}.family")
        estimate = e.get("estimate", False)
        if not isinstance(estimate, bool):
            raise DataError(path, "must be true or false", field=f"{w}.estimate")
        url = _text(path, f"{w}.url", e.get("url"), optional=True)
        if url is not None and not url.startswith(("http://", "https://")):
            raise DataError(path, "must be an http(s) URL", field=f"{w}.url")
        out[str(cid).strip().lower()] = ServerPrice(
            chip=str(cid).strip().lower(), usd_per_chip=p, date=_day(path, f"{w}.date", e.get("date")),
            released=_day(path, f"{w}.released", e.get("released")), family=family,
            basis=str(_text(path, f"{w}.basis", e.get("basis"))), source=str(_text(path, f"{w}.source", e.get("source"))),
            url=url, low=low, high=high, range_basis=str(_text(path, f"{w}.range_basis", e.get("range_basis"))),
            estimate=estimate)
    return out


def _parse_ppi(path: Path) -> tuple[dict[str, float], dict[str, str]]:
    import csv
    import io

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(path, f"cannot be read ({e})") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = next(reader, None)
    if header != ["month", "index", "status"]:
        raise DataError(path, "the header must be month,index,status", field="header")
    values: dict[str, float] = {}
    status: dict[str, str] = {}
    prev: _dt.date | None = None
    for i, row in enumerate(reader, start=1):
        where = f"row {i}"
        if len(row) != 3:
            raise DataError(path, "must have three columns: month,index,status", field=where)
        m, v, s = (c.strip() for c in row)
        d = _month_date(m)
        if d is None:
            raise DataError(path, f"month {m[:20]!r} is not YYYY-MM", field=where)
        if prev is not None and d != _add_month(prev):
            raise DataError(path, f"month {m} does not follow {prev:%Y-%m}: the series must have every month", field=where)
        try:
            x = float(v)
        except ValueError:
            raise DataError(path, f"index {v[:20]!r} is not a number", field=where) from None
        if not math.isfinite(x) or x <= 0:
            raise DataError(path, f"index {v[:20]!r} must be a positive number", field=where)
        if s not in ("final", "preliminary"):
            raise DataError(path, f"status {s[:20]!r} must be final or preliminary", field=where)
        values[m], status[m], prev = x, s, d
    if not values:
        raise DataError(path, "has no monthly values")
    return values, status


@lru_cache(maxsize=4)
def _cost_data_cached(yaml_path: str, ppi_path: str) -> CostData:
    from pathlib import Path

    p = Path(yaml_path)
    d = _load_yaml(p)
    m = _map(p, "method", d.get("method"))
    band = m.get("depreciation_band")
    if not isinstance(band, list) or len(band) != 2:
        raise DataError(p, "must be a [low, high] pair", field="method.depreciation_band")
    b_lo = _num(p, "method.depreciation_band[0]", band[0], hi=1)
    b_hi = _num(p, "method.depreciation_band[1]", band[1], hi=1)
    rate = _num(p, "method.depreciation_ooms_per_year", m.get("depreciation_ooms_per_year"), hi=1)
    if not b_lo <= rate <= b_hi:
        raise DataError(p, "the band must contain depreciation_ooms_per_year", field="method.depreciation_band")
    el = _map(p, "electricity_usd_per_kwh", d.get("electricity_usd_per_kwh"))
    years = _map(p, "electricity_usd_per_kwh.years", el.get("years"))
    elec: dict[int, float] = {}
    for y, v in years.items():
        if isinstance(y, bool) or not isinstance(y, int) or not 1990 <= y <= 2100:
            raise DataError(p, f"year {y!r:.20} must be a whole year", field="electricity_usd_per_kwh.years")
        elec[y] = _num(p, f"electricity_usd_per_kwh.years.{y}", v, hi=1)
    ys = sorted(elec)
    if ys != list(range(ys[0], ys[-1] + 1)):
        raise DataError(p, "must list every year without a gap", field="electricity_usd_per_kwh.years")
    notes = {int(k): str(v) for k, v in (el.get("notes") or {}).items()}
    ppi_p = Path(ppi_path)
    ppi_values, ppi_status = _parse_ppi(ppi_p)
    from ._schema import as_date

    return CostData(
        depreciation=rate, depreciation_band=(b_lo, b_hi),
        interconnect_fraction=_num(p, "method.interconnect_fraction", m.get("interconnect_fraction"), hi=0.99),
        hours_per_year=_num(p, "method.hours_per_year", m.get("hours_per_year")),
        acquisition_days=int(_num(p, "method.acquisition_days_after_release", m.get("acquisition_days_after_release"), lo=-1)),
        acquisition_days_tpu=int(_num(p, "method.acquisition_days_after_release_tpu",
                                      m.get("acquisition_days_after_release_tpu"), lo=-1)),
        electricity=elec, electricity_notes=notes,
        prices=_parse_prices(p, d.get("server_prices")), ppi=ppi_values, ppi_status=ppi_status,
        data_as_of=as_date(d.get("data_as_of")), path=str(p),
    )


def cost_data() -> CostData:
    """The shipped cost-basis data, read and checked once (on first use)."""
    from ._paths import data_path

    return _cost_data_cached(str(data_path(_DATA_FILE)), str(data_path(_PPI_FILE)))


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

def _first_day(iso: str) -> _dt.date:
    parts = [int(x) for x in iso.split("-")] + [1, 1]
    return _dt.date(parts[0], parts[1], parts[2])


def _month_date(text: str) -> _dt.date | None:
    try:
        d = _dt.datetime.strptime(text, "%Y-%m").date()
    except (ValueError, TypeError):
        return None
    return d if len(text) == 7 else None


def _add_month(d: _dt.date) -> _dt.date:
    return _dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _as_day(value: Any, what: str) -> _dt.date:
    """A date, or 'YYYY-MM-DD' / 'YYYY-MM' text (a month means its first day)."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        s = value.strip()
        for fmt, n in (("%Y-%m-%d", 10), ("%Y-%m", 7)):
            if len(s) == n:
                try:
                    return _dt.datetime.strptime(s, fmt).date()
                except ValueError:
                    pass
    shown = repr(value)[:40]
    raise InputError(f"{what} {shown} is not a date: expected YYYY-MM-DD or YYYY-MM, e.g. 2022-05-12")


def _as_month(value: Any, what: str) -> str:
    """'YYYY-MM' from a date or from 'YYYY-MM' / 'YYYY-MM-DD' text."""
    return _as_day(value, what).strftime("%Y-%m")


def _years(a: _dt.date, b: _dt.date) -> float:
    """Years from a to b, as Epoch counts them (days / 365.25)."""
    return (b - a).days / 365.25


# ---------------------------------------------------------------------------------------------
# Inflation
# ---------------------------------------------------------------------------------------------

def ppi_month(month: Any, *, allow_latest: bool = True, data: CostData | None = None) -> str:
    """The month whose index is used for `month`: itself, or the latest published one if it is later.

    Raises InputError for a month before the series starts (2000-12), or after its end when
    allow_latest is False.
    """
    data = data or cost_data()
    m = _as_month(month, "month")
    first, last = min(data.ppi), max(data.ppi)
    if m < first:
        raise InputError(f"month {m} is before the {PPI_SERIES} price index starts: expected {first} or later")
    if m > last:
        if not allow_latest:
            raise InputError(f"month {m} is after the last published {PPI_SERIES} value: expected {first} to {last}")
        return last
    return m


def ppi(month: Any, *, data: CostData | None = None) -> float:
    """The PCU518210518210 index for a month ('YYYY-MM'; Dec 2000 = 100), strictly within the series."""
    data = data or cost_data()
    return data.ppi[ppi_month(month, allow_latest=False, data=data)]


def deflate(amount: Quantity, from_month: Any, to_month: Any, *, allow_latest: bool = True,
            data: CostData | None = None) -> Quantity:
    """An amount of USD in `from_month`'s dollars, restated in `to_month`'s: x PPI(to) / PPI(from).

    A month after the last published index uses the last one (say so to the reader; see
    ppi_month); allow_latest=False refuses it instead.

        >>> round(deflate(Q_(100, "USD"), "2022-05", "2023-12").to("USD").magnitude, 2)
        101.58
    """
    data = data or cost_data()
    q = _usd(amount, "amount")
    f = data.ppi[ppi_month(from_month, allow_latest=allow_latest, data=data)]
    t = data.ppi[ppi_month(to_month, allow_latest=allow_latest, data=data)]
    out: Quantity = (q * (t / f)).to("USD")
    return out


def _usd(amount: Any, what: str) -> Quantity:
    from .units import registry

    if isinstance(amount, registry().Quantity):
        if amount.dimensionality != registry().parse_units("USD").dimensionality:
            raise InputError(f"{what} {amount:~P} is not money: expected an amount in USD")
        return amount
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(float(amount)):
        raise InputError(f"{what} {amount!r:.40} is not an amount: expected a Quantity in USD or a finite number")
    return Q_(float(amount), "USD")


# ---------------------------------------------------------------------------------------------
# Look-ups
# ---------------------------------------------------------------------------------------------

def server_price(chip: Any, *, data: CostData | None = None) -> ServerPrice:
    """The server-level price entry of a chip (a Profile or its id); UnknownNameError if none is shipped."""
    data = data or cost_data()
    cid = str(getattr(chip, "id", chip)).strip().lower()
    names = (cid, *getattr(chip, "aliases", ()))
    replaces = getattr(chip, "replaces", None)
    for n in (*names, *((replaces,) if replaces else ())):
        if n in data.prices:
            return data.prices[n]
    raise UnknownNameError(
        f"no server-level price is known for chip {cid[:40]!r}: the amortized and acquisition bases need one; "
        f"give a server price per chip and its date, or use one of {', '.join(sorted(data.prices))}")


def electricity_price(year: int, *, data: CostData | None = None) -> tuple[Quantity, int, str | None]:
    """US industrial electricity price for a year: (USD/kWh, the year used, a note or None).

    A year after the table uses its last year (said in the note); before it is an InputError.
    """
    data = data or cost_data()
    first, last = min(data.electricity), max(data.electricity)
    if year < first:
        raise InputError(f"year {year} is before the electricity price table: expected a start in {first} or later")
    used = min(year, last)
    note = data.electricity_notes.get(used)
    if year > last:
        note = f"no electricity price for {year}: the {last} price is used"
    return Q_(data.electricity[used], "USD/kWh"), used, note


def _family(profile: Profile, sp: ServerPrice | None) -> str:
    if sp is not None:
        return sp.family
    return "tpu" if (profile.vendor or "").strip().lower() == "google" else "gpu"


def _hardware_rate_factor(rate: float, years: float, hours_per_year: float) -> float:
    """Hardware cost per (USD of P x chip-hour) at depreciation rate r: r ln10 / hours_per_year x 10^(-r years)."""
    return rate * math.log(10) / hours_per_year * 10 ** (-rate * years)


def _band_extremes(band: tuple[float, float], years: float, hours_per_year: float) -> tuple[float, float]:
    """Min and max of the hardware factor over the depreciation band (it peaks at r = 1 / (years ln10))."""
    candidates = [band[0], band[1]]
    if years > 0:
        r_star = 1 / (years * math.log(10))
        if band[0] < r_star < band[1]:
            candidates.append(r_star)
    vals = [_hardware_rate_factor(r, years, hours_per_year) for r in candidates]
    return min(vals), max(vals)


# ---------------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BasisCosts:
    """Amortized and acquisition cost of one run on one chip, in one kind of dollar.

    Money fields are Quantities in USD, already in `dollars` (nominal, or one month's by the
    PPI). `_low`/`_high` combine the depreciation band, the chip price range and, when given,
    the chip-hours interval. `acquisition*` is None when the number of chips is unknown.
    """

    chip: str
    start: str                        # training start, YYYY-MM-DD
    chip_hours: Quantity
    chips: int | None
    dollars: str                      # e.g. "2023-12 USD (PPI PCU518210518210)"
    dollars_month: str | None         # the target month, or None for nominal dollars
    amortized: Quantity
    amortized_low: Quantity
    amortized_high: Quantity
    hardware: Quantity
    hardware_low: Quantity
    hardware_high: Quantity
    interconnect: Quantity
    interconnect_low: Quantity
    interconnect_high: Quantity
    energy: Quantity
    energy_low: Quantity
    energy_high: Quantity
    acquisition: Quantity | None
    acquisition_low: Quantity | None
    acquisition_high: Quantity | None
    acquisition_date: str             # when the chips are taken to have been bought, YYYY-MM-DD
    server_price: Quantity            # P, nominal USD per chip at server_price_date
    server_price_low: Quantity
    server_price_high: Quantity
    server_price_date: str
    server_price_source: str
    server_price_url: str | None
    server_price_basis: str
    server_price_estimate: bool
    value_at_start: Quantity          # V = P x 10^(-r x years), nominal
    years_owned: float                # acquisition date to start, in years (negative: bought later)
    depreciation: float               # r, orders of magnitude a year
    depreciation_band: tuple[float, float]
    energy_mwh: Quantity
    electricity_price: Quantity       # USD/kWh, nominal, of electricity_year
    electricity_year: int
    server_power_factor: float
    average_load: float
    pue: float
    operator: str
    inflation_factor: float           # applied to amortized (from the start month)
    acquisition_inflation_factor: float  # applied to acquisition (from the price's month)
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self, *, details: bool = False) -> dict[str, Any]:
        """Plain floats in USD under the JSON keys of `flopcalc cost --format json`.

        details=True adds the inputs behind them (server price, its source, factors, notes).
        """
        def usd(q: Quantity | None) -> float | None:
            return None if q is None else float(q.to("USD").magnitude)

        out: dict[str, Any] = {}
        for key, name in (("amortized", "amortized_cost_usd"), ("hardware", "hardware_cost_usd"),
                          ("interconnect", "interconnect_cost_usd"), ("energy", "energy_cost_usd"),
                          ("acquisition", "acquisition_cost_usd")):
            out[name] = usd(getattr(self, key))
            out[name.replace("_usd", "_usd_low")] = usd(getattr(self, key + "_low"))
            out[name.replace("_usd", "_usd_high")] = usd(getattr(self, key + "_high"))
        out["dollars"] = self.dollars
        out["start"] = self.start
        if details:
            out.update({
                "chip": self.chip, "chip_hours": float(self.chip_hours.to("hour").magnitude), "chips": self.chips,
                "acquisition_date": self.acquisition_date,
                "server_price_usd": usd(self.server_price), "server_price_usd_low": usd(self.server_price_low),
                "server_price_usd_high": usd(self.server_price_high), "server_price_date": self.server_price_date,
                "server_price_source": self.server_price_source, "server_price_url": self.server_price_url,
                "server_price_basis": self.server_price_basis, "server_price_estimate": self.server_price_estimate,
                "value_at_start_usd": usd(self.value_at_start), "years_owned": self.years_owned,
                "depreciation_ooms_per_year": self.depreciation,
                "depreciation_band": list(self.depreciation_band),
                "energy_mwh": float(self.energy_mwh.to("MWh").magnitude),
                "electricity_usd_per_kwh": float(self.electricity_price.to("USD/kWh").magnitude),
                "electricity_year": self.electricity_year, "server_power_factor": self.server_power_factor,
                "average_load": self.average_load, "pue": self.pue, "operator": self.operator,
                "inflation_factor": self.inflation_factor,
                "acquisition_inflation_factor": self.acquisition_inflation_factor, "notes": list(self.notes),
            })
        return out


# ---------------------------------------------------------------------------------------------
# The computation
# ---------------------------------------------------------------------------------------------

def _hours(q: Any, what: str) -> Quantity:
    from .units import registry

    if not isinstance(q, registry().Quantity) or q.dimensionality != registry().parse_units("hour").dimensionality:
        raise InputError(f"{what} {q!r:.40} is not a duration: expected chip-hours as a Quantity in hours, "
                         "e.g. Q_(5.7e7, 'hour')")
    m = float(q.to("hour").magnitude)
    if not math.isfinite(m) or m <= 0:
        raise InputError(f"{what} {m:g} hours is out of range: expected a finite number of hours above zero")
    return q.to("hour")


def basis_costs(
    profile: Profile,
    chip_hours: Quantity,
    start: Any,
    *,
    chips: int | None = None,
    dollars: Any = None,
    operator: str | None = None,
    chip_hours_low: Quantity | None = None,
    chip_hours_high: Quantity | None = None,
    server_price_usd: Quantity | float | None = None,
    server_price_date: Any = None,
    data: CostData | None = None,
    energy: EnergyAssumptions | None = None,
) -> BasisCosts:
    """Amortized (hardware + interconnect + energy) and acquisition cost of a run, Epoch AI's way.

    profile: the chip (hardware.Profile); its id finds the server price, its TDP the energy.
    chip_hours: H, a Quantity in hours. start: the training start (date or 'YYYY-MM-DD').
    chips: N, for the acquisition cost (None: not computed). dollars: a month ('YYYY-MM') to
    state every figure in by the PPI, or None for nominal dollars. operator: 'hyperscaler'
    (PUE 1.1) or 'other' (1.25, the default). chip_hours_low/high: an interval on H (e.g. the
    evidence interval) carried into the low/high figures. server_price_usd/server_price_date:
    a server-level price per chip of your own, for a chip without a shipped one. energy: the
    run's energy factors (a scenario's, so --pue counts here too; default: the chip's with the
    operator's PUE, energy.assumptions_for).
    """
    data = data or cost_data()
    from .hardware import Profile as _Profile

    if not isinstance(profile, _Profile):
        raise InputError(f"profile {type(profile).__name__} is not a hardware profile: expected a flopcalc Profile")
    h = _hours(chip_hours, "chip-hours")
    h_lo = _hours(chip_hours_low, "chip-hours low") if chip_hours_low is not None else h
    h_hi = _hours(chip_hours_high, "chip-hours high") if chip_hours_high is not None else h
    if not h_lo <= h <= h_hi:
        raise InputError(f"chip-hours interval {h_lo.magnitude:g}-{h_hi.magnitude:g} h must contain the "
                         f"chip-hours {h.magnitude:g} h")
    start_d = _as_day(start, "start")
    if chips is not None:
        if isinstance(chips, bool) or not isinstance(chips, int) or chips < 1:
            raise InputError(f"chips {chips!r:.30} is not a count: expected a whole number of at least 1")
    from . import energy as _energy

    ea = energy if energy is not None else _energy.assumptions_for(profile.id, operator=operator)
    op = ea.operator or "given PUE"
    notes: list[str] = []

    # Server-level price P: the shipped entry, or the caller's.
    shipped: ServerPrice | None
    if server_price_usd is not None:
        p = float(_usd(server_price_usd, "server price").to("USD").magnitude)
        if not math.isfinite(p) or p <= 0:
            raise InputError(f"server price {p:g} USD is out of range: expected a positive price per chip")
        if server_price_date is None:
            raise InputError("a server price needs its date: expected YYYY-MM-DD or YYYY-MM")
        try:
            shipped = server_price(profile, data=data)
        except UnknownNameError:
            shipped = None
        family = _family(profile, shipped)
        released = shipped.released if shipped else (_first_day(profile.released).isoformat() if profile.released else None)
        sp = ServerPrice(chip=profile.id, usd_per_chip=p, date=_as_day(server_price_date, "server price date").isoformat(),
                         released=released or _as_day(server_price_date, "server price date").isoformat(),
                         family=family, basis="given", source="given", url=None, low=p, high=p,
                         range_basis="given: no range")
    else:
        sp = server_price(profile, data=data)
    if sp.estimate:
        notes.append(f"the server price of {profile.id} is an estimate: {sp.basis}")

    # Acquisition date: the price's date, no earlier than release + 90 days (TPUs: release).
    released_d = _dt.date.fromisoformat(sp.released)
    price_day = _dt.date.fromisoformat(sp.date)
    lag = data.acquisition_days_tpu if sp.family == "tpu" else data.acquisition_days
    acquired: _dt.date = max(price_day, released_d + _dt.timedelta(days=lag))
    if sp.family != "tpu" and start_d < released_d:
        raise InputError(f"start {start_d.isoformat()} is before {profile.id} was released ({sp.released}): "
                         "expected a training start on or after the release")
    years = _years(acquired, start_d)
    if years < 0:
        notes.append(f"training starts {-years:.2f} years before the price's acquisition date {acquired.isoformat()}: "
                     "the chip's value at start is taken back along the same trend")

    rate = data.depreciation
    v = sp.usd_per_chip * 10 ** (-rate * years)
    hours = float(h.magnitude)
    k = _hardware_rate_factor(rate, years, data.hours_per_year)
    k_lo, k_hi = _band_extremes(data.depreciation_band, years, data.hours_per_year)
    hw = sp.usd_per_chip * k * hours
    hw_lo = sp.low * k_lo * float(h_lo.magnitude)
    hw_hi = sp.high * k_hi * float(h_hi.magnitude)
    frac = data.interconnect_fraction / (1 - data.interconnect_fraction)

    # Energy: TDP x server factor x load x PUE x H x price of the start year.
    factor, load, pue = ea.server_power_factor, ea.average_load, ea.pue
    price_kwh, year_used, el_note = electricity_price(start_d.year, data=data)
    if el_note:
        notes.append(f"electricity {year_used}: {el_note}")
    kwh = float((profile.tdp * h).to("kWh").magnitude) * factor * load * pue
    en = kwh * float(price_kwh.magnitude)

    # Dollars.
    start_month = start_d.strftime("%Y-%m")
    price_month = price_day.strftime("%Y-%m")
    if dollars is None:
        target = None
        infl = infl_acq = 1.0
        label = f"nominal USD ({start_month} prices)"
        if chips is not None and price_month != start_month:
            label = f"nominal USD ({start_month} prices; acquisition at {price_month} prices)"
    else:
        target = _as_month(dollars, "dollars month")
        used_t = ppi_month(target, data=data)
        used_s = ppi_month(start_month, data=data)
        used_p = ppi_month(price_month, data=data)
        for asked, used in ((target, used_t), (start_month, used_s), (price_month, used_p)):
            if asked != used:
                notes.append(f"{PPI_SERIES} for {asked} is not published yet: {used} is used")
        infl = data.ppi[used_t] / data.ppi[used_s]
        infl_acq = data.ppi[used_t] / data.ppi[used_p]
        label = f"{target} USD (PPI {PPI_SERIES})"
        if any(data.ppi_status.get(m) == "preliminary" for m in {used_t, used_s, used_p}):
            notes.append(f"{PPI_SERIES} values for some months used are preliminary")

    def usd(x: float, f: float = infl) -> Quantity:
        return Q_(x * f, "USD")

    en_lo = en * float(h_lo.magnitude) / hours
    en_hi = en * float(h_hi.magnitude) / hours
    acq = acq_lo = acq_hi = None
    if chips is not None:
        denom = 1 - data.interconnect_fraction
        acq, acq_lo, acq_hi = (usd(chips * x / denom, infl_acq) for x in (sp.usd_per_chip, sp.low, sp.high))
    return BasisCosts(
        chip=profile.id, start=start_d.isoformat(), chip_hours=h, chips=chips, dollars=label, dollars_month=target,
        amortized=usd(hw + hw * frac + en), amortized_low=usd(hw_lo + hw_lo * frac + en_lo),
        amortized_high=usd(hw_hi + hw_hi * frac + en_hi),
        hardware=usd(hw), hardware_low=usd(hw_lo), hardware_high=usd(hw_hi),
        interconnect=usd(hw * frac), interconnect_low=usd(hw_lo * frac), interconnect_high=usd(hw_hi * frac),
        energy=usd(en), energy_low=usd(en_lo), energy_high=usd(en_hi),
        acquisition=acq, acquisition_low=acq_lo, acquisition_high=acq_hi,
        acquisition_date=acquired.isoformat(),
        server_price=Q_(sp.usd_per_chip, "USD"), server_price_low=Q_(sp.low, "USD"), server_price_high=Q_(sp.high, "USD"),
        server_price_date=sp.date, server_price_source=sp.source, server_price_url=sp.url,
        server_price_basis=sp.basis, server_price_estimate=sp.estimate,
        value_at_start=Q_(v, "USD"), years_owned=years, depreciation=rate, depreciation_band=data.depreciation_band,
        energy_mwh=Q_(kwh / 1000, "MWh"), electricity_price=price_kwh, electricity_year=year_used,
        server_power_factor=factor, average_load=load, pue=pue, operator=op,
        inflation_factor=infl, acquisition_inflation_factor=infl_acq, notes=tuple(notes),
    )
