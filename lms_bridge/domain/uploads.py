"""Checks on a file a teacher uploads as the educational product (pure).

The registry keeps the file, so it accepts only what a product is made of: documents, slides,
spreadsheets, archives and images from an allow-list of extensions (a setting), no larger than a
size limit (a setting), whose first bytes match the extension (a renamed executable is refused).
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from lms_bridge.domain.results import ProductFile
from lms_bridge.errors import Problem, ValidationError

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0",)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "odp": _ZIP,
    "ods": _ZIP,
    "zip": _ZIP,
    "doc": _OLE,
    "ppt": _OLE,
    "xls": _OLE,
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
# The file types a product may have unless the centre says otherwise (Settings.product_file_types).
DEFAULT_FILE_TYPES = ("pdf", "docx", "doc", "odt", "pptx", "ppt", "odp", "xlsx", "zip", "jpg", "png")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "zip": "application/zip",
    "doc": "application/msword",
    "ppt": "application/vnd.ms-powerpoint",
    "xls": "application/vnd.ms-excel",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


def _bad(message: str) -> ValidationError:
    return ValidationError([Problem(message, field="файл продукта")])


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} МБ"


def check_upload(name: str, data: bytes, *, max_bytes: int, allowed: list[str]) -> ProductFile:
    """The file's record, or ValidationError saying what is wrong with it (in Russian)."""
    clean = PurePath(name.replace("\\", "/")).name.strip()
    if not clean:
        raise _bad("у файла нет имени")
    ext = PurePath(clean).suffix.lower().lstrip(".")
    kinds = [k.lower().lstrip(".") for k in allowed]
    if ext not in kinds or ext not in SIGNATURES:
        raise _bad(
            f"файл «{clean}»: тип «{ext or 'без расширения'}» не принимается; допустимы: {', '.join(kinds)}"
        )
    if not data:
        raise _bad(f"файл «{clean}» пуст")
    if len(data) > max_bytes:
        raise _bad(f"файл «{clean}» ({_mib(len(data))}) больше допустимых {_mib(max_bytes)}")
    if not data.startswith(SIGNATURES[ext]):
        raise _bad(f"файл «{clean}» не похож на файл «{ext}»: содержимое не совпадает с расширением")
    return ProductFile(
        name=clean[-255:],
        content_type=CONTENT_TYPES[ext],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
