# Drop boxes shared with other workers or with a later accomplice: files in /tmp, /dev/shm and a
# world-writable folder of the test, created through descriptors (the hook sees only a bare name).


def attack():
    name = f"grader-attack-{TARGETS['token']}-dropbox"
    for folder in ("/tmp", "/dev/shm", TARGETS["drop_dir"]):
        ok, base = attempt(f"open {folder} with O_PATH", lambda: os.open(folder, os.O_PATH), must_fail=False)
        if not ok:
            continue

        def create():
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666, dir_fd=base)
            try:
                return os.write(fd, TARGETS["token"].encode())
            finally:
                os.close(fd)

        attempt(f"create {folder}/{name}", create)
        attempt(f"mkdir {folder}/{name}.d", lambda: os.mkdir(name + ".d", dir_fd=base))
