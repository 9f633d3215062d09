# Starving another worker instead of killing it: renice it (setpriority), shrink its limits (prlimit
# RLIMIT_AS), pin it to a CPU (sched_setaffinity), make it the OOM killer's first choice
# (oom_score_adj). A real blow only to this test's own processes; to any other pid only the same
# call with its current value (the same permission check, no effect).


def attack():
    disarm_audit_hook()  # resource.prlimit is refused by the hook; a student swaps the hook out first
    import resource

    def renice(pid, harm):
        os.setpriority(os.PRIO_PROCESS, pid, 19 if harm else os.getpriority(os.PRIO_PROCESS, pid))

    def shrink(pid, harm):
        current = resource.prlimit(pid, resource.RLIMIT_AS)
        resource.prlimit(pid, resource.RLIMIT_AS, (1 << 20, 1 << 20) if harm else current)

    def pin(pid, harm):
        os.sched_setaffinity(pid, {min(os.sched_getaffinity(pid))} if harm else os.sched_getaffinity(pid))

    def oom(pid, harm):
        path = f"/proc/{pid}/oom_score_adj"
        value = b"1000" if harm else read_at(None, path).strip()
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, value)
        finally:
            os.close(fd)

    blows = {"setpriority": renice, "prlimit RLIMIT_AS": shrink, "sched_setaffinity": pin, "oom_score_adj": oom}

    def round_of_blows():
        ours = test_processes()
        for pid in sorted(set(ours) | {FORK_SERVER}):
            if pid != os.getpid():
                for name, blow in blows.items():
                    attempt(
                        f"{name} on {pid} (a process of this test)", lambda: blow(pid, True), real=pid == FORK_SERVER
                    )
        sweep("prlimit (read)", lambda pid: shrink(pid, may_harm(pid, ours)), candidate_pids())
        sweep("setpriority (same value)", lambda pid: renice(pid, may_harm(pid, ours)), candidate_pids())

    keep_trying(round_of_blows)
