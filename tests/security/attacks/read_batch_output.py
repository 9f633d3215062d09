# Reading the batch's output: the classmates' results (grades, messages) and the staging folder where
# zipped submissions are unpacked.


def attack():
    out = TARGETS["out_dir"]
    attempt(f"open the batch output folder {out}", lambda: open_dir(out))
    root = root_descriptor()
    if root is None:
        return
    ok, out_fd = attempt("openat(root, <the output folder>) as a directory", lambda: open_dir(at_root(out), root))
    if ok:
        attempt("list the output folder through that descriptor", lambda: os.listdir(out_fd))
        attempt("list results/ through it", lambda: os.listdir(open_dir("results", out_fd)))
        attempt("list .staging/ through it", lambda: os.listdir(open_dir(".staging", out_fd)), real=False)
    for name in ("results/victim.json", "grades.csv"):
        relative = at_root(os.path.join(out, name))
        attempt(f"openat(root, {relative!r})", lambda: read_at(root, relative))
