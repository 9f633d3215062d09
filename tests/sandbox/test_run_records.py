"""Every run says which fences held, and official grading refuses to run hidden checks without them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.cli import cli
from grader.frontends.batch.process import STAGING_DIR, ProcessGrader
from grader.sandbox.launcher import SandboxUnavailable
from grader.sandbox.layers import OFF_VARIABLE
from tests.batch.helpers import REFERENCE, batch_settings, write_class
from tests.sandbox.test_kernel_layers import require_kernel_layers


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "vectors.py").write_text(REFERENCE)
    return folder


def test_the_json_and_gradescope_reports_record_the_fences(mini_course: Path, submission: Path) -> None:
    require_kernel_layers()
    for output_format, where in (
        ("json", lambda doc: doc["sandbox"]),
        ("gradescope", lambda doc: doc["extra_data"]["sandbox"]),
    ):
        result = run("grade", "--course", str(mini_course), "--submission", str(submission), "--format", output_format)
        assert result.exit_code == 0, result.output
        sandbox = where(json.loads(result.output))
        assert sandbox["confined"] is True and sandbox["seccomp"] is True and sandbox["landlock_abi"] >= 6


def test_an_official_grade_refuses_to_run_hidden_checks_unconfined(
    mini_course: Path, submission: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OFF_VARIABLE, "landlock")
    base = ("grade", "--course", str(mini_course), "--submission", str(submission), "--format", "json")
    refused = run(*base, "--require-confinement")
    assert isinstance(refused.exception, SandboxUnavailable) and "Landlock not in force" in str(refused.exception)
    assert "--allow-unconfined" in refused.exception.fix and refused.output == ""  # no report, not even a partial one
    allowed = run(*base, "--require-confinement", "--allow-unconfined")
    assert allowed.exit_code == 0 and json.loads(allowed.output)["sandbox"]["confined"] is False
    public_only = run(*base, "--require-confinement", "--public-only")  # no hidden checks: nothing to protect
    assert public_only.exit_code == 0 and json.loads(public_only.output)["hidden_checks_ran"] is False


def test_the_terminal_report_warns_when_hidden_checks_ran_unconfined(
    mini_course: Path, submission: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OFF_VARIABLE, "seccomp")
    result = run("grade", "--course", str(mini_course), "--submission", str(submission))
    assert (
        result.exit_code == 0
        and "Hidden checks ran without the kernel's fences (seccomp not in force here)" in result.output
    )


@pytest.mark.slow
def test_a_batch_refuses_unconfined_hidden_checks_unless_allowed_and_its_manifest_says_what_held(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_kernel_layers()
    subs = write_class(tmp_path / "subs", {"alice": REFERENCE})
    out = tmp_path / "out"
    base = ("batch", str(subs), "--course", str(mini_course), "--out", str(out), "--jobs", "1")
    confined = run(*base)
    assert confined.exit_code == 0, confined.output
    assert json.loads((out / "batch.json").read_text())["sandbox"]["confined"] is True
    monkeypatch.setenv(OFF_VARIABLE, "seccomp")
    refused = run(*base, "--force")
    assert isinstance(refused.exception, SandboxUnavailable) and "seccomp not in force" in str(refused.exception)
    allowed = run(*base, "--force", "--allow-unconfined")
    assert allowed.exit_code == 0, allowed.output
    manifest = json.loads((out / "batch.json").read_text())
    assert manifest["sandbox"]["seccomp"] is False and manifest["sandbox"]["confined"] is False
    result = json.loads((out / "results/alice.json").read_text())
    assert result["sandbox"]["seccomp"] is False and result["percent"] == 100.0


def test_a_batch_stages_unzipped_submissions_where_only_it_can_look(mini_course: Path, tmp_path: Path) -> None:
    grader = ProcessGrader(batch_settings(mini_course, tmp_path / "subs", tmp_path / "out"))
    try:
        for folder in (tmp_path / "out" / STAGING_DIR, grader.staging):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    finally:
        grader.close()
