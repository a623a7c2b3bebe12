#!/usr/bin/python3
"""Reference CAM-family maps for the committed architectures, computed with PyTorch hooks on the
very modules export.py exports (independent of the processor's ONNX graph surgery).

    /usr/bin/python3 models/architectures/cam_reference.py [OUT_DIR] [NAME...]

OUT_DIR defaults to core/src/test/resources/architectures (for vit_b_16, which export.py writes
to ~/.cache/saliency-stream/architectures, pass that folder). Input: the first of reference.py's two
fixed inputs; for the CNNs the class named in NAME.cam.properties (the one whose Grad-CAM maps carry
the most mass: with random weights many are all zero), for the ViT class 1; score the log-odds of that class (z_1 - logsumexp of the others, the
processor's default). For each CNN and each of two layers (the last feature map, which the
processor picks automatically, and a named earlier one with a finer grid) it writes the coarse
maps before upsampling, little-endian float32, row-major over the layer's grid:
    NAME.LAYER.gradcam.bin     ReLU(sum_c mean(dS/dA_c) A_c)
    NAME.LAYER.gradcampp.bin   Grad-CAM++ as pytorch-grad-cam computes it
    NAME.LAYER.activation.bin  mean over channels of A
    NAME.LAYER.reciprocam.bin  softmax probability of the class with the layer kept at one cell only,
                               min-max scaled (OpenVINO XAI's ReciproCAM)
where LAYER is "auto" or "named"; NAME.cam.properties names the class and both layers' ONNX tensors.
For the ViT: NAME.auto.gradcam.bin (at the last block's ln_1 output, patch tokens), NAME.auto.vitreciprocam.bin
(Gaussian 3x3 masks on the last block's input and its ln_1 output, class token kept) and
NAME.auto.rollout.bin (attention rollout, probabilities recomputed from each block's in_proj weights);
ViT-ReciproCAM only for grids of at most 64 patches (the tiny ViT, not ViT-B/16).
"""
import math
import os
import sys

import onnx
import torch

import export

TARGET = 1
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "..", "core", "src", "test", "resources", "architectures")

# the automatic layer (last feature map before pooling) and an earlier one with a finer grid
LAYERS = {
    "resnet18_025": ("layer4", "layer2"),
    "mobilenet_v2_035": ("features.18", "features.6"),
    "mobilenet_v3_small_050": ("features.12", "features.3"),
}
GAUSSIAN = torch.tensor([[1 / 16, 1 / 8, 1 / 16], [1 / 8, 1 / 4, 1 / 8], [1 / 16, 1 / 8, 1 / 16]])


def log_odds(z, target):
    others = torch.cat([z[:, :target], z[:, target + 1:]], dim=1)
    return z[:, target] - torch.logsumexp(others, dim=1)


def fixed_input(side):
    return (torch.randn(2, 3, side, side, generator=torch.Generator().manual_seed(7)) * 0.5)[:1]


def onnx_tensor_of(onnx_model, module_path):
    """The ONNX tensor a module's output became: the output of the last node exported under its scope."""
    parts = module_path.split(".")
    prefix = "/" + "/".join(".".join(parts[:i + 1]) for i in range(len(parts))) + "/"
    names = [n.output[0] for n in onnx_model.graph.node if n.name.startswith(prefix)]
    return names[-1]


def capture(model, module, x):
    """The module's output A (kept with its gradient) and the model's logits."""
    store = {}

    def hook(_, __, out):
        out.retain_grad()
        store["a"] = out
    handle = module.register_forward_hook(hook)
    z = model(x)
    handle.remove()
    return store["a"], z


def grad_cam(a, g):
    weights = g.mean(dim=(2, 3), keepdim=True)
    return torch.relu((weights * a).sum(dim=1))[0]


def grad_cam_pp(a, g):
    g2 = g ** 2
    g3 = g2 * g
    sum_a = a.sum(dim=(2, 3), keepdim=True)
    alpha = g2 / (2 * g2 + sum_a * g3 + 1e-6)
    alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
    weights = (torch.relu(g) * alpha).sum(dim=(2, 3), keepdim=True)
    return torch.relu((weights * a).sum(dim=1))[0]


def min_max(v):
    return (v - v.min()) / (v.max() - v.min())


def recipro_cam(model, module, x, a, target):
    """The model on h*w copies of x, the module's output replaced by the map kept at one cell each."""
    _, c, h, w = a.shape
    mosaic = torch.zeros(h * w, c, h, w)
    for k in range(h * w):
        i, j = divmod(k, w)
        mosaic[k, :, i, j] = a[0, :, i, j]
    handle = module.register_forward_hook(lambda _, __, out: mosaic)
    with torch.no_grad():
        p = torch.softmax(model(x.repeat(h * w, 1, 1, 1)), dim=1)[:, target]
    handle.remove()
    return min_max(p).reshape(h, w)


def save(out, name, suffix, t):
    t.detach().contiguous().numpy().astype("<f4").tofile(os.path.join(out, f"{name}.{suffix}.bin"))


def grad_cam_at(model, module, x, target):
    a, z = capture(model, module, x)
    log_odds(z, target).sum().backward()
    return a.detach(), a.grad


