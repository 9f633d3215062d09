# Reading the answer through directory descriptors: list the course folder and open the reference
# relative to a descriptor, so the audit hook only ever sees a bare name such as '<id>.py'.
# Also the course that ships next to the grader when it runs from a source checkout.


def attack():
    root = root_descriptor()
    for folder, name in TARGETS["solution_files"]:
        ok, listing_fd = attempt(f"open {folder} as a directory", lambda: open_dir(folder))
        if ok:
            attempt(f"list {folder} through its descriptor", lambda: os.listdir(listing_fd))
        if root is not None:
            ok, listing_fd = attempt(
                f"openat(root, {at_root(folder)!r}) as a directory", lambda: open_dir(at_root(folder), root)
            )
            if ok:
                attempt(f"list {folder} through that descriptor", lambda: os.listdir(listing_fd))
                steal_module(f"openat({folder} descriptor, {name!r})", lambda: read_at(listing_fd, name))
    if root is None:
        return
    course = at_root(TARGETS["course_dir"])
    ok, course_fd = attempt("openat(root, <the course folder>) as a directory", lambda: open_dir(course, root))
    if ok:
        attempt("list the course folder through its descriptor", lambda: os.listdir(course_fd))
        ok, solutions_fd = attempt(
            "openat 'solutions' under the course descriptor", lambda: open_dir("solutions", course_fd)
        )
        if ok:
            attempt("list solutions/ through its descriptor", lambda: os.listdir(solutions_fd))
            answer = f"{TARGETS['assignment']}/{TARGETS['assignment']}.py"
            steal_module(f"openat {answer!r} under solutions/", lambda: read_at(solutions_fd, answer))
