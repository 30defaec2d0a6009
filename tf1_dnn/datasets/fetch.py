"""Downloading the MNIST files: checksummed, atomic, short timeouts.

`download(url, dest, sha256=None)` fetches one file into a temporary file in
the destination folder, checks its SHA-256, then renames it into place with
`os.replace` (atomic on one filesystem). On any failure -- unreachable
server, HTTP error, connection cut before `Content-Length` bytes, checksum
mismatch -- the temporary file is deleted and `DownloadError` is raised: no
half-written file is ever left under the final name, and an existing file
is never overwritten (`download` refuses when `dest` exists).

Offline machines: the first "cannot reach the server" error (DNS failure,
refused connection, timeout) marks the process offline and later downloads
from non-loopback hosts are skipped at once. Downloads from hosts other than
127.0.0.1 / localhost are also refused when the environment variable
`TF1_DNN_OFFLINE` is set to a non-empty value other than "0" (the test
suite sets it, so tests never touch the internet; loopback test servers
still work).

TF1's `base.maybe_download` had no checksum and wrote straight into the
final name, so an interrupted download left a corrupt file that later runs
trusted; we deliberately do not mirror that.
"""

import hashlib
import http.client
import os
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["DownloadError", "download", "network_allowed", "MNIST_SHA256",
           "MNIST_MIRRORS", "DEFAULT_SOURCE_URL", "DEFAULT_TIMEOUT",
           "reset_offline"]

# TF1's DEFAULT_SOURCE_URL (the CVDF mirror of yann.lecun.com/exdb/mnist/).
# The one definition of the MNIST URLs: `mnist.read_data_sets` and
# `sources` take them from here.
DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

# The usual MNIST mirrors (TF1's DEFAULT_SOURCE_URL first, then the one
# torchvision uses), tried in order.
MNIST_MIRRORS = [
    DEFAULT_SOURCE_URL,
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
]

# SHA-256 of the four original MNIST files (LeCun's gz files, identical on
# the mirrors above).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

DEFAULT_TIMEOUT = 5.0  # seconds, per connect and per read

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_OFFLINE = False


from tf1_dnn.errors import DownloadError, OutputExistsError  # noqa: E402


def _is_loopback(url):
    return (urllib.parse.urlsplit(url).hostname or "") in _LOOPBACK


def reset_offline():
    """Forgets an earlier "offline" verdict (e.g. after the network is back)."""
    global _OFFLINE
    _OFFLINE = False


def network_allowed(url):
    """Whether `download` may try `url` now (see the module docstring)."""
    if _is_loopback(url):
        return True
    if os.environ.get("TF1_DNN_OFFLINE", "") not in ("", "0"):
        return False
    return not _OFFLINE


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(url, dest, sha256=None, timeout=DEFAULT_TIMEOUT):
    """Downloads `url` to the file `dest`, atomically.

    Args:
      url: http(s) URL.
      dest: final path. Its folder is created if needed. Must not exist.
      sha256: expected hex SHA-256, or None to skip the check.
      timeout: seconds allowed for connecting and for each read.

    Returns:
      `dest`.

    Raises:
      FileExistsError: `dest` already exists (never overwritten).
      DownloadError: unreachable server (`.unreachable` True), HTTP error,
        truncated body or checksum mismatch; no file is left at `dest` and
        the temporary file is removed.
    """
    global _OFFLINE
    dest = os.fspath(dest)
    if os.path.exists(dest):
        raise OutputExistsError(f"{dest} already exists; tf1_dnn never "
                              "overwrites a file. Delete it to download again.")
    if not network_allowed(url):
        raise DownloadError(
            f"download of {url} skipped: offline (set by an earlier failed "
            "connection or TF1_DNN_OFFLINE)",
            unreachable=True)
    folder = os.path.dirname(os.path.abspath(dest))
    tmp = None
    try:
        try:
            request = urllib.request.Request(
                url, headers={"User-Agent": "tf1_dnn"})
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                # Connected: only now create the folder and the temp file.
                os.makedirs(folder, exist_ok=True)
                fd, tmp = tempfile.mkstemp(
                    prefix=os.path.basename(dest) + ".", suffix=".part",
                    dir=folder)
                expected_len = resp.headers.get("Content-Length")
                received = 0
                with os.fdopen(fd, "wb") as out:
                    while True:
                        block = resp.read(1 << 16)
                        if not block:
                            break
                        out.write(block)
                        received += len(block)
        except urllib.error.HTTPError as e:
            raise DownloadError(f"download of {url} failed: HTTP "
                                f"{e.code} {e.reason}") from None
        except http.client.IncompleteRead as e:
            raise DownloadError(
                f"download of {url} failed: connection closed after "
                f"{len(e.partial)} bytes, {e.expected} more expected "
                "(truncated)") from None
        except (urllib.error.URLError, socket.timeout, TimeoutError,
                ConnectionError) as e:
            reason = getattr(e, "reason", e)
            if tmp is None and not _is_loopback(url):
                _OFFLINE = True
            what = ("cannot reach the server" if tmp is None
                    else "connection lost")
            raise DownloadError(f"download of {url} failed: {what} "
                                f"({reason})", unreachable=tmp is None
                                ) from None
        except http.client.HTTPException as e:
            raise DownloadError(
                f"download of {url} failed: {type(e).__name__}: {e}"
            ) from None
        if expected_len is not None and received != int(expected_len):
            raise DownloadError(
                f"download of {url} failed: got {received} bytes, the server "
                f"announced {expected_len} (truncated)")
        if sha256 is not None:
            got = _sha256(tmp)
            if got != sha256.lower():
                raise DownloadError(
                    f"download of {url} failed the checksum: SHA-256 {got}, "
                    f"expected {sha256}. The mirror serves a different or "
                    "corrupted file; nothing was saved.")
        if os.path.exists(dest):  # appeared while we downloaded
            raise OutputExistsError(f"{dest} appeared during the download; "
                                  "not overwritten.")
        os.replace(tmp, dest)
        return dest
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
