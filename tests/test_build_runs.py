"""scripts/build_runs.py on a small CSV written for the test (never network data)."""

from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "epoch_sample.csv"
_spec = importlib.util.spec_from_file_location("build_runs", ROOT / "scripts" / "build_runs.py")
assert _spec and _spec.loader
br = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(br)
COMMIT = "0123456789abcdef0123456789abcdef01234567"
COLS = list(br.COLUMNS + br.NOTE_COLUMNS)


CHAMELEON_NOTES = ("GPU method:\nTable 2 shows that 34B model pre-training uses 4282407 GPU-hours, trained across 3072 "
                   "A100s.\n3.12e14 * 4282407 * 3600 * 0.3 =  1.44e24\n\nParameter-token method:\nPre-training goes "
                   "over 9.2T tokens, post-training only goes over 1.1B tokens (sum of tokens column in Table 3).\n"
                   "6 * 34B *  9.2T = 1.88e24\n\nGeometric mean: sqrt(1.44e24 * 1.88e24) = 1.65e24")


def _row(**kw: str) -> dict[str, str]:
    base = dict.fromkeys(COLS, "")
    base.update({"Confidence": "Confident", "Publication date": "2024-03-01", "Organization": "Lab A",
                 "Link": "https://arxiv.org/abs/0000.00000"})
    base.update(kw)
    return base


