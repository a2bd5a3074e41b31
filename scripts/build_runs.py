#!/usr/bin/env python3
"""Build src/flopcalc/data/runs.yaml from a pinned snapshot of Epoch AI's "All ML Systems" dataset.

Usage (from the repository root):

    git clone https://github.com/epoch-research/training-cost-trends /tmp/tct
    git -C /tmp/tct show COMMIT:"data/All ML Systems - full view.csv" > /tmp/epoch.csv
    python scripts/build_runs.py /tmp/epoch.csv --commit COMMIT

The hand-curated rows of runs.yaml (those without an `epoch` block) are kept as they are; the rows
taken from Epoch's dataset (those with an `epoch` block) are rebuilt from the CSV. Then the evidence
fit (src/flopcalc/data/evidence_fit.json) is recomputed from the new runs: the observations, and the candidate
models' held-out figures with the one the decision rule (docs/evidence-method.md) chooses.

Epoch AI, "Data on Notable AI Models" / "All ML Systems" (CC-BY 4.0), github.com/epoch-research/training-cost-trends.

Rules (docs/evidence-method.md, "Rebuilding the runs"):

- the training hardware maps to one flopcalc chip id (HARDWARE below); mixed or unprofiled hardware is left out;
- compute is kept only where it is not derived from hardware x time x an assumed utilisation: Epoch's
  estimation method must be "Reported" and/or "Operation counting"; where Epoch combines such a figure with a
  hardware estimate (a geometric mean, or a hardware cross-check), the counted leg is recovered from Epoch's
  compute notes, and the row is left out when it cannot be;
- chip-hours = Epoch's "Training chip-hours" when given (kind `reported`), else "Hardware quantity" x "Training
  time (hours)" (kind `chips-x-days`, or `calendar-window` when the time notes speak of weeks or months);
- fine-tunes (a base model, or fine-tune compute) and rows Epoch marks "Speculative" are left out;
- a row whose model is also among the hand-curated runs is left out (the curated row is better sourced).

Only the standard library and PyYAML are used.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parents[1]
RUNS_YAML = ROOT / "src" / "flopcalc" / "data" / "runs.yaml"
CSV_NAME = "data/All ML Systems - full view.csv"
REPO = "github.com/epoch-research/training-cost-trends"

# Epoch's "Training hardware" -> flopcalc chip id. A row whose chip has no profile in hardware/ is left out; the dense
# peaks for the plausibility check are read from the profiles.
HARDWARE = {
    "NVIDIA A100": "a100",
    "NVIDIA A100 SXM4 80 GB": "a100",
    "NVIDIA A100 SXM4 40 GB": "a100-40gb",
    # both A100 SXM4 memory sizes in one run: the same 312 TFLOP/s dense BF16 peak, so one chip for the efficiency
    "NVIDIA A100 SXM4 40 GB,NVIDIA A100 SXM4 80 GB": "a100",
    "NVIDIA A800 SXM": "a800",
    "NVIDIA A800 PCIe 40 GB": "a800",  # same 312 TFLOP/s dense BF16 peak as the SXM part
    "NVIDIA V100": "v100",
    "NVIDIA Tesla V100 DGXS 32 GB": "v100",
    "NVIDIA Tesla V100 DGXS 16 GB": "v100-16gb",
    "NVIDIA H100 SXM5 80GB": "h100",
    "NVIDIA H100 PCIe": "h100-pcie",
    "NVIDIA H800 SXM5": "h800",
    "Google TPU v3": "tpu-v3",
    "Google TPU v4": "tpu-v4",
    "Google TPU v5e": "tpu-v5e",
    "Google TPU v5p": "tpu-v5p",
    "Google TPU v6e Trillium": "tpu-v6e",
}
# Chips with two TensorCores each: Epoch's "Hardware quantity" sometimes counts cores (a "TPUv3-8" is 4 chips); its
# compute notes then say how many chips ("64 chips [=128 cores]", "So 4 chips"), and that count is used.
TWO_CORES_PER_CHIP = {"tpu-v2", "tpu-v3"}
_CHIPS_IN_NOTES = re.compile(r"(\d+)\s+chips\b", re.I)
DEFAULT_16 = {"v100": "fp16", "v100-16gb": "fp16"}  # others: bf16
MIN_E, MAX_E = 0.01, 0.8  # all-in efficiency cannot exceed MFU; no public run reports MFU above 0.8
ALLOWED_METHODS = {"Reported", "Operation counting", "Hardware", "Third-party estimation"}
# A third-party estimate is kept only when its notes show it is not a hardware estimate: a counted figure equal to it,
# or the figure of Patterson et al. (2021), "Carbon Emissions and Large Neural Network Training" (arXiv 2104.10350),
# Table 4, whose FLOP figures are the developers' own accounts of their runs (its authors are Google's).
_DEVELOPER_ACCOUNTS = re.compile(r"2104\.10350")
COLUMNS = ("Model", "Organization", "Publication date", "Link", "Training hardware", "Hardware quantity",
           "Training time (hours)", "Training chip-hours", "Training compute (FLOP)",
           "Training compute estimation method", "Numerical format", "Confidence", "Base model",
           "Finetune compute (FLOP)")
NOTE_COLUMNS = ("Training compute notes", "Training time notes")

_NUM = re.compile(r"(\d+(?:\.\d+)?)\s*(?:[eE]\s*\+?(-?\d+)|\s*(?:[x×*]|\\times)\s*10\s*\^\s*\{?\s*\+?(-?\d+))")
_HW_WORDS = re.compile(r"utili[sz]ation|\bMFU\b|FLOP\s*/\s*s|FLOPS/s|FLOP/GPU/sec|FLOP / sec|FLOP/sec|"
                       r"flop/s|GPU-hours \*|hours \* 3600|\*\s*3600\b", re.I)
_WINDOW = re.compile(r"\bmonths?\b|\bweeks?\b", re.I)


_PREFIX = {"G": 1e9, "T": 1e12, "P": 1e15}


def peaks(gpu: str, folder: Path = ROOT / "hardware") -> dict[str, float]:
    """The dense peaks (FLOP/s) of a shipped profile, by precision; empty if there is no such profile."""
    import yaml

    path = folder / f"{gpu}.yaml"
    if not path.is_file():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for prec, text in (doc.get("peak") or {}).items():
        m = re.fullmatch(r"\s*([\d.]+)\s*([GTP])FLOP/s\s*", str(text))
        if m:
            out[str(prec)] = float(m[1]) * _PREFIX[m[2]]
    return out


class Skip(Exception):
    """A row the evidence cannot use, and why."""


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# Epoch's names of systems that are also hand-curated rows (normalised -> curated model name), where the names differ.
SAME_AS = {
    "llama65b": "LLaMA 65B", "llama33b": "LLaMA 33B", "llama13b": "LLaMA 13B", "llama7b": "LLaMA 7B",
    "palmpathwayslanguagemodel": "PaLM 540B", "palm540b": "PaLM 540B", "gpt3175bdavinci": "GPT-3 175B",
    "gopher280b": "Gopher 280B", "chinchilla": "Chinchilla 70B", "bloom176b": "BLOOM-176B",
    "falcon180b": "Falcon-180B", "opt175b": "OPT-175B", "nemotron4340b": "Nemotron-4 340B",
    "bloomberggpt": "BloombergGPT 50B", "amazontitan": "Amazon 200B dense (unnamed, Titan-era)", "glm130b": "GLM-130B", "starcoder": "StarCoderBase 15.5B",
    "starcoder215b": "StarCoder2-15B", "gemma7b": "Gemma 7B", "qwen2572b": "Qwen2.5-72B", "dbrx": "DBRX",
    "mpt7b": "MPT-7B", "mpt30b": "MPT-30B", "deepseekv3": "DeepSeek-V3", "deepseekv2": "DeepSeek-V2",
    "phi3mini": "Phi-3-mini 3.8B", "smollm33b": "SmolLM3 3B", "olmo27b": "OLMo 2 7B", "olmo213b": "OLMo 2 13B",
    "olmo7b": "OLMo 7B (v1, MosaicML A100 run)", "pythia12b": "Pythia 12B", "pythia69b": "Pythia 6.9B",
    "llama270b": "Llama 2 70B", "llama213b": "Llama 2 13B", "llama27b": "Llama 2 7B", "llama370b": "Llama 3 70B",
    "llama38b": "Llama 3 8B", "llama31405b": "Llama 3.1 405B", "llama3170b": "Llama 3.1 70B",
    "llama318b": "Llama 3.1 8B", "stablelmbasealpha7b": "StableLM-Base-Alpha-7B-v2", "falcon211b": "Falcon2-11B",
    "santacoder": "SantaCoder 1.1B", "chameleon7b": "Chameleon-7B", "chameleon34b": "Chameleon-34B",
}


def numbers(text: str) -> list[tuple[float, int, int]]:
    """(value, start, end) of every number written in scientific form in `text`."""
    out = []
    for m in _NUM.finditer(text):
        exp = m.group(2) if m.group(2) is not None else m.group(3)
        if abs(int(exp)) <= 300:  # a longer exponent is no FLOP figure (and would overflow a float)
            out.append((float(m.group(1)) * 10 ** int(exp), m.start(), m.end()))
    return out


# A break between two statements of Epoch's compute notes: a newline, a sentence end, or a run of spaces. A run of
# spaces next to an arithmetic operator ("0.3 =  1.44e24", "34B *  9.2T") is a typing slip inside one expression,
# not a break: read as one, it cut "... * 3600 * 0.3 =" off its result and made a hardware figure read as counted.
_BREAK = re.compile(r"\n|\. |(?<![=*×/+^(-])  +(?![=*×/+^)-])")
# A statement that combines figures (Epoch's geometric mean of the legs) holds neither leg's own figure.
_RESULT_LINE = re.compile(r"\s*(?:~?=|≈)")
_MEAN_WORDS = re.compile(r"sqrt|geometric\s+mean", re.IGNORECASE)


def _statement(text: str, start: int, end: int) -> str:
    """The statement a number is in: from the previous break (newline, sentence end, a run of spaces not next to an
    arithmetic operator) to the next newline or such run of spaces. A line that opens with "=" or "~=" is the result
    of the expression above it (AraGPT2-Mega: "... * 3600s/h" then "~= 2e21 FLOP" on a line of its own)."""
    cut = max((m.end() for m in _BREAK.finditer(text, 0, start)), default=0)
    while cut and _RESULT_LINE.match(text, cut):
        cut = max((m.end() for m in _BREAK.finditer(text, 0, cut - 1) if m.end() < cut), default=0)
    stop = next((m.start() for m in _BREAK.finditer(text, end) if m.group() != ". "), len(text))
    return text[cut:stop]


def counted_leg(value: float, notes: str) -> float | None:
    """The compute figure of `notes` that is not a hardware x time x utilisation estimate, if one can be told.

    Epoch's combined estimates are the geometric mean of a counted (6ND or reported) figure and a hardware
    figure, or the counted figure itself with the hardware figure as a cross-check, or the hardware figure with the
    counted figure beside it (then the one counted figure within a factor 3 of it is the counted leg; with two such
    figures it cannot be told which).
    """
    nums = [(v, _statement(notes, s, e)) for v, s, e in numbers(notes)]
    nums = [(v, st) for v, st in nums if not _MEAN_WORDS.search(st)]
    hw = [v for v, st in nums if _HW_WORDS.search(st)]
    counted = [v for v, st in nums if not _HW_WORDS.search(st)]
    for c in counted:
        for h in hw:
            if math.isclose(math.sqrt(c * h), value, rel_tol=0.02):
                return c
    on_hw = any(math.isclose(h, value, rel_tol=0.01) for h in hw)
    if any(math.isclose(c, value, rel_tol=0.01) for c in counted) and not on_hw:
        return value
    near = {c for c in counted if value / 3 <= c <= value * 3}
    if on_hw and len(near) == 1:
        return near.pop()
    return None


def _hardware_figure(value: float, notes: str) -> bool:
    """Whether `value` is one of the hardware x time x utilisation figures of `notes`."""
    return any(math.isclose(v, value, rel_tol=0.01) and _HW_WORDS.search(_statement(notes, s, e))
               for v, s, e in numbers(notes))


def _f(x: str) -> float | None:
    x = (x or "").strip().replace(",", "")
    if not x:
        return None
    try:
        v = float(x)
    except ValueError:
        return None
    return v if v > 0 else None


def precision_of(fmt: str, gpu: str) -> tuple[str, bool]:
    """flopcalc precision key from Epoch's 'Numerical format', and whether it was assumed."""
    parts = {p.strip().upper() for p in fmt.split(",") if p.strip()}
    if "FP8" in parts:
        return "fp8", False
    for key in ("BF16", "FP16", "TF32"):
        if key in parts:
            return key.lower(), False
    if parts:
        return sorted(parts)[0].lower(), False
    return DEFAULT_16.get(gpu, "bf16"), True


