"""Safe text: strings from data files never carry control characters to a terminal.

A shared profile is untrusted input. An escape sequence in its name could rewrite the
screen or set the clipboard (OSC 52), even through a pipe, so every string read from a
data file is cleaned at load time, and again at output.
"""

from __future__ import annotations

import re

__all__ = ["clean", "clean_block"]

# C0 controls, DEL, C1 controls, the line and paragraph separators U+2028/U+2029 (which many
# terminals, editors and JSON-in-JS readers treat as line breaks), and the bidirectional
# overrides/isolates that can make text display in an order other than the one it is stored in
# ("trojan source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SPACE = re.compile("[\t\n]+")


def clean(text: object) -> str:
    """One line of printable text: control characters dropped, tabs and newlines made spaces."""
    s = _CONTROL.sub("", str(text))
    return " ".join(_SPACE.sub(" ", s).split(" ")) if ("\n" in s or "\t" in s) else s


def clean_block(text: object) -> str:
    """Printable text that may keep its newlines (for --explain and tables)."""
    return _CONTROL.sub("", str(text).replace("\r\n", "\n"))
