"""Student-facing text in Korean and English.

Every message and hint a student reads is a catalogue key plus parameters (:class:`Msg`), rendered in
one language at the end of grading. The catalogues are YAML files under ``catalog/<lang>/``, one file
per domain; a domain's file must exist in every language with the same keys and placeholders (the
tool's tests enforce it). Check authors may also write free text: a plain ``str`` (shown as is in
every language) or a ``{"en": ..., "ko": ...}`` mapping.
"""

from grader.i18n.text import LANGUAGES, Msg, Text, Words, msg, render, resolve_language

__all__ = ["LANGUAGES", "Msg", "Text", "Words", "msg", "render", "resolve_language"]
