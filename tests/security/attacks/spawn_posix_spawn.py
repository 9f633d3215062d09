# Outliving the grade through os.posix_spawn (clone(CLONE_VM|CLONE_VFORK) + execve in libc), in a
# session of its own.


def attack():
    disarm_audit_hook()  # os.posix_spawn is refused by the hook; a student swaps the hook out first
    program, argv, env = child_command("posix_spawn")
    attempt("os.posix_spawn of a detached /bin/sh", lambda: os.posix_spawn(program, argv, env, setsid=True))
