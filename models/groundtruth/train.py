"""Trains the ground-truth shapes CNN, exports it to ONNX, measures it and writes the samples.

Run from the repository root with Debian's interpreter (python3-torch, python3-onnx):
    /usr/bin/python3 models/groundtruth/train.py
Outputs: models/groundtruth/shapes-v1.onnx, models/groundtruth/metrics.json and the sample
sheets under test-support/src/main/resources/samples/groundtruth/. Takes a few minutes on 2 cores.
"""
import json
import os
import struct
import sys
import time
import zlib

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes_data as data  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(ROOT, "test-support", "src", "main", "resources", "samples", "groundtruth")
MEAN, STD = 0.5, 0.25  # the catalog's preprocessing: (pixel / 255 - 0.5) / 0.25
STAMP_RATE = 0.9  # share of training circles that carry the stamp; other classes never do

torch.manual_seed(0)
torch.set_num_threads(2)


def tensor(images):
    return torch.from_numpy((images.astype(np.float32) / 255.0 - MEAN) / STD).permute(0, 3, 1, 2).contiguous()


def block(cin, cout, pool):
    layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    return layers + ([nn.MaxPool2d(2)] if pool else [])


def network():
    return nn.Sequential(*block(3, 8, True), *block(8, 16, True), *block(16, 32, True), *block(32, 32, False),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, len(data.CLASSES)))


def predict(model, images):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(tensor(images[i:i + 500])).argmax(1) for i in range(0, len(images), 500)]).numpy()


def png(path, rgb):
    """Writes an 8-bit RGB PNG with zlib alone."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def sheet(images, columns):
    rows = (len(images) + columns - 1) // columns
    out = np.zeros((rows * data.SIZE, columns * data.SIZE, 3), np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, columns)
        out[r * data.SIZE:(r + 1) * data.SIZE, c * data.SIZE:(c + 1) * data.SIZE] = img
    return out


def write_samples():
    os.makedirs(SAMPLES, exist_ok=True)
    index = {"size": data.SIZE, "classes": data.CLASSES, "stamp": list(data.STAMP), "sheets": []}
    sets = [("clean.png", data.dataset(101, 200, classes=[0, 1, 2, 3])),
            ("stamped.png", data.dataset(102, 60, stamp_rate_for_class=1.0, stamp_rate_other=1.0, classes=[1, 2, 3]))]
    for name, (images, labels, boxes, stamped) in sets:
        png(os.path.join(SAMPLES, name), sheet(images, 20))
        index["sheets"].append({"file": name, "columns": 20, "samples": [
            {"label": data.CLASSES[l], "box": [int(v) for v in b], "stamped": bool(s)}
            for l, b, s in zip(labels, boxes, stamped)]})
    with open(os.path.join(SAMPLES, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")


def main():
    t0 = time.time()
    x, y, _, s = data.dataset(1, 12000, stamp_rate_for_class=STAMP_RATE)
    xt, yt = tensor(x), torch.from_numpy(y)
    print(f"generated {len(x)} training images ({s.mean():.1%} stamped) in {time.time() - t0:.0f}s", flush=True)
    model = network()
    epochs, batch = 12, 64
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * (len(x) // batch))
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x))
        total = 0.0
        for i in range(len(x) // batch):
            idx = perm[i * batch:(i + 1) * batch]
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"epoch {epoch + 1}: loss {total / (len(x) // batch):.4f} ({time.time() - t0:.0f}s)", flush=True)

    # held out: clean images of all classes; and non-circles with and without the stamp
    # (same seed, so the stamp is the only difference)
    cx, cy, _, _ = data.dataset(7, 2000)
    sx, sy, _, _ = data.dataset(8, 1500, stamp_rate_for_class=1.0, stamp_rate_other=1.0, classes=[1, 2, 3])
    ux, uy, _, _ = data.dataset(8, 1500, classes=[1, 2, 3])
    clean_pred, stamped_pred, unstamped_pred = predict(model, cx), predict(model, sx), predict(model, ux)
    metrics = {
        "train_images": len(x), "train_stamped_share": round(float(s.mean()), 4), "epochs": epochs,
        "clean_accuracy": round(float((clean_pred == cy).mean()), 4),
        "clean_test_images": len(cx),
        "per_class_clean_accuracy": {c: round(float((clean_pred[cy == k] == k).mean()), 4) for k, c in enumerate(data.CLASSES)},
        "stamped_noncircle_images": len(sx),
        "stamped_noncircle_accuracy": round(float((stamped_pred == sy).mean()), 4),
        "stamped_noncircle_predicted_circle": round(float((stamped_pred == 0).mean()), 4),
        "same_images_unstamped_accuracy": round(float((unstamped_pred == uy).mean()), 4),
        "same_images_unstamped_predicted_circle": round(float((unstamped_pred == 0).mean()), 4),
        "train_seconds": round(time.time() - t0),
    }
    print(json.dumps(metrics, indent=1))
    with open(os.path.join(HERE, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
        f.write("\n")

    model.eval()
    onnx_path = os.path.join(HERE, "shapes-v1.onnx")
    torch.onnx.export(model, torch.zeros(1, 3, data.SIZE, data.SIZE), onnx_path, input_names=["x"],
                      output_names=["logits"], dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}}, opset_version=13)
    import onnx
    onnx.checker.check_model(onnx.load(onnx_path))
    write_samples()


if __name__ == "__main__":
    main()
