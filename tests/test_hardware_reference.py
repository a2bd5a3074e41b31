"""The shipped hardware profiles agree with the reference table, typed here independently.

REFERENCE is copied by hand from the accelerator table in the project's reference notes
(hardware.md), not from the YAML files, so a typo in either one shows up as a failure.
Peaks are DENSE tensor TFLOP/s. A (low, high) tuple is a figure the table gives as a range
or as "~"; the profile must then lie inside it. None means unpublished or uncertain: not
checked. Precisions the table marks "?" (unpublished) are left out, so a profile may not have them.
"""

from __future__ import annotations

import pytest

from flopcalc.hardware import load_profiles

GIB = 2**30 / 1e9  # the table gives TPU v7 and Trainium memory in GiB

# chip id -> dense peaks (TFLOP/s), TDP (W), memory (GB); None: unpublished or uncertain
REFERENCE: dict[str, dict] = {
    "h100": {"peak": {"fp8": 1979, "bf16": 989.4, "fp16": 989.4, "tf32": 494.7, "fp32": 66.9},
             "tdp": 700, "memory": 80},
    "h100-pcie": {"peak": {"fp8": 1513, "bf16": 756, "fp16": 756, "tf32": 378, "fp32": 51.2},
                  "tdp": 350, "memory": 80},
    "h800": {"peak": {"fp8": 1979, "bf16": 989.4, "fp16": 989.4, "tf32": 494.7, "fp32": 66.9},
             "tdp": 700, "memory": 80},
    "h200": {"peak": {"fp8": 1979, "bf16": 989.4, "fp16": 989.4, "tf32": 494.7, "fp32": 66.9},
             "tdp": 700, "memory": 141},
    # GH200, per GPU: the H100/H200 die; TDP is the whole superchip (CPU included), 450-1000 W
    "gh200": {"peak": {"fp8": 1979, "bf16": 989.4, "fp16": 989.4, "tf32": 494.7, "fp32": 66.9},
              "tdp": (450, 1000), "memory": (96, 144)},
    "h20": {"peak": {"fp8": 296, "bf16": 148, "fp16": 148, "tf32": 74, "fp32": 44},
            "tdp": 400, "memory": 96},
    "b200": {"peak": {"fp8": 4500, "bf16": 2250, "fp16": 2250, "tf32": 1100, "fp32": (62, 80)},
             "tdp": 1000, "memory": (180, 192)},
    "gb200": {"peak": {"fp8": 5000, "bf16": 2500, "fp16": 2500, "tf32": 1250, "fp32": (80, 90)},
              "tdp": 1200, "memory": 186},
    # B300 / GB300 (Blackwell Ultra): TF32 not published ("?"), so not checked; "~" TDPs as ranges
    "b300": {"peak": {"fp8": 4500, "bf16": 2250, "fp16": 2250, "tf32": 1125, "fp32": 75},
             "tdp": (1000, 1200), "memory": 288},
    "gb300": {"peak": {"fp8": 5000, "bf16": 2500, "fp16": 2500, "tf32": 1250, "fp32": 80},
              "tdp": (1300, 1500), "memory": 288},
    "a100": {"peak": {"bf16": 312, "fp16": 312, "tf32": 156, "fp32": 19.5},
             "tdp": 400, "memory": 80},
    "a100-40gb": {"peak": {"bf16": 312, "fp16": 312, "tf32": 156, "fp32": 19.5},
                  "tdp": 400, "memory": 40},
    "a800": {"peak": {"bf16": 312, "fp16": 312, "tf32": 156, "fp32": 19.5},
             "tdp": 400, "memory": (40, 80)},
    "v100": {"peak": {"fp16": 125, "fp32": 15.7},
             "tdp": 300, "memory": 32},
    "v100-16gb": {"peak": {"fp16": 125, "fp32": 15.7},
                  "tdp": 300, "memory": 16},
    "mi300x": {"peak": {"fp8": 2614.9, "bf16": 1307.4, "fp16": 1307.4, "tf32": 653.7, "fp32": 163.4},
               "tdp": 750, "memory": 192},
    "mi325x": {"peak": {"fp8": 2615, "bf16": 1307, "fp16": 1307, "tf32": 653.7, "fp32": 163.4},
               "tdp": 1000, "memory": 256},
    # MI355X: AMD CDNA 4 dense figures (not the rounded ~5000/~2500); TF32 n/a
    "mi355x": {"peak": {"fp8": 5033.2, "bf16": 2516.6, "fp16": 2516.6, "fp32": 157.3},
               "tdp": 1400, "memory": 288},
    # TPU v3: the table's ~220 W is Google's measured mean; its measured max is 262 W.
    "tpu-v3": {"peak": {"bf16": 123}, "tdp": (220, 262), "memory": 32},
    "tpu-v4": {"peak": {"bf16": 275}, "tdp": (170, 192), "memory": 32},
    "tpu-v5e": {"peak": {"bf16": 197}, "tdp": 140, "memory": 16},
    "tpu-v5p": {"peak": {"bf16": 459}, "tdp": None, "memory": 95},
    "tpu-v6e": {"peak": {"bf16": 918}, "tdp": None, "memory": 32},
    "tpu-v7": {"peak": {"fp8": 4614, "bf16": 2307}, "tdp": None, "memory": 192 * GIB},
    # Trainium: TF32 at the BF16 rate; Trainium3's FP8 figure is MXFP8
    "trainium2": {"peak": {"fp8": 1299, "bf16": 667, "fp16": 667, "tf32": 667, "fp32": 181},
                  "tdp": None, "memory": 96 * GIB},
    "trainium3": {"peak": {"fp8": 2517, "bf16": 671, "fp16": 671, "tf32": 671, "fp32": 183},
                  "tdp": None, "memory": 144 * GIB},
    "gaudi3": {"peak": {"fp8": 1835, "bf16": 1835}, "tdp": 900, "memory": 128},
    # Ascend: UNCONFIRMED secondary figures; 910B "~320-376", 910C "~780", memory/TDP uncertain
    "ascend-910b": {"peak": {"bf16": (320, 376), "fp16": (320, 376)}, "tdp": None, "memory": 64},
    "ascend-910c": {"peak": {"bf16": 780, "fp16": 780}, "tdp": None, "memory": None},
}

