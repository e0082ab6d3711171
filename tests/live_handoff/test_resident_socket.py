"""A resident's websocket against a real Redis (bot down: Rasa not running)."""

from __future__ import annotations

from dataclasses import replace

from tests.live_handoff.conftest import kind, resident


async def test_a_new_conversation_gets_an_id_and_a_resume_token(settings, make_client):
    client = await make_client(settings)
    sock, welcome = await resident(client)
    assert welcome["conversation_id"].startswith("c_") and len(welcome["resume_token"]) == 43
    assert welcome["resumed"] is False and welcome["mode"] == "bot"


async def test_the_welcome_says_how_long_the_chat_is_kept_and_where_the_privacy_notice_is(settings, make_client):
    client = await make_client(
        replace(settings, retention_days=30, privacy_notice_url="https://www.northbridge.example/privacy")
    )
    _, welcome = await resident(client)
    assert welcome["privacy"] == {"retention_days": 30, "notice_url": "https://www.northbridge.example/privacy"}

    plain = await make_client(settings)
    _, welcome = await resident(plain)
    assert welcome["privacy"] == {"retention_days": 90}


async def test_the_widget_can_ask_what_to_say_about_privacy_before_any_conversation(settings, make_client):
    council = "https://www.northbridge.example"
    client = await make_client(
        replace(settings, allowed_origins=frozenset({council}), privacy_notice_url=council + "/privacy")
    )
    response = await client.get("/api/widget/settings", headers={"Origin": council})
    assert response.status == 200
    assert await response.json() == {"privacy": {"retention_days": 90, "notice_url": council + "/privacy"}}
    assert response.headers["Access-Control-Allow-Origin"] == council

    elsewhere = await client.get("/api/widget/settings", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in elsewhere.headers


async def test_a_message_is_acknowledged_and_the_resident_is_told_when_the_bot_is_down(settings, make_client):
    client = await make_client(settings)
    sock, _ = await resident(client)
    await sock.send({"type": "message", "client_id": "m1", "text": "when is my bin collected"})
    ack = await sock.next(kind("ack", client_id="m1"))
    echoed = await sock.next(kind("message", **{"from": "resident"}))
    assert echoed["id"] == ack["id"] and echoed["text"] == "when is my bin collected"
    notice = await sock.next(kind("message", **{"from": "system"}), timeout=5)
    assert "isn't working" in notice["text"]
    assert {b.get("action") for b in notice["buttons"]} == {"retry", "request_advisor"}


async def test_malformed_frames_get_clear_errors_and_the_socket_stays_open(settings, make_client):
    client = await make_client(settings)
    sock, _ = await resident(client)
    for raw, code in [
        ("not json", "bad_json"),
        ("[1]", "bad_json"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": "message", "text": "hi"}', "invalid"),
        ('{"type": "rating", "score": 11}', "invalid"),
        ('{"type": "message", "client_id": "m2", "text": "' + "x" * 2001 + '"}', "too_large"),
    ]:
        await sock.send(raw)
        error = await sock.next(kind("error"))
        assert error["code"] == code, (raw[:40], error)
    await sock.send({"type": "ping"})
    assert await sock.next(kind("pong"))


async def test_a_frame_over_the_size_limit_closes_with_1009(settings, make_client):
    client = await make_client(replace(settings, max_frame_bytes=2048))
    sock, _ = await resident(client)
    await sock.send({"type": "message", "client_id": "big", "text": "y" * 5000})
    msg = await sock.ws.receive(timeout=5)
    assert msg.type.name in ("CLOSE", "CLOSED", "CLOSING")
    assert sock.ws.close_code == 1009


async def test_a_flood_is_refused_with_retry_after_and_nothing_is_silently_dropped(settings, make_client):
    client = await make_client(replace(settings, messages_per_minute=60, burst=3))
    sock, _ = await resident(client)
    for i in range(6):
        await sock.send({"type": "message", "client_id": f"f{i}", "text": f"flood {i}"})
    answered: set[str] = set()

    def all_answered(frame: dict) -> bool:
        if frame["type"] in ("ack", "error") and frame.get("client_id"):
            answered.add(frame["client_id"])
        return len(answered) == 6

    await sock.next(all_answered)
    frames = sock.frames + await sock.quiet(0.5)  # and no second answer to any
    acked = {f["client_id"] for f in frames if f["type"] == "ack"}
    refused = {f["client_id"] for f in frames if f["type"] == "error" and f["code"] == "rate_limited"}
    assert acked | refused == {f"f{i}" for i in range(6)} and not acked & refused  # each one answered
    assert len(acked) == 3 and all(f["retry_after"] > 0 for f in frames if f["type"] == "error")


async def test_typing_has_its_own_allowance_so_it_never_costs_a_message(settings, make_client):
    client = await make_client(replace(settings, messages_per_minute=60, burst=1))
    sock, _ = await resident(client)
    for i in range(20):
        await sock.send({"type": "typing", "active": i % 2 == 0})
    await sock.send({"type": "message", "client_id": "real", "text": "hello"})
    await sock.next(kind("ack", client_id="real"))
    frames = sock.frames
    assert any(f["type"] == "error" and f["code"] == "rate_limited" for f in frames)  # the typing flood


async def test_a_websocket_from_another_website_is_refused(settings, make_client):
    client = await make_client(replace(settings, allowed_origins=frozenset({"https://www.northbridge.example"})))
    ws = await client.ws_connect("/ws/resident", headers={"Origin": "https://evil.example"})
    msg = await ws.receive(timeout=5)
    assert msg.json()["code"] == "not_allowed"
    await ws.receive(timeout=5)
    assert ws.close_code == 4403
    ok = await client.ws_connect("/ws/resident", headers={"Origin": "https://www.northbridge.example"})
    await ok.send_json({"type": "hello"})
    assert (await ok.receive_json(timeout=5))["type"] == "welcome"


async def test_a_resident_resumes_with_the_gap_replayed_once_and_in_order(settings, make_client):
    client = await make_client(settings)
    sock, welcome = await resident(client)
    await sock.send({"type": "message", "client_id": "a", "text": "first"})
    first = await sock.next(kind("ack", client_id="a"))
    await sock.next(kind("message", **{"from": "system"}))
    await sock.ws.close()
    again, resumed = await resident(
        client,
        {
            "conversation_id": welcome["conversation_id"],
            "resume_token": welcome["resume_token"],
            "last_seen": first["id"],
        },
    )
    assert resumed["resumed"] is True and "resume_token" not in resumed
    await again.next(lambda f: "id" in f)
    replayed = [f for f in again.frames + await again.quiet(0.5) if "id" in f]
    assert [f["from"] for f in replayed] == ["system"]  # only what came after "first"
    await again.send({"type": "message", "client_id": "a", "text": "first"})  # resent after the drop
    ack = await again.next(kind("ack", client_id="a"))
    assert ack["id"] == first["id"]
    assert not [f for f in await again.quiet(0.5) if f.get("type") == "message"], "a resend must not log twice"


async def test_a_wrong_resume_token_reveals_nothing(settings, make_client):
    client = await make_client(settings)
    _, welcome = await resident(client)
    ws = await client.ws_connect("/ws/resident")
    await ws.send_json({"type": "hello", "conversation_id": welcome["conversation_id"], "resume_token": "x" * 43})
    reply = await ws.receive_json(timeout=5)
    assert reply["code"] == "unknown_conversation"


async def test_frames_before_hello_are_refused(settings, make_client):
    client = await make_client(settings)
    ws = await client.ws_connect("/ws/resident")
    await ws.send_json({"type": "message", "client_id": "z", "text": "hi"})
    reply = await ws.receive_json(timeout=5)
    assert reply["code"] == "hello_first" and reply["client_id"] == "z"


async def test_conversation_records_expire_after_the_retention_period(settings, store, make_client):
    client = await make_client(replace(settings, retention_days=2))
    sock, welcome = await resident(client)
    await sock.send({"type": "message", "client_id": "t", "text": "hello"})
    await sock.next(kind("ack"))
    cid = welcome["conversation_id"]
    for key in (
        f"{settings.key_prefix}:conv:{cid}",
        f"{settings.key_prefix}:log:{cid}",
        f"{settings.key_prefix}:cids:{cid}",
    ):
        ttl = await store.redis.ttl(key)
        assert 0 < ttl <= 2 * 86_400, (key, ttl)


async def test_a_council_page_on_an_allowed_origin_may_download_its_transcript(settings, make_client):
    client = await make_client(replace(settings, allowed_origins=frozenset({"https://www.northbridge.example"})))
    _, welcome = await resident(client)
    url = f"/api/conversations/{welcome['conversation_id']}/transcript"
    preflight = await client.options(
        url, headers={"Origin": "https://www.northbridge.example", "Access-Control-Request-Headers": "authorization"}
    )
    assert preflight.headers["Access-Control-Allow-Headers"] == "Authorization"
    got = await client.get(
        url, headers={"Origin": "https://www.northbridge.example", "Authorization": f"Bearer {welcome['resume_token']}"}
    )
    assert got.status == 200 and got.headers["Access-Control-Allow-Origin"] == "https://www.northbridge.example"
    other = await client.get(
        url, headers={"Origin": "https://evil.example", "Authorization": f"Bearer {welcome['resume_token']}"}
    )
    assert "Access-Control-Allow-Origin" not in other.headers


async def test_an_idle_close_says_so(settings, make_client):
    client = await make_client(settings)
    sock, _ = await resident(client)
    await sock.send({"type": "end_chat", "client_id": "idle", "reason": "idle"})
    closed = await sock.next(kind("status", mode="closed"))
    assert "didn't hear from you" in closed["text"]
