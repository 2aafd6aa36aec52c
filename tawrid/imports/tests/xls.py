"""A minimal .xls writer for the tests (no xlwt in the project): BIFF8 records in an OLE compound file,
enough for xlrd to read text, numbers and a date cell."""

import struct

END, FREE, FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
SECTOR = 512


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _xf(format_index: int, style: bool) -> bytes:
    type_prot = 0xFFF5 if style else 0x0001
    return _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, format_index, type_prot, 0x20, 0, 0, 0, 0, 0, 0x20C0))


def _font() -> bytes:
    name = "Arial".encode("latin-1")
    return _record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + bytes([len(name), 0]) + name)


def _cell(row: int, col: int, value, xf_general: int, xf_date: int) -> bytes:
    import datetime

    if isinstance(value, datetime.date):
        serial = (value - datetime.date(1899, 12, 30)).days
        return _record(0x0203, struct.pack("<HHHd", row, col, xf_date, float(serial)))
    if isinstance(value, int | float):
        return _record(0x0203, struct.pack("<HHHd", row, col, xf_general, float(value)))
    text = str(value).encode("utf-16-le")
    return _record(0x0204, struct.pack("<HHHHB", row, col, xf_general, len(str(value)), 1) + text)


def biff8(sheet_name: str, rows: list[list]) -> bytes:
    fonts = b"".join(_font() for _ in range(5))
    xfs = b"".join(_xf(0, True) for _ in range(15)) + _xf(0, False) + _xf(14, False)  # 15 style XFs, general, date
    xf_general, xf_date = 15, 16
    name = sheet_name.encode("latin-1")

    def globals_stream(sheet_offset: int) -> bytes:
        boundsheet = _record(0x0085, struct.pack("<IBB", sheet_offset, 0, 0) + bytes([len(name), 0]) + name)
        return _bof(0x0005) + _record(0x0042, struct.pack("<H", 1252)) + fonts + xfs + boundsheet + _record(0x000A)

    offset = len(globals_stream(0))
    cells = b"".join(
        _cell(r, c, value, xf_general, xf_date)
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if value is not None
    )
    ncols = max((len(row) for row in rows), default=0)
    sheet = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, ncols, 0)) + cells + _record(0x000A)
    return globals_stream(offset) + sheet


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    stream = stream.ljust(max(4096, -(-len(stream) // SECTOR) * SECTOR), b"\x00")
    n = len(stream) // SECTOR
    fat = [FATSECT] + [i + 2 for i in range(n - 1)] + [END] + [END]  # sector 0 FAT, 1..n stream, n+1 directory
    fat += [FREE] * (SECTOR // 4 - len(fat))
    dir_sector = n + 1
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, dir_sector, 0, 4096, END, 0, END, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREE) * 108

    def entry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (entry_name + "\x00").encode("utf-16-le") if entry_name else b""
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", FREE, FREE, child)
            + b"\x00" * 16
            + struct.pack("<I", 0)
            + b"\x00" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, END, 0) + entry(name, 2, FREE, 1, len(stream))
    directory += entry("", 0, FREE, FREE, 0) * 2
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + stream + directory


def xls(sheet_name: str, rows: list[list]) -> bytes:
    return compound_file(biff8(sheet_name, rows))
