# Reading the answer through a hard link made in the worker's own directory: a link is the same file,
# so only a fence on the link's source (Landlock's EXDEV, protected_hardlinks) keeps it out.


def attack():
    disarm_audit_hook()  # os.link from a path outside is refused by the hook; a student empties its lists first
    folder, name = TARGETS["solution_files"][0]
    target = os.path.join(folder, name)
    linked, _ = attempt(f"hard link answer.py -> {target}", lambda: os.link(target, "answer.py"))
    if linked:
        steal_module("read answer.py (the hard link)", lambda: read_at(None, "answer.py"))
    root = root_descriptor()
    if root is None:
        return
    relative = at_root(target)
    linked, _ = attempt(
        f"linkat(root, {relative!r}) -> answer2.py", lambda: os.link(relative, "answer2.py", src_dir_fd=root)
    )
    if linked:
        steal_module("read answer2.py (the hard link)", lambda: read_at(None, "answer2.py"))
