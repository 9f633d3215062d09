"""Translatable text: catalogue keys with parameters, and their rendering in one language."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias, TypeGuard

import yaml

LANGUAGES: tuple[str, ...] = ("en", "ko")
DEFAULT_LANGUAGE = "en"
CATALOG_DIR = Path(__file__).with_name("catalog")


@dataclass(frozen=True)
class Msg:
    """A catalogue message: ``key`` names the template, ``params`` fill its ``{placeholders}``."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


# What a check author or the grader may hand over as student-facing text.
Text: TypeAlias = Msg | str | Mapping[str, str]


def msg(key: str, **params: object) -> Msg:
    """Build a :class:`Msg`; the key must exist in every catalogue (checked by the tests)."""
    return Msg(key, params)


@functools.cache
def catalog(lang: str) -> Mapping[str, str]:
    """All templates of one language, keyed ``<domain>.<name>`` (``gradient.sign_flipped``)."""
    templates: dict[str, str] = {}
    for path in sorted((CATALOG_DIR / lang).glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, template in entries.items():
            templates[f"{path.stem}.{name}"] = str(template).rstrip("\n")
    return templates


def render(text: Text | None, lang: str) -> str:
    """Render any student-facing text in ``lang`` (falling back to English, then to the key)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, Msg):
        template = catalog(lang).get(text.key) or catalog(DEFAULT_LANGUAGE).get(text.key)
        if template is None:
            return text.key
        params = {name: render(value, lang) if _is_text(value) else value for name, value in text.params.items()}
        return template.format(**params)
    return str(text.get(lang) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), ""))


@dataclass(frozen=True)
class Words:
    """The texts of one catalogue domain in one language, for a report that shows many of them:
    ``words = Words("batch", "ko"); words("col_points")`` is ``batch.col_points`` in Korean."""

    domain: str
    """The catalogue file (``batch`` for ``catalog/<lang>/batch.yaml``)."""
    language: str
    """The language to render in."""

    def __call__(self, key: str, **params: object) -> str:
        return render(msg(f"{self.domain}.{key}", **params), self.language)


def _is_text(value: object) -> TypeGuard[Msg | Mapping[str, str]]:
    return isinstance(value, (Msg, Mapping))


def resolve_language(cli_choice: str | None, course_choice: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """Pick the language: ``--lang``, then the course's ``language``, then the locale, then English.

    The locale is read as gettext reads it for messages: the first of LC_ALL, LC_MESSAGES and LANG
    that is set names the locale; unless that is the C/POSIX locale, LANGUAGE (a priority list such
    as ``ko:en``) comes first, and its first language we have wins.
    """
    for choice in (cli_choice, course_choice):
        if choice:
            return choice
    locale = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), "")
    preferences = environ.get("LANGUAGE", "").split(":") if locale and not _is_c_locale(locale) else []
    for preference in [*preferences, locale]:
        language = preference.split("_")[0].split(".")[0].split("@")[0].lower()
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def _is_c_locale(locale: str) -> bool:
    """C and POSIX (C.UTF-8 too) mean "no language chosen": gettext then ignores LANGUAGE."""
    return locale.split(".")[0] in ("C", "POSIX")
