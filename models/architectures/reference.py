#!/usr/bin/python3
"""Writes PyTorch autograd reference gradients for the models export.py builds.

Run after export.py, with Debian's interpreter:
    /usr/bin/python3 models/architectures/reference.py [OUT_DIR] [NAME...]
For each model NAME it writes, next to NAME.onnx, little-endian float32 files:
    NAME.x.bin       two fixed inputs [2, 3, S, S] (seeded normal, standard deviation 0.5)
    NAME.logits.bin  the model's logits for them [2, 10]
    NAME.grad.bin    d(log-odds of class 1)/dx [2, 3, S, S], where the log-odds is
                     z_1 - logsumexp_{j != 1} z_j (the processor's TargetScore.LOGODDS)
The gradient comes from torch.autograd on the same module that was exported, so it is a
reference independent of the processor's backward graph.
"""
import os
import sys

import torch

import export

TARGET = 1


def log_odds(z, target):
    others = torch.cat([z[:, :target], z[:, target + 1:]], dim=1)
    return z[:, target] - torch.logsumexp(others, dim=1)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/saliency-stream/architectures")
    names = sys.argv[2:] or list(export.MODELS)
    for name in names:
        model, side = export.build(name)
        x = (torch.randn(2, 3, side, side, generator=torch.Generator().manual_seed(7)) * 0.5).requires_grad_(True)
        z = model(x)
        log_odds(z, TARGET).sum().backward()
        for suffix, t in (("x", x), ("logits", z), ("grad", x.grad)):
            t.detach().numpy().astype("<f4").tofile(os.path.join(out, f"{name}.{suffix}.bin"))
        print(f"{name}: logits {z.detach().numpy()[:, :3].tolist()} |grad| {x.grad.norm().item():.4f}")


if __name__ == "__main__":
    main()
