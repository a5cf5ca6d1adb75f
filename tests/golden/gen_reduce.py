"""Golden values for tapegrad's reductions, from PyTorch 1.13.

Run with /usr/bin/python3 from anywhere; writes reduce.txt beside this script.

Each case is a group of records (tests/golden/golden_writer.py) keyed <case>/<field>:
  op       text: the reduction
  p        float64 0-d: the norm's p (0 for the others)
  dims     int64 1-d: the dims (absent where the op takes none)
  keepdim  bool 0-d
  in, out  the input and the op's result
  idx      (max_dim/min_dim only) the int64 indices
  gout     the upstream gradient fed to backward (differentiable cases only)
  gin      the input's gradient, or none where torch leaves .grad None
"""
import math

import torch

from golden_writer import GoldenWriter

torch.manual_seed(0)
records = GoldenWriter()


def run(op, x, p, dims, keepdim):
    if op == "sum":
        return x.sum()
    if op == "sum_dims":
        return x.sum(dims, keepdim=keepdim)
    if op == "mean":
        return x.mean()
    if op == "mean_dims":
        return x.mean(dims, keepdim=keepdim)
    if op == "prod":
        return x.prod()
    if op == "prod_dim":
        return x.prod(dims[0], keepdim=keepdim)
    if op in ("max", "min"):
        return getattr(x, op)()
    if op in ("max_dim", "min_dim"):
        return getattr(x, op[:3])(dims[0], keepdim=keepdim)
    if op in ("argmax", "argmin"):
        return getattr(x, op)()
    if op in ("argmax_dim", "argmin_dim"):
        return getattr(x, op[:6])(dims[0], keepdim=keepdim)
    if op == "norm":
        return x.norm(p)
    if op == "norm_dim":
        return x.norm(p, dims[0], keepdim=keepdim)
    raise ValueError(op)


def case(name, op, x, p=0.0, dims=None, keepdim=False):
    differentiable = x.is_floating_point() and not op.startswith("arg")
    x = x.clone().requires_grad_(differentiable)
    result = run(op, x, p, dims, keepdim)
    values, indices = (result.values, result.indices) if op in ("max_dim", "min_dim") else (result, None)
    records.text(f"{name}/op", op)
    records.tensor(f"{name}/p", torch.tensor(float(p), dtype=torch.float64))
    if dims is not None:
        records.tensor(f"{name}/dims", torch.tensor(dims, dtype=torch.int64))
    records.tensor(f"{name}/keepdim", torch.tensor(keepdim))
    records.tensor(f"{name}/in", x)
    records.tensor(f"{name}/out", values)
    if indices is not None:
        records.tensor(f"{name}/idx", indices)
    if differentiable:
        gout = torch.randn(values.shape, dtype=values.dtype)
        records.tensor(f"{name}/gout", gout)
        (grad,) = torch.autograd.grad(values, x, gout, allow_unused=True)
        if grad is None:
            records.none(f"{name}/gin")
        else:
            records.tensor(f"{name}/gin", grad)


# A: generic floats. B: small integers as floats, full of ties and zeros.
A = torch.randn(2, 3, 4)
B = torch.randint(-2, 3, (2, 3, 4)).float()
A64 = torch.randn(2, 3, 4, dtype=torch.float64)
# P: prod inputs near 1 with planted zeros: slices along the last dim hold one, two and
# three zeros; along the other dims they cross several of those.
P = (torch.rand(2, 3, 4) + 0.5) * torch.where(torch.rand(2, 3, 4) > 0.5, 1.0, -1.0)
P[0, 0, 1] = 0
P[0, 1, 0] = P[0, 1, 3] = 0
P[1, 2, 0] = P[1, 2, 1] = P[1, 2, 2] = 0
# N: norm inputs with an all-zero slice along the last dim, and tied |x| maxima.
N = torch.randn(2, 3, 4)
N[1, 1, :] = 0
N[0, 0, 3] = -N[0, 0, 1]
N[0, 2, :] = torch.tensor([0.5, -2.0, 2.0, 0.0])
INTS = torch.randint(-5, 6, (2, 3, 4))
BOOLS = torch.rand(2, 3, 4) > 0.5
NAN = torch.tensor([[1.0, float("nan"), 3.0], [float("nan"), -1.0, float("nan")], [2.0, 5.0, 2.0]])
SCALAR = torch.tensor(-1.5)

DIM_CHOICES = [0, 1, 2, -1, -2, -3]
MULTI_DIMS = [[0, 2], [-1, 0], [1, -3], [0, 1, 2], []]