def cnn(name, out):
    model, side = export.build(name)
    onnx_model = onnx.load(os.path.join(out, name + ".onnx"))
    x = fixed_input(side)
    modules = [model.get_submodule(path) for path in LAYERS[name]]
    # random weights: many classes have an all-negative Grad-CAM (all zero after the ReLU), so
    # explain the class whose maps at both layers carry the most mass
    target = max(range(export.CLASSES), key=lambda c: min(float(grad_cam(*grad_cam_at(model, m, x, c)).sum()) for m in modules))
    props = [f"target={target}"]
    for kind, path, module in zip(("auto", "named"), LAYERS[name], modules):
        a, g = grad_cam_at(model, module, x, target)
        save(out, name, kind + ".gradcam", grad_cam(a, g))
        save(out, name, kind + ".gradcampp", grad_cam_pp(a, g))
        save(out, name, kind + ".activation", a.mean(dim=1)[0])
        save(out, name, kind + ".reciprocam", recipro_cam(model, module, x, a, target))
        props.append(f"{kind}={onnx_tensor_of(onnx_model, path)}")
        print(f"{name} {kind} {path}: grid {tuple(a.shape[2:])}, target {target}, {props[-1]}")
    with open(os.path.join(out, name + ".cam.properties"), "w") as f:
        f.write("# written by models/architectures/cam_reference.py: the class explained and the ONNX tensors of the hooked layers\n"
                + "\n".join(props) + "\n")


def attention_probabilities(mha, q_in):
    """Softmax(Q K^T / sqrt(d)) from nn.MultiheadAttention's packed projection, averaged over heads."""
    n, t, d = q_in.shape
    heads = mha.num_heads
    qkv = q_in @ mha.in_proj_weight.T + mha.in_proj_bias
    q, k, _ = qkv.split(d, dim=-1)
    q = q.reshape(n, t, heads, d // heads).transpose(1, 2)
    k = k.reshape(n, t, heads, d // heads).transpose(1, 2)
    return torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // heads), dim=-1).mean(dim=1)


def vit(name, out):
    model, side = export.build(name)
    x = fixed_input(side)
    blocks = list(model.encoder.layers)
    last = blocks[-1]
    # Grad-CAM at the last block's ln_1 output, patch tokens on their grid
    a, z = capture(model, last.ln_1, x)
    log_odds(z, TARGET).sum().backward()
    t = a.shape[1]
    h = w = int(math.isqrt(t - 1))
    grid = lambda v: v[:, 1:, :].reshape(1, h, w, -1).permute(0, 3, 1, 2)
    save(out, name, "auto.gradcam", grad_cam(grid(a.detach()), grid(a.grad)))

    # attention rollout from each block's recomputed attention probabilities
    inputs = []
    # the attention's query, key and value are the block's ln_1 output
    handles = [b.ln_1.register_forward_hook(lambda _, __, o: inputs.append(o.detach())) for b in blocks]
    with torch.no_grad():
        model(x)
    for hd in handles:
        hd.remove()
    rollout = torch.eye(t)
    for block, q_in in zip(blocks, inputs):
        att = attention_probabilities(block.self_attention, q_in)[0]
        att = (att + torch.eye(t)) / 2
        att = att / att.sum(dim=-1, keepdim=True)
        rollout = att @ rollout
    save(out, name, "auto.rollout", rollout[0, 1:].reshape(h, w))

    if h * w > 64:
        # ViT-B/16's 196 masked copies of the whole model take too long here; the processor's test
        # checks its ViT-ReciproCAM on the tiny ViT only
        print(f"{name}: {t} tokens, grid {h}x{w} (no ViT-ReciproCAM reference)")
        return
    # ViT-ReciproCAM: Gaussian masks around each patch on the last block's input and its ln_1 output
    store = {}
    hd = last.register_forward_pre_hook(lambda _, args: store.setdefault("in", args[0].detach()))
    with torch.no_grad():
        model(x)
    hd.remove()
    block_in = store["in"]
    with torch.no_grad():
        normed = last.ln_1(block_in)

    def mosaic(v):
        out_v = torch.zeros(h * w, t, v.shape[-1])
        out_v[:, 0] = v[0, 0]
        for k in range(h * w):
            ki, kj = divmod(k, w)
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    i, j = ki + di, kj + dj
                    if 0 <= i < h and 0 <= j < w:
                        out_v[k, 1 + i * w + j] = v[0, 1 + i * w + j] * GAUSSIAN[di + 1, dj + 1]
        return out_v
    masked_in, masked_normed = mosaic(block_in), mosaic(normed)
    hd1 = last.register_forward_pre_hook(lambda _, args: (masked_in,))
    hd2 = last.ln_1.register_forward_hook(lambda _, __, o: masked_normed)
    with torch.no_grad():
        p = torch.softmax(model(x.repeat(h * w, 1, 1, 1)), dim=1)[:, TARGET]
    hd1.remove()
    hd2.remove()
    save(out, name, "auto.vitreciprocam", min_max(p).reshape(h, w))
    print(f"{name}: {t} tokens, grid {h}x{w}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    for name in sys.argv[2:] or list(LAYERS) + ["vit_tiny"]:
        (vit if name.startswith("vit") else cnn)(name, out)


if __name__ == "__main__":
    main()
