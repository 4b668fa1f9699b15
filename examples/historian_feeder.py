#!/usr/bin/env python3
"""historian_feeder.py: historian_feeder.c in Python, through ctypes on libmxgw.so
(standard library only). It advises 1,000 items of a `sim` session (250 tanks:
Level, Temperature, HighAlarm and Product), subscribes lossless, and writes every
change it receives to a CSV file, checking that sequence numbers run on without a
gap.

    historian_feeder.py [--library PATH] [TARGET [CSV [SECONDS [EVENTS [RATE_MS]]]]]

    TARGET   "embedded" (default), "tcp://host:port" or "unix:///path"; a remote
             gateway wants a client key in $MXGW_CLIENT_KEY
    CSV      the output file (default historian.csv)
    SECONDS  how long to collect (default 10; 0: no limit)
    EVENTS   stop after this many rows (default 0: no limit)
    RATE_MS  one update period for every item (default: each attribute's own,
             Level 1 s, Temperature 2 s, HighAlarm 5 s, Product 10 s)
    PATH     libmxgw.so; default $MXGW_LIBRARY, else wherever the system finds
             "mxgw" (ctypes.util.find_library)

The CSV and the exit status are those of the C program. Ctrl-C or SIGTERM stops
collecting early, still closing cleanly. The structures below mirror engine/capi/include/mxgw/mxgw.h field by
field: keep them in step with it."""

import argparse
import ctypes
import ctypes.util
import os
import signal
import struct
import sys
import time
from ctypes import (POINTER, Structure, Union, byref, c_char_p, c_double, c_float, c_int, c_int8, c_int16,
                    c_int32, c_int64, c_size_t, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)

# ---- mxgw.h ------------------------------------------------------------------

MXGW_VERSION_HEX = 0x000100  # the mxgw.h these mirrors follow: 0.1.0
MXGW_OK, MXGW_E_ENDED = 0, -32
MXGW_POLICY_LOSSLESS = 0
MXGW_TYPE_BOOLEAN, MXGW_TYPE_INTEGER, MXGW_TYPE_FLOAT, MXGW_TYPE_DOUBLE = 1, 2, 3, 4
MXGW_TYPE_STRING, MXGW_TYPE_TIME, MXGW_TYPE_ELAPSED_TIME = 5, 6, 7
MXGW_EVENT_DATA_CHANGE, MXGW_EVENT_BUFFERED_DATA_CHANGE = 1, 2
MXGW_EVENT_SESSION_STATE, MXGW_EVENT_GAP = 5, 6
MXGW_SESSION_CLOSING = 3


class SizedOptions(Structure):
    """An options struct that starts with its size: what the *_init functions of
    mxgw.h do, with this mirror's size (the layout the library is told it has)."""

    def __init__(self, *fields):
        super().__init__(ctypes.sizeof(self), *fields)


class ClientOptions(SizedOptions):
    _fields_ = [("struct_size", c_size_t), ("api_key", c_char_p), ("client_name", c_char_p), ("request_timeout_ms", c_uint32),
                ("subscription_ring", c_uint32), ("connect_timeout_ms", c_uint32), ("shards", c_uint32),
                ("max_sessions", c_uint32), ("worker_path", c_char_p), ("default_backend", c_char_p),
                ("lease_ms", c_uint32)]


class BackendOption(Structure):
    _fields_ = [("key", c_char_p), ("value", c_char_p)]


class SessionOptions(SizedOptions):
    _fields_ = [("struct_size", c_size_t), ("name", c_char_p), ("backend", c_char_p), ("command_timeout_ms", c_int32),
                ("backend_options", POINTER(BackendOption)), ("backend_option_count", c_size_t)]


class SubscribeOptions(SizedOptions):
    _fields_ = [("struct_size", c_size_t), ("policy", c_int32), ("resume", c_int32), ("resume_from_seq", c_uint64)]


class ValueUnion(Union):
    _fields_ = [("boolean", c_int32), ("integer", c_int32), ("real32", c_float), ("real64", c_double),
                ("ns", c_int64), ("string", c_char_p), ("elements", c_void_p), ("bytes", POINTER(c_uint8))]


class Value(Structure):
    _fields_ = [("type", c_int16), ("is_array", c_uint8), ("is_opaque", c_uint8), ("length", c_uint32),
                ("v", ValueUnion), ("internal", c_void_p)]


class Status(Structure):
    _fields_ = [("success", c_int16), ("category", c_int8), ("detected_by", c_int8), ("detail", c_int16)]


# mxgw_numeric_change, read in place: 32 little-endian bytes.
NUMERIC_CHANGE = struct.Struct("<iiIhHqd")


