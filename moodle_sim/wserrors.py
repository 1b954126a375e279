"""Moodle web-service errors and the two answer encodings (PHP ``json_encode`` and the REST XML form).

Every Moodle-level error is HTTP 200 with ``{"exception", "errorcode", "message"}``; class names are the 5.1
ones and the site is emulated with debugging off (no ``debuginfo``; a missing DB record hides its table).
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

MOODLE_EXCEPTION = "core\\exception\\moodle_exception"
INVALID_PARAMETER = "core\\exception\\invalid_parameter_exception"
CODING_EXCEPTION = "core\\exception\\coding_exception"
PERSISTENT_EXCEPTION = "core\\invalid_persistent_exception"
MISSING_RECORD = "dml_missing_record_exception"
ACCESS_EXCEPTION = "webservice_access_exception"


class WsError(Exception):
    """A Moodle exception as the REST server reports it."""

    def __init__(self, exception: str, errorcode: str, message: str) -> None:
        super().__init__(f"{errorcode}: {message}")
        self.exception = exception
        self.errorcode = errorcode
        self.message = message

    def body(self) -> dict[str, str]:
        return {"exception": self.exception, "errorcode": self.errorcode, "message": self.message}


def invalid_parameter() -> WsError:
    return WsError(INVALID_PARAMETER, "invalidparameter", "Invalid parameter value detected")


def missing_record() -> WsError:
    # With debug off 5.1 hides which table was missing (debug DEVELOPER would say e.g. "invaliduser").
    return WsError(MISSING_RECORD, "invalidrecordunknown", "Can't find data record in database.")


def invalid_token() -> WsError:
    return WsError(MOODLE_EXCEPTION, "invalidtoken", "Invalid token - token not found")


def access_exception() -> WsError:
    return WsError(ACCESS_EXCEPTION, "accessexception", "Access control exception")


def moodle_error(errorcode: str, message: str) -> WsError:
    return WsError(MOODLE_EXCEPTION, errorcode, message)


def persistent_error(message: str) -> WsError:
    return WsError(PERSISTENT_EXCEPTION, "invalidpersistenterror", f"Error: {message}")


# --- encodings --------------------------------------------------------------------------------------


def _php_numbers(value: Any) -> Any:
    """PHP prints 65.0 as 65: integral floats lose their ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _php_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_php_numbers(v) for v in value]
    return value


def php_json(value: Any) -> str:
    """``json_encode`` with default flags: ``\\uXXXX`` for non-ASCII, ``\\/`` for ``/``, compact."""
    text = json.dumps(_php_numbers(value), ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/")


def xml_error(error: WsError) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        f"<EXCEPTION class={quoteattr(error.exception)}>\n"
        f"<ERRORCODE>{escape(error.errorcode)}</ERRORCODE>\n"
        f"<MESSAGE>{escape(error.message)}</MESSAGE>\n"
        "</EXCEPTION>\n"
    )


def xml_response(value: Any, desc: Any) -> str:
    """The REST XML form, walked along the return description like Moodle's ``xmlize_result``:
    every described key is printed in description order, absent ones as null (an empty MULTIPLE for lists)."""
    return f'<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n{_xml(value, desc)}</RESPONSE>\n'


_QUOTE = {'"': "&quot;"}  # htmlspecialchars(ENT_COMPAT)


def _xml(value: Any, desc: Any) -> str:
    if desc is None:
        return ""
    if "object" in desc:
        source = value if isinstance(value, dict) else {}
        keys = "".join(
            f'<KEY name="{k}">{_xml(source.get(k), sub)}</KEY>\n' for k, sub in desc["object"].items()
        )
        return f"<SINGLE>\n{keys}</SINGLE>\n"
    if "list" in desc:
        items = value if isinstance(value, list) else []
        return "<MULTIPLE>\n" + "".join(_xml(v, desc["list"]) for v in items) + "</MULTIPLE>\n"
    if value is None:
        return '<VALUE null="null"/>\n'
    if isinstance(value, bool):
        value = int(value)  # Moodle: "we want 1/0 instead of true/false here"
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"<VALUE>{escape(str(value), _QUOTE)}</VALUE>\n"
