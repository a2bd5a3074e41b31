"""Start-up guards: what importing flopcalc and running its commands may pull in."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in ("click", "tabulate", "matplotlib", "pint", "yaml", "numpy", "pandas",
                                    "flopcalc.plot", "flopcalc.memo", "flopcalc.trends", "flopcalc.planning")
                        if m in sys.modules)))
"""


def _modules(body: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(body=body)], capture_output=True, text=True,
                         check=True, env={"FLOPCALC_HARDWARE_PATH": "", "PATH": ""})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_library_is_cheap() -> None:
    assert _modules("import flopcalc") == []


def test_library_cost_does_not_import_the_cli_stack() -> None:
    mods = _modules("import flopcalc; flopcalc.cost(1e26, 'h100')")
    assert "click" not in mods and "tabulate" not in mods and "matplotlib" not in mods
    assert "pint" in mods


def test_help_builds_no_unit_registry() -> None:
    body = ("import sys; from flopcalc.cli import main\nsys.argv = ['flopcalc', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    mods = _modules(body)
    assert "pint" not in mods and "yaml" not in mods and "tabulate" not in mods


def test_cli_cost_spares_numpy() -> None:
    body = ("import sys; from flopcalc.cli import main\nsys.argv = ['flopcalc', 'cost', '1e26', '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    mods = _modules(body)
    assert "numpy" not in mods and "tabulate" not in mods and "pint" in mods
    assert not {"matplotlib", "pandas", "flopcalc.plot", "flopcalc.memo", "flopcalc.trends"} & set(mods)
