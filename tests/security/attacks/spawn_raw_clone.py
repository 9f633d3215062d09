# Outliving the grade through raw clone and clone3 system calls made with ctypes (libc.syscall(56)
# and (435)): no Python function, so no audit event names them.


def attack():
    disarm_audit_hook()  # ctypes is refused by the hook; a student swaps the hook out first
    import ctypes

    def clone():
        pid = syscall(56, signal.SIGCHLD, 0, 0, 0, 0)
        if pid == 0:
            become_detached_child("clone")
        return pid

    def clone3():
        args = (ctypes.c_uint64 * 8)(0, 0, 0, 0, signal.SIGCHLD, 0, 0, 0)  # struct clone_args, version 0
        pid = syscall(435, ctypes.byref(args), ctypes.sizeof(args))
        if pid == 0:
            become_detached_child("clone3")
        return pid

    attempt("clone(SIGCHLD) through libc.syscall(56)", clone)
    attempt("clone3 through libc.syscall(435)", clone3)
