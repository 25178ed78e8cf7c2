"""var/ is readable by its owner only: the database, uploaded files, the secret key, the cache.

Called once at start-up by the settings: files and folders created from then on are the owner's only
(umask 077: SQLite gives its -wal and -shm files the mode of the database file), and what is already
there, from an installation before this or copied in, is made so. Imports' files hold national
numbers; nobody else on the machine has any business reading them.
"""

import os
import stat
import time
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
STALE_UPLOAD_SECONDS = 24 * 3600

# Public by nature (CSS, JavaScript) and many: left as they are, behind var/ itself.
_PUBLIC = {"static"}


def make_private(var_dir: Path, *, upload_temp_dir: Path | None = None) -> None:
    os.umask(0o077)
    var_dir.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    _chmod(var_dir, DIRECTORY_MODE)
    for entry in var_dir.iterdir():
        if entry.name in _PUBLIC or entry.is_symlink():
            continue
        if entry.is_dir():
            _private_tree(entry)
        else:
            _chmod(entry, FILE_MODE)
    if upload_temp_dir is not None:
        upload_temp_dir.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        _remove_stale(upload_temp_dir)


def _private_tree(root: Path) -> None:
    _chmod(root, DIRECTORY_MODE)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            _chmod(Path(folder, name), DIRECTORY_MODE)
        for name in files:
            _chmod(Path(folder, name), FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.lstat().st_mode) != mode and not path.is_symlink():
            path.chmod(mode)
    except OSError:
        pass  # not ours, or gone since: nothing to do at start-up


def _remove_stale(folder: Path) -> None:
    """Temporary copies of uploads left by a process stopped in the middle of a request (a request
    deletes its own when it ends); a day old, no request is still reading them."""
    limit = time.time() - STALE_UPLOAD_SECONDS
    for entry in folder.iterdir():
        try:
            if entry.is_file() and entry.stat().st_mtime < limit:
                entry.unlink()
        except OSError:
            pass