class Batch(Structure):
    _fields_ = [("first_seq", c_uint64), ("event_count", c_uint32), ("flags", c_uint32),
                ("worker_time_ns", c_int64), ("gateway_time_ns", c_int64), ("numeric", c_void_p),
                ("numeric_count", c_uint32), ("gap_count", c_uint32), ("coalesced_changes", c_uint64),
                ("internal", c_void_p)]


class Event(Structure):
    _fields_ = [("kind", c_int32), ("sample_count", c_uint32), ("seq", c_uint64), ("server_handle", c_int32),
                ("item_handle", c_int32), ("value", Value), ("quality", c_uint32), ("session_state", c_int32),
                ("source_time_ns", c_int64), ("status", Status), ("status_count", c_uint32),
                ("write_id", c_uint64), ("reason", c_char_p), ("gap_first_seq", c_uint64),
                ("gap_last_seq", c_uint64), ("gap_reason", c_int32), ("internal", c_void_p)]


class Cursor(Structure):
    _fields_ = [("opaque", c_uint64 * 8)]


def load_library(path):
    """libmxgw with the prototypes of the calls used here."""
    lib = ctypes.CDLL(path or os.environ.get("MXGW_LIBRARY") or ctypes.util.find_library("mxgw") or "libmxgw.so.0")
    handle = c_void_p  # every handle is opaque: its address is all Python needs
    prototypes = {
        "mxgw_version_string": (c_char_p, []),
        "mxgw_strerror": (c_char_p, [c_int]),
        "mxgw_last_error": (c_char_p, []),
        "mxgw_check_version": (c_int, [c_uint32]),
        "mxgw_client_open": (c_int, [c_char_p, POINTER(ClientOptions), POINTER(handle)]),
        "mxgw_client_free": (None, [handle]),
        "mxgw_session_open": (c_int, [handle, POINTER(SessionOptions), POINTER(handle)]),
        "mxgw_session_close": (c_int, [handle]),
        "mxgw_session_free": (None, [handle]),
        "mxgw_register": (c_int, [handle, c_char_p, POINTER(c_int32)]),
        "mxgw_add_items": (c_int, [handle, c_int32, POINTER(c_char_p), c_size_t, POINTER(c_int32), POINTER(c_int32)]),
        "mxgw_advise_items": (c_int, [handle, c_int32, POINTER(c_int32), c_size_t, c_int, POINTER(c_int32)]),
        "mxgw_subscribe": (c_int, [handle, POINTER(SubscribeOptions), POINTER(handle)]),
        "mxgw_poll": (c_int, [handle, POINTER(Batch), c_size_t]),
        "mxgw_release": (None, [handle]),
        "mxgw_wait": (c_int, [handle, c_int32]),
        "mxgw_subscription_end_code": (c_int, [handle]),
        "mxgw_subscription_free": (None, [handle]),
        "mxgw_cursor_init": (None, [POINTER(Cursor), POINTER(Batch)]),
        "mxgw_cursor_next": (c_int, [POINTER(Cursor), POINTER(Event)]),
        "mxgw_event_sample": (c_int, [POINTER(Event), c_uint32, POINTER(Value), POINTER(c_uint32), POINTER(c_int64)]),
    }
    for name, (restype, argtypes) in prototypes.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


class MxgwError(Exception):
    pass


# ---- the feeder ----------------------------------------------------------------

TANKS, ATTRIBUTES = 250, ("Level", "Temperature", "HighAlarm", "Product")
BATCHES_PER_POLL = 64


