#!/usr/bin/env bash
# Gradescope runs this, as root, for every submission (written by `grader publish`): it grades
# $ROOT/submission with every check, hidden ones included, and writes $ROOT/results/results.json.
#
#   AUTOGRADER_ROOT    the Gradescope layout's root (default /autograder; tests use a temporary folder)
#   AUTOGRADER_PYTHON  the Python with the grader's dependencies (default: the venv setup.sh made)
#   AUTOGRADER_FORMAT  the report format of results.json (default gradescope)
#   AUTOGRADER_ALLOW_UNCONFINED=1  grade hidden checks even where seccomp and Landlock cannot confine the
#                      submission (by default such a run stops with an error instead of a grade)
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
COURSE="$SOURCE/course"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
FORMAT="${AUTOGRADER_FORMAT:-gradescope}"

# Again, in case the image was built without setup.sh's permissions: graded code runs under a uid of
# its own (the grader drops to it when it runs as root) and must not open a reference or a hidden check
# even where Landlock is missing.
find "$COURSE/solutions" -type d -exec chmod 700 {} +
find "$COURSE/solutions" -type f -exec chmod 600 {} +

SUBMISSION="$ROOT/submission"
# A whole repository submitted from GitHub keeps the course layout: grade its assignments/ folder.
if [ -d "$SUBMISSION/assignments" ]; then
  SUBMISSION="$SUBMISSION/assignments"
fi

mkdir -p "$ROOT/results"
args=(grade --course "$COURSE" --submission "$SUBMISSION" --format "$FORMAT" --output "$ROOT/results/results.json"
      --require-confinement)
if [ "${AUTOGRADER_ALLOW_UNCONFINED:-0}" = 1 ]; then
  args+=(--allow-unconfined)
fi
if [ -f "$ROOT/submission_metadata.json" ]; then
  args+=(--submission-metadata "$ROOT/submission_metadata.json")  # submission time, for late penalties
fi

# The bundled grader, whatever else is installed: the working folder and PYTHONPATH put it first.
cd "$SOURCE"
PYTHONPATH="$SOURCE" exec "$PYTHON" -m grader "${args[@]}"
