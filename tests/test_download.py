"""Downloads, tested ONLY against a loopback HTTP server (127.0.0.1).

Checks: SHA-256 verification, atomic write (no file under the final name and
no temp file left after any failure), HTTP 500, a body cut short of its
Content-Length, an unreachable server and a server that never answers
(bounded timeouts), never overwriting, and read_data_sets' download step
(custom source_url, and the default mirrors list pointed at loopback).
"""

import gzip
import hashlib
import http.server
import os
import socket
import struct
import threading
import time

import numpy as np
import pytest

from tf1_dnn.datasets import (DownloadError, MissingDataError, download, fetch,
                              read_data_sets, sources)

FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def _idx_gz(array, magic):
    array = np.asarray(array, np.uint8)
    return gzip.compress(struct.pack(">I", magic) + b"".join(
        struct.pack(">I", n) for n in array.shape) + array.tobytes())


def tiny_mnist_files(n_train=8, n_test=3):
    train = np.arange(n_train, dtype=np.uint8)[:, None, None] * np.ones(
        (1, 28, 28), np.uint8)
    test = np.full((n_test, 28, 28), 200, np.uint8)
    return dict(zip(FILES, [_idx_gz(train, 2051),
                            _idx_gz(np.arange(n_train) % 10, 2049),
                            _idx_gz(test, 2051),
                            _idx_gz(np.arange(n_test) % 10, 2049)]))


class _Handler(http.server.BaseHTTPRequestHandler):
    routes = {}   # path -> (status, body, announced length or None)

    def do_GET(self):  # noqa: N802
        status, body, length = self.routes.get(self.path, (404, b"nope", None))
        self.send_response(status)
        self.send_header("Content-Length",
                         str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if length is not None:           # cut the connection short
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    routes = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    finally:
        httpd.shutdown()
        httpd.server_close()


def _leftovers(folder):
    return sorted(p for p in os.listdir(folder)) if os.path.isdir(folder) \
        else []


def test_download_verifies_sha256_and_writes_atomically(server, tmp_path):
    base, routes = server
    body = os.urandom(200_000)
    routes["/f.bin"] = (200, body, None)
    dest = tmp_path / "d" / "f.bin"
    got = download(base + "/f.bin", dest,
                   sha256=hashlib.sha256(body).hexdigest())
    assert got == str(dest)
    assert dest.read_bytes() == body
    assert _leftovers(tmp_path / "d") == ["f.bin"]   # no .part file left


def test_bad_checksum_leaves_nothing(server, tmp_path):
    base, routes = server
    routes["/f.bin"] = (200, b"tampered", None)
    with pytest.raises(DownloadError, match=r"failed the checksum: SHA-256 "
                       + hashlib.sha256(b"tampered").hexdigest()
                       + r", expected 0+\. .*nothing was saved") as e:
        download(base + "/f.bin", tmp_path / "f.bin", sha256="0" * 64)
    assert not e.value.unreachable
    assert _leftovers(tmp_path) == []


def test_http_500_leaves_nothing(server, tmp_path):
    base, routes = server
    routes["/f.bin"] = (500, b"boom", None)
    with pytest.raises(DownloadError, match=r"f\.bin failed: HTTP 500"):
        download(base + "/f.bin", tmp_path / "f.bin")
    assert _leftovers(tmp_path) == []


def test_truncated_body_leaves_nothing(server, tmp_path):
    base, routes = server
    routes["/f.bin"] = (200, b"x" * 500, 1000)   # announces 1000, sends 500
    with pytest.raises(DownloadError, match=r"truncated"):
        download(base + "/f.bin", tmp_path / "f.bin")
    assert _leftovers(tmp_path) == []


def test_unreachable_server_fails_fast(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                    # nothing listens there now
    t0 = time.monotonic()
    with pytest.raises(DownloadError, match="cannot reach the server") as e:
        download(f"http://127.0.0.1:{port}/f.bin", tmp_path / "sub" / "f.bin",
                 timeout=1.0)
    assert e.value.unreachable
    assert time.monotonic() - t0 < 5
    assert _leftovers(tmp_path) == []            # not even the folder


def test_silent_server_times_out(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)                                  # accepts, never answers
    try:
        t0 = time.monotonic()
        with pytest.raises(DownloadError, match="timed out"):
            download(f"http://127.0.0.1:{s.getsockname()[1]}/f.bin",
                     tmp_path / "f.bin", timeout=0.5)
        assert time.monotonic() - t0 < 5
    finally:
        s.close()
    assert _leftovers(tmp_path) == []


def test_existing_file_is_never_overwritten(server, tmp_path):
    base, routes = server
    routes["/f.bin"] = (200, b"new", None)
    dest = tmp_path / "f.bin"
    dest.write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="never overwrites"):
        download(base + "/f.bin", dest)
    assert dest.read_bytes() == b"mine"


def test_internet_hosts_are_refused_in_tests(tmp_path, monkeypatch):
    # Refused before any connection is tried (checked by what is called,
    # not by a wall-clock bound, which a busy CI machine can exceed).
    def no_network(*args, **kwargs):
        raise AssertionError(f"a connection was tried: {args}")
    monkeypatch.setattr(fetch.urllib.request, "urlopen", no_network)
    monkeypatch.setattr(fetch.socket, "create_connection", no_network)
    with pytest.raises(DownloadError, match="skipped: offline"):
        download("https://storage.googleapis.com/cvdf-datasets/mnist/x.gz",
                 tmp_path / "x.gz")
    assert _leftovers(tmp_path) == []


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "no_keras"))
    monkeypatch.setattr(sources, "FASHION_MNIST_DIR", str(tmp_path / "no_fm"))


