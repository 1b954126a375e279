"""The one exception tree of lms-bridge.

::

    BridgeError
     ├── ConfigError              bad or missing settings (env, .env, platform registry)
     │    └── SettingsInvalid     values of environment variables that cannot be used (CLI exit 2)
     ├── LmsError                 anything the LMS said or failed to say
     │    ├── LmsUnavailable      transient: timeout, connection error, HTTP 5xx, HTML page  [retryable]
     │    ├── LmsAuthError        invalid token, no permission, function not in the service
     │    ├── LmsNotFound         the user / course / item asked for does not exist
     │    └── LmsResponseError    HTTP 200 with an ``exception`` body, ``warnings``, bad JSON, bad shape
     ├── NotFound                 something asked for by key is not in the registry
     │    └── RouteNotFound
     ├── PermissionDenied         the actor's role may not do this (workflow) or may not see this (scope)
     ├── WorkflowError            the action is not possible from the route's current state
     ├── LaunchError              an LTI launch failed a check (signature, iss, aud, exp, nonce, state)
     ├── RegistrationError        LTI Dynamic Registration refused (code, platform configuration, its answer)
     └── ValidationError          bad input; carries one ``Problem`` per bad row / field

The core knows nothing of HTTP: ``web/`` maps these classes to status codes in one table,
the CLI maps them to exit codes (1 for rejected rows or failed items, 2 for usage).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class BridgeError(Exception):
    """Base of every error lms-bridge raises on purpose."""


class ConfigError(BridgeError):
    pass


class SettingsInvalid(ConfigError):
    """Settings whose values cannot be used; ``lines`` has one Russian line per bad variable."""

    def __init__(self, lines: Sequence[str]):
        self.lines = list(lines)
        super().__init__("; ".join(self.lines))


class LmsError(BridgeError):
    """An LMS call failed. ``errorcode`` is the LMS's own code when it gave one."""

    retryable = False

    def __init__(self, message: str, *, errorcode: str | None = None, wsfunction: str | None = None):
        super().__init__(message)
        self.errorcode = errorcode
        self.wsfunction = wsfunction


class LmsUnavailable(LmsError):
    retryable = True


class LmsAuthError(LmsError):
    pass


class LmsNotFound(LmsError):
    pass


class LmsResponseError(LmsError):
    pass


class NotFound(BridgeError):
    pass


class RouteNotFound(NotFound):
    def __init__(self, number: str):
        super().__init__(f"маршрут {number} не найден")
        self.number = number


class PermissionDenied(BridgeError):
    pass


class WorkflowError(BridgeError):
    pass


class LaunchError(BridgeError):
    pass


class RegistrationError(BridgeError):
    """LTI Dynamic Registration refused: a bad or used code, a platform that is not what it says, or
    the platform's own refusal (its message is kept)."""


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is (row number as the user counts it, column / field) and what is wrong."""

    message: str
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.field:
            where.append(f"поле «{self.field}»")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ValidationError(BridgeError):
    """Bad input. ``problems`` lists every bad row / field found, not only the first."""

    def __init__(self, problems: Iterable[Problem] | str, *, source: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.problems: list[Problem] = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        lines = "; ".join(str(p) for p in self.problems[:5])
        more = f" (и ещё {len(self.problems) - 5})" if len(self.problems) > 5 else ""
        super().__init__(f"{head}{lines}{more}")
