# Reading the answer through a symlink made in the worker's own directory (where it may create files):
# the fence must judge the file the link leads to, not the link.


def attack():
    disarm_audit_hook()  # os.symlink to a path outside is refused by the hook; a student empties its lists first
    folder, name = TARGETS["solution_files"][0]
    target = os.path.join(folder, name)
    made, _ = attempt(
        f"symlink answer.py -> {target} in the worker's directory",
        lambda: os.symlink(target, "answer.py"),
        must_fail=False,
    )
    if made:
        steal_module("read answer.py (the symlink)", lambda: read_at(None, "answer.py"))
    made, _ = attempt("symlink root -> / in the worker's directory", lambda: os.symlink("/", "root"), must_fail=False)
    if made:
        steal_module("read root/<solution> through the symlink", lambda: read_at(None, "root" + target))
