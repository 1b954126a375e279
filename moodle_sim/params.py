"""PHP form decoding and Moodle's strict external-API parameter validation.

PHP turns ``enrolments[0][userid]=6`` into nested arrays; Moodle then checks the nested value against the
function's declared structure (``ws_params.json``, dumped from a real 5.1 site) and rejects unknown keys,
missing required keys, wrong scalar types and scalar/array mix-ups with ``invalidparameter``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from moodle_sim.wserrors import invalid_parameter

if TYPE_CHECKING:
    from moodle_sim.state import SimState

Params = dict[str, Any]
_BRACKETS = re.compile(r"\[([^\]]*)\]")


def parse_php_form(pairs: Iterable[tuple[str, str]], max_input_vars: int) -> tuple[Params, int]:
    """Nest ``a[0][b]=v`` pairs like PHP does; fields past ``max_input_vars`` are dropped silently.

    Returns the nested params and how many fields were dropped.
    """
    out: Params = {}
    dropped = 0
    for count, (key, value) in enumerate(pairs):
        if count >= max_input_vars:
            dropped += 1
            continue
        _put(out, key, value)
    return out, dropped


def _put(out: Params, key: str, value: str) -> None:
    head, sep, rest = key.partition("[")
    if not head:
        return
    if not sep:
        out[head] = value
        return
    path = [head, *_BRACKETS.findall("[" + rest)]
    node: Any = out
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if part == "":
            part = str(len(node))  # "a[]" appends like PHP
        if last:
            node[part] = value
            return
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child


@cache
def _signatures() -> dict[str, Any]:
    text = resources.files("moodle_sim").joinpath("ws_params.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)["functions"]
    return data


def service_functions() -> dict[str, str]:
    """Function name → version, in the order the recorded service lists them."""
    return {name: spec["version"] for name, spec in _signatures().items()}


def enabled_functions(state: SimState) -> dict[str, str]:
    """The functions the token may call: the recorded service, or the part of it ``state.service`` names."""
    functions = service_functions()
    if state.service is None:
        return functions
    return {name: version for name, version in functions.items() if name in state.service}


def return_description(wsfunction: str) -> Any:
    """The function's return structure (``object``/``list``/``type`` nodes), None when it returns nothing."""
    return _signatures()[wsfunction]["returns"]


def validate(wsfunction: str, raw: Params) -> Params:
    """Clean ``raw`` against the function's parameter description or raise ``invalidparameter``."""
    spec = _signatures()[wsfunction]["parameters"]
    return _object(spec, raw)


def _object(spec: dict[str, Any], value: Any) -> Params:
    if not isinstance(value, dict):
        raise invalid_parameter()
    unknown = set(value) - set(spec)
    if unknown:
        raise invalid_parameter()
    out: Params = {}
    for key, node in spec.items():
        if key in value:
            out[key] = _node(node, value[key])
        elif node.get("req") == "required":
            raise invalid_parameter()
        elif node.get("req") == "default":
            out[key] = node.get("default")
    return out


def _node(node: dict[str, Any], value: Any) -> Any:
    if "object" in node:
        return _object(node["object"], value)
    if "list" in node:
        if not isinstance(value, dict):
            raise invalid_parameter()
        return [_node(node["list"], item) for item in value.values()]
    return _scalar(node.get("type", "raw"), value)


_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_ALPHA = re.compile(r"[a-zA-Z]*")
_ALPHANUM = re.compile(r"[a-zA-Z0-9]*")
_ALPHANUMEXT = re.compile(r"[a-zA-Z0-9_-]*")
_COMPONENT = re.compile(r"[a-z][a-z0-9_]*")


def _scalar(kind: str, value: Any) -> Any:
    if not isinstance(value, str):
        raise invalid_parameter()  # an array where a scalar is expected
    checks = {
        "int": _INT,
        "float": _FLOAT,
        "alpha": _ALPHA,
        "alphanum": _ALPHANUM,
        "alphanumext": _ALPHANUMEXT,
        "component": _COMPONENT,
        "plugin": _COMPONENT,
    }
    if kind == "bool":
        if value not in ("0", "1"):
            raise invalid_parameter()
        return value == "1"
    pattern = checks.get(kind)
    if pattern is not None and not pattern.fullmatch(value):
        raise invalid_parameter()
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return value