def epoch_row(row: dict[str, str], commit: str) -> dict[str, Any]:
    """One Epoch row as a runs.yaml row; raises Skip with the reason when it cannot be evidence."""
    name = row["Model"].strip()
    hw = row["Training hardware"].strip()
    gpu = HARDWARE.get(hw)
    if gpu is not None and not peaks(gpu):
        raise Skip(f"chip {gpu} has no profile in hardware/")
    if gpu is None:
        raise Skip(f"hardware {hw!r} is mixed or has no flopcalc profile" if hw else "no hardware")
    if row["Confidence"].strip() == "Speculative":
        raise Skip("Epoch marks the compute speculative")
    if row["Base model"].strip() or _f(row["Finetune compute (FLOP)"]):
        raise Skip("a fine-tune of another model")
    value = _f(row["Training compute (FLOP)"])
    if value is None:
        raise Skip("no compute")
    methods = {m.strip() for m in row["Training compute estimation method"].split(",") if m.strip()}
    if not methods or not methods <= ALLOWED_METHODS or methods == {"Hardware"}:
        raise Skip(f"compute estimated by {', '.join(sorted(methods)) or 'an unstated method'}, not counted")
    flop = value
    notes = row["Training compute notes"]
    developers = False
    if "Hardware" in methods:
        leg = counted_leg(value, notes)
        if leg is None and "Third-party estimation" in methods and _DEVELOPER_ACCOUNTS.search(notes) and \
                not _hardware_figure(value, notes):
            leg, developers = value, True
        if leg is None:
            raise Skip("compute mixes a hardware estimate and the counted figure cannot be separated")
        flop = leg
    elif "Third-party estimation" in methods and counted_leg(value, notes) != value:
        if not _DEVELOPER_ACCOUNTS.search(notes) or _hardware_figure(value, notes):
            raise Skip("a third-party estimate whose notes show no counted figure equal to it")
        developers = True
    if re.search(r"assum", row["Training time notes"], re.I):
        raise Skip("Epoch's time notes assume the training time rather than report it")
    hours = _f(row["Training chip-hours"])
    chips, wall = _f(row["Hardware quantity"]), _f(row["Training time (hours)"])
    cores_note = ""
    if gpu in TWO_CORES_PER_CHIP and chips:
        stated = {float(m) for m in _CHIPS_IN_NOTES.findall(row["Training compute notes"])}
        if chips / 2 in stated:
            cores_note = (f" Epoch's hardware quantity ({chips:g}) counts TensorCores; its compute notes give "
                          f"{chips / 2:g} chips, used here.")
            chips = chips / 2
    if hours is not None and chips and wall and math.isclose(hours, chips * wall, rel_tol=0.01) and \
            _WINDOW.search(row["Training time notes"]):
        kind = "calendar-window"  # Epoch's chip-hours are its chips x a window the source gives in weeks or months
    elif hours is not None:
        kind = "reported"
    elif chips and wall:
        hours = chips * wall
        kind = "calendar-window" if _WINDOW.search(row["Training time notes"]) else "chips-x-days"
    else:
        raise Skip("no chip-hours and no chips x time")
    prec, assumed = precision_of(row["Numerical format"], gpu)
    peak = peaks(gpu).get(prec)
    if peak is not None:
        e = flop / (hours * 3600 * peak)
        if not MIN_E <= e <= MAX_E:
            raise Skip(f"implied all-in efficiency {e:.3g} is outside {MIN_E}-{MAX_E}: above any reported MFU or "
                       "below any plausible run, so a reporting or unit error")
    date = row["Publication date"].strip()[:10] or None
    org = (row["Organization"] or "").split(",")[0].strip() or None
    link = (row["Link"] or "").split(",")[0].strip()
    used = ["Model", "Organization", "Publication date", "Link", "Training hardware", "Training compute (FLOP)",
            "Training compute estimation method", "Numerical format", "Confidence"]
    used += ["Training chip-hours"] if kind == "reported" else ["Hardware quantity", "Training time (hours)"]
    if methods & {"Hardware", "Third-party estimation"} or cores_note:
        used.append("Training compute notes")
    if kind == "calendar-window":
        used.append("Training time notes")
    how = {"reported": "chip-hours as reported", "chips-x-days": "chips x training time",
           "calendar-window": "chips x a calendar window (weeks or months)"}[kind]
    fl = "the counted leg of Epoch's combined estimate" if flop != value else (
        "the developers' own account, published in Patterson et al. 2021 (arXiv 2104.10350) Table 4" if developers
        else "as reported" if methods == {"Reported"} else
        "a counted or reported figure that Epoch's notes give, not a hardware estimate" if "Third-party estimation"
        in methods else "counted from the published recipe")
    return {
        "model": name, "org": org, "year": int(date[:4]) if date else None, "published": date,
        "accelerator": hw, "gpu": gpu, "precision": prec, "precision_assumed": assumed,
        "chips": chips, "days": round(wall / 24, 4) if wall else None,
        "chip_hours": hours if kind == "reported" else None, "flop": float(f"{flop:.6g}"),
        "flop_kind": "reported" if methods == {"Reported"} or developers else "counted",
        "chip_hours_kind": kind,
        "grade": {"Confident": "SOLID", "Likely": "MEDIUM"}.get(row["Confidence"].strip(), "MEDIUM"),
        "source": (f"{link} ; " if link.startswith("http") else "") +
                  f"Epoch AI, All ML Systems dataset (CC-BY 4.0), https://{REPO} at commit {commit}, system {name!r}",
        "notes": f"FLOP {fl}; {how}.{cores_note}",
        "epoch": {"system": name, "commit": commit, "columns": used},
    }


