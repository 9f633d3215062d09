"""Student text cannot drive a terminal or a CI log, in any report format (issue 12, point 6).

A real submission of the mini course raises an exception whose class name and message hold escape
sequences (clear screen, window title, a hyperlink, a fake green "25/25 all checks passed"), a C1
control, bidi overrides, a carriage return, rich markup and forged GitHub workflow commands; it prints
the same text, and returns an object of a class whose name holds control characters. It sits in a
folder whose name holds escape codes too. Every format must show that text (in its visible form,
``\\x1b[2J``) and never pass a raw control character, bidi override or workflow command on. A batch
does the same with a student folder and a zip (and a zip member) named with escape codes.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from grader.engine.results import GradeReport
from grader.engine.scoring import grade_report
from grader.frontends.report import github, gradescope, jsonreport, junit
from grader.frontends.report.text import print_report
from grader.safetext import safe_line, safe_text
from tests.batch.helpers import write_zip
from tests.commandline import run_grader_process
from tests.engine.helpers import REFERENCE, with_checks
from tests.reporting.reports import assignment, check

HOSTILE = (
    "\x1b[2J\x1b[H"  # clear the screen, cursor home
    "\x1b]0;owned\x07"  # OSC: the window title, ended by BEL
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"  # OSC 8: a hyperlink, ended by ST
    "\x1b[1;32m25/25 all checks passed\x1b[0m"  # a fake green verdict
    " \x9b2J"  # C1 CSI: the one-character escape sequence
    " \u202etxt.exe\u202c \u2067isolated\u2069"  # bidi override and isolate
    " [bold green]25/25[/]"  # rich markup
    "\rTotal: 100/100\x08\x07"  # overwrite the line, backspace, bell
    "\n::error file=x.py,line=1::forged\n  ::add-mask::Total\n##[set-output name=score;]100 %0A %25"
)
EXCEPTION_CLASS = "Evil\x1b[2J\x9bError\u202e"
OBJECT_CLASS = "Vec\x1b]0;title\x07\u2066tor"
FOLDER = "sub\x1b[31m\u202efolder"
HOSTILE_ID = "\x1b[2J\x1b]0;owned\x07\u202eevil"  # a batch's student folder
HOSTILE_ZIP = "zip\x1b[1;32m\u2066"  # a batch's <student>.zip
HOSTILE_MEMBER = "dir\x1b[5m\x9b"  # the folder inside that zip
# The visible forms a reader must find: the sequence shown, not played.
VISIBLE = ("\\x1b[2J", "\\x1b]0;owned\\x07", "\\x9b2J", "\\u202etxt.exe", "[bold green]25/25[/]")

SUBMISSION = REFERENCE.replace(
    "    return a + b\n",
    f"    print({HOSTILE!r})\n    raise type({EXCEPTION_CLASS!r}, (ValueError,), {{}})({HOSTILE!r})\n",
).replace(
    "        self.count += 1\n        return self.count\n",
    f"        print({HOSTILE!r})\n        return type({OBJECT_CLASS!r}, (), {{}})()\n",
)
assert SUBMISSION.count("print(") == 2, "the reference changed: rewrite SUBMISSION"

# The workflow commands GitHub's runner knows (actions/runner, ActionCommandManager and its extensions).
RUNNER_COMMANDS = {
    "add-mask",
    "add-matcher",
    "add-path",
    "debug",
    "echo",
    "endgroup",
    "error",
    "group",
    "notice",
    "remove-matcher",
    "save-state",
    "set-env",
    "set-output",
    "stop-commands",
    "warning",
}


@pytest.mark.parametrize(
    ("raw", "text", "line"),
    [
        ("tab\tnew\nline", "tab\tnew\nline", "tab\\tnew\\nline"),
        ("crlf\r\nlone cr\r!", "crlf\nlone cr\\r!", "crlf\\r\\nlone cr\\r!"),
        ("\x00\x07\x08\x0b\x0c\x1f\x7f", "\\x00\\x07\\x08\\x0b\\x0c\\x1f\\x7f", "\\x00\\x07\\x08\\x0b\\x0c\\x1f\\x7f"),
        (
            "\x1b[1;32mok\x1b[0m \x1b]0;t\x07",
            "\\x1b[1;32mok\\x1b[0m \\x1b]0;t\\x07",
            "\\x1b[1;32mok\\x1b[0m \\x1b]0;t\\x07",
        ),
        ("c1 \x80\x85\x9b\x9f", "c1 \\x80\\x85\\x9b\\x9f", "c1 \\x80\\x85\\x9b\\x9f"),
        ("\u202aa\u202eb\u2066c\u2069", "\\u202aa\\u202eb\\u2066c\\u2069", "\\u202aa\\u202eb\\u2066c\\u2069"),
        (
            "lone\ud800 \ufffe\uffff \u2028\u2029",
            "lone\\ud800 \\ufffe\\uffff \\u2028\\u2029",
            "lone\\ud800 \\ufffe\\uffff \\u2028\\u2029",
        ),
        ("한글 🙂 \\x1b typed, \u00a0nbsp", "한글 🙂 \\x1b typed, \u00a0nbsp", "한글 🙂 \\x1b typed, \u00a0nbsp"),
    ],
)
def test_the_sanitizer_shows_every_control_and_deceptive_character(raw: str, text: str, line: str) -> None:
    assert (safe_text(raw), safe_line(raw)) == (text, line)
    assert (safe_text(text), safe_line(line)) == (text, line), "applying it again changes nothing"
    text.encode("utf-8"), line.encode("utf-8")  # always encodable (no lone surrogate left)


def test_results_are_inert_however_they_are_made() -> None:
    """Text that never crossed the worker's wire (a file name, a note, a check's own message quoting a
    value) is made inert by the result model itself, so no renderer can miss it."""
    hostile = check("c", "error", 1, message=HOSTILE, hint=HOSTILE, output=HOSTILE, traceback=HOSTILE)
    result = assignment("a", [hostile], file=FOLDER + "/a.py", error=HOSTILE, notes=(HOSTILE,))
    assert dataclasses.replace(result, error=HOSTILE).error == result.error == safe_text(HOSTILE)
    report = grade_report([result], hidden_ran=True, language="en", duration_s=1.0)
    for rendered in (
        jsonreport.render(report),
        gradescope.render(report),
        junit.render(report),
        github.render(report),
        github.step_summary(report),
        _terminal(report),
    ):
        assert_inert(rendered)
        rendered.encode("utf-8")


def _terminal(report: GradeReport) -> str:
    console = Console(file=io.StringIO(), width=200, force_terminal=True, color_system="truecolor")
    print_report(report, console, verbose=True)
    return re.sub(r"\x1b\[[0-9;]*m", "", console.file.getvalue())  # rich's own colours are the only escapes left


# -- one submission, every `grader grade` format ----------------------------------------------------------


@pytest.fixture
def submission(mini_course: Path, tmp_path: Path) -> Path:
    folder = tmp_path / FOLDER
    folder.mkdir()
    (folder / "vectors.py").write_text(SUBMISSION, encoding="utf-8")
    return folder


def grade(course: Path, submission: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`grader grade` of the hostile submission, run from the folder that holds it (so its name is in the report)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    environment.update({"COLUMNS": "500", **(env or {})})  # wide: rich must not wrap the text it is checked for
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "grade",
            "--course",
            str(course),
            "--submission",
            submission.name,
            "--timeout",
            "2",
            *args,
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=120,
        env=environment,
        cwd=submission.parent,
    )
    assert completed.returncode == 0, completed.stderr
    if "FORCE_COLOR" not in environment:  # a forced terminal gets the status line's cursor controls on stderr
        assert_inert(completed.stderr)
    return completed


def test_the_terminal_shows_the_text_and_plays_none_of_it(mini_course: Path, submission: Path) -> None:
    shown = grade(mini_course, submission, "--verbose").stdout
    assert_inert(shown)
    assert_visible(shown)
    assert safe_line(EXCEPTION_CLASS) in shown and safe_line(OBJECT_CLASS) in shown


def test_a_colour_terminal_gets_only_the_graders_own_styling(mini_course: Path, submission: Path) -> None:
    completed = grade(mini_course, submission, "--verbose", env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"})
    assert "owned" not in completed.stderr, "the status line names no student text"
    shown = completed.stdout
    assert "\x1b[" in shown, "rich styles a terminal's report"
    # Every ESC left starts one of rich's own colour sequences (SGR): nothing clears, moves or retitles.
    assert_inert(re.sub(r"\x1b\[[0-9;]*m", "", shown))
    assert_visible(re.sub(r"\x1b\[[0-9;]*m", "", shown))


def test_json(mini_course: Path, submission: Path) -> None:
    document = json.loads(grade(mini_course, submission, "--format", "json").stdout)
    assert_inert_strings(document)
    (assignment,) = document["assignments"]
    assert assignment["file"] == f"{safe_line(FOLDER)}/vectors.py"
    checks = {check["name"]: check for check in assignment["checks"]}
    assert_visible(checks["add_small"]["message"] + checks["add_small"]["output"])
    assert (
        safe_line(EXCEPTION_CLASS) in checks["add_small"]["message"]
        and safe_line(OBJECT_CLASS) in checks["counter_counts"]["message"]
    )


def test_gradescope(mini_course: Path, submission: Path, tmp_path: Path) -> None:
    grade(mini_course, submission, "--format", "gradescope", "--output", str(tmp_path / "results.json"))
    document = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert_inert_strings(document)
    assert_visible("".join(test["output"] for test in document["tests"]))


def test_junit(mini_course: Path, submission: Path, tmp_path: Path) -> None:
    grade(mini_course, submission, "--format", "junit", "--output", str(tmp_path / "junit.xml"), "--verbose")
    root = ET.parse(tmp_path / "junit.xml").getroot()
    texts = [text for element in root.iter() for text in (element.text or "", *element.attrib.values())]
    assert_inert_strings(texts)
    assert_visible("".join(texts))
    assert {case.get("file") for case in root.iter("testcase")} == {f"{safe_line(FOLDER)}/vectors.py"}


@pytest.mark.slow
def test_github_annotations_and_job_summary(mini_course: Path, submission: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    completed = grade(
        mini_course,
        submission,
        "--format",
        "github",
        env={"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"},
    )
    log = completed.stdout + completed.stderr
    assert_inert(log)
    # The runner acts on the grader's own lines only: an ::error for each check that did not pass (add
    # raises in add_small and add_random, Counter.tick returns an object), then the ::notice.
    commands = workflow_commands(log)
    assert [
        (name, re.search(r"title=vectors%3A (\w+)", properties)[1] if name == "error" else "")
        for name, properties, _ in commands
    ] == [("error", "add_small"), ("error", "add_random"), ("error", "counter_counts"), ("notice", "")]
    assert len(completed.stdout.splitlines()) == len(commands)
    add_small = next(data for _, properties, data in commands if "add_small" in properties)
    assert_visible(add_small)
    assert "::error file=x.py,line=1::forged" in add_small and "%0A %25" in add_small  # shown, literally
    markdown = summary.read_text(encoding="utf-8")
    assert_inert(markdown)
    assert_visible(re.sub(r"\\(.)", r"\1", markdown))  # GFM shows a backslash-escaped character as itself


@pytest.mark.parametrize("output_format", ["text", "json", "junit", "gradescope"])
def test_other_formats_on_a_github_runner_trigger_no_workflow_command(
    mini_course: Path, submission: Path, output_format: str
) -> None:
    """The runner reads `##[command]` anywhere in a line: any report on stdout could carry one, so
    the grader pauses command processing around it, with a token the student cannot know."""
    completed = grade(mini_course, submission, "--format", output_format, "--verbose", env={"GITHUB_ACTIONS": "true"})
    assert "##[set-output" in completed.stdout  # the student's text is there...
    assert workflow_commands(completed.stdout + completed.stderr) == []  # ...and the runner ignores it


def test_off_a_github_runner_nothing_is_added(mini_course: Path, submission: Path) -> None:
    assert "stop-commands" not in grade(mini_course, submission, "--format", "json").stdout


CHECK_SEEING_THE_EXCEPTION = """
from grader import check, expect
from grader.sandbox.errors import StudentError


