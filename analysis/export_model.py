#!/usr/bin/python3
"""Export a velocity model as the TorchScript file gftlab imports (`pretrain.import`): forward(t, x) with t [N]
and x [N, sample shape], returning a tensor shaped like x. A model written for another library's convention is
wrapped first, so that nobody hand-writes the adapter:

  torchcfm       forward(t, x, ...): t [N] first, as torchcfm's models take it
  flow_matching  forward(x, t, **extras): Meta's flow_matching library (ModelWrapper); --extra key=value
                 becomes a fixed keyword argument (e.g. a class label for a conditional model)
  gftlab         forward(t, x) already

  python3 analysis/export_model.py --factory my_model.py:build --convention flow_matching --shape 1 28 28 \\
          [--state-dict weights.pt] [--extra label=3] --out velocity.pt

`--factory FILE:NAME` names a function of FILE that returns the model (an nn.Module); `--state-dict` loads
weights into it. The wrapper is scripted when TorchScript can compile it (control flow kept), else traced
with a batch of the given shape. Either way the file is loaded back and compared with the model on fresh
inputs of two other batch sizes before it is written: a trace that froze the batch size or a branch is refused
rather than shipped. A file saved by a newer PyTorch may call operators that an older LibTorch lacks (Debian's
gftlab is built on 1.13: docs/own_files.md); gftlab refuses such a file naming the operator.
"""
import argparse
import importlib.util
import os
import sys
import tempfile

import torch

CONVENTIONS = ("torchcfm", "flow_matching", "gftlab")


class TimeFirst(torch.nn.Module):
    """torchcfm's and gftlab's order: model(t, x)."""
    SIGNATURE = "model(t, x)"

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.model(t, x)


class DataFirst(torch.nn.Module):
    """flow_matching's order, model(x, t, **extras), with the extras fixed at export."""
    SIGNATURE = "model(x, t, **extras)"

    def __init__(self, model, extras):
        super().__init__()
        self.model = model
        self.extras = dict(extras)

    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.model(x, t, **self.extras)


def wrap(model, convention, extras):
    if convention not in CONVENTIONS:
        raise ValueError(f"convention '{convention}' is not one of {', '.join(CONVENTIONS)}")
    if extras and convention != "flow_matching":
        raise ValueError("extras are keyword arguments of the flow_matching convention only")
    return DataFirst(model, extras) if convention == "flow_matching" else TimeFirst(model)


def inputs(batch, shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(batch, generator=g), torch.randn(batch, *shape, generator=g)


def compile_wrapper(wrapper, shape):
    """TorchScript of the wrapper: scripted when the model allows it (no **extras), else traced."""
    if not isinstance(wrapper, DataFirst) or not wrapper.extras:
        try:
            return torch.jit.script(wrapper), "scripted"
        except Exception:  # TorchScript cannot compile the model's Python: trace it instead
            pass
    try:
        with torch.no_grad():
            return torch.jit.trace(wrapper, inputs(4, shape, 0), check_trace=False), "traced"
    except Exception as e:  # the model's own error, in the caller's terms
        raise ValueError(f"the model cannot be called as {wrapper.SIGNATURE} with x of shape "
                         f"[4, {', '.join(map(str, shape))}]: {type(e).__name__}: {e}") from e


def export(model, convention, shape, out, extras=None, tolerance=1e-5):
    """Writes `out` (atomically) and returns how it was compiled; ValueError when the file would not compute
    what the model computes."""
    model = model.eval()
    wrapper = wrap(model, convention, extras or {})
    compiled, how = compile_wrapper(wrapper, shape)
    directory = os.path.dirname(os.path.abspath(out))
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".tmp", delete=False) as tmp:
        temporary = tmp.name
    try:
        torch.jit.save(compiled, temporary)
        loaded = torch.jit.load(temporary)
        with torch.no_grad():
            for batch, seed in ((3, 1), (7, 2)):
                t, x = inputs(batch, shape, seed)
                want = wrapper(t, x)
                try:
                    got = loaded(t, x)
                except RuntimeError as e:  # e.g. a trace that froze the batch size into a reshape
                    raise ValueError(f"the {how} file fails on a batch of {batch} ({str(e).strip().splitlines()[0]})"
                                     ": make the model scriptable (torch.jit.script) and export again") from e
                if got.shape != x.shape or want.shape != x.shape:
                    raise ValueError(f"forward returns shape {tuple(got.shape)} for x {tuple(x.shape)}: gftlab "
                                     "needs the velocity shaped like x")
                error = (got - want).abs().max().item()
                if not error <= tolerance * (1 + want.abs().max().item()):
                    raise ValueError(f"the {how} file differs from the model by {error:.3g} on a batch of {batch}: "
                                     "its forward depends on the input in a way a trace cannot capture; make it "
                                     "scriptable (torch.jit.script) and export again")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary file: NamedTemporaryFile makes it private
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return how


def load_factory(spec):
    path, _, name = spec.rpartition(":")
    if not path or not name:
        raise SystemExit(f"--factory '{spec}': expected FILE.py:NAME")
    module_spec = importlib.util.spec_from_file_location("user_model", path)
    module = importlib.util.module_from_spec(module_spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    module_spec.loader.exec_module(module)
    return getattr(module, name)


def parse_extra(text):
    key, _, value = text.partition("=")
    if not key or not _:
        raise SystemExit(f"--extra '{text}': expected key=value")
    for cast in (int, float):
        try:
            return key, cast(value)
        except ValueError:
            pass
    return key, {"true": True, "false": False}.get(value, value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--factory", required=True, help="FILE.py:NAME, a function returning the nn.Module")
    parser.add_argument("--state-dict", help="weights to load into the model (torch.save of a state_dict)")
    parser.add_argument("--convention", required=True, choices=CONVENTIONS)
    parser.add_argument("--shape", type=int, nargs="+", required=True, help="one sample's shape, e.g. 2 or 1 28 28")
    parser.add_argument("--extra", action="append", default=[], help="flow_matching: key=value keyword argument")
    parser.add_argument("--out", required=True, help="the TorchScript file to write")
    args = parser.parse_args()
    model = load_factory(args.factory)()
    if args.state_dict:
        model.load_state_dict(torch.load(args.state_dict, map_location="cpu"))
    try:
        how = export(model, args.convention, args.shape, args.out, dict(map(parse_extra, args.extra)))
    except ValueError as e:
        raise SystemExit(f"export_model: {e}")
    print(f"wrote {args.out} ({how}; torch {torch.__version__}); use it as pretrain.import: {args.out}")


if __name__ == "__main__":
    main()
