"""Photos: what a file really is, and what a clean copy keeps (pure, no services)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from live_handoff.photos import images
from live_handoff.photos.images import Limits, PhotoError

GPS = 0x8825
MAKE, MODEL, DATETIME_ORIGINAL = 0x010F, 0x0110, 0x9003


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "Phone Maker", "Phone 15"
    exif[0x0112] = 6  # orientation: turn 90° to stand upright
    exif.get_ifd(0x8769)[DATETIME_ORIGINAL] = "2026:12:05 09:30:00"
    exif.get_ifd(GPS).update({1: "N", 2: (52.0, 30.0, 0.0), 3: "W", 4: (1.0, 45.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def encoded(kind: str, size: tuple[int, int] = (300, 200), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "green").save(out, kind)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A PNG that says it is ``width`` × ``height`` grey pixels, its zeros compressed to little."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(min(height, 2000))) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_the_test_photo_really_carries_gps_and_the_camera_before_cleaning():
    exif = Image.open(io.BytesIO(jpeg_with_gps())).getexif()
    assert exif.get_ifd(GPS)[2] == (52.0, 30.0, 0.0)
    assert exif[MODEL] == "Phone 15"


def test_a_cleaned_photo_has_no_exif_gps_or_camera_left():
    clean = images.clean(jpeg_with_gps())
    reopened = Image.open(io.BytesIO(clean.data))
    assert dict(reopened.getexif()) == {}
    assert reopened.getexif().get_ifd(GPS) == {}
    assert "exif" not in reopened.info and "icc_profile" not in reopened.info
    assert b"Phone 15" not in clean.data and b"GPS" not in clean.data


def test_a_cleaned_photo_is_turned_upright_before_its_orientation_tag_is_dropped():
    clean = images.clean(jpeg_with_gps((640, 480)))
    assert (clean.width, clean.height) == (480, 640)


@pytest.mark.parametrize(("kind", "stored"), [("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "JPEG")])
def test_jpeg_png_and_webp_are_taken_and_stored_as_jpeg_or_png(kind, stored):
    clean = images.clean(encoded(kind))
    assert clean.original_format == kind and clean.format == stored
    assert Image.open(io.BytesIO(clean.data)).format == stored


@pytest.mark.skipif(not images.HEIC, reason="pillow-heif not installed")
def test_an_iphone_heic_photo_is_taken_and_stored_as_jpeg():
    clean = images.clean(encoded("HEIF"))
    assert clean.original_format == "HEIF" and clean.format == "JPEG"


def test_a_text_file_named_like_a_photo_is_refused_in_words():
    with pytest.raises(PhotoError, match="not a photo we can take") as raised:
        images.detect(b"Dear council, this is not a picture.\n" * 20)
    assert raised.value.code == "not_an_image"


def test_a_gif_is_refused_because_only_photo_types_are_taken():
    with pytest.raises(PhotoError, match="JPEG, PNG"):
        images.detect(encoded("GIF"))


def test_a_truncated_jpeg_is_refused():
    whole = encoded("JPEG", (800, 600))
    with pytest.raises(PhotoError):
        images.clean(whole[: len(whole) // 2])


def test_a_decompression_bomb_png_is_refused_before_its_pixels_are_unpacked():
    bomb = png_bomb(20_000, 20_000)  # 400 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    with pytest.raises(PhotoError, match="too large") as raised:
        images.clean(bomb)
    assert raised.value.code == "too_many_pixels"


def test_a_photo_over_the_size_limit_is_refused_naming_the_limit():
    with pytest.raises(PhotoError, match="under 1 MB"):
        images.detect(b"\xff" * (1_048_576 + 1), Limits(max_bytes=1_048_576))


def test_a_photo_over_the_pixel_limit_is_refused_and_one_at_it_is_taken():
    limits = Limits(max_pixels=300 * 200)
    assert images.clean(encoded("PNG", (300, 200)), limits).width == 300
    with pytest.raises(PhotoError, match="too large"):
        images.clean(encoded("PNG", (301, 200)), limits)


def test_a_large_photo_is_scaled_down_to_the_longest_side_kept():
    clean = images.clean(encoded("JPEG", (4000, 3000)), Limits(max_side=1000))
    assert (clean.width, clean.height) == (1000, 750)


def test_an_empty_file_is_refused():
    with pytest.raises(PhotoError, match="empty"):
        images.detect(b"")
