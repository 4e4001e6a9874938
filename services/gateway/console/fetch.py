"""Fetch the console's browser assets with npm, pinned by version and verified by integrity.

``python -m services.gateway.console.fetch`` (``make console``, part of ``make install``) runs
``npm pack`` for each package in ``assets.json``, checks the tarball's sha512 against the
pinned integrity, and extracts only the listed files into ``static/``. Nothing is fetched
again while ``static/`` matches the manifest. Without npm the platform still runs; the console
page then says how to install its assets.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "assets.json"
STATIC_DIR = HERE / "static"
STAMP = ".manifest-sha256"


class AssetError(RuntimeError):
    """A package could not be fetched, or did not match its pinned integrity."""


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str
    integrity: str
    files: dict[str, str]  # path inside the package → served file name


def packages(manifest: Path = MANIFEST) -> list[Package]:
    """The pinned packages of the manifest."""
    data = json.loads(manifest.read_text())
    return [
        Package(name=p["name"], version=p["version"], integrity=p["integrity"], files=dict(p["files"]))
        for p in data["packages"]
    ]


def manifest_digest(manifest: Path = MANIFEST) -> str:
    return hashlib.sha256(manifest.read_bytes()).hexdigest()


def is_current(dest: Path = STATIC_DIR, manifest: Path = MANIFEST) -> bool:
    """Whether ``dest`` holds every file of this manifest."""
    stamp = dest / STAMP
    if not stamp.is_file() or stamp.read_text().strip() != manifest_digest(manifest):
        return False
    return all((dest / served).is_file() for p in packages(manifest) for served in p.files.values())


def sri(data: bytes, algorithm: str = "sha512") -> str:
    """A Subresource-Integrity string (as npm and browsers write it)."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def _pack(npm: str, package: Package, workdir: Path) -> Path:
    spec = f"{package.name}@{package.version}"
    done = subprocess.run(  # noqa: S603 - npm found on PATH, arguments from our own manifest
        [npm, "pack", spec, "--json", "--pack-destination", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise AssetError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}")
    filename = json.loads(done.stdout)[0]["filename"]
    return workdir / Path(filename).name


def _extract(tarball: Path, package: Package, dest: Path) -> None:
    data = tarball.read_bytes()
    if sri(data) != package.integrity:
        raise AssetError(f"{package.name}@{package.version}: integrity {sri(data)} is not the pinned one")
    with tarfile.open(tarball, "r:gz") as archive:
        for inner, served in package.files.items():
            member = archive.extractfile(f"package/{inner}")
            if member is None:
                raise AssetError(f"{package.name}@{package.version} has no file {inner}")
            (dest / served).write_bytes(member.read())


def fetch(dest: Path = STATIC_DIR, manifest: Path = MANIFEST, npm: str | None = None) -> bool:
    """Install the manifest's files into ``dest``; ``False`` when npm is not available."""
    if is_current(dest, manifest):
        return True
    npm = npm or shutil.which("npm")
    if npm is None:
        return False
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for package in packages(manifest):
            _extract(_pack(npm, package, Path(tmp)), package, dest)
    (dest / STAMP).write_text(manifest_digest(manifest) + "\n")
    return True


def main() -> int:
    try:
        fetched = fetch()
    except (AssetError, OSError, subprocess.SubprocessError) as exc:
        print(f"console assets: {exc}", file=sys.stderr)
        return 1
    if not fetched:
        print(
            "console assets: npm not found; the platform runs, but /graphql shows no console "
            "until `make console` runs on a machine with npm",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