ROWS = [
    # counted compute, GPU-hours reported: kept
    _row(Model="Counted", **{"Training hardware": "NVIDIA H100 SXM5 80GB", "Training chip-hours": "1000000",
                             "Training compute (FLOP)": "1.2e24", "Training compute estimation method":
                             "Operation counting", "Numerical format": "BF16"}),
    # hardware x time x assumed utilisation: circular, left out
    _row(Model="HardwareOnly", **{"Training hardware": "NVIDIA A100", "Hardware quantity": "512",
                                  "Training time (hours)": "100", "Training compute (FLOP)": "1.7e22",
                                  "Training compute estimation method": "Hardware"}),
    # Epoch's geometric mean of 6ND and a hardware estimate: the 6ND leg is kept; calendar window
    _row(Model="Mixed", **{"Training hardware": "NVIDIA A100 SXM4 80 GB", "Hardware quantity": "512",
                           "Training time (hours)": "504", "Training compute (FLOP)": "9.9561596e+22",
                           "Training compute estimation method": "Operation counting,Hardware",
                           "Training compute notes": "6ND = 6 FLOP / token / parameter * 3800000000 parameters * "
                           "5000000000000 tokens = 1.14e+23 FLOP  512 GPUs * 312000000000000 FLOP / sec * 504 hours * "
                           "3600 sec / hour * 0.3 [assumed utilization] = 8.6951854e+22 FLOP  geometric mean:  "
                           "sqrt(1.14e+23*8.6951854e+22) = 9.9561596e+22",
                           "Training time notes": "three weeks on 512 GPUs"}),
    _row(Model="FineTune", **{"Training hardware": "NVIDIA H100 SXM5 80GB", "Training chip-hours": "1000",
                              "Training compute (FLOP)": "1e22", "Training compute estimation method": "Reported",
                              "Base model": "Counted"}),
    _row(Model="Guess", Confidence="Speculative", **{"Training hardware": "NVIDIA H100 SXM5 80GB",
                                                     "Training chip-hours": "1000", "Training compute (FLOP)": "1e22",
                                                     "Training compute estimation method": "Reported"}),
    _row(Model="OddChip", **{"Training hardware": "NVIDIA GeForce RTX 3090", "Training chip-hours": "1000",
                             "Training compute (FLOP)": "1e20", "Training compute estimation method": "Reported"}),
    # Epoch's quantity counts TPU cores; its compute notes give the chips: chips are halved
    _row(Model="TpuCores", **{"Training hardware": "Google TPU v3", "Hardware quantity": "128",
                              "Training time (hours)": "168", "Training compute (FLOP)": "1.5399499e+21",
                              "Training compute estimation method": "Operation counting,Hardware",
                              "Training compute notes": "6 FLOP / parameter / token * 746000000000 tokens * 371000000 "
                              "parameters = 1.6603324e+21 FLOP  123000000000000 FLOP / chip / sec * 64 chips [=128 cores] "
                              "* 168 hours * 3600 sec / hour * 0.3 [assumed utilization] = 1.4282957e+21 FLOP  "
                              "sqrt(1.6603324e+21*1.4282957e+21) = 1.5399499e+21 FLOP",
                              "Training time notes": "7 days = 168 hours"}),
    # Epoch's Chameleon-34B notes: a double space after "=" sits inside the hardware expression, so 1.44e24 is the
    # hardware leg and 1.88e24 (6ND) the counted one; the geometric mean is neither
    _row(Model="DoubleSpace", **{"Training hardware": "NVIDIA A100 SXM4 80 GB", "Training chip-hours": "4282407",
                                 "Training compute (FLOP)": "1.6453571041e+24",
                                 "Training compute estimation method": "Hardware,Operation counting",
                                 "Training compute notes": CHAMELEON_NOTES}),
    _row(Model="LLaMA-65B", **{"Training hardware": "NVIDIA A100", "Training chip-hours": "1022362",
                               "Training compute (FLOP)": "5.5e23", "Training compute estimation method": "Reported"}),
    # a third-party figure from Patterson et al. 2021 Table 4 (the developers' accounts): kept as reported
    _row(Model="Patterson", **{"Training hardware": "Google TPU v3", "Training chip-hours": "663552",
                               "Training compute (FLOP)": "8.22e+22", "Training compute estimation method":
                               "Third-party estimation", "Training compute notes":
                               "Table 4\nhttps://arxiv.org/ftp/arxiv/papers/2104/2104.10350.pdf"}),
    # a third-party figure whose derivation the notes do not show: left out
    _row(Model="Opaque", **{"Training hardware": "NVIDIA V100", "Training chip-hours": "20000",
                            "Training compute (FLOP)": "2.6e+21", "Training compute estimation method":
                            "Third-party estimation", "Training compute notes": "source: a leaderboard"}),
    # a third-party figure the notes show counted (6ND equal to it): kept as counted
    _row(Model="ThirdParty6ND", **{"Training hardware": "NVIDIA V100", "Hardware quantity": "64",
                                   "Training time (hours)": "336", "Training compute (FLOP)": "2.6052e+20",
                                   "Training compute estimation method": "Third-party estimation",
                                   "Training compute notes": "source: a leaderboard\n\n"
                                   "6*2600000000 parameter *16700000000 tokens=2.605200e+20"}),
    # Epoch chose the hardware figure and gives the 6ND figure beside it: the 6ND leg is kept
    _row(Model="HardwareChosen", **{"Training hardware": "Google TPU v4", "Training chip-hours": "1398784",
                                    "Training compute (FLOP)": "3.6363112434e+23", "Training compute estimation "
                                    "method": "Operation counting,Hardware", "Training compute notes":
                                    "6 * 600B * 96.6B = 3.478e23\n\nDigitizing figure 4 (d) indicates 139.67 TPU-"
                                    "years of training. \n2.75e14 * 139.67 * 365.25 * 24 * 3600 * 0.3 = 3.636e23"}),
    # a line that opens with "~=" is the result of the hardware expression above it (AraGPT2-Mega)
    _row(Model="ResultLine", **{"Training hardware": "Google TPU v3", "Hardware quantity": "64",
                                "Training time (hours)": "216", "Training compute (FLOP)": "2e+21",
                                "Training compute estimation method": "Hardware,Operation counting",
                                "Training compute notes": "64 chips * 30% * 1.23E+14 FLOP/s * 9 days * 24h/day * "
                                "3600s/h\n~= 2e21 FLOP\n\n6 FLOP / token / parameter * 1.46 * 10^9 parameters * "
                                "800000 steps * 256 sequences per step * 1024 tokens per step = 1.8371052e+21 FLOP"}),
    # Epoch's chip-hours are its chips x a window the source gives in months (Falcon-40B): a calendar window
    _row(Model="WindowHours", **{"Training hardware": "NVIDIA A100", "Hardware quantity": "384",
                                 "Training time (hours)": "1440", "Training chip-hours": "552960",
                                 "Training compute (FLOP)": "2.4e+23", "Training compute estimation method":
                                 "Operation counting", "Training time notes": "took two months"}),
    # Epoch's time notes assume the time (RoBERTa Large): left out
    _row(Model="AssumedTime", **{"Training hardware": "NVIDIA V100", "Training chip-hours": "122880",
                                 "Training compute (FLOP)": "4.4e+21", "Training compute estimation method":
                                 "Operation counting", "Training time notes": "assuming they used the same number "
                                 "of GPUs, this would have taken 5 days"}),
]


