# Reading other processes' environments (/proc/<pid>/environ): the fork server (this worker's parent),
# the grader, and every other process of this test that /proc lists; through a /proc descriptor (the
# audit hook then sees 'N/environ') and by plain path.


def attack():
    targets = {os.getppid(): "the fork server"}
    ours = test_processes()
    for pid in ours:
        targets.setdefault(pid, "a process of this grading run")
    proc = proc_fd()
    for pid, role in targets.items():
        if proc is not None:
            attempt(f"read {pid}/environ through a /proc descriptor ({role})", lambda: read_at(proc, f"{pid}/environ"), real=pid == os.getppid())
        attempt(f"read /proc/{pid}/environ ({role})", lambda: read_at(None, f"/proc/{pid}/environ"), real=pid == os.getppid())
