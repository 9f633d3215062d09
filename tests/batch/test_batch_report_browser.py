"""The class report as a browser shows it: headless Chromium loads the page, runs its JS, and screenshots it.

The screenshot is kept as a test artifact (``$GRADER_TEST_ARTIFACTS`` or ``tests/artifacts/``) to look at.
Chromium runs in its own process group with a private profile and HOME under the test's folder, and
the whole group is killed when the test is done (or times out).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from grader.frontends.batch.htmlreport import write_report
from grader.frontends.batch.stats import class_stats
from tests.batch.helpers import record
from tests.optional import unavailable

ATTACK = '<script>document.title="pwned"</script><img src=x onerror="document.title=1">'
ARTIFACTS = Path(os.environ.get("GRADER_TEST_ARTIFACTS", Path(__file__).parents[1] / "artifacts"))
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
TIMEOUT_S = 90


def chromium_binary() -> str:
    """The Chromium to run. Without one, the test is skipped with the reason, except in CI (env CI set),
    where .ci/run installs it and its absence is a failure."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        unavailable(
            "Chromium is not installed: these tests open the class report in it (Debian: apt-get install chromium "
            "fonts-nanum, as .ci/run does)"
        )
    return binary


def chromium(tmp_path: Path, *args: str) -> str:
    """Run Chromium with ``args``; its stdout. The process group is always killed afterwards."""
    binary = chromium_binary()
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    # Chromium puts a Unix socket in TMPDIR, and pytest's folders are longer than a socket path may be.
    short_tmp = tempfile.mkdtemp(prefix="chr-", dir="/tmp")
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TMPDIR": short_tmp,
    }
    browser = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = browser.communicate(timeout=TIMEOUT_S)
    finally:
        try:
            os.killpg(browser.pid, signal.SIGKILL)  # helpers it started (zygote, crashpad) go too
        except ProcessLookupError:
            pass
        browser.wait()
        shutil.rmtree(short_tmp, ignore_errors=True)
    assert browser.returncode == 0, stderr[-2000:]
    assert not live_processes_mentioning(str(tmp_path / "profile"))
    return stdout


def live_processes_mentioning(text: str) -> list[int]:
    """Pids of running (not zombie) processes whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def sample_report(tmp_path: Path) -> tuple[Path, list[str]]:
    """A report of a small class with a hostile student id; the ids in descending order of percent."""
    percents = {"alice": 100.0, "bob": 35.0, ATTACK: 62.5, "김민준": 87.5, "dan": 0.0, "eve": 35.0}

    def checks(p):
        return {
            "add_small": ("passed" if p >= 50 else "failed", ATTACK),
            "norm_345": ("passed" if p > 0 else "error", "boom"),
        }

    records = [record(student, percent, checks(percent)) for student, percent in percents.items()]
    records.append(record("zed", None, error=ATTACK))
    path = write_report(tmp_path, class_stats(records), "딥러닝 수학 실습 (Deep-learning math)")
    order = sorted(percents, key=lambda s: (-percents[s], s)) + ["zed"]  # equal scores by id; ungraded last
    return path, order


def test_the_report_renders_sorts_on_request_and_shows_student_text_as_text(tmp_path: Path) -> None:
    path, expected_order = sample_report(tmp_path)
    dom = chromium(tmp_path, "--dump-dom", path.as_uri() + "#sort=percent:desc")
    rows = re.findall(r'<tr [^>]*data-student="([^"]*)"', dom)

    def unescape(text):
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")

    assert [unescape(row) for row in rows] == expected_order  # the page's JS sorted the table
    assert 'data-sorted="percent:desc"' in dom and 'aria-sort="descending"' in dom
    assert dom.count("<script") == 1 and "<img" not in dom and "pwned" not in re.search(r"<title>(.*)</title>", dom)[1]
    assert len(re.findall(r'<rect class="bin"', dom)) == 10 and "Most common failures" in dom


def test_a_screenshot_of_the_report_is_kept_as_an_artifact(tmp_path: Path) -> None:
    path, _ = sample_report(tmp_path)
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", path.as_uri())
    width, height, rows = png_rows(shot.read_bytes())
    assert (width, height) == (1280, 2000)
    assert len(set(rows)) > 200, "the page rendered as a nearly uniform image"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "batch_report.png")


def png_rows(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the (filtered) scanlines of an 8-bit RGB or RGBA PNG: enough to tell blank from drawn."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, compressed, width, height, bytes_per_pixel = 8, b"", 0, 0, 0
    while position < len(data):
        (length,), kind = struct.unpack(">I", data[position : position + 4]), data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6)
            bytes_per_pixel = 3 if color == 2 else 4
        elif kind == b"IDAT":
            compressed += body
        position += 12 + length
    raw = zlib.decompress(compressed)
    stride = width * bytes_per_pixel + 1
    return width, height, [raw[row * stride : (row + 1) * stride] for row in range(height)]


def test_without_chromium_the_browser_tests_skip_with_the_reason_but_fail_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no chromium on it
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed: .*apt-get install chromium"):
        chromium_binary()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="in CI \\(CI='true'\\) it must run, not be skipped"):
        chromium_binary()