@check(points=1)
def the_parent_gets_inert_text(student):
    try:
        student.add(1.0, 2.0)
    except StudentError as error:
        texts = (error.type_name, error.message, error.traceback, *error.class_names)
        expect.true(all(text.isprintable() for t in texts for text in t.split("\\n")), "raw text: " + ascii(texts))
        expect.true("\\\\x1b[2J" in error.message and "\\\\x1b[2J" in error.type_name, "not shown: " + ascii(texts))
    else:
        expect.true(False, "add did not raise")
"""


def test_the_trusted_parent_never_holds_the_raw_text(mini_course: Path, submission: Path) -> None:
    """Where the worker's text enters the parent, it is already inert: a check (trusted code) that
    handles the student's exception gets the visible form, not the escape codes."""
    with_checks(mini_course, CHECK_SEEING_THE_EXCEPTION)
    (result,) = json.loads(grade(mini_course, submission, "--format", "json", "--public-only").stdout)["assignments"]
    assert [(c["name"], c["status"], c["message"]) for c in result["checks"]] == [
        ("the_parent_gets_inert_text", "passed", "")
    ]


# -- a batch: student ids from folder and zip names --------------------------------------------------------


@pytest.mark.slow
def test_batch_gradebook_report_and_results(mini_course: Path, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / HOSTILE_ID).mkdir(parents=True)
    (subs / HOSTILE_ID / "vectors.py").write_text(SUBMISSION, encoding="utf-8")
    write_zip(subs / f"{HOSTILE_ZIP}.zip", {f"{HOSTILE_MEMBER}/vectors.py": f"raise RuntimeError({HOSTILE!r})\n"})
    out = tmp_path / "out"
    environment = {**os.environ, "GITHUB_ACTIONS": "true"}
    completed = run_grader_process(
        "batch",
        str(subs),
        "--course",
        str(mini_course),
        "--out",
        str(out),
        "--jobs",
        "1",
        "--timeout",
        "2",
        env=environment,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    assert_inert(completed.stdout + completed.stderr)
    assert workflow_commands(completed.stdout + completed.stderr) == []

    grades = (out / "grades.csv").read_text(encoding="utf-8-sig")
    assert_inert(grades.replace("\r\n", "\n"), keep="\n")  # CRLF ends the rows; no cell holds a line break
    rows = {row[0]: row for row in csv.reader(io.StringIO(grades, newline=""))}
    assert set(rows) == {"student", safe_line(HOSTILE_ID), safe_line(HOSTILE_ZIP)}
    assert "\\x1b]0;owned\\x07" in rows[safe_line(HOSTILE_ZIP)][-1], "the import error, shown"
    assert_inert((out / "checks.csv").read_text(encoding="utf-8-sig").replace("\r\n", "\n"), keep="\n")

    page = (out / "report.html").read_text(encoding="utf-8")
    assert_inert(page)
    assert safe_line(HOSTILE_ID) in page and "\\x1b]0;owned\\x07" in page

    for path in (out / "results").glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        record.pop("student")  # the id is the record's key (its file name): kept as the folder is named
        assert_inert_strings(record)
    zipped = json.loads((out / "results" / f"{HOSTILE_ZIP}.json").read_text(encoding="utf-8"))
    assert zipped["assignments"][0]["file"] == f"{safe_line(HOSTILE_ZIP)}.zip/{safe_line(HOSTILE_MEMBER)}/vectors.py"


# -- what "inert" means ------------------------------------------------------------------------------------

BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def assert_inert(text: str, keep: str = "\n\t") -> None:
    """No control character (C0 but ``keep``, DEL, C1) and no bidi control in ``text``."""
    stray = sorted(
        {char for char in text if (unicodedata.category(char) == "Cc" and char not in keep) or char in BIDI_CONTROLS}
    )
    assert not stray, f"raw control or bidi characters reached the output: {stray}"


def assert_visible(text: str) -> None:
    """The student's text is there for a reader, in its visible form."""
    missing = [form for form in VISIBLE if form not in text]
    assert not missing, f"not shown: {missing}"


def assert_inert_strings(document: object) -> None:
    for text in strings(document):
        assert_inert(text)


def strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def workflow_commands(log: str) -> list[tuple[str, str, str]]:
    """(name, properties, data) of each line of ``log`` GitHub's runner would act on, parsed as it does
    (actions/runner ActionCommand.TryParseV2, then TryParse): ``::name props::data`` after leading
    whitespace, else ``##[name props]data`` anywhere in the line; ``stop-commands`` pauses all others
    until a line names its token."""
    commands: list[tuple[str, str, str]] = []
    stopped_by: str | None = None
    for line in re.split(r"\r\n|\r|\n", log):
        known = RUNNER_COMMANDS | ({stopped_by} if stopped_by else set())
        command = _parse_v2(line, known) or _parse_v1(line, known)
        if command is None:
            continue
        name, _, data = command
        if stopped_by is not None:
            stopped_by = None if name == stopped_by else stopped_by
        elif name == "stop-commands":
            stopped_by = data
        else:
            commands.append(command)
    return commands


def _parse_v2(line: str, known: set[str]) -> tuple[str, str, str] | None:
    line = line.lstrip()
    end = line.find("::", 2)
    if not line.startswith("::") or end < 0:
        return None
    name, _, properties = line[2:end].partition(" ")
    return (name, properties, _unescape(line[end + 2 :])) if name in known else None


def _parse_v1(line: str, known: set[str]) -> tuple[str, str, str] | None:
    start = line.find("##[")
    end = line.find("]", start)
    if start < 0 or end < 0:
        return None
    name, _, properties = line[start + 3 : end].partition(" ")
    return (name, properties, line[end + 1 :]) if name in known else None


def _unescape(data: str) -> str:
    return data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
