# Outliving the grade through os.fork: the child leaves the session and execs a program that marks a
# file outside the sandbox and sleeps on.


def attack():
    disarm_audit_hook()  # os.fork is refused by the hook; a student swaps the hook out first

    def fork():
        pid = os.fork()
        if pid == 0:
            become_detached_child("fork")
        return pid

    attempt("os.fork", fork)
