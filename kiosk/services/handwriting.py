"""Local handwriting recognition with Zinnia (libzinnia through ctypes, Tegaki's zh_CN model).

A leaf: no Qt, no store, no services. Nothing is loaded at import; ``recognizer().load()``
is meant to run off the UI thread (the model is mapped in about a tenth of a second). The
model (~26 MB resident) is mapped only while a writing pad is open: pads ``hold()`` the
recognizer while shown and ``let_go()`` when hidden, and the last to let go unmaps it.
Every Zinnia object created per call is destroyed in the same call: the kiosk runs for weeks.
"""

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path

from kiosk import config
from kiosk.errors import KnownError

LIB_ENV, MODEL_ENV = "KIOSK_ZINNIA_LIB", "KIOSK_ZINNIA_MODEL"
MODEL_NAME = "handwriting-zh_CN.model"
SYSTEM_MODEL = Path("/usr/share/tegaki/models/zinnia") / MODEL_NAME
SYSTEM_LIBS = (
    Path("/usr/lib/x86_64-linux-gnu/libzinnia.so.0"),
    Path("/usr/lib/aarch64-linux-gnu/libzinnia.so.0"),
    Path("/usr/lib/libzinnia.so.0"),
    Path("/usr/local/lib/libzinnia.so.0"),
)
BUNDLE_LIBS = ("libzinnia.so.0", "zinnia.dll", "libzinnia.dll", "libzinnia.0.dylib")


class Unavailable(KnownError):
    """The Zinnia library or the handwriting model is missing or unusable."""


def _no_library(detail: str = "") -> Unavailable:
    return Unavailable(
        "本机未安装手写识别库 libzinnia（请安装 libzinnia0），手写输入暂不可用",
        f"the handwriting library libzinnia is missing (apt-get install libzinnia0){detail}",
    )


def _no_model(detail: str = "") -> Unavailable:
    return Unavailable(
        "本机未安装手写识别模型（请安装 tegaki-zinnia-simplified-chinese），手写输入暂不可用",
        f"the handwriting model is missing (apt-get install tegaki-zinnia-simplified-chinese){detail}",
    )


def _bundle_dirs() -> list[Path]:
    """Where a PyInstaller bundle keeps its data: _MEIPASS (one-file) and next to the executable."""
    if not getattr(sys, "frozen", False):
        return []
    dirs = [Path(sys.executable).resolve().parent]
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        dirs.insert(0, Path(meipass))
    return [d / "zinnia" for d in dirs]


def _override(variable: str, missing) -> Path | None:
    """The file an environment variable names (a test, or staff pointing at another copy)."""
    override = config.env(variable)
    if override and not Path(override).is_file():
        raise missing(f": {override}")
    return Path(override) if override else None


def _find_library() -> Path:
    if override := _override(LIB_ENV, _no_library):
        return override
    for folder in _bundle_dirs():
        for name in BUNDLE_LIBS:
            if (folder / name).is_file():
                return folder / name
    found = ctypes.util.find_library("zinnia")
    if found:
        # find_library gives a soname ("libzinnia.so.0") that the dynamic loader resolves.
        return Path(found)
    for path in SYSTEM_LIBS:
        if path.is_file():
            return path
    raise _no_library()


def _find_model() -> Path:
    if override := _override(MODEL_ENV, _no_model):
        return override
    for folder in _bundle_dirs():
        if (folder / MODEL_NAME).is_file():
            return folder / MODEL_NAME
    if SYSTEM_MODEL.is_file():
        return SYSTEM_MODEL
    raise _no_model()


def find() -> tuple[Path, Path]:
    """The Zinnia library and the zh_CN model: bundle first, then the system.

    KIOSK_ZINNIA_LIB / KIOSK_ZINNIA_MODEL override the search (and must exist).

    Raises:
        Unavailable: either is missing.
    """
    return _find_library(), _find_model()