for label, x in [("A", A), ("B", B), ("A64", A64), ("P", P), ("N", N)]:
    case(f"sum/{label}", "sum", x)
    case(f"mean/{label}", "mean", x)
    case(f"prod/{label}", "prod", x)
    for op in ("max", "min", "argmax", "argmin"):
        case(f"{op}/{label}", op, x)
    for k in (False, True):
        for d in DIM_CHOICES:
            case(f"sum_dims/{label}/d{d}/k{int(k)}", "sum_dims", x, dims=[d], keepdim=k)
            case(f"mean_dims/{label}/d{d}/k{int(k)}", "mean_dims", x, dims=[d], keepdim=k)
            case(f"prod_dim/{label}/d{d}/k{int(k)}", "prod_dim", x, dims=[d], keepdim=k)
            for op in ("max_dim", "min_dim", "argmax_dim", "argmin_dim"):
                case(f"{op}/{label}/d{d}/k{int(k)}", op, x, dims=[d], keepdim=k)
        for dims in MULTI_DIMS:
            name = "_".join(str(d) for d in dims) or "none"
            case(f"sum_dims/{label}/d{name}/k{int(k)}", "sum_dims", x, dims=dims, keepdim=k)
            case(f"mean_dims/{label}/d{name}/k{int(k)}", "mean_dims", x, dims=dims, keepdim=k)

for label, x in [("A", A), ("B", B), ("A64", A64), ("N", N), ("P", P)]:
    for p in (1.0, 2.0, 3.5, 0.5, 0.0, -1.0, math.inf, -math.inf):
        case(f"norm/{label}/p{p}", "norm", x, p=p)
        for k in (False, True):
            for d in (0, -1, 1):
                case(f"norm_dim/{label}/p{p}/d{d}/k{int(k)}", "norm_dim", x, p=p, dims=[d], keepdim=k)

# the zero vector: every p has gradient 0 there
for p in (1.0, 2.0, 3.5, 0.5, math.inf, -math.inf):
    case(f"norm/zeros/p{p}", "norm", torch.zeros(3, dtype=torch.float64), p=p)

# integer and bool inputs: sums and products in int64, extrema keep the dtype
for label, x in [("int64", INTS), ("int32", INTS.int()), ("bool", BOOLS)]:
    case(f"sum/{label}", "sum", x)
    case(f"prod/{label}", "prod", x)
    case(f"max/{label}", "max", x)
    case(f"min/{label}", "min", x)
    for d in (0, -1):
        case(f"sum_dims/{label}/d{d}", "sum_dims", x, dims=[d], keepdim=False)
        case(f"prod_dim/{label}/d{d}", "prod_dim", x, dims=[d], keepdim=True)
        case(f"max_dim/{label}/d{d}", "max_dim", x, dims=[d], keepdim=False)
        case(f"min_dim/{label}/d{d}", "min_dim", x, dims=[d], keepdim=True)
        if x.dtype != torch.bool:
            case(f"argmax_dim/{label}/d{d}", "argmax_dim", x, dims=[d], keepdim=False)
            case(f"argmin_dim/{label}/d{d}", "argmin_dim", x, dims=[d], keepdim=False)
    if x.dtype != torch.bool:
        case(f"argmax/{label}", "argmax", x)
        case(f"argmin/{label}", "argmin", x)

# NaN propagates through max/min and is what argmax reports
for op in ("max", "min", "argmax", "argmin"):
    case(f"{op}/nan", op, NAN)
    for d in (0, 1):
        case(f"{op}_dim/nan/d{d}", f"{op}_dim", NAN, dims=[d])
case("norm/nan/pinf", "norm", NAN, p=math.inf)

# 0-d input: dim 0 and -1 name the tensor itself
for op in ("sum", "mean", "prod", "max", "min", "argmax", "argmin", "norm"):
    case(f"{op}/scalar", op, SCALAR, p=2.0)
for d in (0, -1):
    for op in ("sum_dims", "mean_dims", "prod_dim", "max_dim", "min_dim", "argmax_dim", "norm_dim"):
        case(f"{op}/scalar/d{d}", op, SCALAR, p=2.0, dims=[d], keepdim=d == 0)

# empty tensors: sum 0, prod 1, mean nan, norm 0
E0 = torch.zeros(0)
E = torch.zeros(2, 0)
for op in ("sum", "mean", "prod"):
    case(f"{op}/empty", op, E0)
case("norm/empty", "norm", E0, p=2.0)
case("norm/empty/pinf", "norm", E0, p=math.inf)
for d in (0, 1):
    case(f"sum_dims/empty/d{d}", "sum_dims", E, dims=[d])
    case(f"mean_dims/empty/d{d}", "mean_dims", E, dims=[d])
    case(f"prod_dim/empty/d{d}", "prod_dim", E, dims=[d], keepdim=True)
    case(f"norm_dim/empty/d{d}", "norm_dim", E, p=2.0, dims=[d])
case("max_dim/empty/d0", "max_dim", E, dims=[0])
case("argmin_dim/empty/d0", "argmin_dim", E, dims=[0])

records.save("reduce.txt")
