#!/usr/bin/python3
"""analysis/export_model.py: models in torchcfm's and flow_matching's conventions become gftlab's forward(t, x)
files that compute what the models compute, and a trace that would not is refused."""
import pathlib
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "analysis"))
import export_model  # noqa: E402


class CfmMlp(torch.nn.Module):
    """torchcfm's convention: forward(t, x)."""

    def __init__(self, dim=2):
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Sequential(torch.nn.Linear(dim + 1, 32), torch.nn.SiLU(), torch.nn.Linear(32, dim))

    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([x, t[:, None]], 1))


class FmConditional(torch.nn.Module):
    """flow_matching's convention: forward(x, t, **extras), here a class label."""

    def __init__(self, dim=2, classes=4):
        super().__init__()
        torch.manual_seed(1)
        self.embed = torch.nn.Embedding(classes, 8)
        self.net = torch.nn.Sequential(torch.nn.Linear(dim + 1 + 8, 32), torch.nn.Tanh(), torch.nn.Linear(32, dim))

    def forward(self, x, t, label=0):
        e = self.embed(torch.full((x.shape[0],), label, dtype=torch.long))
        return self.net(torch.cat([x, t[:, None], e], 1))


class BatchBranch(torch.nn.Module):
    """A Python branch on the batch size: a trace keeps the branch of its example batch."""

    def forward(self, x, t):
        if x.shape[0] > 5:
            return x * 2.0
        return x + t[:, None]


class Sum(torch.nn.Module):
    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return x.sum(1) * t


class Export(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.out = pathlib.Path(self.dir.name) / "velocity.pt"

    def tearDown(self):
        self.dir.cleanup()

    def check_same(self, model, call):
        loaded = torch.jit.load(str(self.out))
        t, x = torch.rand(9), torch.randn(9, 2)
        with torch.no_grad():
            self.assertTrue(torch.allclose(loaded(t, x), call(model, t, x), atol=1e-6))

    def test_torchcfm_model_is_scripted_as_it_is(self):
        model = CfmMlp()
        self.assertEqual(export_model.export(model, "torchcfm", [2], str(self.out)), "scripted")
        self.check_same(model, lambda m, t, x: m(t, x))

    def test_flow_matching_model_gets_time_first_and_its_extras_fixed(self):
        model = FmConditional()
        how = export_model.export(model, "flow_matching", [2], str(self.out), extras={"label": 3})
        self.assertEqual(how, "traced")
        self.check_same(model, lambda m, t, x: m(x, t, label=3))
        loaded = torch.jit.load(str(self.out))
        t, x = torch.rand(5), torch.randn(5, 2)
        with torch.no_grad():  # the label is part of the file: another label gives another field
            self.assertFalse(torch.allclose(loaded(t, x), model(x, t, label=0)))

    def test_a_trace_that_froze_a_branch_is_refused_and_nothing_is_written(self):
        with self.assertRaisesRegex(ValueError, "a trace cannot capture"):
            export_model.export(BatchBranch(), "flow_matching", [2], str(self.out))
        self.assertEqual(list(pathlib.Path(self.dir.name).iterdir()), [])

    def test_wrong_output_shape_and_misplaced_extras_are_refused(self):
        with self.assertRaisesRegex(ValueError, "shaped like x"):
            export_model.export(Sum(), "torchcfm", [2], str(self.out))
        with self.assertRaisesRegex(ValueError, "cannot be called"):
            export_model.export(torch.nn.Linear(3, 1), "flow_matching", [2], str(self.out))
        with self.assertRaisesRegex(ValueError, "flow_matching convention only"):
            export_model.export(CfmMlp(), "torchcfm", [2], str(self.out), extras={"label": 1})


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "write-flow-matching":  # for tests/cli/own_problem.sh
        export_model.export(FmConditional(), "flow_matching", [2], sys.argv[2], extras={"label": 2})
        sys.exit(0)
    unittest.main(verbosity=1)
