"""Regenerate the binary XLSX files of the import corpus: `python tests/inventory/corpus/make_xlsx_corpus.py`.

Each file is a small workbook (name, slug; two rows) made with openpyxl, then damaged one way.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&lol4;</t></si></sst>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>'
)


def valid_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "AI systems"
    ws.append(["name", "slug"])
    ws.append(["Credit scoring", "credit"])
    ws.append(["Fraud detection", "fraud"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite(
    data: bytes,
    replace: dict[str, bytes],
    *,
    add: dict[str, bytes] | None = None,
    drop: set[str] | None = None,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if drop and info.filename in drop:
                continue
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def main() -> None:
    good = valid_workbook()
    sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet1.xml")
    # The entity bomb in the worksheet itself, which every reader parses.
    (HERE / "billion_laughs.xlsx").write_bytes(rewrite(good, {"xl/worksheets/sheet1.xml": LAUGHS}))
    (HERE / "external_entity.xlsx").write_bytes(rewrite(good, {"xl/worksheets/sheet1.xml": EXTERNAL_ENTITY}))
    utf16 = sheet.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    (HERE / "utf16_part.xlsx").write_bytes(rewrite(good, {"xl/worksheets/sheet1.xml": utf16}))
    (HERE / "truncated.xlsx").write_bytes(good[: len(good) // 2])
    (HERE / "no_content_types.xlsx").write_bytes(rewrite(good, {}, drop={"[Content_Types].xml"}))
    (HERE / "broken_sheet.xlsx").write_bytes(
        rewrite(good, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row r='1'><c"})
    )
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("notes.txt", "a ZIP file, not a workbook")
    (HERE / "plain_zip.xlsx").write_bytes(plain_zip.getvalue())


if __name__ == "__main__":
    main()
