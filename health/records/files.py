"""Check-up files on disk: what an upload really is, where it is kept, and removing it.

Rules, in plain words:

* An upload is judged by its bytes, never by its name or the browser's Content-Type: a PDF starts
  with ``%PDF-``, a PNG with its 8-byte signature, a JPEG with ``FF D8 FF``; an image must also open
  and verify in Pillow, and not be a decompression bomb.
* Images are stored re-encoded without their metadata (EXIF: camera, time, GPS position); the
  orientation is applied first so the picture still stands upright. PDFs are stored as uploaded.
* Files live under ``settings.HEALTH_FILES_ROOT`` (outside public media), in one folder per record,
  under a random name. Nothing else points at them; only the permission-checked view reads them.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from health.errors import HealthError

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
SUBDIR = "checkups"
# A 12-megapixel phone photo is 12 M pixels, an A4 scan at 600 dpi 35 M; decoding costs 3–4 bytes a pixel.
MAX_PIXELS = 40_000_000


class UploadRefused(HealthError):
    default_code = "upload_refused"


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # CheckupFile.Kind value
    content: bytes  # what will be stored (images without metadata)


def root() -> Path:
    return Path(settings.HEALTH_FILES_ROOT)


def record_dir(record_id: int) -> Path:
    return root() / SUBDIR / str(int(record_id))


def path_of(stored_name: str) -> Path:
    """The file's absolute path; refuses a name that would leave the health files folder."""
    path = (root() / stored_name).resolve()
    if root().resolve() not in path.parents:
        raise ValueError("stored name outside HEALTH_FILES_ROOT")
    return path


def max_bytes() -> int:
    return int(settings.HEALTH_UPLOAD_MAX_BYTES)


def _too_big() -> UploadRefused:
    megabytes = max_bytes() / (1024 * 1024)
    return UploadRefused(
        _("The file is too large. Upload a file of %(size)s MB or less.") % {"size": f"{megabytes:g}"},
        code="too_large",
    )


def _wrong_type() -> UploadRefused:
    return UploadRefused(
        _("This file cannot be used. Upload a PDF, JPEG or PNG file (a photo or a scan of the result)."),
        code="wrong_type",
    )


def _too_many_pixels() -> UploadRefused:
    return UploadRefused(
        _("The picture has too many pixels. Take the photo again at a lower resolution, or upload a PDF."),
        code="too_many_pixels",
    )


def sniff(head: bytes) -> str | None:
    """The kind the first bytes say (``pdf``, ``png``, ``jpeg``), or None."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def _clean_image(content: bytes, kind: str) -> bytes:
    """Verify the image, then re-encode it upright and without metadata. Raises UploadRefused."""
    expected = {"png": "PNG", "jpeg": "JPEG"}[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                if probe.format != expected:
                    raise _wrong_type()
                if probe.width * probe.height > MAX_PIXELS:
                    raise _too_many_pixels()
                probe.verify()
            with Image.open(io.BytesIO(content)) as image:
                image.load()
                orientation = image.getexif().get(0x0112, 1)
                upright = ImageOps.exif_transpose(image) if orientation != 1 else image
                out = io.BytesIO()
                if kind == "jpeg":
                    # Same quantisation as uploaded when nothing was turned; no EXIF, ICC kept for colours.
                    options = {"quality": "keep"} if upright is image else {"quality": 90}
                    upright.save(out, "JPEG", icc_profile=image.info.get("icc_profile"), **options)
                else:
                    upright.save(out, "PNG", icc_profile=image.info.get("icc_profile"), optimize=False)
                return out.getvalue()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError) as exc:
        raise _wrong_type() from exc


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Read and judge an upload; return what to store. Raises UploadRefused (nothing is written)."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise _too_big()
    chunks: list[bytes] = []
    total = 0
    upload.seek(0)
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise _too_big()
        chunks.append(chunk)
    content = b"".join(chunks)
    kind = sniff(content[:16])
    if kind is None:
        raise _wrong_type()
    if kind == "pdf":
        if b"%%EOF" not in content[-2048:]:
            raise _wrong_type()
        return CheckedFile(kind=kind, content=content)
    cleaned = _clean_image(content, kind)
    if len(cleaned) > 2 * limit:  # re-encoding a turned photo may grow it a little, never this much
        raise _too_big()
    return CheckedFile(kind=kind, content=cleaned)


def write(record_id: int, content: bytes) -> tuple[str, str]:
    """Store the bytes under a new random name in the record's folder. Returns (stored_name, sha256)."""
    folder = record_dir(record_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{secrets.token_hex(16)}.bin"
    path = folder / name
    with open(path, "xb") as handle:  # never overwrite
        handle.write(content)
    path.chmod(0o600)
    return str(path.relative_to(root())), hashlib.sha256(content).hexdigest()


def remove(stored_name: str) -> None:
    """Delete one stored file; a file already gone is fine."""
    try:
        path_of(stored_name).unlink(missing_ok=True)
    except ValueError:
        return


def remove_record_dir(record_id: int) -> None:
    """Delete a record's whole folder of check-up files (after the record itself is deleted)."""
    shutil.rmtree(record_dir(record_id), ignore_errors=True)
