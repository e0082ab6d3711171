"""Residents' photos: what a file really is, and a clean copy of it. Pure: no I/O.

The name and the Content-Type a browser sends are never trusted: Pillow opens the bytes
and verifies them. The copy kept is re-encoded from the pixels alone, so nothing the
camera wrote (EXIF with the GPS position and the phone's serial number, XMP, ICC
comments, thumbnails) survives, and a file crafted to exploit a decoder downstream is
replaced by one Pillow wrote.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

try:  # HEIC (iPhones): only when pillow-heif is installed (requirements.txt).
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - documented: HEIC is then refused in words
    HEIC = False

# What residents may send, by Pillow's format name, and the type it is stored as.
ACCEPTED = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "JPEG", "HEIF": "JPEG"}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSION = {"JPEG": "jpg", "PNG": "png"}


class PhotoError(Exception):
    """A file that cannot be kept; the message says why, in the resident's words.

    Attributes:
        code: a short name, counted in /metrics (``frontdesk_photos_total{outcome}``).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Limits:
    """How big a photo may be.

    Attributes:
        max_bytes: the upload's size.
        max_pixels: width × height of the file as sent; more is refused before decoding
            (a decompression bomb: a small file that unpacks to gigabytes).
        max_side: the longest side kept; larger photos are scaled down to it.
    """

    max_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_side: int = 2048


@dataclass(frozen=True)
class CleanPhoto:
    """A re-encoded photo, ready to store."""

    data: bytes
    format: str  # "JPEG" or "PNG"
    width: int
    height: int
    original_format: str

    @property
    def mime(self) -> str:
        return MIME[self.format]

    @property
    def extension(self) -> str:
        return EXTENSION[self.format]


def _refuse_type() -> PhotoError:
    heic = "HEIC, " if HEIC else ""
    return PhotoError(
        "not_an_image", f"That file is not a photo we can take. Please choose a JPEG, PNG, {heic}or WebP image."
    )


def detect(data: bytes, limits: Limits = Limits()) -> str:
    """The Pillow format of ``data`` after checking the whole file decodes.

    Raises:
        PhotoError: empty, too big, not an image, an image of another type, a truncated or
            corrupt file, or more pixels than ``limits.max_pixels``.
    """
    if not data:
        raise PhotoError("empty", "That file is empty. Please choose a photo.")
    if len(data) > limits.max_bytes:
        raise PhotoError(
            "too_big", f"That photo is too big. Please choose one under {limits.max_bytes // 1_048_576} MB."
        )
    if not HEIC and data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        raise PhotoError("heic", "We can't take HEIC photos here. Please choose a JPEG instead.")
    try:
        with _opened(data, limits) as image:
            found = image.format or ""
            if found not in ACCEPTED:
                raise _refuse_type()
            image.verify()  # reads every chunk: a truncated or corrupt file fails here
    except PhotoError:
        raise
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError...)
        raise _refuse_type() from None
    return found


class _opened:
    """Image.open with the pixel limit applied to this file only, as errors not warnings."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.data, self.limits = data, limits

    def __enter__(self) -> Image.Image:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                self.image = Image.open(io.BytesIO(self.data))
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _too_many_pixels(self.limits) from None
        width, height = self.image.size
        if width * height > self.limits.max_pixels:
            self.image.close()
            raise _too_many_pixels(self.limits)
        return self.image

    def __exit__(self, *exc: object) -> None:
        self.image.close()


def _too_many_pixels(limits: Limits) -> PhotoError:
    return PhotoError(
        "too_many_pixels",
        f"That image is too large ({limits.max_pixels // 1_000_000} megapixels at most). Please choose a smaller photo.",
    )


def clean(data: bytes, limits: Limits = Limits()) -> CleanPhoto:
    """Check ``data`` and re-encode it from its pixels alone.

    The photo is turned upright first (the EXIF orientation is about to be dropped),
    scaled down to ``limits.max_side``, and written as JPEG (quality 85) — or PNG when it
    came as PNG, so a screenshot stays sharp. Nothing but the pixels is copied.

    Raises:
        PhotoError: as ``detect``, or when the pixels cannot be decoded.
    """
    original = detect(data, limits)
    try:
        with _opened(data, limits) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            kind = ACCEPTED[original]
            mode = "RGBA" if kind == "PNG" and upright.mode in ("RGBA", "LA", "P") else "RGB"
            pixels = upright.convert(mode)
    except PhotoError:
        raise
    except Exception:
        raise _refuse_type() from None
    pixels.thumbnail((limits.max_side, limits.max_side))
    # A fresh image holds the pixels and nothing else: no info, exif, icc or xmp to carry.
    bare = Image.new(pixels.mode, pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    if kind == "PNG":
        bare.save(out, "PNG", optimize=True)
    else:
        bare.save(out, "JPEG", quality=85, optimize=True)
    return CleanPhoto(out.getvalue(), kind, bare.width, bare.height, original)


def thumbnail(data: bytes, side: int = 240) -> bytes:
    """A small JPEG of a clean photo, for the advisor console."""
    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB")
        small.thumbnail((side, side))
        out = io.BytesIO()
        small.save(out, "JPEG", quality=75)
        return out.getvalue()
