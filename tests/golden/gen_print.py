#!/usr/bin/python3
"""Golden strings for tensor printing: what PyTorch 1.13 prints for str(t).

Run with /usr/bin/python3 (torch installed); writes tests/golden/print.txt, which
tests/core/test_print.cpp reads. Each case lets the C++ side rebuild the same tensor
from explicit values (or from a fill formula both sides evaluate in double, for the
large summarised ones), apply the same views, and pass the same autograd suffixes.

Records (tests/golden/golden_writer.py) keyed <case>/<field>, the case name with
"_" for spaces:
  values          the tensor before views, in its dtype (its values, for a sparse case)
  dtype, shape, fill   instead of values, for the large summarised ones: the dtype name,
                  the int64 sizes and the formula as text, "arange START STEP"
                  (START + i * STEP) or "mod MUL MOD SCALE OFFSET" ((i * MUL) % MOD *
                  SCALE + OFFSET), evaluated in double and cast to dtype
  view<k>         text: "transpose A B", "narrow DIM START LENGTH" or "expand D0 D1 ...",
                  applied in order k = 0, 1, ...
  sparse_size, indices   (sparse cases) the int64 size and indices of a COO tensor
                  whose values are the tensor above
  suffix          text: what autograd passes (requires_grad=True, grad_fn=<...>)
  expected        text: the exact str(t)
"""
import math

import torch

from golden_writer import GoldenWriter

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
}

CASES = []


def case(name, values=None, dtype="float32", shape=None, fill=None, views=(), grad=None, sparse=None):
    """grad: None, "leaf" (requires_grad=True) or a function applied to a leaf."""
    CASES.append(dict(name=name, values=values, dtype=dtype, shape=shape, fill=fill, views=views,
                      grad=grad, sparse=sparse))


def flat(values):
    if isinstance(values, (list, tuple)):
        return [x for v in values for x in flat(v)]
    return [values]


def shape_of(values):
    if isinstance(values, (list, tuple)):
        return [len(values)] + (shape_of(values[0]) if len(values) else [])
    return []


def fill_values(fill, n):
    if fill[0] == "arange":
        _, start, step = fill
        return [start + i * step for i in range(n)]
    _, mul, mod, scale, offset = fill
    return [((i * mul) % mod) * scale + offset for i in range(n)]


def build_base(c):
    shape = c["shape"] if c["shape"] is not None else shape_of(c["values"])
    n = math.prod(shape)
    data = fill_values(c["fill"], n) if c["fill"] else flat(c["values"])
    # Built in double (or int64) first, then cast: the C++ side does the same casts.
    if c["dtype"] == "bool":
        base = torch.tensor([bool(v) for v in data], dtype=torch.bool)
    elif c["dtype"].startswith("float"):
        base = torch.tensor([float(v) for v in data], dtype=torch.float64)
    else:
        base = torch.tensor([int(v) for v in data], dtype=torch.int64)
    return base.to(DTYPES[c["dtype"]]).reshape(shape), shape


def apply_views(t, views):
    for v in views:
        if v[0] == "transpose":
            t = t.transpose(v[1], v[2])
        elif v[0] == "narrow":
            t = t.narrow(v[1], v[2], v[3])
        elif v[0] == "expand":
            t = t.expand(*v[1:])
    return t