def test_read_data_sets_downloads_from_custom_source_url(server, tmp_path,
                                                         isolated, capsys):
    base, routes = server
    files = tiny_mnist_files()
    for name, body in files.items():
        routes["/mnist/" + name] = (200, body, None)
    train_dir = tmp_path / "data"
    ds = read_data_sets(str(train_dir), source_url=base + "/mnist/",
                        validation_size=2)
    out = capsys.readouterr().out.splitlines()
    # TF1's base.maybe_download line, then the "Extracting" lines.
    assert out[:4] == [f"Successfully downloaded {name} {len(body)} bytes."
                       for name, body in files.items()]
    assert out[4] == f"Extracting {train_dir}/{FILES[0]}"
    assert sorted(os.listdir(train_dir)) == sorted(FILES)   # TF1: into train_dir
    assert ds.train.num_examples == 6 and ds.test.num_examples == 3
    np.testing.assert_array_equal(ds.validation.labels, [0, 1])
    # Second call reads the files, no server needed.
    routes.clear()
    assert read_data_sets(str(train_dir), source_url=base + "/mnist/",
                          validation_size=2).train.num_examples == 6


def test_custom_source_url_failure_raises(server, tmp_path, isolated):
    base, routes = server
    files = tiny_mnist_files()
    routes["/m/" + FILES[0]] = (200, files[FILES[0]], None)
    routes["/m/" + FILES[1]] = (500, b"", None)
    with pytest.raises(DownloadError, match="train-labels-idx1-ubyte.gz "
                                            "failed: HTTP 500"):
        read_data_sets(str(tmp_path / "data"), source_url=base + "/m/")
    # The file that did arrive is complete; the failed one is absent.
    assert _leftovers(tmp_path / "data") == [FILES[0]]


def test_default_mirrors_are_checksummed_and_tried_in_order(
        server, tmp_path, isolated, monkeypatch):
    base, routes = server
    files = tiny_mnist_files()
    for name, body in files.items():
        routes["/bad/" + name] = (200, b"not mnist", None)
        routes["/good/" + name] = (200, body, None)
    monkeypatch.setattr(fetch, "MNIST_MIRRORS", [base + "/bad/",
                                                 base + "/good/"])
    monkeypatch.setattr(fetch, "MNIST_SHA256", {
        name: hashlib.sha256(body).hexdigest() for name, body in files.items()})
    ds = read_data_sets(str(tmp_path / "data"), validation_size=0)
    assert ds.train.num_examples == 8
    assert sorted(os.listdir(tmp_path / "data")) == sorted(FILES)
    src = sources.find_source(str(tmp_path / "data"))
    assert src.kind == "folder"


def test_all_mirrors_bad_warns_and_reports(server, tmp_path, isolated,
                                           monkeypatch):
    base, routes = server
    for name in FILES:
        routes["/bad/" + name] = (200, b"not mnist", None)
    monkeypatch.setattr(fetch, "MNIST_MIRRORS", [base + "/bad/"])
    with pytest.warns(RuntimeWarning, match="failed the checksum"):
        with pytest.raises(MissingDataError, match=r"No MNIST data found\. "
                           r"Tried: .*failed the checksum.*Fix: pass a folder"):
            read_data_sets(str(tmp_path / "data"))
    assert _leftovers(tmp_path / "data") == []