def _bind(path: Path) -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as exc:
        raise _no_library(f": {exc}") from exc
    p, c_int, c_size, c_char_p = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t, ctypes.c_char_p
    signatures = {
        "zinnia_recognizer_new": ([], p),
        "zinnia_recognizer_destroy": ([p], None),
        "zinnia_recognizer_open": ([p, c_char_p], c_int),
        "zinnia_recognizer_close": ([p], c_int),
        "zinnia_recognizer_strerror": ([p], c_char_p),
        "zinnia_recognizer_classify": ([p, p, c_size], p),
        "zinnia_character_new": ([], p),
        "zinnia_character_destroy": ([p], None),
        "zinnia_character_set_width": ([p, c_size], None),
        "zinnia_character_set_height": ([p, c_size], None),
        "zinnia_character_add": ([p, c_size, c_int, c_int], c_int),
        "zinnia_result_destroy": ([p], None),
        "zinnia_result_size": ([p], c_size),
        "zinnia_result_value": ([p, c_size], c_char_p),
        "zinnia_result_score": ([p, c_size], ctypes.c_float),
    }
    try:
        for name, (args, restype) in signatures.items():
            function = getattr(lib, name)
            function.argtypes, function.restype = args, restype
    except AttributeError as exc:
        raise _no_library(f": {path} is not libzinnia ({exc})") from exc
    return lib


class Recognizer:
    """One Zinnia recognizer with the model open; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lib: ctypes.CDLL | None = None
        self._handle: int | None = None
        # Its own lock: hold() runs on the UI thread and must not wait for a recognition.
        self._users_lock = threading.Lock()
        self._users = 0

    @property
    def loaded(self) -> bool:
        return self._handle is not None

    def load(self) -> None:
        """Find and open the library and the model (once; later calls return at once).

        Raises:
            Unavailable: the library or the model is missing or unreadable.
        """
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> None:
        if self._handle is None:
            lib_path, model_path = find()
            lib = _bind(lib_path)
            handle = lib.zinnia_recognizer_new()
            if not handle:
                raise MemoryError("zinnia_recognizer_new")
            if not lib.zinnia_recognizer_open(handle, os.fsencode(model_path)):
                reason = (lib.zinnia_recognizer_strerror(handle) or b"").decode("utf-8", "replace")
                lib.zinnia_recognizer_destroy(handle)
                raise _no_model(f": cannot open {model_path}: {reason}")
            self._lib, self._handle = lib, handle

    def close(self) -> None:
        """Unmap the model and free the recognizer; the next recognition loads it again."""
        with self._lock:
            if self._handle is not None and self._lib is not None:
                self._lib.zinnia_recognizer_destroy(self._handle)
            self._lib, self._handle = None, None

    def hold(self) -> None:
        """A writing pad is shown and will want the model (cheap: any thread)."""
        with self._users_lock:
            self._users += 1

    def let_go(self) -> bool:
        """A writing pad is hidden; the last one unmaps the model. True if it was unmapped.
        Meant for a worker thread: it may wait for a recognition under way."""
        with self._users_lock:
            self._users = max(0, self._users - 1)
            if self._users:
                return False
        self.close()
        return True

    def recognize(self, strokes: list[list[tuple[float, float]]], width: int, height: int,
                  limit: int = 10) -> list[str]:  # fmt: skip
        """Candidate characters for ``strokes`` (points in a width x height box), best first.

        Raises:
            Unavailable: the library or the model is missing.
        """
        strokes = [stroke for stroke in strokes if stroke]
        if not strokes or limit <= 0:
            return []
        with self._lock:
            self._load_locked()  # under the lock: a pad let go meanwhile cannot unmap it mid-way
            lib, handle = self._lib, self._handle
            assert lib is not None and handle is not None
            character = lib.zinnia_character_new()
            if not character:
                raise MemoryError("zinnia_character_new")
            result = None
            try:
                lib.zinnia_character_set_width(character, max(1, int(width)))
                lib.zinnia_character_set_height(character, max(1, int(height)))
                for index, stroke in enumerate(strokes):
                    for x, y in stroke:
                        lib.zinnia_character_add(character, index, round(x), round(y))
                result = lib.zinnia_recognizer_classify(handle, character, limit)
                if not result:
                    return []
                return [lib.zinnia_result_value(result, i).decode("utf-8")
                        for i in range(lib.zinnia_result_size(result))]  # fmt: skip
            finally:
                if result:
                    lib.zinnia_result_destroy(result)
                lib.zinnia_character_destroy(character)


_shared: Recognizer | None = None
_shared_lock = threading.Lock()


def recognizer() -> Recognizer:
    """The process-wide recognizer (created lazily; the model loads on first load()/recognize())."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Recognizer()
        return _shared
