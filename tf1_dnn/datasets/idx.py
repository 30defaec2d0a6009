"""The IDX file format of MNIST and Fashion-MNIST, gzip-compressed or raw.

An IDX file is a big-endian header followed by the data::

    magic  = 0x00 0x00 <type code> <number of dimensions>
    sizes  = one big-endian uint32 per dimension
    data   = prod(sizes) items of the type, row-major

MNIST images are `0x00000803` (2051: uint8, 3 dims: count, rows, cols) and
labels `0x00000801` (2049: uint8, 1 dim: count). TF1's `extract_images`
checked only the magic number and silently read a short buffer (the reshape
then failed with a confusing numpy error); here a truncated or padded file,
an unreadable gzip stream or a wrong magic number raises `IdxError` naming
the file and the fix. This module needs only numpy (no TensorFlow).
"""

import gzip
import os
import zlib

import numpy as np

__all__ = ["IdxError", "read_idx", "write_idx", "open_maybe_gzip",
           "IMAGES_MAGIC", "LABELS_MAGIC"]

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049

# IDX type code -> numpy big-endian dtype.
_DTYPES = {
    0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}
_CODES = {dt: code for code, dt in _DTYPES.items()}

_FIX = ("Delete it and download it again (or point read_data_sets / "
        "load_data at a folder holding the four intact IDX files).")


from tf1_dnn.errors import IdxError, InputTypeError  # noqa: E402


def _read_bytes(path):
    """The file's content, gunzipped when it starts with the gzip magic."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise IdxError(f"{path}: corrupt or truncated gzip file ({e}). "
                       f"{_FIX}") from None


def open_maybe_gzip(path):
    """An open binary file: gunzipping when `path` is gzip, raw otherwise."""
    with open(path, "rb") as f:
        head = f.read(2)
    return gzip.open(path, "rb") if head == b"\x1f\x8b" else open(path, "rb")


def read_idx(path, expected_magic=None):
    """Reads one IDX file (gzip or raw, detected from its first bytes).

    Args:
      path: the file.
      expected_magic: if given (2051 for images, 2049 for labels), the magic
        number the file must have.

    Returns:
      A numpy array of the header's shape and type (uint8 for MNIST).

    Raises:
      IdxError: unreadable gzip, wrong magic number, or a data size that
        differs from what the header announces (truncated or padded file).
      FileNotFoundError: no such file.
    """
    path = os.fspath(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise IdxError(f"{path}: only {len(data)} bytes, too short for an IDX "
                       f"header (truncated file). {_FIX}")
    magic = int.from_bytes(data[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        kind = {IMAGES_MAGIC: "image", LABELS_MAGIC: "label"}.get(
            expected_magic, "IDX")
        raise IdxError(
            f"{path}: invalid magic number {magic} in MNIST {kind} file "
            f"(expected {expected_magic}). Is this the right file (images vs "
            f"labels swapped, or not an IDX file at all)? {_FIX}")
    type_code, ndim = data[2], data[3]
    if data[0] != 0 or data[1] != 0 or type_code not in _DTYPES or ndim == 0:
        raise IdxError(f"{path}: not an IDX file (magic number {magic}). "
                       f"{_FIX}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxError(f"{path}: truncated IDX header ({len(data)} bytes). "
                       f"{_FIX}")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
                  for i in range(ndim))
    dtype = _DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(data) - header
    if got != expected:
        what = "truncated" if got < expected else "longer than its header says"
        raise IdxError(
            f"{path}: {what}: the header announces shape {shape} "
            f"({expected} bytes of data) but the file holds {got}. {_FIX}")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)


def write_idx(path, array, compress=None):
    """Writes `array` as an IDX file (gzip if `compress` or path ends .gz).

    Used by tests and tools to make small MNIST-format folders. Does not
    overwrite an existing file (raises FileExistsError).
    """
    path = os.fspath(path)
    array = np.asarray(array)
    dtype = array.dtype.newbyteorder(">") if array.dtype.itemsize > 1 \
        else array.dtype
    code = _CODES.get(np.dtype(dtype))
    if code is None:
        raise InputTypeError(f"IDX cannot store dtype {array.dtype}; use "
                             "uint8, int8, int16, int32, float32 or float64.")
    payload = (bytes([0, 0, code, array.ndim])
               + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
               + array.astype(dtype).tobytes())
    if compress is None:
        compress = path.endswith(".gz")
    if compress:
        payload = gzip.compress(payload)
    with open(path, "xb") as f:
        f.write(payload)
    return path
