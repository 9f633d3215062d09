"""A strict, fast reader and writer of the npy format for plain numeric arrays.

numpy's own ``read_array`` parses the header with ``ast.literal_eval`` (about 70 µs per array), which
dominates the cost of a small call. This reader accepts only what the wire may carry: version 1.0,
a simple little/big-endian bool or numeric ``descr``, C order, and a tuple of non-negative ints. That
narrowness is also the security argument: no dtype that could hold Python objects can be described,
so there is nothing to unpickle. The files written are ordinary npy files (``np.load`` reads them).
"""

from __future__ import annotations

import functools
import math
import re
import struct

import numpy as np

MAGIC = b"\x93NUMPY\x01\x00"
_HEADER_LEN = struct.Struct("<H")
_HEADER = re.compile(
    r"\{'descr': '(?P<descr>[<>|=][biufc]\d{1,2})', 'fortran_order': False, "
    r"'shape': \((?P<shape>(?:\d+, )*(?:\d+,?)?)\), \} *\n"
)
ALIGNMENT = 64


class NpyError(ValueError):
    """The bytes are not an npy array this wire accepts."""


def dump(array: np.ndarray) -> bytes:
    """Serialise a bool or numeric array to npy bytes (C order, version 1.0)."""
    if not array.flags.c_contiguous:  # np.ascontiguousarray would turn a 0-d array into 1-d
        array = array.copy(order="C")
    if array.dtype.kind not in "biufc":
        raise NpyError(f"only bool and numeric arrays can be sent, not dtype {array.dtype}")
    return _preamble(array.dtype.str, array.shape) + array.tobytes()


@functools.lru_cache(maxsize=1024)
def _preamble(descr: str, shape: tuple[int, ...]) -> bytes:
    """Magic, header length and header for arrays of this dtype and shape (a call sends the same few
    shapes over and over: formatting the header was a third of the cost of a small array)."""
    spelled = repr(tuple(int(n) for n in shape))  # "()", "(3,)", "(2, 3)": numpy's own spelling
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {spelled}, }}"
    padding = -(len(MAGIC) + _HEADER_LEN.size + len(header) + 1) % ALIGNMENT
    header_bytes = (header + " " * padding + "\n").encode("latin1")
    return MAGIC + _HEADER_LEN.pack(len(header_bytes)) + header_bytes


def load(data: bytes | memoryview) -> np.ndarray:
    """Read npy bytes written by :func:`dump` (or numpy for such arrays) into a fresh writable array."""
    data = memoryview(data)
    if bytes(data[: len(MAGIC)]) != MAGIC:
        raise NpyError("not an npy version 1.0 array")
    (header_len,) = _HEADER_LEN.unpack_from(data, len(MAGIC))
    start = len(MAGIC) + _HEADER_LEN.size
    dtype, shape, expected = _parse_header(bytes(data[start : start + header_len]))
    body = data[start + header_len :]
    if len(body) != expected:
        raise NpyError(f"npy body has {len(body)} bytes, its header promises {expected}")
    fresh: np.ndarray = np.frombuffer(body, dtype=dtype).reshape(shape).copy()  # numpy's stubs leave copy() untyped
    return fresh


@functools.lru_cache(maxsize=1024)
def _parse_header(header: bytes) -> tuple[np.dtype, tuple[int, ...], int]:
    """dtype, shape and body size from a header; the same header is parsed once. (Only the cache's
    size is at stake if a worker sends many distinct headers: it is bounded.)"""
    match = _HEADER.fullmatch(header.decode("latin1"))
    if match is None:
        raise NpyError("npy header describes something other than a plain numeric array")
    dtype = np.dtype(match["descr"])
    shape = tuple(int(n) for n in match["shape"].replace(" ", "").split(",") if n)
    return dtype, shape, dtype.itemsize * math.prod(shape)
