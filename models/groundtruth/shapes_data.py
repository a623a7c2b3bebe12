"""Synthetic shapes with known ground truth, for checking attribution methods.

Each image is 64x64 RGB: a gradient background cluttered with thin lines and specks, and one
shape (circle, square, triangle or cross) of side 16-24 px at a random position. The shape's
bounding box is the true region of interest. A "stamp" (a 6x6 red/white checkerboard) can be
painted in the bottom-right corner; shapes never overlap it. In the training data the stamp
rides on circles only, so a model can learn it as a shortcut for "circle".

Deterministic: the same seed gives the same images.
"""
import numpy as np

SIZE = 64
CLASSES = ["circle", "square", "triangle", "cross"]
STAMP_CLASS = 0
STAMP = (56, 56, 62, 62)  # x0, y0, x1, y1 exclusive, in pixels
KEEP_OUT = 52  # shapes stay out of the square [KEEP_OUT, 64)^2 around the stamp

_Y, _X = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) + 0.5


def _background(rng):
    a = rng.uniform(40, 215, 3)
    b = np.clip(a + rng.uniform(-70, 70, 3), 0, 255)
    angle = rng.uniform(0, 2 * np.pi)
    t = ((_X - 32) * np.cos(angle) + (_Y - 32) * np.sin(angle)) / 64 + 0.5
    img = a[None, None, :] * (1 - t[..., None]) + b[None, None, :] * t[..., None]
    for _ in range(rng.integers(4, 9)):  # thin lines
        x0, y0, x1, y1 = rng.uniform(0, SIZE, 4)
        length = max(np.hypot(x1 - x0, y1 - y0), 1e-3)
        # distance of each pixel centre to the segment
        u = np.clip(((_X - x0) * (x1 - x0) + (_Y - y0) * (y1 - y0)) / length ** 2, 0, 1)
        d = np.hypot(_X - (x0 + u * (x1 - x0)), _Y - (y0 + u * (y1 - y0)))
        img[d < 0.7] = rng.uniform(0, 255, 3)
    for _ in range(rng.integers(5, 12)):  # specks of 2-3 px
        s = rng.integers(2, 4)
        x, y = rng.integers(0, SIZE - s, 2)
        img[y:y + s, x:x + s] = rng.uniform(0, 255, 3)
    return img


def _shape_mask(cls, cx, cy, r):
    dx, dy = _X - cx, _Y - cy
    if cls == 0:
        return dx * dx + dy * dy <= r * r
    if cls == 1:
        return (np.abs(dx) <= r * 0.85) & (np.abs(dy) <= r * 0.85)
    if cls == 2:  # apex up: inside the two slanted edges and above the base
        return (dy <= r) & (2 * np.abs(dx) <= (dy + r))
    arm = r / 3
    return ((np.abs(dx) <= arm) & (np.abs(dy) <= r)) | ((np.abs(dy) <= arm) & (np.abs(dx) <= r))


def paint_stamp(img):
    x0, y0, x1, y1 = STAMP
    for y in range(y0, y1):
        for x in range(x0, x1):
            img[y, x] = (230, 20, 20) if ((x - x0) // 2 + (y - y0) // 2) % 2 == 0 else (255, 255, 255)


def make_image(rng, cls, stamped):
    """One image (uint8 HxWx3) and its shape's box (x0, y0, x1, y1) in pixels, x1/y1 exclusive."""
    img = _background(rng)
    while True:
        r = rng.uniform(8, 12)
        cx, cy = rng.uniform(r + 1, SIZE - r - 1, 2)
        mask = _shape_mask(cls, cx, cy, r)
        ys, xs = np.nonzero(mask)
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        if not (box[2] > KEEP_OUT and box[3] > KEEP_OUT):
            break
    # a colour far from the background under the shape, so the shape is always visible
    under = img[mask].mean(axis=0)
    while True:
        colour = rng.uniform(0, 255, 3)
        if np.abs(colour - under).sum() > 180:
            break
    img[mask] = colour
    if stamped:
        paint_stamp(img)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), box


def dataset(seed, n, stamp_rate_for_class=None, stamp_rate_other=0.0, classes=None):
    """n images with labels, boxes and stamp flags; classes cycle unless given."""
    rng = np.random.default_rng(seed)
    stamp_rate_for_class = stamp_rate_for_class or 0.0
    images = np.zeros((n, SIZE, SIZE, 3), np.uint8)
    labels = np.zeros(n, np.int64)
    boxes = np.zeros((n, 4), np.int64)
    stamped = np.zeros(n, bool)
    for i in range(n):
        cls = int(rng.integers(0, len(CLASSES))) if classes is None else int(classes[i % len(classes)])
        rate = stamp_rate_for_class if cls == STAMP_CLASS else stamp_rate_other
        stamped[i] = rng.uniform() < rate
        images[i], boxes[i] = make_image(rng, cls, stamped[i])
        labels[i] = cls
    return images, labels, boxes, stamped
