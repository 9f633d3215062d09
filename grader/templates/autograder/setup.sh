#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (written by `grader publish`).
# It installs Python and the grader's dependencies; the grader itself is in source/grader/.
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"

if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --no-install-recommends python3 python3-venv python3-pip
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet --upgrade pip
"$ROOT/venv/bin/pip" install --quiet -r "$SOURCE/requirements.txt"

# Reference solutions and hidden checks: readable by root only (graded code runs as `nobody`).
find "$SOURCE/course/solutions" -type d -exec chmod 700 {} +
find "$SOURCE/course/solutions" -type f -exec chmod 600 {} +
