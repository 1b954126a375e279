"""/api/v1 for the fourth stage: events, product, reflection, closing, a refused completion, prolonging."""

from __future__ import annotations

from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import CURATOR_EMAIL, INSTRUCTOR, Launcher
from tests.web.test_api import _session


def test_the_cycle_through_the_api(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    base = f"/api/v1/routes/{number}"
    teacher = _session(launcher, "teacher1@school.ru")
    curator = _session(launcher, CURATOR_EMAIL, [INSTRUCTOR])
    c = launcher.client

    card = c.get(base, headers=curator).get_json()
    assert len(card["completion_missing"]) == 6
    refused = c.post(f"{base}/transitions", json={"action": "complete"}, headers=curator)
    assert refused.status_code == 409
    assert "не хватает (6)" in refused.get_json()["error"]["message"]

    added = c.post(f"{base}/events", json={"form": "открытый урок", "title": "Дроби"}, headers=teacher)
    assert added.status_code == 200
    assert added.get_json()["final_events"][0]["confirmed"] is False
    held = c.post(f"{base}/events/1/held", json={"note": "7 «А»"}, headers=teacher)
    assert held.get_json()["final_events"][0]["held"] is False
    confirmed = c.post(f"{base}/events/1/confirm", headers=curator).get_json()
    assert confirmed["final_events"][0]["held"] is True
    assert c.delete(f"{base}/events/1", headers=curator).status_code == 409  # held: a fact

    product = {"kind": "programme", "title": "Рабочая программа", "link": "https://school.ru/p"}
    assert c.put(f"{base}/product", json=product, headers=teacher).status_code == 200
    assert c.put(f"{base}/product", json=product, headers=curator).status_code == 403
    answers = {"overcome": "П1.1", "needs_met": "да"}
    assert (
        c.put(f"{base}/reflection", json=answers, headers=teacher).get_json()["reflection"]["overcome"]
        == "П1.1"
    )
    for key in ("1", "2", "3"):
        closed = c.post(f"{base}/activities/{key}/close", json={"reason": "перенесено"}, headers=curator)
        assert closed.status_code == 200
    body = {"final_levels": {"subject": "advanced"}, "conclusion": "успешно"}
    assert c.post(f"{base}/conclusion", json=body, headers=curator).status_code == 200
    done = c.post(f"{base}/transitions", json={"action": "complete"}, headers=curator)
    assert done.status_code == 200, done.get_json()
    route = store.get_route(number)
    assert route.status is RouteStatus.COMPLETED
    assert route.completed_on is not None
    assert route.final_source == "curator"
    assert route.product is not None


def test_prolong_through_the_api_takes_the_end(launcher: Launcher, seeded: dict[str, Route]) -> None:
    base = f"/api/v1/routes/{seeded['t1'].number}"
    curator = _session(launcher, CURATOR_EMAIL, [INSTRUCTOR])
    moved = launcher.client.post(
        f"{base}/transitions", json={"action": "prolong", "end": "2028-03-31"}, headers=curator
    )
    assert moved.status_code == 200
    assert (moved.get_json()["status"], moved.get_json()["end"], moved.get_json()["deadline"]) == (
        "prolonged",
        "2028-03-31",
        "2028-03-31",
    )
