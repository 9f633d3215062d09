#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (written by `grader publish`).
# It installs Python and the grader's dependencies at the versions the grader was tested with
# (requirements.txt pins every one); the grader itself is in source/grader/.
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON_VERSION=3.11  # the Python the pinned versions were tested with (numpy's pinned wheel needs >= 3.11)
PYTHON="python$PYTHON_VERSION"

if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --no-install-recommends "$PYTHON" "$PYTHON-venv"
fi
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet -r "$SOURCE/requirements.txt"

# Reference solutions and hidden checks: readable by root only (graded code runs as `nobody`).
find "$SOURCE/course/solutions" -type d -exec chmod 700 {} +
find "$SOURCE/course/solutions" -type f -exec chmod 600 {} +
