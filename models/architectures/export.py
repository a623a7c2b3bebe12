#!/usr/bin/python3
"""Exports randomly initialised torchvision classifiers to ONNX for the gradient tests.

Run with Debian's interpreter (python3-torch, python3-torchvision, python3-onnx):
    /usr/bin/python3 models/architectures/export.py [--fixed-batch N] [OUT_DIR] [NAME...]
OUT_DIR defaults to ~/.cache/saliency-stream/architectures, where the processor tests look.
The files (tens of MB together) are not committed; the tests that need them skip with a
message naming this script when they are absent.

--fixed-batch N exports the way PyTorch does by default, without dynamic_axes: the batch size is
fixed at N (shapes and reshape targets baked in) and the file is named NAME_bN.onnx. The engine
splits its batches into runs of N for such models.

Weights are random (seeded). Batch-norm running statistics are calibrated on a few random
batches (otherwise activations of an untrained deep net saturate every ReLU6 and the gradient is
zero), then scale and shift are randomised so the inference batch-norm is not an identity.
Every model emits raw logits, for 10 classes unless its name says otherwise (the _224 models are
full-size ImageNet classifiers: 1000 classes at 224x224, for benchmarks).
"""
import argparse
import os

import torch
import torchvision

OPSET = 17
CLASSES = 10


def calibrate_batch_norm(model, side):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(16, 3, side, side) * 0.5)


def randomise_batch_norm(model, generator):
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.LayerNorm)):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5, generator=generator)
                m.bias.uniform_(-0.2, 0.2, generator=generator)


def small_vit():
    # a tiny ViT: 8x8 patches of a 32x32 image, 2 encoder layers of width 32
    vit = torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2,
                                               hidden_dim=32, mlp_dim=64, num_classes=CLASSES)
    # torchvision starts the head at zero (logits and gradient all zero): draw it instead
    torch.nn.init.normal_(vit.heads.head.weight, std=0.5)
    return vit


def vit_b_16():
    # torchvision's ViT-B/16 at 224x224 (86 M parameters, 330 MB exported: never committed)
    vit = torchvision.models.vit_b_16(num_classes=CLASSES)
    torch.nn.init.normal_(vit.heads.head.weight, std=0.05)
    return vit


def narrow_resnet18(width):
    """ResNet-18's layout (BasicBlock, [2, 2, 2, 2]) with every channel count times width."""
    block = torchvision.models.resnet.BasicBlock
    net = torchvision.models.ResNet(block, [2, 2, 2, 2], num_classes=CLASSES)
    planes = [int(c * width) for c in (64, 128, 256, 512)]
    net.inplanes = planes[0]
    net.conv1 = torch.nn.Conv2d(3, planes[0], kernel_size=7, stride=2, padding=3, bias=False)
    net.bn1 = torch.nn.BatchNorm2d(planes[0])
    net.layer1 = net._make_layer(block, planes[0], 2)
    net.layer2 = net._make_layer(block, planes[1], 2, stride=2)
    net.layer3 = net._make_layer(block, planes[2], 2, stride=2)
    net.layer4 = net._make_layer(block, planes[3], 2, stride=2)
    net.fc = torch.nn.Linear(planes[3], CLASSES)
    return net


MODELS = {
    # name: (constructor, input side)
    "resnet18": (lambda: torchvision.models.resnet18(num_classes=CLASSES), 64),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(num_classes=CLASSES), 64),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(num_classes=CLASSES), 64),
    # half width: 1.6 MB, small enough to commit under processor/src/test/resources/architectures
    "mobilenet_v3_small_050": (lambda: torchvision.models.mobilenet_v3_small(num_classes=CLASSES, width_mult=0.5), 64),
    "vit_tiny": (small_vit, 32),
    "vit_b_16": (vit_b_16, 224),
    # narrow variants committed under processor/src/test/resources/architectures so CI covers
    # ResNet and MobileNetV2 too (the full-width exports are 44 and 9 MB)
    "resnet18_025": (lambda: narrow_resnet18(0.25), 64),
    "mobilenet_v2_035": (lambda: torchvision.models.mobilenet_v2(num_classes=CLASSES, width_mult=0.35), 64),
    # depthwise networks for the gradient benchmark
    "mnasnet0_5": (lambda: torchvision.models.mnasnet0_5(num_classes=CLASSES), 64),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(num_classes=CLASSES), 64),
    # full size, for the method benchmark (about 10 MB: exported on demand, never committed)
    "mobilenet_v3_small_224": (lambda: torchvision.models.mobilenet_v3_small(num_classes=1000), 224),
}


def build(name):
    """The named model with its seeded weights, in eval mode, and its input side."""
    make, side = MODELS[name]
    torch.manual_seed(1234)
    generator = torch.Generator().manual_seed(99)
    model = make()
    calibrate_batch_norm(model, side)
    randomise_batch_norm(model, generator)
    model.eval()
    return model, side


def main():
    parser = argparse.ArgumentParser(description="Export seeded random-weight torchvision classifiers to ONNX.")
    parser.add_argument("--fixed-batch", type=int, default=0, metavar="N",
                        help="no dynamic batch axis: the batch is fixed at N and the file is named NAME_bN.onnx")
    parser.add_argument("out", nargs="?", default=os.path.expanduser("~/.cache/saliency-stream/architectures"))
    parser.add_argument("names", nargs="*", metavar="NAME", help="default: all of " + ", ".join(MODELS))
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in MODELS]
    if unknown:
        parser.error(f"unknown model {', '.join(unknown)}; known: {', '.join(MODELS)}")
    os.makedirs(args.out, exist_ok=True)
    for name in args.names or MODELS:
        model, side = build(name)
        batch = args.fixed_batch or 2
        x = torch.randn(batch, 3, side, side)
        dynamic = None if args.fixed_batch else {"x": {0: "N"}, "logits": {0: "N"}}
        file = name + (f"_b{args.fixed_batch}" if args.fixed_batch else "") + ".onnx"
        path = os.path.join(args.out, file)
        tmp = path + ".tmp"
        torch.onnx.export(model, x, tmp, opset_version=OPSET, input_names=["x"], output_names=["logits"],
                          dynamic_axes=dynamic, do_constant_folding=True)
        os.replace(tmp, path)  # atomic: tests in other builds may read the cache meanwhile
        print(f"{name}: {path} ({os.path.getsize(path) / 1e6:.1f} MB, input {batch}x3x{side}x{side})")


if __name__ == "__main__":
    main()
