#!/usr/bin/python3
"""Float64 PyTorch autograd reference gradients for an ONNX classifier, by interpreting its graph.

    /usr/bin/python3 models/architectures/onnx_reference.py MODEL.onnx OUT_PREFIX C H W [TARGET]

Runs the ONNX graph node by node as torch operations in float64 (only the operators the
PaddleOCR classifier uses; anything else is refused by name), on two fixed inputs (seeded
normal, standard deviation 0.5), and writes little-endian float32 files:
    OUT_PREFIX.x.bin       the inputs [2, C, H, W]
    OUT_PREFIX.output.bin  the model's output [2, K]
    OUT_PREFIX.grad.bin    d(log-odds of TARGET)/dx, where the output holds probabilities and the
                           log-odds is log p_t - log sum_{j != t} p_j (the processor's LOGODDS)
It also prints float64 central differences along the gradient for shrinking steps, which
converge to the autograd value once the step crosses no ReLU/Clip kink.
"""
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def conv_padding(a, k):
    p = a.get("pads", [0] * (2 * k))
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or p[:k] != p[k:]:
        raise ValueError("asymmetric or automatic padding not interpreted")
    return tuple(p[:k])


def run(model, x):
    env = {model.graph.input[0].name: x}
    for init in model.graph.initializer:
        env[init.name] = torch.from_numpy(numpy_helper.to_array(init).copy())
    for n in model.graph.node:
        a = attrs(n)
        i = [env[name] if name else None for name in n.input]
        op = n.op_type
        if op == "Constant":
            t = torch.from_numpy(numpy_helper.to_array(a["value"]).copy())
            out = t.double() if t.is_floating_point() else t
        elif op == "Conv":
            out = F.conv2d(i[0], i[1].double(), None if len(i) < 3 else i[2].double(), stride=tuple(a.get("strides", [1, 1])),
                           padding=conv_padding(a, 2), dilation=tuple(a.get("dilations", [1, 1])), groups=a.get("group", 1))
        elif op == "BatchNormalization":
            out = F.batch_norm(i[0], i[3].double(), i[4].double(), i[1].double(), i[2].double(), False, 0.0, a.get("epsilon", 1e-5))
        elif op in ("Mul", "Add", "Div", "Sub"):
            out = {"Mul": torch.mul, "Add": torch.add, "Div": torch.div, "Sub": torch.sub}[op](i[0], i[1])
        elif op == "Clip":
            out = torch.clamp(i[0], a.get("min", -np.inf), a.get("max", np.inf))
        elif op == "Relu":
            out = F.relu(i[0])
        elif op == "HardSigmoid":
            out = torch.clamp(i[0] * a.get("alpha", 0.2) + a.get("beta", 0.5), 0, 1)
        elif op == "GlobalAveragePool":
            out = i[0].mean(dim=(2, 3), keepdim=True)
        elif op == "MaxPool":
            out = F.max_pool2d(i[0], tuple(a["kernel_shape"]), tuple(a.get("strides", a["kernel_shape"])),
                               conv_padding(a, 2))
        elif op == "Cast":
            out = i[0]
        elif op == "Shape":
            out = torch.tensor(i[0].shape, dtype=torch.int64)
        elif op == "Slice":
            starts, ends = a["starts"], a["ends"]
            axes = a.get("axes", list(range(len(starts))))
            out = i[0]
            for ax, s, e in zip(axes, starts, ends):
                out = out.narrow(ax, s, min(e, out.shape[ax]) - s)
        elif op == "Concat":
            out = torch.cat([t.long() for t in i], dim=a["axis"])
        elif op == "Reshape":
            out = i[0].reshape([int(v) for v in i[1]])
        elif op == "MatMul":
            out = i[0] @ i[1].double()
        elif op == "Softmax":
            out = torch.softmax(i[0], dim=a.get("axis", 1))
        else:
            raise ValueError(f"operator {op} ({n.name}) not interpreted")
        env[n.output[0]] = out
    return env[model.graph.output[0].name]


def log_odds(p, t):
    others = torch.cat([p[:, :t], p[:, t + 1:]], dim=1).sum(dim=1)
    return torch.log(p[:, t]) - torch.log(others)


def main():
    path, prefix, c, h, w = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    target = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    model = onnx.load(path)
    x = (torch.randn(2, c, h, w, generator=torch.Generator().manual_seed(7), dtype=torch.float64) * 0.5)
    x = x.float().double().requires_grad_(True)  # exactly representable in the float32 file
    p = run(model, x)
    log_odds(p, target).sum().backward()
    for suffix, t in (("x", x), ("output", p), ("grad", x.grad)):
        t.detach().numpy().astype("<f4").tofile(f"{prefix}.{suffix}.bin")
    g = x.grad.detach()[:1]
    v = g / g.norm() * g.numel() ** 0.5
    with torch.no_grad():
        x0 = x.detach()[:1]
        row = [f"h={s:g}: {((log_odds(run(model, x0 + s * v), target) - log_odds(run(model, x0 - s * v), target)) / (2 * s)).item():.4f}"
               for s in (2e-3, 5e-4, 2.5e-4, 1e-5, 1e-7)]
    print(f"output {p.detach().numpy().tolist()}; along the gradient: autograd {(g * v).sum().item():.4f}; central differences "
          + "; ".join(row))


if __name__ == "__main__":
    main()
