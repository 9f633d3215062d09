# Tracing another process: PTRACE_SEIZE (through ctypes) of the fork server and of every process of
# this test that /proc lists, the other worker included. Only this test's own processes are tried:
# a seized process elsewhere would stop at its next signal.


def attack():
    disarm_audit_hook()  # ctypes is refused by the hook; a student swaps the hook out first
    tried = set()

    def release(pid):
        syscall(101, 0x4207, pid, 0, 0)
        os.waitpid(pid, 0x40000000)  # __WALL: a tracee is waited for like a child
        syscall(101, 17, pid, 0, 0)

    def round_of_seizes():
        for pid in sorted(set(test_processes()) | {FORK_SERVER}):
            if pid != os.getpid() and pid not in tried:
                tried.add(pid)
                seized, _ = attempt(
                    f"ptrace(PTRACE_SEIZE, {pid})", lambda: syscall(101, 0x4206, pid, 0, 0), real=pid == FORK_SERVER
                )
                if seized:  # let go at once, so the seized process runs on (PTRACE_INTERRUPT, wait, PTRACE_DETACH)
                    attempt(f"release {pid}", lambda: release(pid), must_fail=False)

    keep_trying(round_of_seizes)
