# Reading the answer from an O_PATH descriptor of '/' (O_PATH opens are not access-checked) with
# openat and a relative path: no path string the audit hook could judge names the solution.


def attack():
    root = root_descriptor()
    if root is None:
        return
    for folder, name in TARGETS["solution_files"]:
        relative = at_root(os.path.join(folder, name))
        steal_module(f"openat(root, {relative!r})", lambda: read_at(root, relative))
    hidden = at_root(TARGETS["hidden_checks"])
    attempt(f"openat(root, {hidden!r}) (the hidden checks)", lambda: read_at(root, hidden))
