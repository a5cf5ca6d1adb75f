#!/usr/bin/python3
"""Golden values for tapegrad's core tensor and elementwise autograd tests.

Run with /usr/bin/python3 (PyTorch 1.13); writes tests/golden/core.txt next to
this script. The C++ suite reads that file through tests/support/golden.h
and never needs torch.

Records (tests/golden/golden_writer.py): a tensor per key, or for the dtype
tables a text record holding the dtype torch gives, or "error" when torch refuses
the operation.
"""
import torch

from golden_writer import DTYPE_NAMES as NAME_OF, GoldenWriter

torch.set_default_dtype(torch.float32)

DTYPES = {name: dtype for dtype, name in NAME_OF.items()}
records = GoldenWriter()


def emit(key, t):
    """A tensor's dtype, shape and row-major values."""
    records.tensor(key, t)


def emit_ints(key, values):
    """A list of integers (strides, offsets) as an int64 record."""
    emit(key, torch.tensor(values, dtype=torch.int64))


def emit_dtype(key, fn):
    """Only the dtype of fn()'s result, or "error" when torch raises."""
    try:
        dtype = NAME_OF[fn().dtype]
    except (RuntimeError, TypeError):
        dtype = "error"
    records.text(key, dtype)


# ---------------------------------------------------------------- type promotion
# Operands: a 1-d tensor ("t_<dtype>"), a 0-d tensor ("z_<dtype>"), a Python
# number standing for a C++ scalar ("s_bool", "s_int", "s_float").
def operand(kind):
    form, name = kind.split("_", 1)
    if form == "s":
        return {"bool": True, "int": 2, "float": 2.5}[name]
    dtype = DTYPES[name]
    values = [True, False] if dtype == torch.bool else [3, 2]
    base = torch.tensor(values).to(dtype)
    return base if form == "t" else base[0].clone()


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
}
tensor_kinds = [f"t_{d}" for d in DTYPES]
zero_kinds = [f"z_{d}" for d in DTYPES]
scalar_kinds = ["s_bool", "s_int", "s_float"]
pairs = [(l, r) for l in tensor_kinds for r in tensor_kinds + zero_kinds + scalar_kinds]
pairs += [(l, r) for l in zero_kinds for r in tensor_kinds + zero_kinds + scalar_kinds]
pairs += [(l, r) for l in scalar_kinds for r in tensor_kinds]
for op, fn in BINARY.items():
    for lhs, rhs in pairs:
        emit_dtype(f"promo/{op}/{lhs}/{rhs}", lambda: fn(operand(lhs), operand(rhs)))

# Unary ops on each dtype: which keep integers, which promote, which refuse.
UNARY = {
    "neg": torch.neg, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs,
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
    "pow2": lambda t: t.pow(2), "pow_half": lambda t: t.pow(0.5),
}
for name, fn in UNARY.items():
    for d in DTYPES:
        emit_dtype(f"unary_dtype/{name}/{d}", lambda: fn(operand(f"t_{d}")))

# ---------------------------------------------------------------- unary values and gradients
# Each op on float64 x: the output, and d sum(op(x)) / dx.
x_all = torch.tensor([-3.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.5, 30.0], dtype=torch.float64)
x_pos = torch.tensor([0.05, 0.25, 1.0, 2.5, 9.0], dtype=torch.float64)
x_mid = torch.tensor([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0], dtype=torch.float64)
emit("x_all", x_all)
emit("x_pos", x_pos)
emit("x_mid", x_mid)
UNARY_VALUES = [
    ("neg", x_all, lambda t: -t),
    ("exp", x_all, torch.exp),
    ("log", x_pos, torch.log),
    ("sqrt", x_pos, torch.sqrt),
    ("abs", x_all, torch.abs),
    ("sigmoid", x_all, torch.sigmoid),
    ("tanh", x_all, torch.tanh),
    ("relu", x_all, torch.relu),
    ("logsigmoid", x_all, torch.nn.functional.logsigmoid),
    ("softplus", x_all, torch.nn.functional.softplus),
    ("softplus_b2_t1", x_all, lambda t: torch.nn.functional.softplus(t, beta=2.0, threshold=1.0)),
    ("clamp_m1_1", x_mid, lambda t: t.clamp(-1.0, 1.0)),
    ("clamp_min0", x_mid, lambda t: t.clamp(min=0.0)),
    ("clamp_max05", x_mid, lambda t: t.clamp(max=0.5)),
    ("pow2", x_all, lambda t: t.pow(2)),
    ("pow3", x_all, lambda t: t.pow(3)),
    ("pow_half", x_pos, lambda t: t.pow(0.5)),
    ("pow_m1", x_pos, lambda t: t.pow(-1)),
    ("pow_1_5", x_pos, lambda t: t.pow(1.5)),
    ("pow0", x_all, lambda t: t.pow(0)),
    ("sin", x_all, torch.sin),
    ("cos", x_all, torch.cos),
    ("erf", x_all, torch.erf),
    ("gelu", x_all, torch.nn.functional.gelu),
    ("gelu_tanh", x_all, lambda t: torch.nn.functional.gelu(t, approximate="tanh")),
]
for name, x, fn in UNARY_VALUES:
    leaf = x.clone().requires_grad_()
    y = fn(leaf)
    y.sum().backward()
    emit(f"unary/{name}/out", y)
    emit(f"unary/{name}/grad", leaf.grad)
    # float32 forward, compared with a float32 tolerance
    emit(f"unary/{name}/out32", fn(x.float()))

