"""Bad settings explained in Russian: one line per environment variable, naming what is expected.

``explain`` reads what a setting expects from its declaration (type, bounds, choices, JSON shape),
so a new setting needs no message of its own. A value is echoed only when it is short and not a
secret; JSON values are never echoed (they may carry URLs of a platform).
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, SecretStr
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo

_NESTED_PROBLEMS = {
    "missing": "нет обязательного поля",
    "extra_forbidden": "лишнее поле",
    "string_type": "ожидается строка",
    "list_type": "ожидается список",
    "dict_type": "ожидается объект {…}",
    "model_type": "ожидается объект {…}",
}


def _bounds(field: FieldInfo) -> str:
    parts = []
    for m in field.metadata:
        if isinstance(m, at.Ge):
            parts.append(f"не меньше {m.ge}")
        elif isinstance(m, at.Gt):
            parts.append(f"больше {m.gt}")
        elif isinstance(m, at.Le):
            parts.append(f"не больше {m.le}")
        elif isinstance(m, at.Lt):
            parts.append(f"меньше {m.lt}")
    return f" ({', '.join(parts)})" if parts else ""


def _json_shape(annotation: Any) -> str | None:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        fields = args[0].model_fields
        required = ", ".join(n for n, f in fields.items() if f.is_required())
        optional = ", ".join(n for n, f in fields.items() if not f.is_required())
        more = f"; необязательные: {optional}" if optional else ""
        return f"JSON-список объектов с полями {required}{more}"
    if origin is dict:
        return 'JSON-объект {"ключ": "значение", …}'
    if origin is list:
        return 'JSON-список ["…", …]'
    return None


def expected(field: FieldInfo) -> str:
    """What a setting takes, in Russian, from its declaration."""
    extra = field.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("expected"), str):
        return str(extra["expected"])
    annotation = field.annotation
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    shape = _json_shape(annotation)
    if shape:
        return shape
    if get_origin(annotation) is Literal:
        return "одно из значений: " + ", ".join(str(a) for a in get_args(annotation))
    if annotation is bool:
        return "true или false"
    if annotation is int:
        return "целое число" + _bounds(field)
    if annotation is float:
        return "число, дробная часть через точку" + _bounds(field)
    return "строка" + _bounds(field)


def _problem(err: Any, field: FieldInfo) -> str:
    """The part of the line after «ожидается …»: a JSON error, or where inside the JSON it is wrong."""
    if err["type"] == "value_error":
        return str(err["ctx"]["error"])
    inner = err["loc"][1:]
    if not inner:
        value = err.get("input")
        secret = field.annotation is SecretStr
        if (
            isinstance(value, str)
            and len(value) <= 60
            and not secret
            and _json_shape(field.annotation) is None
        ):
            return f"задано «{value}»"
        return "задано недопустимое значение"
    where = ", ".join(f"элемент {x + 1}" if isinstance(x, int) else f"поле «{x}»" for x in inner)
    return f"{where}: {_NESTED_PROBLEMS.get(err['type'], err['msg'])}"


def explain(model: type[BaseModel], prefix: str, error: PydanticValidationError) -> list[str]:
    """One line per bad setting: ``LMS_BRIDGE_X: ожидается …; задано «…»``."""
    problems: dict[str, list[str]] = {}
    lines = []
    for err in error.errors():
        name = str(err["loc"][0]) if err["loc"] else ""
        field = model.model_fields.get(name)
        if field is None:  # a check across settings: its message names them
            detail = str(err["ctx"]["error"]) if err["type"] == "value_error" else err["msg"]
            lines.append(detail if detail.startswith(prefix) else f"настройки: {detail}")
            continue
        problems.setdefault(name, []).append(_problem(err, field))
    for name, found in problems.items():
        field = model.model_fields[name]
        details = "; ".join(dict.fromkeys(found))  # unique, in order
        lines.append(f"{prefix}{name.upper()}: ожидается {expected(field)}; {details}")
    return lines
