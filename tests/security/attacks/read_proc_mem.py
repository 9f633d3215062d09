# Reading another process's memory: /proc/<pid>/mem of the fork server (the worker is its fork, so an
# address of this worker's own objects is mapped there too) and of every process of this test that
# /proc lists, then process_vm_readv.


def attack():
    address = id(sys.modules)
    targets = {os.getppid(): "the fork server"}
    for pid in test_processes():
        targets.setdefault(pid, "a process of this grading run")
    proc, root = proc_fd(), root_descriptor()
    for pid, role in targets.items():

        def read_mem(dir_fd, name):
            fd = os.open(name, os.O_RDONLY, dir_fd=dir_fd)  # the open is the access check: past it, the memory is ours
            try:
                return os.pread(fd, 64, address)
            except OSError as exc:
                return f"opened; the read at {address:#x} gave {errno.errorcode.get(exc.errno)} (not mapped there)"
            finally:
                os.close(fd)

        if root is not None:
            attempt(
                f"openat(root, 'proc/{pid}/mem') ({role})",
                lambda: read_mem(root, f"proc/{pid}/mem"),
                real=pid == os.getppid(),
            )
        if proc is not None:
            attempt(
                f"read {pid}/mem through a /proc descriptor ({role})",
                lambda: read_mem(proc, f"{pid}/mem"),
                real=pid == os.getppid(),
            )
        attempt(f"read /proc/{pid}/mem ({role})", lambda: read_mem(None, f"/proc/{pid}/mem"), real=pid == os.getppid())
    disarm_audit_hook()  # ctypes is refused by the hook; a student swaps the hook out first
    import ctypes

    class IoVec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

    buffer = ctypes.create_string_buffer(64)
    local = IoVec(ctypes.addressof(buffer), 64)
    remote = IoVec(address, 64)
    for pid, role in targets.items():

        def vm_read():
            try:
                count = syscall(310, pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
            except OSError as exc:
                if exc.errno != errno.EFAULT:
                    raise
                return f"allowed; {address:#x} is not mapped there (EFAULT comes after the access check)"
            return buffer.raw[:count]

        attempt(f"process_vm_readv({pid}) ({role})", vm_read, real=pid == os.getppid())
