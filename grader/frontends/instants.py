"""When a submission was made: every source of that time (``--submitted-at``, Gradescope's metadata, a
batch's times file) is read here, the same way."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from grader.errors import UsageError


def submission_time(submitted_at: str | None, metadata: Path | None) -> datetime | None:
    """When the submission was made: an ISO 8601 instant, or Gradescope's submission_metadata.json."""
    if submitted_at is not None:
        return parse_instant(submitted_at, "--submitted-at")
    if metadata is None:
        return None
    try:
        created_at = json.loads(metadata.read_text(encoding="utf-8"))["created_at"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"{metadata}: no readable created_at field ({exc})", "pass Gradescope's submission_metadata.json"
        ) from None
    return parse_instant(str(created_at), f"{metadata}: created_at")


def parse_instant(text: str, where: str) -> datetime:
    """``text`` as an ISO 8601 instant; one with no UTC offset is refused (its time zone would be a guess).

    Every source of a submission time (``grader grade --submitted-at``, Gradescope's metadata, the
    times file of ``grader batch``) goes through here, so they accept the same texts; ``where``
    names the source in the error.
    """
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise UsageError(
            f"{where}: {text!r} is not a date and time with a UTC offset", "write e.g. 2026-12-01T23:59:00+09:00"
        )
    return value