# ---------------------------------------------------------------- binary values and gradients
# a (2, 3) op b (3,) broadcast; backward seeded with w (2, 3).
a = torch.tensor([[0.5, -1.25, 2.0], [3.0, 0.75, -0.5]], dtype=torch.float64)
b = torch.tensor([1.5, -0.5, 2.0], dtype=torch.float64)
w = torch.tensor([[1.0, 2.0, -1.0], [0.5, -3.0, 0.25]], dtype=torch.float64)
a_pos = a.abs() + 0.5
emit("bin/a", a)
emit("bin/b", b)
emit("bin/w", w)
emit("bin/a_pos", a_pos)
BINARY_VALUES = [
    ("add", a, b, lambda p, q: p + q),
    ("sub", a, b, lambda p, q: p - q),
    ("mul", a, b, lambda p, q: p * q),
    ("div", a, b, lambda p, q: p / q),
    ("add_alpha", a, b, lambda p, q: torch.add(p, q, alpha=2.5)),
    ("sub_alpha", a, b, lambda p, q: torch.sub(p, q, alpha=0.5)),
    ("pow", a_pos, b, lambda p, q: p.pow(q)),
    ("maximum", a, b, torch.maximum),
    ("minimum", a, b, torch.minimum),
    ("where", a, b, lambda p, q: torch.where(p > q, p, q)),
]
for name, p0, q0, fn in BINARY_VALUES:
    p = p0.clone().requires_grad_()
    q = q0.clone().requires_grad_()
    y = fn(p, q)
    y.backward(w)
    emit(f"bin/{name}/out", y)
    emit(f"bin/{name}/grad_a", p.grad)
    emit(f"bin/{name}/grad_b", q.grad)

# Ties in maximum / minimum split the gradient.
ta = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
tb = torch.tensor([1.0, 5.0, 3.0], dtype=torch.float64, requires_grad=True)
torch.maximum(ta, tb).sum().backward()
emit("tie/maximum/grad_a", ta.grad)
emit("tie/maximum/grad_b", tb.grad)
ta.grad = None
tb.grad = None
torch.minimum(ta, tb).sum().backward()
emit("tie/minimum/grad_a", ta.grad)
emit("tie/minimum/grad_b", tb.grad)

# pow with a zero base: d(a^b)/db is taken as 0 where a == 0.
base = torch.tensor([0.0, 2.0, 0.0], dtype=torch.float64, requires_grad=True)
expo = torch.tensor([2.0, 3.0, 0.5], dtype=torch.float64, requires_grad=True)
base.pow(expo).sum().backward()
emit("pow_zero_base/grad_a", base.grad)
emit("pow_zero_base/grad_b", expo.grad)

# Comparisons with broadcasting (bool results).
for name, fn in [("eq", torch.eq), ("ne", torch.ne), ("lt", torch.lt), ("le", torch.le),
                 ("gt", torch.gt), ("ge", torch.ge)]:
    emit(f"cmp/{name}", fn(torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([3, 2, 7])))

# Integer arithmetic.
ia = torch.tensor([7, -7, 9, 0])
ib = torch.tensor([2, 2, -4, 3])
emit("int/add", ia + ib)
emit("int/mul", ia * ib)
emit("int/div", ia / ib)
emit("int/add1", ia + 1)
emit("int/mul2_5", ia * 2.5)

# ---------------------------------------------------------------- creation
emit("linspace/0_1_7", torch.linspace(0, 1, 7))
emit("linspace/m2_3_6", torch.linspace(-2, 3, 6))
emit("linspace/1_m1_5_f64", torch.linspace(1, -1, 5, dtype=torch.float64))
emit("linspace/3_3_1", torch.linspace(3, 3, 1))
emit("arange/10", torch.arange(10))
emit("arange/2_11_3", torch.arange(2, 11, 3))
emit("arange/10_0_m3", torch.arange(10, 0, -3))
emit("eye/3", torch.eye(3))

# ---------------------------------------------------------------- views: geometry
base24 = torch.arange(24).view(2, 3, 4)
VIEWS = {
    "transpose02": base24.transpose(0, 2),
    "permute201": base24.permute(2, 0, 1),
    "select1_2": base24.select(1, 2),
    "index1": base24[1],
    "narrow2_1_2": base24.narrow(2, 1, 2),
    "unsqueeze1": base24.unsqueeze(1),
    "unsqueeze_m1": base24.unsqueeze(-1),
    "view6_4": base24.view(6, 4),
    "view_m1_2": base24.view(-1, 2),
    "flatten": base24.flatten(),
    "expand": torch.arange(3).view(3, 1).expand(2, 3, 4),
    "t_of_select": base24[0].t(),
    "narrow_then_select": base24.narrow(1, 1, 2).select(2, 3),
}
for name, v in VIEWS.items():
    emit(f"view/{name}/values", v.contiguous())
    emit_ints(f"view/{name}/sizes", list(v.shape))
    emit_ints(f"view/{name}/strides", list(v.stride()))
    emit_ints(f"view/{name}/offset", [v.storage_offset()])

# ---------------------------------------------------------------- random: sanity only
# Not bitwise comparable (different generators); the C++ tests check statistics.

records.save("core.txt")
