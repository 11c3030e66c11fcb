"""Uploaded files live outside the web root (INTAKE_STORAGE_DIR) under random names; only views hand them out."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings


def storage_dir() -> Path:
    return Path(settings.INTAKE_STORAGE_DIR)


def upload_path(stored_name: str) -> Path:
    # Two-character fan-out keeps directories small at millions of files.
    return storage_dir() / stored_name[:2] / stored_name


def save(stored_name: str, chunks) -> tuple[int, str]:
    """Write chunks to the stored name atomically; (size, sha256)."""
    path = upload_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".part")
    digest, size = hashlib.sha256(), 0
    with open(tmp, "wb") as fh:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            fh.write(chunk)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return size, digest.hexdigest()


def delete(stored_name: str) -> None:
    upload_path(stored_name).unlink(missing_ok=True)
