"""Every student-facing text exists in Korean and English, and the language is chosen in one documented order."""

from __future__ import annotations

import ast
import json
import os
import re
import string
from pathlib import Path

import pytest
import yaml

from grader.i18n import LANGUAGES, resolve_language
from grader.i18n.text import CATALOG_DIR, catalog
from tests.commandline import run_grader

GRADER = Path(__file__).parents[2] / "grader"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
DOMAINS = sorted({path.stem for language in LANGUAGES for path in (CATALOG_DIR / language).glob("*.yaml")})


def _domain(language: str, domain: str) -> dict[str, object]:
    path = CATALOG_DIR / language / f"{domain}.yaml"
    assert path.is_file(), f"{path.relative_to(GRADER)} is missing"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_key_is_in_every_language_with_the_same_placeholders_and_some_text(domain: str) -> None:
    texts = {language: _domain(language, domain) for language in LANGUAGES}
    english = texts["en"]
    for language, entries in texts.items():
        assert entries.keys() == english.keys(), f"{language}/{domain}.yaml: keys differ from en/{domain}.yaml"
        for key, template in entries.items():
            assert isinstance(template, str) and template.strip(), (
                f"{language}/{domain}.yaml: {key} is empty or not text"
            )
            assert _placeholders(template) == _placeholders(str(english[key])), (
                f"{language}/{domain}.yaml: {key} placeholders"
            )


def _lacks_korean(template: str) -> bool:
    """Words but no Hangul (placeholders and `code` are not words; "- `{id}`: {title}" needs none)."""
    words = re.sub(r"\{[^}]*\}|`[^`]*`", "", template)
    return bool(re.search(r"[A-Za-z]{2,}", words)) and not HANGUL.search(words)


@pytest.mark.parametrize("domain", DOMAINS)
def test_korean_texts_are_written_in_korean(domain: str) -> None:
    untranslated = {key: text for key, text in _domain("ko", domain).items() if _lacks_korean(str(text))}
    assert untranslated == {}
    assert _lacks_korean("your code raised {error}") and not _lacks_korean("- `{id}`: {title}")


def keys_used(folder: Path) -> tuple[set[str], set[str]]:
    """(literal keys, f-string prefixes) of every ``msg("…")`` / ``Msg("…")`` in the .py files under ``folder``."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not (isinstance(node, ast.Call) and node.args and _called_name(node.func) in ("msg", "Msg")):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                literal.add(first.value)
            elif isinstance(first, ast.JoinedStr) and first.values and isinstance(first.values[0], ast.Constant):
                prefixes.add(str(first.values[0].value))
    return literal, prefixes


def unknown_keys(folder: Path) -> list[str]:
    """Keys used under ``folder`` that the catalogue lacks (an f-string key: no key has its prefix)."""
    literal, prefixes = keys_used(folder)
    known = set(catalog("en"))
    return sorted(literal - known) + sorted(f"{p}…" for p in prefixes if not any(key.startswith(p) for key in known))


def _called_name(function: ast.expr) -> str | None:
    return (
        function.id
        if isinstance(function, ast.Name)
        else function.attr
        if isinstance(function, ast.Attribute)
        else None
    )


def test_every_key_the_grader_uses_is_in_the_catalogue() -> None:
    literal, prefixes = keys_used(GRADER)
    assert len(literal) > 50 and {"check.timeout", "notebook.skipped", "watch.graded"} <= literal  # the scan sees them
    assert "report.status_" in prefixes
    assert unknown_keys(GRADER) == []


def test_the_scan_finds_a_key_missing_from_the_catalogue(tmp_path: Path) -> None:
    (tmp_path / "module.py").write_text(
        "from grader import i18n\nfrom grader.i18n import msg\n"
        "A = msg('check.timeout', seconds=1)\nB = i18n.msg('check.no_such_key')\nC = msg(f'report.nothing_{x}')\n"
    )
    assert unknown_keys(tmp_path) == ["check.no_such_key", "report.nothing_…"]


@pytest.mark.parametrize(
    ("cli", "course", "environ", "expected"),
    [
        ("en", "ko", {"LANG": "ko_KR.UTF-8"}, "en"),  # --lang first
        (None, "ko", {"LANG": "en_US.UTF-8"}, "ko"),  # then the course
        (None, None, {"LANG": "ko_KR.UTF-8"}, "ko"),  # then the locale
        (None, None, {}, "en"),  # then English
        (None, None, {"LC_ALL": "en_US.UTF-8", "LANG": "ko_KR.UTF-8"}, "en"),  # LC_ALL over LANG
        (None, None, {"LC_MESSAGES": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),  # LC_MESSAGES over LANG
        (None, None, {"LANG": "en_US.UTF-8", "LANGUAGE": "ko:en"}, "ko"),  # gettext's LANGUAGE list first
        (None, None, {"LANG": "C.UTF-8", "LANGUAGE": "ko"}, "en"),  # ... but not under the C locale
        (None, None, {"LANG": "fr_FR.UTF-8", "LANGUAGE": "fr:ko"}, "ko"),  # the first language we have
        (None, None, {"LANG": "fr_FR.UTF-8"}, "en"),
    ],
)
def test_the_language_comes_from_lang_then_the_course_then_the_locale(
    cli: str | None, course: str | None, environ: dict[str, str], expected: str
) -> None:
    assert resolve_language(cli, course, environ) == expected


@pytest.mark.slow
def test_the_grade_command_follows_the_same_order(mini_course: Path) -> None:
    def language(*args: str, **locale: str) -> str:
        unset = {key: None for key in os.environ if key.startswith(("LC_", "LANG"))}
        completed = run_grader(
            "grade", "--course", str(mini_course), "--format", "json", *args, env={**unset, **locale}
        )
        report = json.loads(completed.stdout)
        return f"{report['language']}: {report['assignments'][0]['checks'][0]['message']}"

    stub = mini_course / "assignments/vectors/vectors.py"  # the course's own stub: nothing submitted
    assert language(LANG="ko_KR.UTF-8") == f"ko: {stub}은(는) 아직 배포된 스텁 그대로입니다: 제출된 내용이 없습니다"
    assert (
        language("--lang", "en", LANG="ko_KR.UTF-8") == f"en: {stub} is still the published stub: nothing submitted yet"
    )
    with (mini_course / "course.yaml").open("a") as course_yaml:
        course_yaml.write("language: ko\n")
    assert language(LANG="en_US.UTF-8").startswith("ko: ")
    assert language("--lang", "en", LANG="ko_KR.UTF-8").startswith("en: ")
