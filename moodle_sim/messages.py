"""Handler for core_message_send_instant_messages."""

from __future__ import annotations

from typing import Any

from moodle_sim.registry import Call, Params, handler
from moodle_sim.state import Message
from moodle_sim.wserrors import moodle_error

# --- messages ---------------------------------------------------------------------------------------


@handler("core_message_send_instant_messages")
def send_instant_messages(call: Call, p: Params) -> Any:
    state, sender = call.state, call.state.token_user_id
    results: list[dict[str, Any]] = []
    for m in p["messages"]:
        if m["touserid"] not in state.users:
            results.append(
                {
                    "msgid": -1,
                    "errormessage": f"You cannot send a message to a user ID "
                    f"({m['touserid']}) that doesn't exist.",
                    "candeletemessagesforallusers": False,
                }
            )
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
