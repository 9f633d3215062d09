# Killing through pidfds: os.pidfd_open + signal.pidfd_send_signal (no audit event names them) at the
# fork server (getppid), at every process of this test that /proc lists (the grader, the other
# worker) and at every pid by guess; pidfd_getfd to steal the fork server's control socket.
# SIGKILL only for this test's own processes; a harmless signal 0 (the same permission check) for
# the rest, so that no other grader on the machine is ever disturbed.


def attack():
    def pidfd_signal(pid, signum):
        fd = os.pidfd_open(pid)
        try:
            signal.pidfd_send_signal(fd, signum)
        finally:
            os.close(fd)

    def round_of_blows():
        ours = test_processes()
        for pid in sorted(set(ours) | {FORK_SERVER}):
            if pid != os.getpid():
                attempt(
                    f"pidfd SIGKILL to {pid} (a process of this test)",
                    lambda: pidfd_signal(pid, signal.SIGKILL),
                    real=pid == FORK_SERVER,
                )
        ours = test_processes() if TARGETS["harm_any_reachable"] else ours

        def probe(pid):
            pidfd_signal(pid, 0)
            if may_harm(pid, ours):
                pidfd_signal(pid, signal.SIGKILL)

        sweep("pidfd_send_signal", probe, candidate_pids())

    keep_trying(round_of_blows)
    disarm_audit_hook()  # ctypes is refused by the hook; a student swaps the hook out first
    ok, server = attempt("pidfd_open(the fork server)", lambda: os.pidfd_open(FORK_SERVER), must_fail=False)
    if ok:
        for target_fd in range(3, 8):
            attempt(
                f"pidfd_getfd(the fork server, {target_fd})", lambda: syscall(438, server, target_fd, 0), real=False
            )