def record(c):
    base, shape = build_base(c)
    if c["sparse"]:
        indices, size = c["sparse"]
        t = torch.sparse_coo_tensor(torch.tensor(indices, dtype=torch.int64).reshape(len(indices), -1)
                                    if len(indices) else torch.zeros(1, 0, dtype=torch.int64), base, size)
    else:
        t = apply_views(base, c["views"])
    if c["grad"] == "leaf":
        t.requires_grad_()
    elif c["grad"] is not None:
        t = c["grad"](t.requires_grad_())
        # The C++ test prints the op's result directly: record its values instead.
        assert t.is_sparse or not c["views"], "grad cases carry their result values, so no views"
    op_result = c["grad"] not in (None, "leaf")
    name = c["name"].replace(" ", "_")
    if c["fill"] and not op_result:
        records.text(f"{name}/dtype", c["dtype"])
        records.tensor(f"{name}/shape", torch.tensor(shape, dtype=torch.int64))
        records.text(f"{name}/fill", " ".join(repr(x) if isinstance(x, float) else str(x) for x in c["fill"]))
    elif op_result:
        records.tensor(f"{name}/values", t._values() if t.is_sparse else t)
    else:
        records.tensor(f"{name}/values", base)
    for k, v in enumerate(c["views"]):
        records.text(f"{name}/view{k}", " ".join(map(str, v)))
    if c["sparse"]:
        records.tensor(f"{name}/sparse_size", torch.tensor(c["sparse"][1], dtype=torch.int64))
        records.tensor(f"{name}/indices", t._indices())
    if t.grad_fn is not None:
        records.text(f"{name}/suffix", f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        records.text(f"{name}/suffix", "requires_grad=True")
    records.text(f"{name}/expected", str(t))


nan, inf = float("nan"), float("inf")

# ---- dtypes, 0-d and the plain fixed style
case("float32 fixed", [1.5, 2.25, -3.125])
case("float32 0-d", 3.5)
case("float32 0-d whole", 2.0)
case("float32 0-d negative tiny", -1.0e-6)
case("float64 fixed", [0.1, 0.2, 0.3], dtype="float64")
case("float64 0-d", 1.25, dtype="float64")
case("int32 1-d", [1, -20, 300], dtype="int32")
case("int64 2-d", [[1, 2, 3], [40, 50, -60]], dtype="int64")
case("int64 0-d", -7, dtype="int64")
case("int32 0-d", 12, dtype="int32")
case("bool 1-d", [True, False, True], dtype="bool")
case("bool 2-d", [[True, True], [True, False]], dtype="bool")
case("bool 0-d", True, dtype="bool")
case("rounding ties to even", [0.03125, 0.15625, 2.5])
# ---- int mode: floats that are all whole
case("int mode", [1.0, 2.0])
case("int mode negative", [-1.0, 10.0, 100.0])
case("int mode ratio 1000 stays fixed", [1.0, 1000.0])
case("int mode all zero", [0.0, 0.0, 0.0])
case("int mode with nan", [1.0, nan, 2.0])
case("negative zero", [-0.0, 0.0])
# ---- scientific mode
case("sci large max", [1.0e10, 1.0])
case("sci ratio over 1000", [0.001, 2.0])
case("sci small min", [1.0e-5, 0.5])
case("sci float32 1e-4 is below 1e-4", [1.0e-4, 0.1])
case("float64 1e-4 stays fixed", [1.0e-4, 0.1], dtype="float64")
case("sci int mode", [1.0, 1.0e9])
case("sci negative 2-d", [[-1.5e-7, 2.0], [3.0, -4.0e5]])
case("sci float64 large exponent", [1.0e-200, 1.0e200], dtype="float64")
# ---- nan and inf do not widen columns
case("nan and inf", [nan, 1.5, -inf, inf])
case("int mode float64 huge is sci", [3.0e8, -1.0], dtype="float64")
case("int64 extremes", [-9223372036854775808, 9223372036854775807, 0], dtype="int64")
case("only nonfinite", [nan, inf, -inf])
case("sci with inf", [inf, 1.0e-6, 3.0])
# ---- 2-d .. 4-d layout and column alignment
case("2-d alignment", [[1.5, -200.25], [3.0, 4.0]])
case("3-d", [[[0.5 * (i * 4 + j) - 3 for j in range(4)] for i in range(3)] for _ in range(2)])
case("4-d int64", list(range(16)), dtype="int64", shape=[2, 2, 2, 2])
case("4-d float", fill=("arange", -1.0, 0.125), shape=[2, 1, 3, 2])
# ---- empty tensors
case("empty float32 1-d", [], shape=[0])
case("empty float32 2-d", [], shape=[0, 3])
case("empty int64 1-d", [], dtype="int64", shape=[0])
case("empty float64 2-d", [], dtype="float64", shape=[2, 0])
case("empty int32 3-d", [], dtype="int32", shape=[0, 2, 0])
case("empty bool 1-d", [], dtype="bool", shape=[0])
# ---- long rows wrap at 80 columns
case("wrap float 1-d", fill=("arange", 0.0, 1.0 / 7.0), shape=[30])
case("wrap int64 1-d", fill=("arange", 0, 1), dtype="int64", shape=[100])
case("wrap 2-d rows", fill=("arange", -5.0, 0.375), shape=[2, 25])
case("wrap float64 sci", fill=("mod", 7, 11, 1.0e-5, -3.0e-5), dtype="float64", shape=[20])
# ---- summarisation beyond 1000 elements
case("summary 1-d", fill=("arange", 0.0, 1.0), shape=[2000])
case("summary 1-d exactly 1000 is not summarised", fill=("mod", 3, 10, 1.0, 0.0), dtype="int64", shape=[1000])
case("summary 1-d 1e6", fill=("mod", 7919, 10007, 0.001, -5.0), shape=[1000000])
case("summary 2-d 1000x1000", fill=("arange", 0.0, 1.0 / 7.0), shape=[1000, 1000])
case("summary 2-d int64", fill=("mod", 37, 101, 1, -50), dtype="int64", shape=[40, 40])
case("summary 3-d", fill=("mod", 13, 17, 0.5, -4.0), shape=[20, 20, 20])
case("summary 3-d short dims kept", fill=("arange", 0.0, 0.25), shape=[2, 3, 400])
case("summary row vector", fill=("arange", -1000.0, 1.0), shape=[1, 2000])
case("summary expanded", [2.5], views=[("expand", 1500)])
case("summary bool", fill=("mod", 1, 3, 1, 0), dtype="bool", shape=[1001])
# ---- non-contiguous views print their logical values
case("transposed 2-d", [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], views=[("transpose", 0, 1)])
case("transposed 3-d", fill=("arange", 0, 1), dtype="int64", shape=[2, 3, 4], views=[("transpose", 0, 2)])
case("narrowed columns", [[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]], views=[("narrow", 1, 1, 2)])
case("expanded row", [1.0, -2.0, 3.0], views=[("expand", 2, 3)])
case("transposed summary", fill=("arange", 0.0, 1.0), shape=[50, 30], views=[("transpose", 0, 1)])
# ---- dtype and autograd suffixes
case("requires_grad leaf", [0.1, 0.2], grad="leaf")
case("requires_grad float64 leaf", [[1.0, 2.0]], dtype="float64", grad="leaf")
case("grad_fn after dtype", [0.0, 1.0, -2.0], dtype="float64", grad=lambda t: t.sigmoid())
case("grad_fn 0-d", [1.0, 2.0, 3.5], grad=lambda t: t.sum())
case("suffix stays on the last line", fill=("arange", 100.0, 0.5), shape=[3, 6], grad=lambda t: t * 2)
case("suffix wraps to a new line", fill=("arange", 100.0, 0.5), shape=[2, 8], grad=lambda t: t * 2)
case("dtype suffix wraps", fill=("arange", 1000, 1), dtype="int32", shape=[2, 13])
# ---- sparse COO
case("sparse rows", [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], sparse=([[0, 1, 1]], [3, 2]))
case("sparse rows requires_grad", [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], sparse=([[0, 1, 1]], [3, 2]), grad="leaf")
case("sparse grad_fn", [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], sparse=([[0, 1, 1]], [3, 2]), grad=lambda t: t * 2)
case("sparse 1-d", [1.5, -2.0], sparse=([[0, 2]], [4]))
case("sparse 2 sparse dims int32", [7, -8, 9], dtype="int32", sparse=([[0, 1, 2], [2, 0, 1]], [3, 3]))
case("sparse empty float64", [], dtype="float64", shape=[0, 2], sparse=([], [3, 2]))
case("sparse long indices wrap", fill=("arange", 0.0, 1.0), shape=[30], sparse=([list(range(30))], [30]))
case("sparse summarised values", fill=("arange", 0.0, 0.5), shape=[400, 3],
     sparse=([list(range(400))], [400, 3]))


records = GoldenWriter()
for c in CASES:
    record(c)
records.save("print.txt")
