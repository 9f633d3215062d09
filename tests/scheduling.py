"""How pytest-xdist shares the suite between its workers (``-n``): a file at a time (``--dist loadfile``,
so a module's fixtures are built on one worker), except the security suite's attack tests, which go by
the run of the CLI that grades them (tests/security/plans.py). That module grades 20 runs; as one unit
it kept one worker busy for as long as the rest of the suite took on the other."""

from __future__ import annotations

from xdist.scheduler import LoadFileScheduling

ATTACK_TESTS = "tests/security/test_attacks.py"


class ByFileAndRun(LoadFileScheduling):
    """``--dist loadfile``, with the attack tests cut into one work unit per run: every test of a run is
    given to the worker that grades it, so each run is graded once."""

    def _split_scope(self, nodeid: str) -> str:
        module, _, test = nodeid.partition("::")
        if module != ATTACK_TESTS:
            return module
        from tests.security.test_attacks import run_of  # only when the attack tests are collected

        return f"{module}::{run_of(test)}"