# formats the table marks "n/a": the chip has no hardware support for them
NOT_SUPPORTED: dict[str, set[str]] = {
    "a100": {"fp8"}, "a100-40gb": {"fp8"}, "a800": {"fp8"},
    "v100": {"fp8", "bf16", "tf32"}, "v100-16gb": {"fp8", "bf16", "tf32"},
    "mi355x": {"tf32"},
    "tpu-v3": {"fp8", "tf32"}, "tpu-v4": {"fp8", "tf32"}, "tpu-v5e": {"fp8", "tf32"},
    "tpu-v5p": {"fp8", "tf32"}, "tpu-v6e": {"fp8", "tf32"}, "tpu-v7": {"tf32"},
}

CHIPS = sorted(REFERENCE)


def _matches(value: float, ref) -> bool:
    """Within 1% of the reference, or inside a (low, high) reference range."""
    if isinstance(ref, tuple):
        low, high = ref
        return low * 0.99 <= value <= high * 1.01
    return abs(value - ref) <= 0.01 * ref


def _low(ref) -> float:
    return ref[0] if isinstance(ref, tuple) else ref


@pytest.fixture(scope="module")
def profiles():
    return load_profiles(user_dirs_=[])  # shipped profiles only: ignore the user's own folder


def test_every_reference_chip_is_shipped(profiles):
    assert set(REFERENCE) <= set(profiles.ids())


@pytest.mark.parametrize("chip", CHIPS)
def test_peaks_match_reference(profiles, chip):
    p = profiles.get(chip)
    for precision, ref in REFERENCE[chip]["peak"].items():
        assert precision in p.peak, f"{chip} lacks {precision}"
        value = p.peak[precision].to("TFLOP/s").magnitude
        assert _matches(value, ref), f"{chip} {precision}: {value} TFLOP/s, reference {ref}"


@pytest.mark.parametrize("chip", CHIPS)
def test_no_unsupported_precision(profiles, chip):
    present = set(profiles.get(chip).peak)
    assert not present & NOT_SUPPORTED.get(chip, set())
    assert present <= set(REFERENCE[chip]["peak"])


@pytest.mark.parametrize("chip", CHIPS)
def test_no_peak_is_a_sparse_figure(profiles, chip):
    p = profiles.get(chip)
    for precision, ref in REFERENCE[chip]["peak"].items():
        value = p.peak[precision].to("TFLOP/s").magnitude
        assert value < 1.5 * _low(ref), f"{chip} {precision}: {value} looks like the 2:4-sparse figure"


@pytest.mark.parametrize("chip", CHIPS)
def test_tdp_and_memory_match_reference(profiles, chip):
    p = profiles.get(chip)
    ref = REFERENCE[chip]
    if ref["tdp"] is not None:
        assert _matches(p.tdp.to("W").magnitude, ref["tdp"])
    if ref["memory"] is not None:
        assert _matches(p.memory.to("GB").magnitude, ref["memory"])


@pytest.mark.parametrize("chip", ["v100", "v100-16gb"])
def test_v100_has_fp16_but_no_bf16(profiles, chip):
    p = profiles.get(chip)
    assert "fp16" in p.peak
    assert "bf16" not in p.peak


@pytest.mark.parametrize("chip", CHIPS)
def test_price_has_a_dated_source(profiles, chip):
    sources = profiles.get(chip).sources
    dated = [s for s in sources
             if "price" in {f.strip() for f in s.field.split(",")} and str(s.date or "").strip()]
    assert dated, f"{chip} has no dated source for its price"
