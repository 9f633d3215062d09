# Reading other processes' environments (/proc/<pid>/environ): the fork server (this worker's parent),
# the grader, and every other process of this test that /proc lists; relative to a descriptor of '/'
# or of /proc (the audit hook then sees no /proc path), and by plain path.


def attack():
    targets = {os.getppid(): "the fork server"}
    ours = test_processes()
    for pid in ours:
        targets.setdefault(pid, "a process of this grading run")
    proc, root = proc_fd(), root_descriptor()
    for pid, role in targets.items():
        if root is not None:
            attempt(
                f"openat(root, 'proc/{pid}/environ') ({role})",
                lambda: read_at(root, f"proc/{pid}/environ"),
                real=pid == os.getppid(),
            )
        if proc is not None:
            attempt(
                f"read {pid}/environ through a /proc descriptor ({role})",
                lambda: read_at(proc, f"{pid}/environ"),
                real=pid == os.getppid(),
            )
        attempt(
            f"read /proc/{pid}/environ ({role})",
            lambda: read_at(None, f"/proc/{pid}/environ"),
            real=pid == os.getppid(),
        )
