"""A batch's output folder as a whole: results, gradebook, report, and the manifest that ties them.

``OUT/batch.json`` (the manifest) names the course, its fingerprint, the shard and the students this
output answers for. The gradebook and the report are always rebuilt from the result files of those
students, so a resumed run, a single shard and a merge of shards all produce them the same way.
Merging shards needs only their output folders: everything comes from the stored results.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.atomic import write_atomic
from grader.errors import UsageError
from grader.frontends.batch.gradebook import write_gradebook
from grader.frontends.batch.htmlreport import write_report
from grader.frontends.batch.records import RESULTS_DIR, StudentRecord, read_record, read_records, result_path
from grader.frontends.batch.stats import ClassStats, class_stats
from grader.i18n import LANGUAGES
from grader.sandbox.layers import SandboxLayers

MANIFEST_FILE = "batch.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """What an output folder holds."""

    course_title: str
    """The course's title (the report's heading)."""
    course_hash: str
    """Fingerprint of the course, grader and options the results were graded with."""
    shard: str
    """``K/N`` for one shard, ``merged`` for a merge of several."""
    students: tuple[str, ...]
    """The students this output answers for, by id."""
    submission_times: str = ""
    """Digest of the ``--submitted-at`` times it was graded with (``times_digest``; "" without, "mixed"
    for a merge of shards graded with different ones)."""
    sandbox: SandboxLayers | None = None
    """The fences its students' code ran behind (for a merge: what held in every shard); None when unknown
    (written by a grader before this was recorded)."""
    language: str = "en"
    """The language of the run: its messages, and the report's words (a merge keeps the first shard's)."""


@dataclass(frozen=True)
class Outputs:
    """The files written and the statistics they show."""

    stats: ClassStats
    """The class's statistics."""
    files: tuple[Path, ...]
    """grades.csv, assignments.csv, checks.csv, report.html."""


def write_outputs(out_dir: Path, manifest: Manifest) -> Outputs:
    """Write the manifest, then the gradebook and report from the results of ``manifest.students``."""
    document = {
        "format_version": MANIFEST_VERSION,
        **asdict(manifest),
        "sandbox": manifest.sandbox.to_dict() if manifest.sandbox is not None else None,
    }
    write_atomic(out_dir / MANIFEST_FILE, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    stats = class_stats(_stored(out_dir, manifest.students))
    tables = write_gradebook(out_dir, stats)
    report = write_report(out_dir, stats, manifest.course_title, manifest.language)
    return Outputs(stats, (*tables, report))


def _stored(out_dir: Path, students: tuple[str, ...]) -> Iterator[StudentRecord]:
    """The stored records of ``students``, read one at a time (a class's reports never all in memory)."""
    for student in students:
        record = read_record(result_path(out_dir, student))
        if record is not None and record.student == student:
            yield record


def read_manifest(out_dir: Path) -> Manifest:
    path = out_dir / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        sandbox = SandboxLayers.from_dict(data["sandbox"]) if data.get("sandbox") else None
        language = data.get("language") if data.get("language") in LANGUAGES else "en"
        return Manifest(
            course_title=str(data["course_title"]),
            course_hash=str(data["course_hash"]),
            shard=str(data["shard"]),
            students=tuple(map(str, data["students"])),
            # the last three are absent from earlier versions' manifests
            submission_times=str(data.get("submission_times", "")),
            sandbox=sandbox,
            language=language,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"{path}: not the output of `grader batch` ({type(exc).__name__}: {exc})",
            "pass the --out folders of finished `grader batch` runs",
        ) from None


def merge(sources: list[Path], target: Path) -> tuple[Outputs, list[str]]:
    """Combine the outputs of shards into ``target``; returns the outputs and warnings to show."""
    manifests = [read_manifest(source) for source in sources]
    warnings = _mixed_courses(sources, manifests) + _mixed_times(sources, manifests)
    chosen: dict[str, StudentRecord] = {}
    origin: dict[str, Path] = {}
    for source, manifest in zip(sources, manifests):
        records = read_records(source)
        for student in manifest.students:
            record = records.get(student)
            if record is None:
                warnings.append(f"{source}: no result for {student!r} (an interrupted run?); re-run that shard")
            elif student in chosen:
                warnings.append(f"{student!r} is in both {origin[student]} and {source}; keeping the later result")
                if record.graded_at >= chosen[student].graded_at:
                    chosen[student], origin[student] = record, source
            else:
                chosen[student], origin[student] = record, source
    for student, source in origin.items():
        _copy_result(result_path(source, student), result_path(target, student))
    times = {manifest.submission_times for manifest in manifests}
    known = [manifest.sandbox for manifest in manifests if manifest.sandbox is not None]
    sandbox = SandboxLayers.common(known) if len(known) == len(manifests) else None
    merged = Manifest(
        course_title=manifests[0].course_title,
        course_hash=manifests[0].course_hash,
        shard="merged",
        students=tuple(sorted(chosen)),
        submission_times=times.pop() if len(times) == 1 else "mixed",
        sandbox=sandbox,
        language=manifests[0].language,
    )
    return write_outputs(target, merged), warnings


def _mixed_courses(sources: list[Path], manifests: list[Manifest]) -> list[str]:
    hashes = {manifest.course_hash for manifest in manifests}
    if len(hashes) == 1:
        return []
    listing = ", ".join(f"{source} ({manifest.course_hash[:12]})" for source, manifest in zip(sources, manifests))
    return [
        f"the shards were graded with different courses, graders or options: {listing}; grades may not be comparable"
    ]


def _mixed_times(sources: list[Path], manifests: list[Manifest]) -> list[str]:
    if len({manifest.submission_times for manifest in manifests}) == 1:
        return []
    listing = ", ".join(
        f"{source} ({manifest.submission_times[:12] or 'none'})" for source, manifest in zip(sources, manifests)
    )
    return [
        f"the shards were graded with different submission times (--submitted-at): {listing}; each student's late "
        "penalty follows the times of their own shard. Re-run the shards with the same file if that is not what "
        "you meant"
    ]


def _copy_result(source: Path, destination: Path) -> None:
    if source.resolve() != destination.resolve():
        write_atomic(destination, source.read_text(encoding="utf-8"))


__all__ = ["MANIFEST_FILE", "Manifest", "Outputs", "RESULTS_DIR", "merge", "read_manifest", "write_outputs"]
