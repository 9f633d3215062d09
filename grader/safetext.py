"""Student text made inert for display: it can neither drive a terminal nor disguise what it says.

A student's exception message, printed output, type names, and file and folder names can hold any
character. Written raw to a terminal, an escape sequence clears the screen, sets the window title or
paints a fake green "25/25 all checks passed"; a carriage return or backspace overwrites what the
grader wrote; a C1 control (U+0080–U+009F) is a one-character escape sequence for some terminals;
a bidi override (U+202A–U+202E, U+2066–U+2069) makes a line read differently than it is stored.

Every such character is made *visible*, never removed, in Python's own notation: ESC becomes the four
characters ``\\x1b`` (so ``ESC [ 2 J`` reads ``\\x1b[2J``), U+202E becomes ``\\u202e``. A teacher
reading a report sees exactly what the student's code produced, and nothing a student wrote is
silently dropped (removing part of a sequence could join text into something misleading). The
visible forms are printable ASCII, so applying either function twice changes nothing.

Also made visible: lone surrogates (a student's message can carry one across the JSON wire; UTF-8
cannot encode it) and U+FFFE/U+FFFF, so the result is always valid UTF-8 and valid XML 1.0 text;
and U+2028/U+2029, which some viewers take for line breaks. A literal backslash is left as it is:
a student who types ``\\x1b`` gets the same four characters, which is just as harmless.
"""

from __future__ import annotations

import re

# Besides C0 controls: DEL and the C1 controls, bidi embeddings/overrides/isolates, the line and
# paragraph separators, lone surrogates and the two noncharacters XML forbids.
_DECEPTIVE = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff\ufffe\uffff"
# Multi-line text keeps its tabs and line feeds; a CRLF line end is read as a line feed, while a lone
# CR (which returns to the start of the line, so what follows overwrites it) is shown.
_TEXT_UNSAFE = re.compile(f"\r\n|[\x00-\x08\x0b-\x1f{_DECEPTIVE}]")
_LINE_UNSAFE = re.compile(f"[\x00-\x1f{_DECEPTIVE}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\r\n": "\n"}


def safe_text(text: str) -> str:
    """Multi-line student text (a message, a traceback, what the code printed) safe to display:
    tabs and line feeds kept, every other control or deceptive character shown as an escape."""
    return _TEXT_UNSAFE.sub(_visible, text)


def safe_line(text: str) -> str:
    """A one-line field (a name, a file, a type, a student id) safe to display: line breaks and tabs
    are shown as ``\\n``, ``\\r`` and ``\\t`` too, so it stays on one line."""
    return _LINE_UNSAFE.sub(_visible, text)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
