# Reading the answer from an O_PATH descriptor of '/' (O_PATH opens are not access-checked) with
# openat and a relative path: no path string the audit hook could judge names the solution.


def attack():
    ok, root = attempt("open '/' with O_PATH", lambda: os.open("/", os.O_PATH), must_fail=False)
    if not ok:
        return
    for folder, name in TARGETS["solution_files"]:
        relative = os.path.join(folder, name).lstrip("/")
        steal_module(f"openat(root, {relative!r})", lambda: read_at(root, relative))
    hidden = TARGETS["hidden_checks"].lstrip("/")
    attempt(f"openat(root, {hidden!r}) (the hidden checks)", lambda: read_at(root, hidden))
