"""`python -m flopcalc` and the `flopcalc` console script: Ctrl-C, even during start-up, exits 130 quietly."""

from __future__ import annotations

import sys


def entry() -> None:
    try:
        from .cli import main

        main()
    except KeyboardInterrupt:
        try:
            sys.stderr.write("Aborted.\n")
        except OSError:
            pass
        sys.exit(130)


if __name__ == "__main__":
    entry()
