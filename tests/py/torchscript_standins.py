#!/usr/bin/python3
"""Small TorchScript stand-ins for the files researchers supply (tests only; Debian's python3-torch).

  torchscript_standins.py write DIR
      inception.pt        forward(img, return_features=False): img [n, 3, H, W] in [0, 255], bilinear resize to
                          299 x 299 inside, a fixed random convolution net; [n, 2048] pool features (else [n, 1008])
      inception_kwargless.pt   forward(img) only: refused (no return_features)
      inception_wrong_dim.pt   [n, 100] features: refused
      features.pt         any [n, C, H, W] or [n, d] -> [n, 16] (a fixed random net)
      features_1d.pt      returns [n]: refused
      features_slow.pt    features.pt, then one tanh layer of width 512 applied 100 times: about 0.1 s for a batch of 50 on one
                          core (the stop test of the reference statistics, tests/cli/hostile.sh)
      velocity.pt         v(t, x) for x [n, 2], t [n]: a small MLP (torch.jit.script)
      velocity_xonly.pt   forward(x): refused as a velocity field
      velocity_newer_op.pt  forward(t, x) calling aten::scaled_dot_product_attention, as a PyTorch >= 2.0 saves
                          it: its code is written as that PyTorch would, so Debian's 1.13 loader does not know
                          the operator (refused with the operator's name and the remedy)
      not_torchscript.pt  a text file
      and the references of tests/test_torchscript.cpp, float64 raw:
      images.f64 [5, 1, 28, 28] uniform in [-1.2, 1.2]; inception_features.f64 [5, 2048]: their features through
      inception.pt after the preprocessing of clean-fid / StyleGAN, written here independently of gftlab
      (rint((x + 1) 127.5), clipped to [0, 255], one channel repeated to three); noise.f64 [64, 2] and
      euler.f64 [64, 2]: Euler samples of velocity.pt from that noise, 20 uniform steps from t = 0 to 1
"""
import pathlib
import sys
import zipfile

import numpy as np
import torch
import torch.nn.functional as F


class Inception(torch.nn.Module):
    def __init__(self, dim=2048):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.conv = torch.nn.Parameter(torch.randn(16, 3, 5, 5, generator=g) / 30.0)
        self.proj = torch.nn.Parameter(torch.randn(dim, 16 * 16, generator=g) / 16.0)
        self.head = torch.nn.Parameter(torch.randn(1008, dim, generator=g) / 45.0)

    def forward(self, img: torch.Tensor, return_features: bool = False) -> torch.Tensor:
        x = F.interpolate(img / 127.5 - 1.0, size=(299, 299), mode="bilinear", align_corners=False)
        x = torch.relu(F.conv2d(x, self.conv, stride=4))
        x = F.adaptive_avg_pool2d(x, 4).flatten(1)
        features = torch.tanh(x @ self.proj.t())
        if return_features:
            return features
        return features @ self.head.t()


class KwarglessInception(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Inception()

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        return self.inner(img, True)


class Features(torch.nn.Module):
    def __init__(self, out=16, one_dim=False):
        super().__init__()
        g = torch.Generator().manual_seed(1)
        self.w = torch.nn.Parameter(torch.randn(out, 64, generator=g) / 8.0)
        self.one_dim = one_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(1)
        pooled = F.adaptive_avg_pool1d(flat.unsqueeze(1), 64).squeeze(1)
        features = torch.tanh(pooled @ self.w.t()) + pooled.pow(2).mean(1, keepdim=True)
        if self.one_dim:
            return features.sum(1)
        return features


class SlowFeatures(torch.nn.Module):
    def __init__(self, width=512, layers=100):
        super().__init__()
        g = torch.Generator().manual_seed(3)
        self.inner = Features()
        self.lift = torch.nn.Parameter(torch.randn(width, 16, generator=g) / 4.0)
        self.square = torch.nn.Parameter(torch.randn(width, width, generator=g) / width ** 0.5)
        self.layers = layers

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(self.inner(x) @ self.lift.t())
        for _ in range(self.layers):
            h = torch.tanh(h @ self.square)
        return h[:, :16]


class Velocity(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(2)
        self.net = torch.nn.Sequential(torch.nn.Linear(3, 32), torch.nn.SiLU(), torch.nn.Linear(32, 2))

    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([x, t.unsqueeze(1)], 1))


class ReluVelocity(torch.nn.Module):
    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x) * t[:, None]


def with_newer_operator(src, dst):
    """A copy of the archive `src` whose serialised code calls scaled_dot_product_attention instead of relu."""
    with zipfile.ZipFile(src) as archive, zipfile.ZipFile(dst, "w") as out:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename.endswith("code/__torch__.py"):
                assert b"torch.relu(x)" in data, data
                data = data.replace(b"torch.relu(x)", b"torch.scaled_dot_product_attention(x, x, x)")
            out.writestr(info, data)


class VelocityXOnly(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Velocity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(torch.zeros(x.shape[0]), x)


def write(d):
    d = pathlib.Path(d)
    d.mkdir(parents=True, exist_ok=True)
    for name, module in [("inception", Inception()), ("inception_kwargless", KwarglessInception()),
                         ("inception_wrong_dim", Inception(100)), ("features", Features()),
                         ("features_1d", Features(one_dim=True)), ("features_slow", SlowFeatures()),
                         ("velocity", Velocity()),
                         ("velocity_xonly", VelocityXOnly())]:
        torch.jit.save(torch.jit.script(module.eval()), str(d / f"{name}.pt"))
    (d / "not_torchscript.pt").write_text("not a TorchScript archive\n")
    torch.jit.save(torch.jit.script(ReluVelocity()), str(d / "velocity_relu.pt"))
    with_newer_operator(d / "velocity_relu.pt", d / "velocity_newer_op.pt")


def references(d):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1.2, 1.2, size=(5, 1, 28, 28))
    images.tofile(d / "images.f64")
    quantised = np.clip(np.rint((images.astype(np.float32) + 1.0) * 127.5), 0, 255).astype(np.float32)
    quantised = np.repeat(quantised, 3, axis=1)
    with torch.no_grad():
        features = torch.jit.load(str(d / "inception.pt"))(torch.from_numpy(quantised), return_features=True)
        features.double().numpy().tofile(d / "inception_features.f64")
        noise = rng.standard_normal((64, 2))
        noise.tofile(d / "noise.f64")
        velocity = torch.jit.load(str(d / "velocity.pt"))
        x, steps = torch.from_numpy(noise).float(), 20
        for k in range(steps):
            x = x + (1.0 / steps) * velocity(torch.full((64,), k / steps), x)
        x.double().numpy().tofile(d / "euler.f64")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "write":
        sys.exit(__doc__)
    write(sys.argv[2])
    references(pathlib.Path(sys.argv[2]))
