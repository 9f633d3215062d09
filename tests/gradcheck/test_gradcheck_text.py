"""The student-facing text: both catalogues complete, every message and hint renders with its numbers."""

from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pytest
import yaml

import grader.engine.gradcheck.messages as messages
from grader.engine.gradcheck import Diagnosis, check_gradient
from grader.engine.gradcheck.report import KINDS
from grader.i18n import render

CATALOG = Path(messages.__file__).parents[2] / "i18n" / "catalog"


def _catalog(lang: str) -> dict[str, str]:
    return yaml.safe_load((CATALOG / lang / "gradient.yaml").read_text(encoding="utf-8"))


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    en, ko = _catalog("en"), _catalog("ko")
    assert set(en) == set(ko)
    for key in en:
        assert _placeholders(en[key]) == _placeholders(ko[key]), key
        assert en[key] != ko[key], key  # translated, not copied


def test_every_key_the_code_uses_exists() -> None:
    used = set(re.findall(r'"gradient\.(\w+)"', Path(messages.__file__).read_text(encoding="utf-8")))
    assert used and used <= set(_catalog("en"))
    assert set(_catalog("en")) <= used  # and none is dead


_DIAGNOSES = [
    Diagnosis("wrong_shape", "W", expected_shape=(3, 2), got_shape=(2, 3)),
    Diagnosis("wrong_shape", "b", expected_shape=(2,), got_shape=(1, 2)),
    Diagnosis("wrong_shape", "W", expected_shape=(3, 2), got_type="NoneType"),
    Diagnosis("wrong_shape", "W", expected_shape=(3, 2), got_type="str"),
    Diagnosis("nonfinite", "W", expected_shape=(3, 2), index=(1, 0), value=float("nan")),
    Diagnosis("zero", "W", expected_shape=(3, 2), index=(2, 1), value=0.25),
    Diagnosis("sign", "W", factor=-1.0, factor_name="-1"),
    Diagnosis("scale", "W", factor=32.0, factor_name="batch size"),
    Diagnosis("scale", "W", factor=1 / 32, factor_name="1/batch size"),
    Diagnosis("scale", "W", factor=2.0, factor_name="2"),
    Diagnosis("scale", "W", factor=0.5, factor_name="0.5"),
    Diagnosis("scale", "W", factor=3.0, factor_name="3"),
    Diagnosis("transpose", "Wh", expected_shape=(4, 4)),
    Diagnosis(
        "partial",
        "x",
        wrong_indices=((0, 0, 1),),
        n_wrong=6,
        n_checked=24,
        axis=1,
        wrong_axis_indices=(0,),
        axis_length=4,
    ),
    Diagnosis("partial", "W", wrong_indices=((1, 0),), n_wrong=1, n_checked=6),
    Diagnosis("partial", "W", n_checked=92),
    Diagnosis("mismatch", "W", expected_shape=(3, 2)),
]


@pytest.mark.parametrize("diagnosis", _DIAGNOSES, ids=lambda d: f"{d.kind}-{d.factor_name or d.got_type or ''}")
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_hint_renders_with_its_details(diagnosis: Diagnosis, lang: str) -> None:
    text = render(messages.hint(diagnosis), lang)
    assert "{" not in text and "}" not in text and diagnosis.name in text
    if diagnosis.factor_name in ("batch size", "1/batch size"):
        assert "32" in text
    if diagnosis.wrong_axis_indices:
        assert "0" in text and "4" in text
    if diagnosis.kind == "transpose":
        assert "(4, 4)" in text


def test_every_kind_has_a_hint() -> None:
    assert {d.kind for d in _DIAGNOSES} == set(KINDS)


def test_the_korean_sign_hint_reads_naturally() -> None:
    assert render(messages.hint(_DIAGNOSES[6]), "ko").startswith("W의 기울기의 부호가 반대입니다 (-1배)")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_real_report_renders_its_numbers(lang: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(4)
    report = check_gradient(lambda x: float(np.sum(x**3)), at={"x": x}, got={"x": -3 * x**2}, rng=rng)
    text = render(report.message, lang)
    assert f"{-3 * x[report.params[0].worst_index[0]] ** 2:.6g}" in text and "1" in text
    assert "{" not in render(report.hint, lang)
    ok = check_gradient(lambda x: float(np.sum(x**3)), at={"x": x}, got={"x": 3 * x**2}, rng=rng)
    assert "4" in render(ok.message, lang) and "x" in render(ok.message, lang)