def build(csv_path: Path, commit: str, curated: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The Epoch rows to ship, and why each other row with hardware was left out."""
    curated_names = {norm(r["model"]) for r in curated}
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    missing = [c for c in COLUMNS + NOTE_COLUMNS if rows and c not in rows[0]]
    if missing:
        raise SystemExit(f"{csv_path}: missing columns {missing}")
    out: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    seen: set[str] = set()
    for row in rows:
        name = row["Model"].strip()
        if not row["Training hardware"].strip():
            continue
        key = norm(name)
        if key in curated_names or norm(SAME_AS.get(key, "")) in curated_names:
            skipped[name] = "also a hand-curated run"
            continue
        if key in seen:
            skipped[name] = "a duplicate system name"
            continue
        try:
            r = epoch_row(row, commit)
        except Skip as e:
            skipped[name] = str(e)
            continue
        seen.add(key)
        out.append(r)
    out.sort(key=lambda r: (r["published"] or "", r["model"]))
    return out, skipped


HEADER = """\
# flopcalc known-runs data: publicly reported training runs, used to validate FLOP -> chip-hours -> dollars.
# Format: docs/data-format.md, section "Known runs". BUILT by scripts/build_runs.py: do not edit the rows that carry
# an `epoch` block by hand; edit the hand-curated rows (no `epoch` block), then rerun the script
# (docs/evidence-method.md, "Rebuilding the runs").
# Rows with an `epoch` block come from Epoch AI, "All ML Systems" dataset, file 'All ML Systems - full view.csv' in
# https://github.com/epoch-research/training-cost-trends, licensed CC-BY 4.0 (cite: Epoch AI, 'Data on Notable AI
# Models', epoch.ai/data/notable-ai-models). Only the fields below are taken; `epoch.columns` names the columns used.
# Numeric fields hold REPORTED figures; derived figures live in notes marked 'Derived'.
# flop_kind: reported (the source states the FLOP) | counted (FLOP counted from the published recipe, e.g. 6ND, by
# Epoch AI) | lower-bound (tokens or params given only as a floor) | 6ND (flopcalc computes 6 x (active) params x tokens).
# chip_hours_kind: reported (chip-hours stated) | chips-x-days (chips x days x 24) |
# calendar-window (chips x a calendar window such as 'three months') | upper-bound ('up to N chips', or an access
# window) | rate-x-tokens (chip_hours_per_trillion_tokens, a reported rate, x tokens) | null (neither available).
# The evidence leaves out lower-bound FLOP and upper-bound chip-hours.
# A two-element list [low, high] is a reported range (mfu, cost_usd); mfu is a reported steady-state fraction.
# gpu is null for mixed or unpublished hardware; precision_assumed is true when the source gives no precision and
# the chip's usual training precision was filled in (bf16; fp16 for V100).
# published: the publication date (Epoch's); curated rows give the year.
"""


def dump(doc: dict[str, Any]) -> str:
    import yaml

    class _D(yaml.SafeDumper):
        pass

    def _float(d: yaml.SafeDumper, v: float) -> Any:
        return d.represent_scalar("tag:yaml.org,2002:float", repr(v) if v == v else ".nan")

    def _list(d: yaml.SafeDumper, v: list) -> Any:  # short lists of scalars on one line: [0.38, 0.43]
        flow = all(not isinstance(x, (list, dict)) for x in v)
        return d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=flow)

    _D.add_representer(float, _float)
    _D.add_representer(list, _list)
    body = yaml.dump(doc, Dumper=_D, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    return HEADER + body


def main(argv: Iterable[str] | None = None) -> int:
    import yaml

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", type=Path, help=f"'{CSV_NAME}' from a pinned commit of {REPO}")
    ap.add_argument("--commit", required=True, help="the commit the CSV was taken from (shipped as provenance)")
    ap.add_argument("--runs", type=Path, default=RUNS_YAML, help="runs.yaml to rebuild (default: the shipped one)")
    ap.add_argument("--out", type=Path, help="where to write (default: --runs)")
    ap.add_argument("--no-fit", action="store_true", help="do not recompute the shipped evidence fit")
    ap.add_argument("--report", action="store_true", help="print why each left-out row was left out")
    a = ap.parse_args(list(argv) if argv is not None else None)
    if not re.fullmatch(r"[0-9a-f]{7,40}", a.commit):
        ap.error("--commit must be a git commit id")
    doc = yaml.safe_load(a.runs.read_text(encoding="utf-8"))
    curated = [r for r in doc["runs"] if "epoch" not in r]
    rows, skipped = build(a.csv, a.commit, curated)
    doc["runs"] = curated + rows
    out = a.out or a.runs
    out.write_text(dump(doc), encoding="utf-8")
    print(f"{out}: {len(curated)} curated + {len(rows)} Epoch rows ({len(skipped)} Epoch systems with hardware left out, by name)")
    if a.report:
        for name, why in sorted(skipped.items()):
            print(f"  left out {name}: {why}")
    if not a.no_fit and out.resolve() == RUNS_YAML.resolve():
        sys.path.insert(0, str(ROOT / "src"))
        from flopcalc.evidence import write_fit

        path = write_fit()
        sel = json.loads(path.read_text(encoding="utf-8"))["selection"]
        print(f"{path}: evidence fit rewritten; model ({sel['chosen']}) chosen, "
              f"{'meeting' if sel['criterion_met'] else 'NOT meeting (closest)'} the criterion")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
