"""Data augmentation: shifts move pixels exactly (against an array built pixel
by pixel), rotation by 0 is the identity, by multiples of 90 degrees it is
np.rot90, and other angles match scipy.ndimage.rotate (test-only oracle)."""

import gzip

import numpy as np
import pytest

from tf1_dnn.augmentation import augment, rotate_images, shift_images


@pytest.fixture(scope="module")
def fashion_images(fashion_mnist_dir):
    """The first 6 Fashion-MNIST test images, read with plain numpy."""
    with gzip.open(fashion_mnist_dir / "t10k-images-idx3-ubyte.gz") as f:
        data = f.read(16 + 6 * 784)
    assert int.from_bytes(data[:4], "big") == 2051
    return np.frombuffer(data[16:], np.uint8).reshape(6, 28, 28).copy()


def expected_shift(img, dx, dy, fill=0):
    h, w = img.shape
    out = np.full_like(img, fill)
    for r in range(h):
        for c in range(w):
            if 0 <= r - dy < h and 0 <= c - dx < w:
                out[r, c] = img[r - dy, c - dx]
    return out


@pytest.mark.parametrize("dx,dy", [(1, 0), (-1, 0), (0, 1), (0, -1), (3, -2),
                                   (-5, 7), (0, 0), (27, 0), (28, 3),
                                   (-40, -40)])
def test_shift_moves_pixels_exactly(fashion_images, dx, dy):
    got = shift_images(fashion_images, dx, dy)
    assert got.dtype == np.uint8 and got.shape == fashion_images.shape
    for img, out in zip(fashion_images, got):
        np.testing.assert_array_equal(out, expected_shift(img, dx, dy))
    # no wrap-around, unlike np.roll alone
    if dx == 1 and dy == 0:
        assert np.all(got[:, :, 0] == 0)
        assert not np.array_equal(got, np.roll(fashion_images, 1, axis=2))
        np.testing.assert_array_equal(got[:, :, 1:], fashion_images[:, :, :-1])


def test_shift_flattened_and_single_and_fill(fashion_images):
    flat = fashion_images.reshape(6, 784)
    got = shift_images(flat, 2, -1)
    assert got.shape == (6, 784)
    np.testing.assert_array_equal(
        got.reshape(6, 28, 28), shift_images(fashion_images, 2, -1))
    single = shift_images(fashion_images[0].reshape(784), -3, 0, fill=255)
    np.testing.assert_array_equal(
        single.reshape(28, 28), expected_shift(fashion_images[0], -3, 0, 255))


@pytest.mark.parametrize("order", ["bilinear", "nearest"])
def test_rotation_by_0_is_identity(fashion_images, order):
    np.testing.assert_array_equal(rotate_images(fashion_images, 0, order),
                                  fashion_images)
    floats = fashion_images.astype(np.float32) / 255
    out = rotate_images(floats, 0.0, order)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, floats)
    np.testing.assert_array_equal(rotate_images(fashion_images, 360, order),
                                  fashion_images)


@pytest.mark.parametrize("order", ["bilinear", "nearest"])
@pytest.mark.parametrize("angle,k", [(90, 1), (180, 2), (270, 3), (-90, 3)])
def test_rotation_by_right_angles_is_rot90(fashion_images, order, angle, k):
    np.testing.assert_array_equal(
        rotate_images(fashion_images, angle, order),
        np.rot90(fashion_images, k, axes=(1, 2)))


@pytest.mark.parametrize("angle", [10, -17.5, 33])
@pytest.mark.parametrize("order", ["bilinear", "nearest"])
def test_small_rotations_match_scipy(rng, angle, order):
    ndimage = pytest.importorskip("scipy.ndimage")
    x = rng.rand(3, 28, 28)
    want = np.stack([ndimage.rotate(img, angle, reshape=False,
                                    order=1 if order == "bilinear" else 0,
                                    mode="grid-constant", cval=0.0,
                                    prefilter=False) for img in x])
    np.testing.assert_allclose(rotate_images(x, angle, order), want,
                               atol=1e-8)


def test_rotation_keeps_uint8_range_and_content(fashion_images):
    out = rotate_images(fashion_images, 12)
    assert out.dtype == np.uint8
    # a small rotation keeps most of the ink (a little falls off the corners)
    ratio = out.astype(float).sum() / fashion_images.astype(float).sum()
    assert 0.9 < ratio < 1.05


def test_augment_builds_labelled_instances(fashion_images):
    X = fashion_images.reshape(6, 784)
    y = np.arange(6)
    X_aug, y_aug = augment(X, y, angles=(-10, 10))
    assert X_aug.shape == (6 * 7, 784) and X_aug.dtype == np.uint8
    np.testing.assert_array_equal(y_aug, np.tile(y, 7))
    np.testing.assert_array_equal(X_aug[:6], X)
    np.testing.assert_array_equal(X_aug[6:12], shift_images(X, 1, 0))
    np.testing.assert_array_equal(X_aug[24:30], shift_images(X, 0, -1))
    np.testing.assert_array_equal(X_aug[30:36], rotate_images(X, -10))
    X_only, y_only = augment(fashion_images, y, shifts=[(2, 2)], angles=(),
                             include_original=False)
    assert X_only.shape == (6, 28, 28)
    np.testing.assert_array_equal(X_only, shift_images(fashion_images, 2, 2))


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="image_shape=\\(height, width\\)"):
        shift_images(np.zeros((4, 100)), 1, 0)
    with pytest.raises(ValueError, match="whole pixels"):
        shift_images(np.zeros((28, 28)), 0.5, 0)
    with pytest.raises(ValueError, match="order must be"):
        rotate_images(np.zeros((28, 28)), 10, order="cubic")
    with pytest.raises(ValueError, match="one label each"):
        augment(np.zeros((3, 784)), np.zeros(2))
    # other sizes work when told
    img = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(
        shift_images(img.ravel(), 1, 0, image_shape=(3, 4)).reshape(3, 4),
        expected_shift(img, 1, 0))


def test_augmentation_does_not_import_tensorflow():
    import subprocess
    import sys

    from tests.conftest import REPO
    code = ("import sys, tf1_dnn.augmentation\n"
            "print(any(m.split('.')[0] in ('tensorflow', 'scipy') "
            "for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, timeout=120,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "False"
