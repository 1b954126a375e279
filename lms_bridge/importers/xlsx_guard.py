"""An XLSX is a ZIP archive: check what it declares before anything is decompressed (zip bombs).

A 1 MB workbook can declare gigabytes of XML. Before openpyxl opens it, the archive's directory
(``zipfile.ZipFile.infolist``, nothing decompressed) must show: a sane number of parts, a total
uncompressed size and a compression ratio a real workbook has, and parts that openpyxl loads whole
(shared strings, styles, the workbook) small enough to hold in memory; worksheets are streamed.
A part that decompresses to more than it declared fails the CRC check in ``zipfile`` (read stops
at the declared size), so the declared sizes are what bounds the work.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

from lms_bridge.errors import Problem, ValidationError

MB = 1 << 20
MAX_FILE_BYTES = 100 * MB  # a workbook this large is better sent as CSV
MAX_PARTS = 1_000
MAX_TOTAL_UNCOMPRESSED = 2_000 * MB  # worksheets are streamed: only time grows with it
MAX_PART_IN_MEMORY = 64 * MB  # shared strings, styles, workbook.xml: openpyxl reads these whole
MAX_RATIO = 200  # real sheets compress 5–50 times, even very repetitive ones stay under ~150
RATIO_FROM = MB  # small parts may compress oddly well; the ratio counts from 1 MB up
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 200  # a diagnostics or curators sheet has a few dozen


def _reject(message: str, source: str) -> ValidationError:
    return ValidationError([Problem(message)], source=source)


def _streamed(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def check_archive(stream: BinaryIO, source: str) -> None:
    """ValidationError (in Russian, naming the limit) unless the archive's directory looks sane."""
    size = stream.seek(0, 2)
    stream.seek(0)
    if size > MAX_FILE_BYTES:
        raise _reject(
            f"книга Excel больше {MAX_FILE_BYTES // MB} МБ ({size // MB} МБ): сохраните её как CSV", source
        )
    if not zipfile.is_zipfile(stream):
        raise _reject("файл не является книгой Excel (XLSX)", source)
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _reject("книга Excel повреждена: оглавление архива не читается", source) from None
    finally:
        stream.seek(0)
    if len(parts) > MAX_PARTS:
        raise _reject(f"в книге Excel больше {MAX_PARTS} частей ({len(parts)}): файл отклонён", source)
    total = sum(p.file_size for p in parts)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise _reject(
            f"книга Excel распаковывается в {total // MB} МБ, допускается не более "
            f"{MAX_TOTAL_UNCOMPRESSED // MB} МБ: файл отклонён",
            source,
        )
    for p in parts:
        _check_part(p, source)


def _check_part(part: zipfile.ZipInfo, source: str) -> None:
    if part.file_size > RATIO_FROM and part.file_size > MAX_RATIO * max(part.compress_size, 1):
        ratio = part.file_size // max(part.compress_size, 1)
        raise _reject(
            f"часть книги {part.filename} сжата в {ratio} раз, допускается не более {MAX_RATIO}: "
            "похоже на «zip-бомбу», файл отклонён",
            source,
        )
    if not _streamed(part.filename) and part.file_size > MAX_PART_IN_MEMORY:
        raise _reject(
            f"часть книги {part.filename} занимает {part.file_size // MB} МБ, допускается не более "
            f"{MAX_PART_IN_MEMORY // MB} МБ: файл отклонён",
            source,
        )
