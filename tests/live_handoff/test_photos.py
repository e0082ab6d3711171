"""Photos through the real relay and a real Redis: upload, limits, bad files, access,
sending with a case, the public address and the sweep of photos never sent."""

from __future__ import annotations

import io
import os
import stat
from dataclasses import replace

from PIL import Image

from live_handoff.keys import METRICS
from live_handoff.photos.handlers import FILES, sweep_once
from live_handoff.photos.images import Limits
from live_handoff.photos.records import PhotoRecords, for_bot
from live_handoff.photos.settings import PhotoSettings
from tests.live_handoff.conftest import add_advisor, advisor, resident
from tests.live_handoff.unit.test_photo_images import encoded, jpeg_with_gps, png_bomb


def photo_settings(settings, tmp_path, **changes):
    return replace(settings, photos=PhotoSettings(directory=tmp_path / "photos", **changes))


async def start(client):
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    return sock, cid, {"Authorization": f"Bearer {welcome['resume_token']}"}


async def upload(client, cid, headers, data: bytes):
    return await client.post(f"/api/conversations/{cid}/photos", data=data, headers=headers)


async def test_a_resident_uploads_a_photo_and_gets_it_back_without_its_gps(settings, tmp_path, make_client):
    client = await make_client(photo_settings(settings, tmp_path))
    sock, cid, token = await start(client)
    response = await upload(client, cid, token, jpeg_with_gps())
    assert response.status == 201, await response.text()
    body = await response.json()
    assert body["number"] == 1 and body["format"] == "JPEG" and body["id"].startswith("p_")
    served = await client.get(f"/api/conversations/{cid}/photos/{body['id']}", headers=token)
    assert served.status == 200 and served.content_type == "image/jpeg"
    image = Image.open(io.BytesIO(await served.read()))
    assert dict(image.getexif()) == {}
    files = sorted(os.listdir(tmp_path / "photos"))
    assert files == [f"{body['id']}.jpg", f"{body['id']}.thumb.jpg"]
    assert all(stat.S_IMODE(os.stat(tmp_path / "photos" / f).st_mode) == 0o600 for f in files)
    said = await sock.next(lambda f: f.get("from") == "system" and "Photo 1" in f.get("text", ""))
    assert said["text"] == "Photo 1 added to your report."
    transcript = await client.get(f"/api/conversations/{cid}/transcript", headers=token)
    assert "Photo 1 added to your report." in await transcript.text()


