# Drop boxes shared with other workers or with a later accomplice: files in /tmp, /dev/shm, a
# world-writable folder of the test and the folder of the workers' own folders, created relative to a
# descriptor of '/' (the hook sees no path).


def attack():
    name = f"grader-attack-{TARGETS['token']}-dropbox"
    root = root_descriptor()
    if root is None:
        return
    workers = os.path.dirname(os.path.realpath(os.getcwd()))
    for folder in ("/tmp", "/dev/shm", TARGETS["drop_dir"], workers):
        path = at_root(os.path.join(folder, name))

        def create():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666, dir_fd=root)
            try:
                return os.write(fd, TARGETS["token"].encode())
            finally:
                os.close(fd)

        attempt(f"create {folder}/{name}", create)
        attempt(f"mkdir {folder}/{name}.d", lambda: os.mkdir(path + ".d", dir_fd=root))
