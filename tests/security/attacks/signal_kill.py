# Killing with kill(2): the fork server (getppid), every process of this test that /proc lists (the
# grader, the other worker), every pid by guess, and kill(-1) (every process the worker may signal).
# SIGKILL only for this test's own processes; a harmless signal 0 (the same permission check) for
# the rest, so that no other grader on the machine is ever disturbed.


def attack():
    disarm_audit_hook()  # os.kill of another pid is refused by the hook; a student swaps the hook out first

    def round_of_blows():
        ours = test_processes()
        for pid in sorted(set(ours) | {FORK_SERVER}):
            if pid != os.getpid():
                attempt(
                    f"kill -KILL {pid} (a process of this test)",
                    lambda: os.kill(pid, signal.SIGKILL),
                    real=pid == FORK_SERVER,
                )

        def probe(pid):
            os.kill(pid, 0)
            if may_harm(pid, ours):
                os.kill(pid, signal.SIGKILL)

        sweep("kill", probe, candidate_pids())

    keep_trying(round_of_blows)
    attempt("kill(-1, 0): is there any process this worker may signal?", lambda: os.kill(-1, 0), real=False)
