"""The gradebook CSVs and the statistics behind them, from stored records (no grading needed)."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

from grader.frontends.batch.gradebook import neutralise, write_gradebook
from grader.frontends.batch.htmlreport import render_report
from grader.frontends.batch.records import read_record, result_path, write_record
from grader.frontends.batch.stats import class_stats
from grader.safetext import safe_line
from tests.batch.helpers import record


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel reads Korean correctly"
    assert b"\r\n" in raw
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def test_grades_csv_has_a_row_per_student_and_columns_per_assignment_total_and_percent(tmp_path: Path) -> None:
    stats = class_stats(
        [
            record("bob", 50.0, {"a": ("passed", ""), "b": ("failed", "off")}, title="벡터 기초"),
            record("alice", 100.0, {"a": ("passed", ""), "b": ("passed", "")}, title="벡터 기초"),
            record("carl", None, error="carl.zip cannot be read as a zip file"),
        ]
    )
    grades, assignments, _ = write_gradebook(tmp_path, stats)
    header, *rows = read_csv(grades)
    assert header == ["student", "vectors", "total", "max_score", "percent", "status", "error"]  # ids a formula can use
    assert rows == [
        ["alice", "2", "2", "2", "100", "graded", ""],
        ["bob", "1", "1", "2", "50", "graded", ""],
        ["carl", "", "", "", "", "error", "carl.zip cannot be read as a zip file"],
    ]
    assert read_csv(assignments) == [
        ["id", "title", "max_score", "submitted", "mean_percent", "full_marks"],
        ["vectors", "벡터 기초", "2", "2", "75", "1"],
    ]  # each id with its title


def test_cells_that_a_spreadsheet_would_evaluate_are_neutralised(tmp_path: Path) -> None:
    hostile = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "plain", "a=b"]
    stats = class_stats([record(student, 100.0) for student in hostile])
    grades, *_ = write_gradebook(tmp_path, stats)
    ids = [row[0] for row in read_csv(grades)[1:]]
    assert sorted(ids) == sorted(neutralise(safe_line(student)) for student in hostile)  # a tab shows as \t
    assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for cell in ids)
    assert "plain" in ids and "a=b" in ids and '\'=HYPERLINK("http://x")' in ids


def test_checks_csv_counts_each_status_and_the_pass_rate(tmp_path: Path) -> None:
    statuses = ["passed", "passed", "failed", "error", "timeout", "not_run"]
    stats = class_stats(
        [
            record(f"s{i}", 50.0, {"add_small": (status, "m"), "norm": ("passed", "")})
            for i, status in enumerate(statuses)
        ]
    )
    *_, checks = write_gradebook(tmp_path, stats)
    header, add_small, norm = read_csv(checks)
    row = dict(zip(header, add_small))
    counts = ("check", "students", "passed", "failed", "error", "timeout", "not_run")
    assert tuple(row[column] for column in counts) == ("add_small", "6", "2", "1", "1", "1", "1")
    assert row["pass_rate_percent"] == "33.33" and dict(zip(header, norm))["pass_rate_percent"] == "100"


def test_checks_not_run_are_not_counted_among_common_failures() -> None:
    not_run = "depends on `add_small`, which failed: fix that first"
    records = [
        record(f"s{i}", 0.0, {"add_small": ("failed", "wrong sign"), "doubled": ("not_run", not_run)}) for i in range(3)
    ]
    assert [(f.check, f.count) for f in class_stats(records).failures] == [("add_small", 3)]


def test_histogram_means_and_common_failures_are_computed_from_the_records() -> None:
    percents = [0.0, 9.99, 10.0, 55.0, 99.9, 100.0, 100.0]
    records = [
        record(f"s{i}", p, {"add": ("failed", f"max abs error {p + 0.5} at [1, {i}]")} if p < 100 else None)
        for i, p in enumerate(percents)
    ]
    stats = class_stats(records + [record("broken", None)])
    assert stats.histogram == [2, 1, 0, 0, 0, 1, 0, 0, 0, 3] and stats.errors == 1
    assert abs(stats.mean_percent - sum(percents) / len(percents)) < 1e-9 and stats.median_percent == 55.0
    (failure,) = stats.failures  # five messages differing only in numbers count as one
    assert failure.count == 5 and failure.check == "add" and failure.message.startswith("max abs error 0.5")


def test_a_record_survives_the_round_trip_and_a_damaged_file_reads_as_missing(tmp_path: Path) -> None:
    original = record("김민준", 75.0)
    write_record(tmp_path, original)
    assert read_record(result_path(tmp_path, "김민준")) == original
    result_path(tmp_path, "김민준").write_text('{"student": "김민준", "batch": ')
    assert read_record(result_path(tmp_path, "김민준")) is None


class _Elements(HTMLParser):
    """Counts start tags and collects text, as a browser's parser would see the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_everything_from_students_is_escaped_in_the_report() -> None:
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    stats = class_stats(
        [
            record(attack, 50.0, {"add": ("failed", attack)}, title=f"title {attack}"),
            record('"quoted" & <b>', None, error=attack),
        ]
    )
    page = render_report(stats, f"course {attack}")
    parser = _Elements()
    parser.feed(page)
    assert parser.tags.count("script") == 1 and "img" not in parser.tags and "b" not in parser.tags
    assert attack in "".join(parser.text)  # shown as text, intact
    assert "http" not in page.split("<script>")[0].replace("http-equiv", "")  # nothing loaded from the network