def iso_time(ns):
    """ISO-8601 UTC with nanoseconds, as historian_feeder.c writes it."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + ".%09dZ" % fraction


def number_text(data_type, value):
    """Enough digits to read back the same float or double; whole numbers otherwise."""
    if data_type == MXGW_TYPE_FLOAT:
        return "%.9g" % value
    if data_type == MXGW_TYPE_DOUBLE:
        return "%.17g" % value
    return "%.0f" % value


def value_text(value):
    if value.is_array or value.is_opaque:  # the sim has none; a historian files them apart
        return '"<%s of %d>"' % ("array" if value.is_array else "opaque", value.length)
    kind = value.type
    if kind == MXGW_TYPE_BOOLEAN:
        return number_text(kind, value.v.boolean)
    if kind == MXGW_TYPE_INTEGER:
        return number_text(kind, value.v.integer)
    if kind == MXGW_TYPE_FLOAT:
        return number_text(kind, value.v.real32)
    if kind == MXGW_TYPE_DOUBLE:
        return number_text(kind, value.v.real64)
    if kind in (MXGW_TYPE_TIME, MXGW_TYPE_ELAPSED_TIME):
        return "%d" % value.v.ns
    if kind == MXGW_TYPE_STRING:
        return '"%s"' % value.v.string.decode("utf-8", "replace").replace('"', '""')
    return ""  # NoData


class Feeder:
    def __init__(self, lib, csv_file, max_rows):
        self.lib, self.csv, self.max_rows = lib, csv_file, max_rows
        self.names = {}  # item handle -> tag name
        self.rows = self.in_place = self.by_cursor = self.gaps = 0
        self.first_seq = self.next_seq = 0  # next_seq 0: nothing seen yet
        self.cursor, self.event = Cursor(), Event()

    def room_left(self):
        return self.max_rows == 0 or self.rows < self.max_rows

    def expect_seq(self, seq):
        """Every event of the session has the next sequence number: anything else is a gap."""
        if self.next_seq == 0:
            self.first_seq = seq
        elif seq != self.next_seq:
            print("historian_feeder: gap: expected seq %d, got %d" % (self.next_seq, seq), file=sys.stderr)
            self.gaps += 1
        self.next_seq = seq + 1

    def write_row(self, seq, item_handle, value, quality, source_time_ns, worker_time_ns):
        self.csv.write("%d,%s,%s,%d,%s,%s\n" % (seq, self.names.get(item_handle, "?"), value, quality,
                                                iso_time(source_time_ns), iso_time(worker_time_ns)))
        self.rows += 1

    def feed_numeric(self, batch):
        """The fast path: a batch of numeric changes only, unpacked from the frame in one go."""
        count = batch.numeric_count
        if self.max_rows:
            count = min(count, self.max_rows - self.rows)
        changes = ctypes.string_at(batch.numeric, count * NUMERIC_CHANGE.size)
        for i, (_, item, quality, data_type, _, source_ns, value) in enumerate(NUMERIC_CHANGE.iter_unpack(changes)):
            self.expect_seq(batch.first_seq + i)
            self.write_row(batch.first_seq + i, item, number_text(data_type, value), quality, source_ns,
                           batch.worker_time_ns)
        self.in_place += count

    def feed_event(self, batch, event):
        if event.kind == MXGW_EVENT_GAP:  # lossless never drops; say so if it did
            print("historian_feeder: gap announced: seq %d..%d" % (event.gap_first_seq, event.gap_last_seq),
                  file=sys.stderr)
            self.gaps += 1
            return
        self.expect_seq(event.seq)
        if event.kind == MXGW_EVENT_DATA_CHANGE:
            self.write_row(event.seq, event.item_handle, value_text(event.value), event.quality,
                           event.source_time_ns, batch.worker_time_ns)
            self.by_cursor += 1
        elif event.kind == MXGW_EVENT_BUFFERED_DATA_CHANGE:  # one row per sample
            value, quality, source_ns = Value(), c_uint32(), c_int64()
            for i in range(event.sample_count):
                self.lib.mxgw_event_sample(byref(event), i, byref(value), byref(quality), byref(source_ns))
                self.write_row(event.seq, event.item_handle, value_text(value), quality.value, source_ns.value,
                               batch.worker_time_ns)
                self.by_cursor += 1
        elif event.kind == MXGW_EVENT_SESSION_STATE and event.session_state >= MXGW_SESSION_CLOSING:
            print("historian_feeder: session state %d: %s" % (event.session_state, event.reason.decode()),
                  file=sys.stderr)

    def feed_batch(self, batch):
        if batch.numeric_count == batch.event_count and batch.gap_count == 0:
            self.feed_numeric(batch)
            return
        self.lib.mxgw_cursor_init(byref(self.cursor), byref(batch))
        while self.room_left() and self.lib.mxgw_cursor_next(byref(self.cursor), byref(self.event)):
            self.feed_event(batch, self.event)


def check(lib, what, code):
    if code != MXGW_OK:
        raise MxgwError("%s: %s (%s)" % (what, lib.mxgw_strerror(code).decode(), lib.mxgw_last_error().decode()))


def advise_items(lib, feeder, session):
    """Register, AddItems, AdviseItems; the items' names land in feeder.names."""
    server = c_int32()
    check(lib, "Register", lib.mxgw_register(session, b"historian_feeder", byref(server)))
    names = ["Tank_%03d.%s" % (i // len(ATTRIBUTES), ATTRIBUTES[i % len(ATTRIBUTES)])
             for i in range(TANKS * len(ATTRIBUTES))]
    count = len(names)
    defs, handles, errors = (c_char_p * count)(*[n.encode() for n in names]), (c_int32 * count)(), (c_int32 * count)()
    check(lib, "AddItems", lib.mxgw_add_items(session, server, defs, count, handles, errors))
    for name, error in zip(names, errors):
        check(lib, name, error)
    check(lib, "AdviseItems", lib.mxgw_advise_items(session, server, handles, count, 0, errors))
    for name, error in zip(names, errors):
        check(lib, name, error)
    feeder.names = dict(zip(handles, names))


def collect(lib, feeder, sub, seconds):
    """Polls until the time or the row budget is spent, or KeyboardInterrupt."""
    batches = (Batch * BATCHES_PER_POLL)()
    deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
    while feeder.room_left() and time.monotonic() < deadline:
        n = lib.mxgw_poll(sub, batches, BATCHES_PER_POLL)
        if n == MXGW_E_ENDED:
            check(lib, "subscription ended", lib.mxgw_subscription_end_code(sub))
            raise MxgwError("subscription ended: its session closed")
        if n < 0:
            check(lib, "poll", n)
        for batch in batches[:n]:
            feeder.feed_batch(batch)
        lib.mxgw_release(sub)
        if n == 0:
            lib.mxgw_wait(sub, 100)  # short, so that the deadline and Ctrl-C are seen


def run(lib, args, csv_file):
    """Opens, feeds and closes; returns the exit status."""
    client, session, sub = c_void_p(), c_void_p(), c_void_p()
    options = ClientOptions()
    key = os.environ.get("MXGW_CLIENT_KEY")
    options.api_key = key.encode() if key else None
    options.client_name = b"historian_feeder.py"
    backend_options = [(b"tags", b"Tank:250"), (b"quality_changes", b"true")]
    if args.rate_ms:
        backend_options.append((b"rate_ms", args.rate_ms.encode()))
    session_options = SessionOptions(b"historian_feeder", b"sim", 0,
                                     (BackendOption * len(backend_options))(*backend_options), len(backend_options))
    feeder = Feeder(lib, csv_file, args.events)
    status = 1
    try:
        check(lib, args.target, lib.mxgw_client_open(args.target.encode(), byref(options), byref(client)))
        check(lib, "open session", lib.mxgw_session_open(client, byref(session_options), byref(session)))
        subscribe_options = SubscribeOptions(MXGW_POLICY_LOSSLESS, 0, 0)  # before advising: miss nothing
        check(lib, "subscribe", lib.mxgw_subscribe(session, byref(subscribe_options), byref(sub)))
        advise_items(lib, feeder, session)
        started = time.monotonic()
        try:
            collect(lib, feeder, sub, args.seconds)
            status = 0
        except KeyboardInterrupt:
            status = 0
        finally:
            print("historian_feeder: %d rows (%d in place, %d by cursor), seq %d..%d, %d gaps, %.2f s -> %s" %
                  (feeder.rows, feeder.in_place, feeder.by_cursor, feeder.first_seq, max(feeder.next_seq - 1, 0),
                   feeder.gaps, time.monotonic() - started, args.csv))
    except MxgwError as error:
        print("historian_feeder: %s" % error, file=sys.stderr)
    lib.mxgw_subscription_free(sub)
    if session:
        code = lib.mxgw_session_close(session)
        if code != MXGW_OK:
            print("historian_feeder: close session: %s" % lib.mxgw_strerror(code).decode(), file=sys.stderr)
            status = 1
    lib.mxgw_session_free(session)
    lib.mxgw_client_free(client)
    return 1 if status or feeder.gaps else 0


def main():
    parser = argparse.ArgumentParser(description="Feeds a CSV historian from a sim session through libmxgw.")
    parser.add_argument("--library", help="libmxgw.so (default: $MXGW_LIBRARY, else find_library)")
    parser.add_argument("target", nargs="?", default="embedded")
    parser.add_argument("csv", nargs="?", default="historian.csv")
    parser.add_argument("seconds", nargs="?", type=float, default=10)
    parser.add_argument("events", nargs="?", type=int, default=0)
    parser.add_argument("rate_ms", nargs="?")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C: stop, then close
    lib = load_library(args.library)
    try:
        check(lib, "libmxgw", lib.mxgw_check_version(MXGW_VERSION_HEX))
    except MxgwError as e:
        print("historian_feeder: %s" % e, file=sys.stderr)
        return 1
    with open(args.csv, "w", newline="") as csv_file:
        csv_file.write("seq,item,value,quality,source_time,worker_time\n")
        return run(lib, args, csv_file)


if __name__ == "__main__":
    sys.exit(main())
