"""Length-prefixed frames over a connected socket, with a deadline and a size cap on receive.

Both ends use it: the worker blocks without a deadline; the parent always passes one, so a worker
that hangs, dies or sends garbage turns into :class:`ChannelTimeout` or :class:`ChannelClosed`
instead of a stuck grader.
"""

from __future__ import annotations

import socket
import struct
import time

_LENGTH = struct.Struct("<Q")
_CHUNK = 1 << 20


class ChannelClosed(Exception):
    """The other end went away."""


class FrameTooLarge(Exception):
    """The other end announced a frame larger than this channel accepts (a protocol violation)."""


class ChannelTimeout(Exception):
    """No complete frame arrived before the deadline."""


class Channel:
    """One end of a framed, bidirectional byte channel."""

    def __init__(self, sock: socket.socket, max_frame: int = 1 << 30) -> None:
        self.sock = sock
        self.max_frame = max_frame

    def send(self, payload: bytes) -> None:
        try:
            self.sock.sendall(_LENGTH.pack(len(payload)) + payload)
        except OSError as exc:
            raise ChannelClosed(f"send failed: {exc}") from None

    def recv(self, deadline: float | None = None) -> bytes:
        """Receive one frame; ``deadline`` is a ``time.monotonic()`` instant, or None to wait forever."""
        (length,) = _LENGTH.unpack(self._read_exactly(_LENGTH.size, deadline))
        if length > self.max_frame:
            raise FrameTooLarge(f"frame of {length} bytes exceeds the {self.max_frame}-byte limit")
        return self._read_exactly(length, deadline)

    def close(self) -> None:
        self.sock.close()

    def _read_exactly(self, size: int, deadline: float | None) -> bytes:
        # Memory grows with what actually arrives, not with the length the sender announced: a
        # worker claiming a 1 GB frame and sending nothing costs the parent nothing.
        chunks: list[bytes] = []
        received = 0
        while received < size:
            self._set_timeout(deadline)
            try:
                chunk = self.sock.recv(min(size - received, _CHUNK))
            except TimeoutError:
                raise ChannelTimeout() from None
            except OSError as exc:
                raise ChannelClosed(f"receive failed: {exc}") from None
            if not chunk:
                raise ChannelClosed("the other end closed the channel")
            chunks.append(chunk)
            received += len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _set_timeout(self, deadline: float | None) -> None:
        if deadline is None:
            self.sock.settimeout(None)
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ChannelTimeout()
        self.sock.settimeout(remaining)