def _write(path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLS)
        w.writeheader()
        w.writerows(ROWS)


def test_fixture_is_the_one_written_here() -> None:
    tmp = FIXTURE.with_suffix(".check")
    _write(tmp)
    try:
        assert tmp.read_text(encoding="utf-8") == FIXTURE.read_text(encoding="utf-8")
    finally:
        tmp.unlink()


def test_rows_kept_and_left_out() -> None:
    rows, skipped = br.build(FIXTURE, COMMIT, [{"model": "LLaMA 65B"}])
    by = {r["model"]: r for r in rows}
    assert set(by) == {"Counted", "Mixed", "TpuCores", "DoubleSpace", "Patterson", "ThirdParty6ND", "HardwareChosen",
                       "ResultLine", "WindowHours"}
    w = by["WindowHours"]
    assert w["chip_hours_kind"] == "calendar-window" and w["chip_hours"] is None and (w["chips"], w["days"]) == (384, 60)
    p = by["Patterson"]
    assert p["flop"] == 8.22e22 and p["flop_kind"] == "reported" and "2104.10350" in p["notes"]
    assert "third-party" in skipped["Opaque"] and "assume" in skipped["AssumedTime"]
    assert by["ThirdParty6ND"]["flop"] == 2.6052e20 and by["ThirdParty6ND"]["flop_kind"] == "counted"
    assert by["HardwareChosen"]["flop"] == 3.478e23 and "counted leg" in by["HardwareChosen"]["notes"]
    assert by["ResultLine"]["flop"] == 1.83711e21 and by["ResultLine"]["chips"] == 64
    d = by["DoubleSpace"]  # the 6ND leg, not the geometric mean with the hardware leg
    assert d["flop"] == 1.88e24 and d["flop_kind"] == "counted" and "counted leg" in d["notes"]
    t = by["TpuCores"]
    assert t["chips"] == 64 and t["gpu"] == "tpu-v3" and "counts TensorCores" in t["notes"]
    assert t["flop"] == 1.66033e21 and "Training compute notes" in t["epoch"]["columns"]
    assert "Hardware" in skipped["HardwareOnly"] and "fine-tune" in skipped["FineTune"]
    assert "speculative" in skipped["Guess"] and "no flopcalc profile" in skipped["OddChip"]
    assert skipped["LLaMA-65B"] == "also a hand-curated run"
    c = by["Counted"]
    assert c["gpu"] == "h100" and c["chip_hours"] == 1e6 and c["chip_hours_kind"] == "reported"
    assert c["flop"] == 1.2e24 and c["flop_kind"] == "counted" and c["precision"] == "bf16"
    assert c["epoch"] == {"system": "Counted", "commit": COMMIT, "columns": c["epoch"]["columns"]}
    assert "Training chip-hours" in c["epoch"]["columns"] and "CC-BY 4.0" in c["source"]
    m = by["Mixed"]
    assert math.isclose(m["flop"], 6 * 3.8e9 * 5e12)  # the 6ND leg, not the geometric mean
    assert m["gpu"] == "a100" and m["chip_hours_kind"] == "calendar-window" and m["chips"] == 512
    assert math.isclose(m["days"] * 24, 504) and m["precision_assumed"] is True


