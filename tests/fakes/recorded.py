"""Recorded Moodle 5.1 request/response pairs (tests/fixtures/moodle; NOTES.md there says what each holds)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "moodle"


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def recorded(name: str) -> dict[str, Any]:
    """A fresh copy of ``<wsfunction>__<case>``: keys request, http_status, content_type, response..."""
    return copy.deepcopy(_load(name))


def response_of(name: str) -> Any:
    return recorded(name)["response"]


def http_reply(name: str) -> tuple[int, dict[str, str], str]:
    """What Moodle sent for that case, as a ``responses`` callback returns it."""
    case = recorded(name)
    body = case["response"]
    if isinstance(body, dict) and set(body) == {"raw"}:
        text = body["raw"]
    else:
        text = case.get("raw_body") or json.dumps(body)
    return case["http_status"], {"Content-Type": case["content_type"]}, text


def form_pairs(body: str | bytes | None) -> list[tuple[str, str]]:
    if body is None:
        return []
    if isinstance(body, bytes):
        body = body.decode("ascii")
    return parse_qsl(body, keep_blank_values=True)


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """PHP's reading of ``a[0][b]=1``: nested dicts keyed by the bracket parts (list indices as str)."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        parts = [head] + ([p.rstrip("]") for p in ("[" + rest).split("[")[1:]] if rest else [])
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return root


def as_list(value: Any) -> list[Any]:
    """A PHP list read from the form: the values in index order (sparse indices allowed)."""
    if not value:
        return []
    return [value[k] for k in sorted(value, key=int)]
