"""Golden values for matmul, index_select/index_add_/cat/stack and softmax.

Run with /usr/bin/python3 (PyTorch 1.13); writes linalg.txt next to this script.
Records (tests/golden/golden_writer.py), all float64, keyed <op>/<case>/<field>.
Inputs are stored as well, so the C++ tests rebuild them exactly; where a case is
about non-contiguous inputs, the stored tensor is the base and the test applies the
same view (t(), transpose) as the script.
"""
import torch

from golden_writer import GoldenWriter

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
records = GoldenWriter()


def emit(key, t):
    records.tensor(key, t.detach().to(torch.float64))


def leaf(key, *shape):
    t = torch.randn(*shape)
    emit(key, t)
    return t.clone().requires_grad_()


def run(prefix, out, inputs):
    """Stores out, a random upstream gradient and the input gradients it produces."""
    emit(prefix + "/out", out)
    g = torch.randn(out.shape)
    emit(prefix + "/g", g)
    out.backward(g)
    for name, t in inputs.items():
        emit(prefix + "/grad_" + name, t.grad)


# ---- matmul: every dispatch case of torch.matmul
matmul_cases = {
    "dot": ((3,), (3,)),
    "mv": ((2, 3), (3,)),
    "vm": ((3,), (3, 4)),
    "mm": ((2, 3), (3, 4)),
    "fold": ((2, 2, 3), (3, 4)),
    "fold_vec": ((2, 2, 3), (3,)),
    "left_2d": ((2, 3), (5, 3, 4)),
    "left_1d": ((3,), (5, 3, 4)),
    "batched": ((5, 2, 3), (5, 3, 4)),
    "broadcast": ((2, 1, 2, 3), (5, 3, 4)),
    "broadcast_one": ((5, 2, 3), (1, 3, 4)),
}
for name, (sa, sb) in matmul_cases.items():
    a, b = leaf(f"matmul/{name}/a", *sa), leaf(f"matmul/{name}/b", *sb)
    run(f"matmul/{name}", torch.matmul(a, b), {"a": a, "b": b})

# non-contiguous: a = A.t(), b = B.t() (both transposed views), and a batched transpose
a, b = leaf("matmul/mm_t/a", 3, 2), leaf("matmul/mm_t/b", 4, 3)
run("matmul/mm_t", torch.matmul(a.t(), b.t()), {"a": a, "b": b})
a, b = leaf("matmul/bmm_t/a", 4, 3, 2), leaf("matmul/bmm_t/b", 4, 3, 5)
run("matmul/bmm_t", torch.matmul(a.transpose(1, 2), b), {"a": a, "b": b})

# ---- index_select
x = leaf("index_select/rows/x", 4, 3)
run("index_select/rows", x.index_select(0, torch.tensor([2, 0, 2])), {"x": x})
x = leaf("index_select/cols/x", 4, 3)
run("index_select/cols", x.index_select(-1, torch.tensor([1, 1, 0, 2])), {"x": x})
x = leaf("index_select/middle/x", 2, 4, 3)
run("index_select/middle", x.index_select(1, torch.tensor([3, 1], dtype=torch.int32)), {"x": x})
x = leaf("index_select/transposed/x", 3, 4)  # used as x.t(), shape (4, 3)
run("index_select/transposed", x.t().index_select(0, torch.tensor([3, 0])), {"x": x})

# ---- index_add_ (on a clone, so both inputs get gradients)
x, src = leaf("index_add/rows/x", 5, 3), leaf("index_add/rows/src", 3, 3)
run("index_add/rows", x.clone().index_add_(0, torch.tensor([0, 2, 0]), src, alpha=2.5), {"x": x, "src": src})
x, src = leaf("index_add/cols/x", 2, 4), leaf("index_add/cols/src", 2, 3)
run("index_add/cols", x.clone().index_add_(-1, torch.tensor([3, 3, 1]), src), {"x": x, "src": src})

# ---- cat and stack
a, b, c = leaf("cat/rows/a", 2, 3), leaf("cat/rows/b", 1, 3), leaf("cat/rows/c", 3, 3)
run("cat/rows", torch.cat([a, b, c], 0), {"a": a, "b": b, "c": c})
a, b = leaf("cat/last/a", 2, 3), leaf("cat/last/b", 2, 2)
run("cat/last", torch.cat([a, b], -1), {"a": a, "b": b})
a, b = leaf("cat/transposed/a", 3, 2), leaf("cat/transposed/b", 2, 2)  # a used as a.t()
run("cat/transposed", torch.cat([a.t(), b], 1), {"a": a, "b": b})
for dim in (0, 1, -1):
    key = f"stack/dim{dim}".replace("-", "m")
    a, b = leaf(key + "/a", 2, 3), leaf(key + "/b", 2, 3)
    run(key, torch.stack([a, b], dim), {"a": a, "b": b})

# ---- softmax and log_softmax
for op in ("softmax", "log_softmax"):
    f = getattr(torch, op)
    x = leaf(f"{op}/last/x", 3, 4)
    run(f"{op}/last", f(x, -1), {"x": x})
    x = leaf(f"{op}/first/x", 3, 4)
    run(f"{op}/first", f(x, 0), {"x": x})
    x = leaf(f"{op}/middle/x", 2, 3, 4)
    run(f"{op}/middle", f(x, 1), {"x": x})
    x = leaf(f"{op}/transposed/x", 4, 3)  # used as x.t()
    run(f"{op}/transposed", f(x.t(), 1), {"x": x})
    x = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])
    emit(f"{op}/large/x", x)
    x.requires_grad_()
    run(f"{op}/large", f(x, 1), {"x": x})

records.save("linalg.txt")
