"""Data augmentation for small grey-scale images (MNIST / Fashion-MNIST 28x28):
shifts and small rotations that make new labelled training instances.

numpy only (no scipy, no TensorFlow)::

    X_aug, y_aug = augment(X_train, y_train, shifts=[(1, 0), (-1, 0),
                                                     (0, 1), (0, -1)])

Conventions (those of image display, row 0 at the top):

* `shift_images(images, dx, dy)`: `dx > 0` moves the content right,
  `dy > 0` moves it down; pixels that leave the image are dropped and the
  uncovered border is filled with `fill` (0 = background) -- no wrap-around
  (`np.roll` alone would wrap).
* `rotate_images(images, angle)`: `angle` in degrees, counter-clockwise as
  seen on screen, about the image centre ((H-1)/2, (W-1)/2);
  `rotate_images(x, 90)` equals `np.rot90(x, axes=(-2, -1))` and
  `rotate_images(x, 0)` is `x`. `order="bilinear"` (default) or
  `"nearest"`; outside the source image the fill value is used.

Images may be `(H, W)`, `(N, H, W)` or flattened `(N, H*W)` / `(H*W,)`
(give `image_shape` if not 28x28); the output has the input's shape and
dtype (integer images are rounded and clipped to the dtype's range).

Caveat: augment only what a human would still label the same way: small
shifts and rotations of clothes or digits, no flips for digits (a flipped
2 is not a 2), no 180-degree rotations (6 vs 9).
"""

import numpy as np
from tf1_dnn.errors import InputError

__all__ = ["shift_images", "rotate_images", "augment"]


def _as_images(images, image_shape, what):
    x = np.asarray(images)
    h, w = image_shape
    if x.ndim >= 2 and x.shape[-2:] == (h, w):
        return x, x.shape
    if x.ndim in (1, 2) and x.shape[-1] == h * w:
        return x.reshape(x.shape[:-1] + (h, w)), x.shape
    raise InputError(
        f"{what}: expected images of shape (H, W), (N, H, W), (N, H*W) or "
        f"(H*W,) with (H, W) = {image_shape}, got shape {x.shape}. Pass "
        "image_shape=(height, width) for other sizes.")


def _restore(out, shape, dtype):
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    return out.astype(dtype, copy=False).reshape(shape)


def shift_images(images, dx, dy, fill=0, image_shape=(28, 28)):
    """Shifts images by whole pixels (dx right, dy down), filling with `fill`.

    out[..., r, c] = images[..., r - dy, c - dx] where that pixel exists,
    else `fill`.
    """
    x, shape = _as_images(images, image_shape, "shift_images")
    if int(dx) != dx or int(dy) != dy:
        raise InputError(
            f"shift_images: dx and dy must be whole pixels, got dx={dx!r}, "
            f"dy={dy!r}. For sub-pixel moves, rotate_images uses "
            "interpolation; shifts do not.")
    dx, dy = int(dx), int(dy)
    h, w = image_shape
    out = np.full_like(x, fill)
    if abs(dx) < w and abs(dy) < h:
        dst_r = slice(max(dy, 0), h + min(dy, 0))
        src_r = slice(max(-dy, 0), h + min(-dy, 0))
        dst_c = slice(max(dx, 0), w + min(dx, 0))
        src_c = slice(max(-dx, 0), w + min(-dx, 0))
        out[..., dst_r, dst_c] = x[..., src_r, src_c]
    return out.reshape(shape)


def rotate_images(images, angle, order="bilinear", fill=0,
                  image_shape=(28, 28)):
    """Rotates images by `angle` degrees counter-clockwise about the centre.

    Inverse mapping: each output pixel (r, c) takes the source point
    obtained by rotating it by -angle about the centre
    (cy, cx) = ((H-1)/2, (W-1)/2), with x = c - cx, y = cy - r (y up)::

        x_src =  cos(a) * x + sin(a) * y
        y_src = -sin(a) * x + cos(a) * y

    then reads it with nearest-neighbour rounding or bilinear
    interpolation (points outside the source read `fill`).
    """
    if order not in ("bilinear", "nearest"):
        raise InputError(
            f"rotate_images: order must be 'bilinear' or 'nearest', got "
            f"{order!r}.")
    x, shape = _as_images(images, image_shape, "rotate_images")
    h, w = image_shape
    a = np.deg2rad(float(angle))
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    r, c = np.mgrid[0:h, 0:w].astype(np.float64)
    xo, yo = c - cx, cy - r
    cos, sin = np.cos(a), np.sin(a)
    src_c = cx + cos * xo + sin * yo
    src_r = cy - (-sin * xo + cos * yo)
    # Snap float noise (cos(90 deg) = 6e-17) so exact angles map exactly.
    src_c, src_r = np.round(src_c, 9), np.round(src_r, 9)
    xf = x.astype(np.float64)
    padded = np.full(xf.shape[:-2] + (h + 2, w + 2), float(fill))
    padded[..., 1:-1, 1:-1] = xf            # a 1-pixel border of `fill`

    flat = padded.reshape(padded.shape[:-2] + (-1,))

    def read(rr, cc):
        # integer source coords -> values; outside the image -> fill
        rr = np.clip(rr, -1, h).astype(np.int64) + 1
        cc = np.clip(cc, -1, w).astype(np.int64) + 1
        return np.take(flat, rr * (w + 2) + cc, axis=-1)

    if order == "nearest":
        out = read(np.floor(src_r + 0.5), np.floor(src_c + 0.5))
    else:
        r0, c0 = np.floor(src_r), np.floor(src_c)
        fr, fc = src_r - r0, src_c - c0
        out = ((1 - fr) * (1 - fc) * read(r0, c0)
               + (1 - fr) * fc * read(r0, c0 + 1)
               + fr * (1 - fc) * read(r0 + 1, c0)
               + fr * fc * read(r0 + 1, c0 + 1))
    return _restore(out, shape, x.dtype)


def augment(X, y, shifts=((1, 0), (-1, 0), (0, 1), (0, -1)), angles=(),
            include_original=True, order="bilinear", image_shape=(28, 28)):
    """New labelled instances: every image shifted / rotated, labels copied.

    Args:
      X: images, `(N, H*W)` or `(N, H, W)`.
      y: labels, length N.
      shifts: `(dx, dy)` pairs (see `shift_images`).
      angles: rotation angles in degrees (see `rotate_images`), e.g.
        `(-10, 10)`.
      include_original: put the original images first.

    Returns:
      `(X_aug, y_aug)`: the originals (if asked), then one block of N per
      shift, then one per angle, in that order -- shuffle before training
      (e.g. `rng.permutation(len(X_aug))`), or the batches are not i.i.d.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim < 2 or len(X) != len(y):
        raise InputError(
            f"augment: X must be a batch of images with one label each, got "
            f"X of shape {X.shape} and {len(y)} labels.")
    blocks = [X] if include_original else []
    blocks += [shift_images(X, dx, dy, image_shape=image_shape)
               for dx, dy in shifts]
    blocks += [rotate_images(X, a, order=order, image_shape=image_shape)
               for a in angles]
    if not blocks:
        raise InputError("augment: nothing to return -- give shifts or "
                         "angles, or include_original=True.")
    return np.concatenate(blocks), np.concatenate([y] * len(blocks))
