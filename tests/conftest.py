from __future__ import annotations

import pytest
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