def test_common_failures_survive_when_most_messages_are_unique(monkeypatch) -> None:
    import grader.frontends.batch.stats as stats_module

    monkeypatch.setattr(stats_module, "_MAX_FAILURE_KINDS", 5)  # forget one-off messages early
    unique = [
        record(f"u{i}", 0.0, {"add": ("error", "raised KeyError: '" + chr(ord("a") + i) * 3 + "'")}) for i in range(20)
    ]
    common = [record(f"c{i}", 0.0, {"add": ("failed", f"expected 4.0, got {i}.5")}) for i in range(6)]
    stats = class_stats(iter(unique[:10] + common + unique[10:]))  # one record at a time, from any iterable
    assert stats.failures[0].count == 6 and stats.failures[0].message == "expected 4.0, got 0.5"
    assert len(stats.rows) == 26 and stats.checks[0].runs == 26


def test_students_who_handed_in_nothing_are_counted_apart_from_the_graded(tmp_path: Path) -> None:
    stub = "vectors.py is still the published stub: nothing submitted yet"
    both = {"add_small": ("passed", ""), "norm": ("passed", "")}
    stats = class_stats(
        [
            record("alice", 100.0, both),
            record("bob", 50.0, {"add_small": ("passed", ""), "norm": ("failed", "off")}),
            record("empty", 0.0, {"add_small": ("error", stub), "norm": ("error", stub)}, error=stub, submitted=False),
            record("zip", None, error="zip.zip cannot be read as a zip file"),
        ]
    )
    assert [row.status for row in stats.rows] == ["graded", "graded", "not_submitted", "error"]
    assert (len(stats.graded), stats.not_submitted, stats.errors) == (2, 1, 1)
    assert stats.mean_percent == 75.0 and sum(stats.histogram) == 2  # the students who submitted
    (vectors,) = stats.assignments
    assert (vectors.submitted, vectors.mean_percent) == (2, 75.0)
    assert {check.name: check.runs for check in stats.checks} == {"add_small": 2, "norm": 2}
    assert [failure.message for failure in stats.failures] == ["off"]  # "still the stub" is not a failure of the class
    grades, *_ = write_gradebook(tmp_path, stats)
    assert read_csv(grades)[3] == ["empty", "0", "0", "2", "0", "not_submitted", ""]
    page = render_report(stats, "course")
    assert (
        'data-card="not_submitted"><div class="number">1<' in page
        and 'data-card="graded"><div class="number">2<' in page
    )
    assert 'data-status="not_submitted"' in page and "not submitted" in page


def test_each_common_failure_names_its_students_with_links_to_their_rows() -> None:
    failing = {f"s{i}": ("failed", f"expected 4.0, got {i}") for i in range(3)}
    stats = class_stats(
        [record(student, 0.0, {"add": status}) for student, status in failing.items()] + [record("ok", 100.0)]
    )
    (failure,) = stats.failures
    assert failure.students == ("s0", "s1", "s2")
    page = render_report(stats, "course")
    for student in failure.students:
        anchor = re.search(rf'<tr id="([^"]+)" data-student="{student}"', page)[1]
        assert f'<a href="#{anchor}">{student}</a>' in page
    many = class_stats([record(f"s{i:02}", 0.0, {"add": ("failed", "off")}) for i in range(20)])
    folded = render_report(many, "course")
    assert "<details><summary>20 students</summary>" in folded and folded.count('<a href="#student-') == 20


def test_the_report_speaks_the_runs_language() -> None:
    stats = class_stats([record("alice", 100.0), record("bob", 0.0, {"add": ("failed", "틀렸습니다")}, submitted=True)])
    korean, english = render_report(stats, "course", "ko"), render_report(stats, "course", "en")
    assert '<html lang="ko">' in korean and "<h2>가장 흔한 실패</h2>" in korean and "<h2>점수 분포</h2>" in korean
    assert "Most common failures" not in korean and "Score distribution" not in korean and ">students<" not in korean
    assert '<html lang="en">' in english and "<h2>Most common failures</h2>" in english
