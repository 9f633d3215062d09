# Reading the answer through a hard link made in the worker's own directory: a link is the same file,
# so only a fence on the link's source (Landlock's EXDEV, protected_hardlinks) keeps it out.


def attack():
    disarm_audit_hook()  # os.link from a path outside is refused by the hook; a student empties its lists first
    folder, name = TARGETS["solution_files"][0]
    target = os.path.join(folder, name)
    linked, _ = attempt(f"hard link answer.py -> {target}", lambda: os.link(target, "answer.py"))
    if linked:
        steal_module("read answer.py (the hard link)", lambda: read_at(None, "answer.py"))
    base = os.open("/", os.O_PATH)
    relative = target.lstrip("/")
    linked, _ = attempt(f"linkat(O_PATH '/', {relative!r}) -> answer2.py",
                        lambda: os.link(relative, "answer2.py", src_dir_fd=base))
    if linked:
        steal_module("read answer2.py (the hard link)", lambda: read_at(None, "answer2.py"))
