from __future__ import annotations

import json

from lms_bridge.exporters.json_card import route_to_dict
from tests.exporters.sample import full_route


def test_the_json_card_carries_codes_and_the_russian_words_beside_them() -> None:
    data = json.loads(json.dumps(route_to_dict(full_route()), ensure_ascii=False))
    assert data["status"] == "in_progress"
    assert data["status_label"] == "реализуется"
    d = data["diagnostic"]
    assert (d["kind"], d["kind_label"]) == ("standardized", "стандартизированная оценка")
    assert (d["deficit_level"], d["deficit_level_label"]) == ("high", "высокий")
    assert d["levels"]["subject"] == "low"
    assert d["level_labels"]["subject"] == "низкий"
    assert data["final_level_labels"]["subject"] == "повышенный"
    assert data["block_labels"]["ict"] == "ИКТ-компетенции"
    held, proposed = data["final_events"]
    assert (held["level_label"], held["held"], held["state_label"]) == (
        "муниципальный",
        True,
        "проведено 20.05.2027",
    )
    assert proposed["held"] is False
    assert data["deficits_gone"] == ["П1.1", "М2.3"]
    assert data["final_codes"] == ["И4.2"]
    assert data["product"]["kind_label"] == "конспект/технологическая карта урока"
    assert data["reflection"]["helped"] == "курс ПК и мастер-класс"
    assert data["dynamics"] == {
        "subject": 2,
        "methodical": 1,
        "psychological": 0,
        "communicative": -1,
        "ict": 0,
    }
    assert data["activities"][0]["category_label"] == "получение дополнительных знаний"
    assert data["activities"][0]["formal"] is True
    assert data["progress"] == {"done": 1, "total": 3}
