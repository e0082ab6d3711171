"""Photo limits and cleaning, measured: what a phone photo loses, and how long a 5 MB
upload takes through the real relay (a private redis-server; Rasa not running).

    PYTHONPATH=. .venv/bin/python benchmarks/photos/run.py [--uploads 10]

Prints the figures; nothing is kept (the photos go to a temporary folder).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from PIL import ExifTags, Image

from front_door.processes import RedisServer
from live_handoff.app import create_app
from live_handoff.photos import images
from live_handoff.photos.settings import PhotoSettings
from live_handoff.settings import Settings


def phone_photo(target_bytes: int = 5 * 1_048_576) -> bytes:
    """A JPEG of noise (incompressible, like a detailed outdoor photo) about ``target_bytes``
    long, with the EXIF a phone writes: camera, time, orientation and GPS."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0131] = "Phone Maker", "Phone 15 Pro", "Camera 17.2"
    exif[0x0112] = 1
    exif.get_ifd(0x8769).update({0x9003: "2026:12:05 09:30:00", 0xA431: "SERIAL-0042"})
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 30.0, 12.5), 3: "W", 4: (1.0, 45.0, 3.2), 6: 84.0})
    side = 1800
    while True:
        image = Image.frombytes("RGB", (side, side * 3 // 4), os.urandom(side * (side * 3 // 4) * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, exif=exif)
        if out.tell() >= target_bytes:
            return out.getvalue()
        side += 200


def tags(data: bytes) -> list[str]:
    exif = Image.open(io.BytesIO(data)).getexif()
    names = [ExifTags.TAGS.get(k, hex(k)) for k in exif]
    for ifd, label in ((0x8769, "Exif"), (0x8825, "GPS")):
        inner = exif.get_ifd(ifd)
        table = ExifTags.GPSTAGS if ifd == 0x8825 else ExifTags.TAGS
        names += [f"{label}.{table.get(k, hex(k))}" for k in inner]
    return names


async def uploads(data: bytes, count: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        redis = RedisServer(Path(folder) / "redis").start()
        try:
            settings = replace(
                Settings(redis_url=redis.url, rasa_url="http://127.0.0.1:9"),
                photos=PhotoSettings(directory=Path(folder) / "photos", per_report=count),
            )
            client = TestClient(TestServer(create_app(settings)))
            await client.start_server()
            try:
                ws = await client.ws_connect("/ws/resident")
                await ws.send_json({"type": "hello"})
                while True:
                    frame = await ws.receive_json()
                    if frame["type"] == "welcome":
                        break
                url = f"/api/conversations/{frame['conversation_id']}/photos"
                auth = {"Authorization": f"Bearer {frame['resume_token']}"}
                seconds = []
                for _ in range(count):
                    started = time.perf_counter()
                    response = await client.post(url, data=data, headers=auth)
                    assert response.status == 201, await response.text()
                    seconds.append(time.perf_counter() - started)
                await ws.close()
                return seconds
            finally:
                await client.close()
        finally:
            redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uploads", type=int, default=10)
    args = parser.parse_args()
    limits = images.Limits()
    print(
        f"limits: {limits.max_bytes / 1_048_576:g} MB, {limits.max_pixels / 1e6:g} megapixels as sent, "
        f"longest side kept {limits.max_side} px, {PhotoSettings().per_report} photos per report"
    )
    data = phone_photo()
    before = tags(data)
    started = time.perf_counter()
    clean = images.clean(data)
    cleaning = time.perf_counter() - started
    after = tags(clean.data)
    width, height = Image.open(io.BytesIO(data)).size
    print(f"photo: {len(data) / 1_048_576:.2f} MB JPEG, {width}x{height}, {len(before)} EXIF tags")
    print(f"EXIF tags before: {', '.join(before)}")
    print(f"EXIF tags after:  {', '.join(after) or 'none'}")
    print(
        f"kept: {len(clean.data) / 1_048_576:.2f} MB {clean.format}, {clean.width}x{clean.height}; "
        f"cleaning alone {cleaning * 1000:.0f} ms"
    )
    seconds = asyncio.run(uploads(data, args.uploads))
    print(
        f"upload through the relay ({args.uploads}x, loopback): median {statistics.median(seconds) * 1000:.0f} ms, "
        f"max {max(seconds) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
