"""Text from the warehouse or the Cursor API (e-mails, budget names, alert messages) made safe to show: on a
terminal, in a Slack message or an e-mail it stays on its line and reads in the order it is stored.

Every control character (a newline, an escape sequence's ESC), format character (bidi overrides such as U+202E,
zero-width marks) and line or paragraph separator is written as a visible escape (``\\n``, ``\\u202e``) instead.
"""

from __future__ import annotations

import unicodedata

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # controls, format, surrogates, separators
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` with every unsafe character written as a visible escape (see the module's docstring)."""
    if text.isprintable():  # the usual case, and the fast one (printable excludes every unsafe category)
        return text
    return "".join(_escape(char) if unicodedata.category(char) in UNSAFE_CATEGORIES else char for char in text)


def _escape(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
