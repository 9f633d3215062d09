# Outliving the grade through _posixsubprocess.fork_exec, the C function under subprocess.Popen:
# with sys.audit swapped for a no-op, Popen's own audit event never reaches the hook, and fork_exec
# raises none. The child starts a new session, marks a file outside the sandbox and sleeps on.


def attack():
    import subprocess

    real_audit = sys.audit
    sys.audit = lambda *args: None
    try:
        program, argv, env = child_command("posixsubprocess")
        attempt(
            "subprocess.Popen (fork_exec) of a detached /bin/sh",
            lambda: subprocess.Popen(argv, executable=program, env=env, start_new_session=True, close_fds=True).pid,
        )
    finally:
        sys.audit = real_audit