async def test_bad_files_are_refused_in_words_and_nothing_is_kept(settings, tmp_path, make_client):
    client = await make_client(photo_settings(settings, tmp_path))
    _, cid, token = await start(client)
    truncated = encoded("JPEG", (800, 600))
    for data, code in [
        (b"not a photo at all\n" * 50, "not_an_image"),
        (truncated[: len(truncated) // 2], "not_an_image"),
        (png_bomb(20_000, 20_000), "too_many_pixels"),
    ]:
        response = await upload(client, cid, token, data)
        body = await response.json()
        assert response.status == 422 and body["error"]["code"] == code, body
        assert body["error"]["message"].startswith("That ")
    assert not (tmp_path / "photos").exists() or os.listdir(tmp_path / "photos") == []
    listing = await (await client.get(f"/api/conversations/{cid}/photos", headers=token)).json()
    assert listing == {"waiting": [], "sent": []}
    registry = client.server.app[METRICS].registry
    assert registry.get_sample_value("frontdesk_photos_total", {"outcome": "not_an_image"}) == 2


async def test_a_photo_over_the_size_limit_is_refused_with_413(settings, tmp_path, make_client):
    client = await make_client(photo_settings(settings, tmp_path, limits=Limits(max_bytes=50_000)))
    _, cid, token = await start(client)
    response = await upload(client, cid, token, os.urandom(60_000))
    assert response.status == 413
    assert "under 0.0476837 MB" in (await response.json())["error"]["message"]


async def test_a_fourth_photo_is_refused_until_one_is_removed(settings, tmp_path, make_client):
    client = await make_client(photo_settings(settings, tmp_path))
    _, cid, token = await start(client)
    ids = [(await (await upload(client, cid, token, encoded("PNG"))).json())["id"] for _ in range(3)]
    refused = await upload(client, cid, token, encoded("PNG"))
    assert refused.status == 409 and "up to 3 photos" in (await refused.json())["error"]["message"]
    assert (await client.delete(f"/api/conversations/{cid}/photos/{ids[0]}", headers=token)).status == 204
    assert not (tmp_path / "photos" / f"{ids[0]}.png").exists()
    again = await upload(client, cid, token, encoded("PNG"))
    assert again.status == 201 and (await again.json())["number"] == 3


async def test_another_conversations_token_cannot_upload_read_or_remove(settings, tmp_path, make_client):
    client = await make_client(photo_settings(settings, tmp_path))
    _, cid, token = await start(client)
    _, _, other = await start(client)
    pid = (await (await upload(client, cid, token, encoded("JPEG"))).json())["id"]
    assert (await upload(client, cid, other, encoded("JPEG"))).status == 404
    assert (await client.get(f"/api/conversations/{cid}/photos/{pid}", headers=other)).status == 404
    assert (await client.get(f"/api/conversations/{cid}/photos", headers=other)).status == 404
    assert (await client.delete(f"/api/conversations/{cid}/photos/{pid}", headers=other)).status == 404
    assert (await client.get(f"/api/conversations/{cid}/photos/{pid}")).status == 404  # nobody signed in


async def test_a_photo_sent_with_a_case_is_kept_and_served_at_its_media_url_only_then(
    settings, tmp_path, make_client, store
):
    client = await make_client(photo_settings(settings, tmp_path))
    _, cid, token = await start(client)
    pid = (await (await upload(client, cid, token, encoded("JPEG"))).json())["id"]
    records = PhotoRecords(store.redis, store.p)
    metadata = for_bot(await records.pending(cid))
    url = metadata["photos"][0]["url"]
    assert metadata["photos"][0]["id"] == pid and "/photos/" in url and pid not in url
    path = url.split(str(client.port), 1)[1]
    assert (await client.get(path)).status == 404  # not yet sent with a case
    assert await records.attach(cid, [pid, "p_notthisconversationsphoto"], "NB-2026-000123", 3600) == [pid]
    assert 0 < await store.redis.ttl(f"{store.p}:photo:{pid}") <= 3600  # kept for the retention given
    public = await client.get(path)
    assert public.status == 200 and public.content_type == "image/jpeg"
    listing = await (await client.get(f"/api/conversations/{cid}/photos", headers=token)).json()
    assert listing["waiting"] == [] and listing["sent"][0]["case"] == "NB-2026-000123"
    removal = await client.delete(f"/api/conversations/{cid}/photos/{pid}", headers=token)
    assert removal.status == 409


async def test_an_advisor_who_may_read_the_chat_sees_its_thumbnails(settings, tmp_path, make_client, store):
    client = await make_client(photo_settings(settings, tmp_path))
    sock, cid, token = await start(client)
    pid = (await (await upload(client, cid, token, encoded("JPEG", (1200, 900)))).json())["id"]
    await add_advisor(store, "sam")
    await advisor(client)  # signed in and available, so the chat can queue
    # Not queued, never held: the advisor may not read it yet.
    assert (await client.get(f"/api/conversations/{cid}/photos/{pid}?size=thumb")).status == 404
    await sock.send({"type": "request_advisor", "client_id": "r1"})
    await sock.next(lambda f: f.get("type") == "status" and f.get("mode") == "queued")
    thumb = await client.get(f"/api/conversations/{cid}/photos/{pid}?size=thumb")
    assert thumb.status == 200
    assert max(Image.open(io.BytesIO(await thumb.read())).size) == 240


async def test_photos_never_sent_with_a_report_are_swept_once_their_records_expire(
    settings, tmp_path, make_client, store
):
    client = await make_client(photo_settings(settings, tmp_path))
    _, cid, token = await start(client)
    kept = (await (await upload(client, cid, token, encoded("JPEG"))).json())["id"]
    dropped = (await (await upload(client, cid, token, encoded("JPEG"))).json())["id"]
    records = PhotoRecords(store.redis, store.p)
    await records.attach(cid, [kept], "NB-2026-000124", 3600)
    await store.redis.delete(f"{store.p}:photo:{dropped}")  # as its pending time-out would
    files = client.server.app[FILES]
    assert await sweep_once(files, records, 0) == 2  # the photo and its thumbnail
    assert sorted(os.listdir(tmp_path / "photos")) == [f"{kept}.jpg", f"{kept}.thumb.jpg"]


async def test_erasing_a_conversation_forgets_its_photos_and_the_sweep_deletes_their_files(
    settings, tmp_path, make_client, store
):
    client = await make_client(photo_settings(settings, tmp_path))
    _, cid, token = await start(client)
    _, other_cid, other_token = await start(client)
    sent = (await (await upload(client, cid, token, encoded("JPEG"))).json())["id"]
    waiting = (await (await upload(client, cid, token, encoded("PNG"))).json())["id"]
    kept = (await (await upload(client, other_cid, other_token, encoded("JPEG"))).json())["id"]
    records = PhotoRecords(store.redis, store.p)
    await records.attach(cid, [sent], "NB-2026-000125", 3600)
    assert await records.forget([cid]) == 2
    assert not await records.known(sent) and not await records.known(waiting) and await records.known(kept)
    assert await store.redis.keys(f"{store.p}:photo*{cid}") == []
    assert await sweep_once(client.server.app[FILES], records, 0) == 4
    assert sorted(os.listdir(tmp_path / "photos")) == [f"{kept}.jpg", f"{kept}.thumb.jpg"]


async def test_one_address_adding_photos_over_its_hourly_limit_is_told_when_to_try_again(
    settings, tmp_path, make_client
):
    few = replace(photo_settings(settings, tmp_path), limits=replace(settings.limits, photos=2))
    client = await make_client(few)
    _, cid, token = await start(client)
    for _ in range(2):
        assert (await upload(client, cid, token, encoded("PNG"))).status == 201
    refused = await upload(client, cid, token, encoded("PNG"))
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert (await refused.json())["error"]["code"] == "rate_limited"
    assert len(os.listdir(tmp_path / "photos")) == 4  # the two photos and their thumbnails: nothing of the third
    registry = client.server.app[METRICS].registry
    assert registry.get_sample_value("frontdesk_limited_total", {"limit": "photos"}) == 1.0
