"""The demo's tool sets itself up the way an administrator and a course editor would in Moodle: LTI
Dynamic Registration (the registration URL pasted into «Add LTI Advantage»), then Deep Linking (the
course editor's «Select content») to place the activities. Over HTTP between the two running servers,
the browser's form posts played by ``requests``.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import requests

from lms_bridge.domain.platforms import REGION
from lms_bridge.errors import ConfigError
from lms_bridge.ports import LaunchStore

TIMEOUT = 30.0
PLACED = ("card", "dashboard", "report", "events")  # what the demo course gets, in this order


def _form(html: str) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form[^>]*action="([^"]*)"', html)
    if action is None:
        raise ConfigError(f"демо: на странице нет формы: {html[:300]}")
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    return unescape(action.group(1)), {k: unescape(v) for k, v in fields.items()}


def _ok(resp: requests.Response, what: str) -> requests.Response:
    if resp.status_code >= 400:
        raise ConfigError(f"демо: {what} не удалось ({resp.status_code}): {resp.text[:300]}")
    return resp


def register(http: requests.Session, sim_url: str, web_url: str, launches: LaunchStore) -> None:
    """«Add LTI Advantage» with a one-time registration URL that gives the platform the whole region."""
    code, _ = launches.new_registration_code(10, REGION)
    start = f"{sim_url}/mod/lti/startltiadvregistration.php?" + urlencode(
        {"url": f"{web_url}/lti/register?code={code}"}
    )
    frame = _ok(http.get(start, allow_redirects=False, timeout=TIMEOUT), "начало регистрации")
    page = _ok(http.get(frame.headers["Location"], timeout=TIMEOUT), "страница регистрации")
    action, fields = _form(page.text)  # the page's form carries the code, the platform's URL and token
    target = web_url + action if action.startswith("/") else action
    _ok(http.post(target, data=fields, timeout=TIMEOUT), "регистрация")


def _launch(http: requests.Session, start: str) -> requests.Response:
    """From a platform page that starts a launch to the tool's answer (OIDC login, auth, id_token)."""
    login_url, fields = _form(_ok(http.get(start, timeout=TIMEOUT), "запуск").text)
    auth = _ok(http.post(login_url, data=fields, allow_redirects=False, timeout=TIMEOUT), "вход LTI")
    redirect_uri, token = _form(_ok(http.get(auth.headers["Location"], timeout=TIMEOUT), "авторизация").text)
    return _ok(
        http.post(redirect_uri, data=token, allow_redirects=False, timeout=TIMEOUT), "ответ инструмента"
    )


def place(http: requests.Session, sim_url: str, course_id: int, type_id: str, editor: str) -> None:
    """«Select content» once per placement, as the course editor, each choice posted back to Moodle."""
    for view in PLACED:
        page = _launch(
            http, f"{sim_url}/mod/lti/contentitem.php?course={course_id}&id={type_id}&user={editor}"
        )
        m = re.search(
            r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="JWT" value="([^"]+)">\s*'
            rf'<button type="submit" name="view" value="{view}">',
            page.text,
        )
        if m is None:
            raise ConfigError(f"демо: инструмент не предложил «{view}»: {page.text[:300]}")
        _ok(http.post(unescape(m.group(1)), data={"JWT": m.group(2)}, timeout=TIMEOUT), "выбор содержимого")
