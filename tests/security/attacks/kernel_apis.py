# Kernel interfaces a worker has no use for, each through a raw system call with ctypes: new user and
# mount namespaces (unshare), chroot, bpf, perf_event_open, userfaultfd, keyctl, add_key,
# personality, open_by_handle_at.


def attack():
    disarm_audit_hook()  # ctypes is refused by the hook; a student swaps the hook out first
    import ctypes

    def closing(number, *args):
        fd = syscall(number, *args)
        os.close(fd)
        return fd

    perf_attr = (ctypes.c_uint32 * 32)(1, 128, 0)  # PERF_TYPE_SOFTWARE, size 128, PERF_COUNT_SW_CPU_CLOCK
    perf_attr[10] = 0x61  # disabled, exclude_kernel, exclude_hv: allowed to any user at perf_event_paranoid 2
    bpf_attr = (ctypes.c_uint32 * 32)(2, 4, 4, 1)  # BPF_MAP_TYPE_ARRAY, key 4, value 4, one entry
    calls = [
        ("unshare(CLONE_NEWUSER)", lambda: syscall(272, 0x10000000)),
        ("unshare(CLONE_NEWNS)", lambda: syscall(272, 0x00020000)),
        ("chroot('.')", lambda: syscall(161, ctypes.c_char_p(b"."))),
        ("bpf(BPF_MAP_CREATE)", lambda: closing(321, 0, bpf_attr, 128)),
        ("perf_event_open(own CPU clock)", lambda: closing(298, perf_attr, 0, -1, -1, 0)),
        ("userfaultfd(UFFD_USER_MODE_ONLY)", lambda: closing(323, 1)),
        ("keyctl(KEYCTL_GET_KEYRING_ID, session keyring)", lambda: syscall(250, 0, -3, 0)),
        (
            "add_key('user', ...)",
            lambda: syscall(
                248, ctypes.c_char_p(b"user"), ctypes.c_char_p(b"grader-attack"), ctypes.c_char_p(b"x"), 1, -2
            ),
        ),
        ("personality(0xffffffff) (query)", lambda: syscall(135, 0xFFFFFFFF)),
        ("open_by_handle_at", lambda: closing(304, -100, (ctypes.c_uint32 * 4)(8, 1, 2, 0), 0)),
    ]
    for what, call in calls:
        attempt(what, call)
