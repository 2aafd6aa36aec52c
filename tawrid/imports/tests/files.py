"""Ugly spreadsheets built in the tests, the way real hospital and manufacturer files look."""

import csv
import io
import zipfile
from collections.abc import Sequence
from typing import Any

import openpyxl

HEADER = ["E-mail", "Nom complet", "Fonction", "Quantité", "Budget", "Date d'arrivée", "Actif"]


def xlsx(sheets: dict[str, Sequence[Sequence[Any]]], merge: dict[str, list[str]] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(list(row))
        for cells in (merge or {}).get(title, []):
            ws.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def messy_workbook(rows: Sequence[Sequence[Any]] | None = None) -> bytes:
    """A notes sheet first, then the data sheet with a merged title, a blank line, the header on row 4,
    French numbers, an empty row, a subtotal row."""
    data = (
        rows
        if rows is not None
        else [
            ["amina@example.ma", "Amina Alaoui", "Acheteuse", "1 234,50", "12 500,00 DH", "31/12/2026", "oui"],
            ["youssef@example.ma", "Youssef Bennani", "Pharmacien", 12, 1500.5, "2026-01-15", "non"],
            [None, None, None, None, None, None, None],
            ["SOUS-TOTAL", None, None, "1 246,50", None, None, None],
            ["karim@example.ma", "Karim Idrissi", "", "3", "MAD 99", 46387, "x"],
            ["TOTAL GÉNÉRAL", None, None, "1 249,50", None, None, None],
        ]
    )
    return xlsx(
        {
            "Notes": [["Ce classeur contient le personnel."], ["Voir la feuille Personnel."]],
            "Personnel": [
                ["CHU IBN ROCHD — PERSONNEL 2026"],
                ["Direction des achats", None, None, None, "Édité le 02/01/2026"],
                [],
                HEADER,
                *data,
            ],
        },
        merge={"Personnel": ["A1:G1"]},
    )


def csv_bytes(
    rows: Sequence[Sequence[Any]], *, delimiter: str = ";", encoding: str = "utf-8", bom: bool = False
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def zip_bomb() -> bytes:
    """A small "xlsx" whose sheet XML decompresses to about 60 MB of repeated text."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"<row><c><v>0</v></c></row>" * 40_000
            for _ in range(60):
                member.write(chunk)
    return buffer.getvalue()


def encrypted_xlsx() -> bytes:
    """What Excel writes for a password-protected .xlsx: an OLE compound file holding the encrypted package
    (header, a directory naming EncryptionInfo and EncryptedPackage, random bytes)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\xff")
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptionInfo".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptedPackage".encode("utf-16-le").ljust(128, b"\x00")
    return header + directory.ljust(512, b"\x00") + bytes(range(256)) * 8


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def wide_xlsx(columns: int = 16_384) -> bytes:
    """One header row as wide as Excel allows (XFD), as Excel saves it (shared strings, a <dimension>)."""
    return xlsx({"Large": [["E-mail", "Nom complet"] + [f"Colonne {i}" for i in range(3, columns + 1)], ["a@b.ma"]]})


def without_dimension(data: bytes) -> bytes:
    """The same xlsx with the `<dimension>` element removed from its sheets: what some programs write, and
    what hides a sheet's number of rows until they are read."""
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<dimension [^>]*/>", b"", content)
            target.writestr(member.filename, content)
    return buffer.getvalue()
