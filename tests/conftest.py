from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner


@pytest.fixture(autouse=True)
def _no_user_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own ~/.config/flopcalc out of every test."""
    monkeypatch.setenv("FLOPCALC_HARDWARE_PATH", "")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(args: list[str], *, ok: bool = True):
    """Run the CLI in-process; on the happy path let exceptions surface as tracebacks."""
    from flopcalc.cli import cli

    result = CliRunner().invoke(cli, args, catch_exceptions=not ok)
    if ok:
        assert result.exit_code == 0, result.output
    return result


# The cost-bases data as plain YAML and CSV, for tests that recompute flopcalc's figures by hand.
_DATA = Path(__file__).resolve().parent.parent / "src" / "flopcalc" / "data"


@pytest.fixture(scope="module")
def raw() -> dict:
    """cost-bases.yaml with energy.yaml's factors beside it, read with yaml.safe_load (not through flopcalc)."""
    d = yaml.safe_load((_DATA / "cost-bases.yaml").read_text(encoding="utf-8"))
    energy = yaml.safe_load((_DATA / "energy.yaml").read_text(encoding="utf-8"))
    assert not set(d) & set(energy) - {"data_as_of"}, "one figure, one file"
    return {**d, **{k: v for k, v in energy.items() if k != "data_as_of"}}


@pytest.fixture(scope="module")
def ppi_table() -> dict[str, float]:
    """The shipped PPI series, month -> index, read with the csv module (not through flopcalc)."""
    text = (_DATA / "ppi-pcu518210518210.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return {r["month"]: float(r["index"]) for r in csv.DictReader(lines)}


def energy_by_hand(chip: str, operator: str = "other") -> tuple[float, float, float]:
    """(server-power factor, average load, PUE) of a chip, read from energy.yaml with yaml.safe_load: the
    chip's own factor, else the TPU or GPU default; TPUs' load for ids starting 'tpu', GPUs' otherwise."""
    d = yaml.safe_load((_DATA / "energy.yaml").read_text(encoding="utf-8"))
    tpu = chip.startswith("tpu")
    spf = d["server_power_factor"]
    factor = float(spf["chips"].get(chip, spf["tpu_default" if tpu else "gpu_default"]))
    return factor, float(d["average_load"]["tpu" if tpu else "gpu"]), float(d["pue"]["kinds"][operator])
