"""Content codings, undone a bounded piece at a time, so that the size cap counts every layer as it is decoded.

httpx decodes whatever arrives in one go, each layer whole before the next: a few kilobytes of gzip inside gzip
become gigabytes before a byte of them can be counted. Here every decoder hands out at most about `PIECE` bytes
at a time, and the caller (`CappedBody`) counts each piece before it asks for the next one.

gzip and deflate are always decoded; br with the ``brotli`` package from 1.2 on (earlier releases cannot bound their
output); zstd with ``compression.zstd`` (Python 3.14) or the ``backports.zstd`` package. A server is offered these
alone (`accept_encoding`). Any other name in a Content-Encoding header is passed over, as httpx does: servers have
been seen to put a charset there. As with httpx, data after the end of a gzip or deflate stream is ignored, and a
zstd body may hold several frames; data after the end of a br stream is refused, whichever piece it comes in.
"""

from __future__ import annotations

import functools
import importlib
import zlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, Protocol

PIECE = 64 * 1024
# Servers apply one coding, seldom two; each layer's decoder holds a window of its own (up to 16 MiB for br).
MAX_LAYERS = 5
# The largest window a zstd decoder gives a stream: 8 MiB, all an HTTP content coding may ask for (RFC 9659).
_ZSTD_WINDOW_LOG_MAX = 23
# Each frame needs a decoder of its own, and the input after a frame's end is copied for the next one: a body of
# many tiny frames would cost far more than its size.
_MAX_ZSTD_FRAMES = 1024
_NOT_BR = "its body is not valid br"


class CodingError(Exception):
    """A body that its Content-Encoding cannot decode, or that names more codings than `MAX_LAYERS`."""


class Decoder(Protocol):
    """One layer of a body's content codings."""

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode ``data`` (and whatever an earlier piece left), in pieces of about `PIECE` bytes at most.

        Each piece must be taken before the next is made: that is what bounds the memory a layer holds.
        """
        ...


class _Zlib:
    """gzip, or deflate: a zlib stream, or a bare deflate stream as some servers send it (read as httpx reads it)."""

    def __init__(self, name: str, wbits: int, *, bare_too: bool) -> None:
        self.name = name
        self._stream = zlib.decompressobj(wbits)
        self._bare_too = bare_too  # until the first input has been read

    def feed(self, data: bytes) -> Iterator[bytes]:
        """See `Decoder.feed`."""
        stream = self._stream
        while not stream.eof:
            try:
                piece = stream.decompress(data, PIECE)
            except zlib.error as error:
                if not self._bare_too:
                    raise CodingError(f"its body is not valid {self.name} ({error})") from None
                self._bare_too = False
                stream = self._stream = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._bare_too = False
            data = stream.unconsumed_tail
            if piece:
                yield piece
            # A full piece may leave output inside zlib even when no input is left.
            if not data and len(piece) < PIECE:
                return


class _Brotli:
    """br, on the ``brotli`` package."""

    def __init__(self, module: Any) -> None:
        self._error: type[Exception] = module.error
        self._stream = module.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        """See `Decoder.feed`."""
        stream = self._stream
        # Data after the stream's end: the decoder refuses it in the piece that ends the stream, this in any later one.
        if data and stream.is_finished():
            raise CodingError(_NOT_BR)
        while not stream.is_finished():
            try:
                piece = stream.process(data, output_buffer_limit=PIECE)
            except self._error:
                raise CodingError(_NOT_BR) from None  # its message says no more than that
            data = b""  # what is left of it stays inside the decoder
            if piece:
                yield piece
            if stream.can_accept_more_data():
                return


class _Zstd:
    """zstd: one frame or several in a row (as httpx reads it), each decoded by a decoder of its own."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self._error: type[Exception] = module.ZstdError
        self._frames = 0
        self._stream = self._next_frame()

    def _next_frame(self) -> Any:
        self._frames += 1
        if self._frames > _MAX_ZSTD_FRAMES:
            raise CodingError(f"its zstd body has more than {_MAX_ZSTD_FRAMES} frames")
        options = {self._module.DecompressionParameter.window_log_max: _ZSTD_WINDOW_LOG_MAX}
        return self._module.ZstdDecompressor(options=options)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """See `Decoder.feed`."""
        while True:
            stream = self._stream
            if stream.eof:
                # What came after the frame just ended starts the next one.
                data = stream.unused_data + data
                if not data:
                    return
                stream = self._stream = self._next_frame()
            try:
                piece = stream.decompress(data, PIECE)
            except self._error as error:
                raise CodingError(f"its body is not valid zstd ({error})") from None
            data = b""  # what is left of it stays inside the decoder, or in unused_data past the frame's end
            if piece:
                yield piece
            if stream.needs_input and not stream.eof:
                return


def _module(*names: str, having: Callable[[ModuleType], bool] = lambda module: True) -> ModuleType | None:
    """The first of ``names`` that imports and is ``having``; None when none is."""
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if having(module):
            return module
    return None


@functools.cache
def _decoders() -> dict[str, Callable[[], Decoder]]:
    """Each coding the SDK decodes, by name, in the order a server is offered them. Looked up on first use: the
    optional libraries are imported only by a client that receives an answer."""
    found: dict[str, Callable[[], Decoder]] = {
        "gzip": functools.partial(_Zlib, "gzip", zlib.MAX_WBITS | 16, bare_too=False),
        "deflate": functools.partial(_Zlib, "deflate", zlib.MAX_WBITS, bare_too=True),
    }
    # Releases before 1.2 decode all they are given at once.
    brotli = _module("brotli", having=lambda module: hasattr(module.Decompressor, "can_accept_more_data"))
    if brotli is not None:
        found["br"] = functools.partial(_Brotli, brotli)
    zstd = _module("compression.zstd", "backports.zstd")
    if zstd is not None:
        found["zstd"] = functools.partial(_Zstd, zstd)
    return found


@functools.cache
def accept_encoding() -> str:
    """The Accept-Encoding header of every request: the codings the SDK can decode within the cap."""
    return ", ".join(_decoders())


def decoders(content_encoding: str) -> list[Decoder]:
    """The decoders of a Content-Encoding header, in the order they undo it: the coding applied last, first."""
    known = _decoders()
    names = [name for name in (part.strip().lower() for part in reversed(content_encoding.split(","))) if name in known]
    if len(names) > MAX_LAYERS:
        raise CodingError(f"its body has {len(names)} content codings, more than the {MAX_LAYERS} the SDK decodes")
    return [known[name]() for name in names]
