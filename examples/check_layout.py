#!/usr/bin/env python3
"""Checks that the ctypes structures of historian_feeder.py lay out exactly as the
structs of mxgw.h: compiles a C program printing every struct's size and alignment
and every field's offset and size, and compares with what ctypes computes.

    check_layout.py C_COMPILER INCLUDE_DIR

Exits 0 when they agree; otherwise prints each difference and exits 1."""

import ctypes
import itertools
import os
import struct
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import historian_feeder as feeder  # noqa: E402  (found beside this file)

STRUCTS = {
    "mxgw_client_options": feeder.ClientOptions,
    "mxgw_backend_option": feeder.BackendOption,
    "mxgw_session_options": feeder.SessionOptions,
    "mxgw_subscribe_options": feeder.SubscribeOptions,
    "mxgw_value": feeder.Value,
    "mxgw_status": feeder.Status,
    "mxgw_batch": feeder.Batch,
    "mxgw_event": feeder.Event,
    "mxgw_cursor": feeder.Cursor,
}
NUMERIC_FIELDS = ["server_handle", "item_handle", "quality", "data_type", "reserved", "source_time_ns", "value"]


def python_layout():
    lines = []
    for name, cls in STRUCTS.items():
        lines.append("%s %d %d" % (name, ctypes.sizeof(cls), ctypes.alignment(cls)))
        lines += ["%s.%s %d %d" % (name, field[0], getattr(cls, field[0]).offset, getattr(cls, field[0]).size)
                  for field in cls._fields_]
    # The numeric changes are unpacked with struct, not ctypes: field k starts where
    # the first k fields of its format end.
    byte_order, codes = feeder.NUMERIC_CHANGE.format[0], feeder.NUMERIC_CHANGE.format[1:]
    offsets = [struct.calcsize(byte_order + codes[:k]) for k in range(len(codes))]
    lines.append("mxgw_numeric_change %d" % feeder.NUMERIC_CHANGE.size)
    lines += ["mxgw_numeric_change.%s %d" % pair for pair in zip(NUMERIC_FIELDS, offsets)]
    return lines


def c_program():
    body = []
    for name, cls in STRUCTS.items():
        body.append('printf("%s %%zu %%zu\\n", sizeof(%s), _Alignof(%s));' % (name, name, name))
        body += ['printf("%s.%s %%zu %%zu\\n", offsetof(%s, %s), sizeof(((%s*)0)->%s));'
                 % (name, f[0], name, f[0], name, f[0]) for f in cls._fields_]
    body.append('printf("mxgw_numeric_change %zu\\n", sizeof(mxgw_numeric_change));')
    body += ['printf("mxgw_numeric_change.%s %%zu\\n", offsetof(mxgw_numeric_change, %s));' % (f, f)
             for f in NUMERIC_FIELDS]
    return "#include <mxgw/mxgw.h>\n#include <stddef.h>\n#include <stdio.h>\nint main(void) {\n%s\nreturn 0;\n}\n" % (
        "\n".join(body))


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        source, program = os.path.join(tmp, "layout.c"), os.path.join(tmp, "layout")
        with open(source, "w") as f:
            f.write(c_program())
        subprocess.run([argv[1], "-std=c11", "-I", argv[2], source, "-o", program], check=True)
        c_lines = subprocess.run([program], check=True, capture_output=True, text=True).stdout.splitlines()
    differences = [(c, p) for c, p in itertools.zip_longest(c_lines, python_layout()) if c != p]
    for c, p in differences:
        print("check_layout: mxgw.h says %r, historian_feeder.py %r" % (c, p))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
