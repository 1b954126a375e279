"""PHP-bracket flattening of web-service parameters, and the field count that sizes batches.

Moodle's REST server reads an ``application/x-www-form-urlencoded`` body through PHP, so nested
parameters are spelled the PHP way: ``users[0][customfields][0][type]=iom_url``. Scalars are strict
(NOTES «Transport and parameter encoding»): PARAM_INT accepts only digit strings and PARAM_BOOL only
``0``/``1``, so booleans become ``1``/``0`` and ints their plain decimal form. ``None`` means "not sent":
Moodle then applies its own default, which is not always "unchanged" (e.g. an omitted ``timeend`` clears it).

PHP's ``max_input_vars`` (default 1000) caps the number of fields of one request and **silently drops**
the rest, so callers size batches with :func:`count_fields` before they call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

# wstoken, wsfunction, moodlewsrestformat: sent before every call's own parameters.
FIXED_FIELDS = 3


def scalar(value: Any) -> str:
    """One scalar as Moodle's cleaning functions accept it."""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # PHP json_encode writes 65.0 as 65; PARAM_FLOAT accepts both.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot send {type(value).__name__} to Moodle: {value!r}")


def _walk(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(f"{prefix}[{key}]", item)
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        for index, item in enumerate(value):
            yield from _walk(f"{prefix}[{index}]", item)
    else:
        yield prefix, scalar(value)


def flatten(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``{"users": [{"id": 7, "customfields": [{"type": "x"}]}]}`` → ``[("users[0][id]", "7"), ...]``.

    Lists are numbered from 0; a mapping with int keys gives sparse indices, which Moodle accepts
    (it iterates the values). Order is kept, ``None`` anywhere is dropped, Unicode is left as is
    (the form encoder percent-encodes it as UTF-8).
    """
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, Mapping) or (isinstance(value, Sequence) and not isinstance(value, str | bytes)):
            pairs.extend(_walk(key, value))
        else:
            pairs.append((key, scalar(value)))
    return pairs


def count_fields(params: Mapping[str, Any]) -> int:
    """Form fields one call with these parameters sends, the three fixed ones included."""
    return FIXED_FIELDS + len(flatten(params))


def chunk_by_fields(
    fields_per_row: Sequence[int], budget: int, max_rows: int | None = None
) -> list[list[int]]:
    """Split row indices into consecutive chunks whose field totals stay within ``budget``.

    ``budget`` is what is left for the rows after the fixed and the per-call fields. A single row
    over the budget still gets a chunk of its own (Moodle would cut it; better an honest error).
    """
    chunks: list[list[int]] = []
    current: list[int] = []
    used = 0
    for index, cost in enumerate(fields_per_row):
        full = max_rows is not None and len(current) >= max_rows
        if current and (used + cost > budget or full):
            chunks.append(current)
            current, used = [], 0
        current.append(index)
        used += cost
    if current:
        chunks.append(current)
    return chunks
