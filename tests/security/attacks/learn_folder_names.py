# Learning where the course and the class are: the command lines, environments, working directories
# and open files of the fork server and the grader, this worker's own environment and command line,
# and the folder its own directory sits in. The test then looks for the course's, the class's and
# the output's folder names in everything this got.


def attack():
    ours = test_processes()
    targets = [os.getppid()] + [pid for pid in ours if pid != os.getpid()]
    proc, root = proc_fd(), root_descriptor()
    attempt("this worker's os.environ", lambda: dict(os.environ), must_fail=False)
    attempt("this worker's sys.argv and sys.path", lambda: [sys.argv, sys.path], must_fail=False)
    attempt("this worker's working directory", os.getcwd, must_fail=False)
    for name in ("self/cmdline", "self/environ"):
        attempt(f"read /proc/{name}", lambda: read_at(None, f"/proc/{name}"), must_fail=False)
    for pid in targets:
        for name in ("cmdline", "environ"):
            attempt(f"read /proc/{pid}/{name}", lambda: read_at(None, f"/proc/{pid}/{name}"), must_fail=False)
            if proc is not None:
                attempt(
                    f"read {pid}/{name} through a /proc descriptor",
                    lambda: read_at(proc, f"{pid}/{name}"),
                    must_fail=False,
                )
            if root is not None:
                attempt(
                    f"openat(root, 'proc/{pid}/{name}')", lambda: read_at(root, f"proc/{pid}/{name}"), must_fail=False
                )
        attempt(f"readlink /proc/{pid}/cwd", lambda: os.readlink(f"/proc/{pid}/cwd"), must_fail=False)
        ok, fds = attempt(f"list /proc/{pid}/fd", lambda: os.listdir(f"/proc/{pid}/fd"), must_fail=False)
        for fd in (fds or [])[:40]:
            attempt(
                f"readlink /proc/{pid}/fd/{fd}",
                lambda: os.readlink(f"/proc/{pid}/fd/{fd}"),
                must_fail=False,
                real=False,
            )
    if root is not None:
        workers = at_root(os.path.dirname(os.path.realpath(os.getcwd())))
        for folder in (workers, "tmp"):
            ok, fd = attempt(
                f"openat(root, {folder!r}) as a directory", lambda: open_dir(folder, root), must_fail=False
            )
            if ok:
                attempt(f"list {folder}", lambda: os.listdir(fd), must_fail=False)
