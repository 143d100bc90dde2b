"""libpg_query's parser and scanner, called in the library pglast ships, without importing
pglast.

Importing ``pglast.parser`` imports pglast's node classes and enums (``pglast.ast``,
``pglast.enums``: 25-30 ms, a tenth of a whole ``migrations check`` of 342 files) that this
check never uses: it reads libpg_query's JSON. Here the two C functions it needs,
``pg_query_parse`` (the JSON tree) and ``pg_query_scan`` (the tokens), are called through
:mod:`ctypes` in pglast's own extension module, so the parser is the same one, at the
same version.

Both return None when this fast path cannot answer: the library is not where pglast keeps
it or lacks a symbol, the text is not valid UTF-8, or libpg_query reports an error. The
caller then asks pglast, whose exceptions (message, position) are the ones reported.
"""

from __future__ import annotations

import ctypes
import functools
import os
from importlib.machinery import EXTENSION_SUFFIXES, PathFinder
from typing import Any, NamedTuple

__all__ = ["Token", "parse_json", "scan"]


class Token(NamedTuple):
    """A token of the SQL text: byte offsets into its UTF-8 (``end`` exclusive), and
    whether it is an identifier (``IDENT``: unquoted or quoted, not a keyword)."""

    start: int
    end: int
    ident: bool


class _Result(ctypes.Structure):
    """PgQueryParseResult: {char* parse_tree; char* stderr_buffer; PgQueryError* error}."""

    _fields_ = (
        ("parse_tree", ctypes.c_void_p),
        ("stderr_buffer", ctypes.c_void_p),
        ("error", ctypes.c_void_p),
    )


class _ScanResult(ctypes.Structure):
    """PgQueryScanResult: {PgQueryProtobuf pbuf; char* stderr_buffer; PgQueryError* error}
    with PgQueryProtobuf {len; char* data}. ``len`` is ``unsigned int`` in older headers
    and ``size_t`` in newer ones: either way its low 32 bits come first on the
    little-endian platforms pglast ships wheels for, and the pointer after it is aligned."""

    _fields_ = (
        ("len", ctypes.c_uint),
        ("data", ctypes.c_void_p),
        ("stderr_buffer", ctypes.c_void_p),
        ("error", ctypes.c_void_p),
    )


class _Lib(NamedTuple):
    parse: Any
    free_parse: Any
    scan: Any
    free_scan: Any
    ident: int  # the IDENT token's number (Bison numbers tokens per grammar version)


@functools.cache
def _library() -> _Lib | None:
    try:
        spec = PathFinder.find_spec("pglast")  # finds the package without running it
        folders = list(spec.submodule_search_locations or ()) if spec is not None else []
        paths = [os.path.join(d, "parser" + s) for d in folders for s in EXTENSION_SUFFIXES]
        path = next(p for p in paths if os.path.isfile(p))
        lib = ctypes.CDLL(path)
        parse, free_parse = lib.pg_query_parse, lib.pg_query_free_parse_result
        scan, free_scan = lib.pg_query_scan, lib.pg_query_free_scan_result
        token_name = lib.pg_query_token_name
    except (StopIteration, OSError, AttributeError, ImportError, ValueError):
        return None
    parse.argtypes, parse.restype = (ctypes.c_char_p,), _Result
    free_parse.argtypes, free_parse.restype = (_Result,), None
    scan.argtypes, scan.restype = (ctypes.c_char_p,), _ScanResult
    free_scan.argtypes, free_scan.restype = (_ScanResult,), None
    token_name.argtypes, token_name.restype = (ctypes.c_int,), ctypes.c_char_p
    partial = _Lib(parse, free_parse, scan, free_scan, -1)
    tokens = _scan_raw(partial, b"x")  # one token: an identifier
    if tokens is None or len(tokens) != 1 or token_name(tokens[0][2]) != b"IDENT":
        return None
    return partial._replace(ident=tokens[0][2])


def parse_json(data: bytes) -> bytes | None:
    """libpg_query's JSON parse tree of the UTF-8 SQL ``data`` (no NUL byte in it); None
    when the fast path is not available or the SQL does not parse (ask pglast)."""
    lib = _library()
    if lib is None or not _utf8(data):
        return None
    result = lib.parse(data)
    try:
        if result.error or not result.parse_tree:
            return None
        return ctypes.string_at(result.parse_tree)
    finally:
        lib.free_parse(result)


def scan(data: bytes) -> list[Token] | None:
    """The tokens of the UTF-8 SQL ``data``; None as for :func:`parse_json`."""
    lib = _library()
    if lib is None or not _utf8(data):
        return None
    raw = _scan_raw(lib, data)
    if raw is None:
        return None
    return [Token(start, end, kind == lib.ident) for start, end, kind in raw]


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _scan_raw(lib: _Lib, data: bytes) -> list[tuple[int, int, int]] | None:
    result = lib.scan(data)
    try:
        if result.error:
            return None
        return _tokens(ctypes.string_at(result.data, result.len)) if result.data else []
    except IndexError:  # not the message this reader knows
        return None
    finally:
        lib.free_scan(result)


def _tokens(buf: bytes) -> list[tuple[int, int, int]]:
    """(start, end, token) of each ScanToken in a serialized ScanResult (pg_query.proto:
    ``int32 version = 1; repeated ScanToken tokens = 2``, a ScanToken ``int32 start = 1;
    int32 end = 2; Token token = 4; KeywordKind keyword_kind = 5``): varint fields and
    one length-delimited field, the whole of the wire format this message uses."""
    out = []
    pos, size = 0, len(buf)
    while pos < size:
        key, pos = _varint(buf, pos)
        if key & 7 == 2:  # length-delimited: a token (field 2)
            length, pos = _varint(buf, pos)
            end = pos + length
            fields = {1: 0, 2: 0, 4: 0}
            while pos < end:
                tag, pos = _varint(buf, pos)
                value, pos = _varint(buf, pos)
                fields[tag >> 3] = value
            if key >> 3 == 2:
                out.append((fields[1], fields[2], fields[4]))
            pos = end
        else:  # a varint (the version)
            _, pos = _varint(buf, pos)
    return out


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
