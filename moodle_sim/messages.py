"""Handler for core_message_send_instant_messages."""

from __future__ import annotations

import json
from typing import Any

from moodle_sim.registry import Call, Params, handler
from moodle_sim.state import Message
from moodle_sim.wserrors import invalid_parameter, missing_record, moodle_error

# --- messages ---------------------------------------------------------------------------------------


@handler("core_message_send_instant_messages")
def send_instant_messages(call: Call, p: Params) -> Any:
    state, sender = call.state, call.state.token_user_id
    results: list[dict[str, Any]] = []
    for m in p["messages"]:
        if m["touserid"] not in state.users:
            results.append(
                _refused(f"You cannot send a message to a user ID ({m['touserid']}) that doesn't exist.")
            )
            continue
        if not state.users[m["touserid"]].messageable:
            results.append(_refused(CANT_BE_MESSAGED))
            continue
        pair = frozenset((sender, m["touserid"]))
        conversation = state.conversations.setdefault(pair, len(state.conversations) + 1)
        msg = Message(state.new_id("message"), sender, m["touserid"], m["text"], state.clock(), conversation)
        state.messages.append(msg)
        sent: dict[str, Any] = {"msgid": msg.id}
        if "clientmsgid" in m:
            sent["clientmsgid"] = m["clientmsgid"]
        text = m["text"] if int(m["textformat"]) == 1 else f"<p>{m['text']}</p>"
        sent |= {
            "text": text,
            "timecreated": msg.timecreated,
            "conversationid": conversation,
            "useridfrom": sender,
            "candeletemessagesforallusers": True,
        }
        results.append(sent)
    if any(r["msgid"] == -1 for r in results) and any(r["msgid"] != -1 for r in results):
        # Moodle 5.1 bug, reproduced: a mixed batch reports this error although the good messages were sent.
        raise moodle_error("formatnotsupported", "webservice/formatnotsupported")
    return results


CANT_BE_MESSAGED = (
    "You can't message this user due to their message preferences. Try adding them as a contact."
)


def _refused(errormessage: str) -> dict[str, Any]:
    return {"msgid": -1, "errormessage": errormessage, "candeletemessagesforallusers": False}


@handler("core_message_get_messages")
def get_messages(call: Call, p: Params) -> Any:
    """Conversation messages between two users, newest first (what lms-bridge reads: ``fullmessage`` of its
    own messages to a user, to look before it sends). Notifications are not kept by the simulator."""
    state = call.state
    to, sender = int(p["useridto"]), int(p["useridfrom"])  # defaults arrive as the declared strings
    for uid in (to, sender):
        if uid and uid not in state.users:
            raise missing_record()
    if p["type"] not in ("notifications", "conversations", "both"):
        raise invalid_parameter()
    found = [
        m
        for m in state.messages
        if (not to or m.useridto == to)
        and (not sender or m.useridfrom == sender)
        and p["type"] != "notifications"
        and int(p["read"]) != 1  # the simulator's messages are never read
    ]
    found.sort(key=lambda m: (m.timecreated, m.id), reverse=p["newestfirst"] in (True, 1, "1"))
    if int(p["limitnum"]):
        start = int(p["limitfrom"])
        found = found[start : start + int(p["limitnum"])]
    users, site = state.users, call.site.url
    return {
        "messages": [
            _message(m, users[m.useridfrom].fullname, users[m.useridto].fullname, site) for m in found
        ],
        "warnings": [],
    }


def _message(m: Message, sender: str, recipient: str, site: str) -> dict[str, Any]:
    """The shape a real 5.1 answered for a conversation message (the moodle-lab, 2026-12-02)."""
    icon = f"{site}/theme/image.php?theme=boost&component=core&rev=1&image=u%2Ff1"
    custom = {"notificationiconurl": icon, "actionbuttons": {"send": "Send"},
              "placeholders": {"send": "Write a message..."}, "courseid": 1}  # fmt: skip
    return {
        "id": m.id,
        "useridfrom": m.useridfrom,
        "useridto": m.useridto,
        "subject": f"New message from {sender}",
        "text": f"<p>{m.text}</p>",
        "fullmessage": m.text,
        "fullmessageformat": 2,
        "fullmessagehtml": "",
        "smallmessage": m.text,
        "notification": 0,
        "contexturl": "",
        "contexturlname": "",
        "timecreated": m.timecreated,
        "timeread": None,
        "usertofullname": recipient,
        "userfromfullname": sender,
        "customdata": json.dumps(custom, separators=(",", ":")),
    }