def test_main_writes_a_loadable_runs_file(tmp_path) -> None:
    from flopcalc.runs import load_runs

    src = tmp_path / "runs.yaml"
    src.write_text(yaml.safe_dump({"data_as_of": "2026-11-24", "runs": [
        {"model": "LLaMA 65B", "source": "https://arxiv.org/abs/2302.13971", "precision_assumed": False}]}))
    out = tmp_path / "out.yaml"
    assert br.main([str(FIXTURE), "--commit", COMMIT, "--runs", str(src), "--out", str(out), "--no-fit"]) == 0
    runs = load_runs([out], bundled=False)
    by = {r.model: r for r in runs}
    assert [r.model for r in runs][0] == "LLaMA 65B" and set(by) == {
        "LLaMA 65B", "Counted", "Mixed", "TpuCores", "DoubleSpace", "Patterson", "ThirdParty6ND", "HardwareChosen",
        "ResultLine", "WindowHours"}
    assert by["Counted"].epoch_commit == COMMIT and by["Counted"].published == "2024-03-01"
    assert by["Mixed"].hours == (512 * 504, "calendar-window")
    assert by["TpuCores"].hours == (64 * 168, "chips-x-days")


def test_counted_leg_reads_a_hardware_figure_as_hardware() -> None:
    # a double space after "=" is inside the expression (Chameleon-34B, Epoch snapshot 263c40a)
    assert br.counted_leg(1.6453571041e24, CHAMELEON_NOTES) == 1.88e24
    # a double space before "=" (OpenELM-270M): the result is still the hardware figure's
    notes = ("6 FLOP / token / parameter * 0.27*10^9 parameters * 1.5*10^12 tokens = 2.43e+21 FLOP\n\n"
             "312000000000000 FLOP / sec / GPU * 128 GPUs * 3 days * 24 hours / day * 3600 sec / hour * 0.3 "
             "[assumed utilization]  = 3.1054234e+21 FLOP\n\nsqrt(2.43e+21*3.1054234e+21) = 2.7470309e+21")
    assert br.counted_leg(2.7470309e21, notes) == 2.43e21
    # "*3600" without spaces is seconds per hour all the same (Luminous-base)
    notes = ("311840000000000*95000*3600*0.3 = 3.1994784e+22\n\n6ND = 6*13*10^9*402000000000 = 3.1356e+22\n\n"
             "sqrt(3.1356e+22* 3.1994784e+22) = 3.1673782e+22")
    assert br.counted_leg(3.1673782e22, notes) == 3.1356e22
    # a geometric mean is never taken for the counted figure: with no separable leg the row is left out
    notes = "6ND = 5e22 FLOP  512 GPUs x 3 weeks\n\nGeometric mean: sqrt(5e22 * 4.2e22) = 4.58e22"
    assert br.counted_leg(4.58e22, notes) is None
    # a two-space break between statements still separates them (the 'Mixed' fixture row)
    assert br.counted_leg(1e22, "6ND = 1e22 FLOP  cross-check: 312e12 FLOP / sec * 1000 hours = 1.1e21") == 1e22


def test_counted_leg_beside_a_chosen_hardware_figure() -> None:
    hw = "312e12 FLOP/s * 256 GPUs * 30 days * 0.3 = 6.2e22"
    # one counted figure within a factor 3 of the chosen hardware figure: that is the counted leg
    assert br.counted_leg(6.2e22, f"6ND = 4.1e22\n\n{hw}") == 4.1e22
    # a counted figure far from it is some other quantity (tokens), not a leg
    assert br.counted_leg(6.2e22, f"tokens: 5.2e11\n\n{hw}") is None
    # two counted figures near it (two readings of the recipe): which one is the leg cannot be told
    assert br.counted_leg(6.2e22, f"6ND = 4.1e22\n\nor 6ND = 5.0e22\n\n{hw}") is None


def test_the_figures_script_prints_the_shipped_choice(capsys) -> None:
    spec = importlib.util.spec_from_file_location("evidence_figures", ROOT / "scripts" / "evidence_figures.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main() == 0
    out = capsys.readouterr().out
    from flopcalc.evidence import selection

    sel = selection()
    assert f"chosen ({sel['chosen']}), criterion {'met' if sel['criterion_met'] else 'NOT met'}" in out
    assert "## Point features" in out and "chip age (months since release)" in out
