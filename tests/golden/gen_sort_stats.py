#!/usr/bin/python3
"""Golden values for tapegrad's sort, argsort, topk, var and std, from PyTorch 1.13.

Run with /usr/bin/python3 from anywhere; writes sort_stats.txt beside this script, read by
tests/autograd/test_sort_stats.cpp. Each case is a group of records
(tests/golden/golden_writer.py) keyed <case>/<field>:
  op          text: sort, topk, var or std
  in          the input
  dim         int64 0-d (sort, topk; var/std over dims: int64 1-d "dims", absent for all dims)
  descending, stable          bool 0-d (sort; stable may be "none": PyTorch's default)
  k, largest, sorted          (topk)
  correction  float64 0-d, keepdim bool 0-d (var, std)
  out, idx    the values and (sort, topk) the int64 indices
  gout, gin   the upstream gradient and the input's gradient (floating inputs only)

PyTorch 1.13 fails the backward of var/std over all elements when correction >= N (its
var_backward returns a 0-d tensor); PyTorch 2.x defines it as grad * (nan where
x == mean(x), else inf). Those cases' gin is written by that 2.x rule, computed here.
"""
import torch

from golden_writer import GoldenWriter

torch.manual_seed(0)
records = GoldenWriter()
F64 = torch.float64
NAN = float("nan")
INF = float("inf")


def backward(name, x, out):
    if not x.is_floating_point():
        return
    gout = torch.randn(out.shape, dtype=out.dtype)
    records.tensor(f"{name}/gout", gout)
    (gin,) = torch.autograd.grad(out, x, gout)
    records.tensor(f"{name}/gin", gin)


def sort_case(name, x, dim=-1, descending=False, stable=None):
    x = x.clone().requires_grad_(x.is_floating_point())
    if stable is None:
        values, indices = torch.sort(x, dim=dim, descending=descending)
    else:
        values, indices = torch.sort(x, dim=dim, descending=descending, stable=stable)
    records.text(f"{name}/op", "sort")
    records.tensor(f"{name}/in", x)
    records.tensor(f"{name}/dim", torch.tensor(dim))
    records.tensor(f"{name}/descending", torch.tensor(descending))
    if stable is None:
        records.none(f"{name}/stable")
    else:
        records.tensor(f"{name}/stable", torch.tensor(stable))
    records.tensor(f"{name}/out", values)
    records.tensor(f"{name}/idx", indices)
    assert torch.equal(torch.argsort(x, dim=dim, descending=descending), indices) or stable
    backward(name, x, values)


def topk_case(name, x, k, dim=-1, largest=True, sorted=True):
    x = x.clone().requires_grad_(x.is_floating_point())
    values, indices = torch.topk(x, k, dim=dim, largest=largest, sorted=sorted)
    records.text(f"{name}/op", "topk")
    records.tensor(f"{name}/in", x)
    records.tensor(f"{name}/k", torch.tensor(k))
    records.tensor(f"{name}/dim", torch.tensor(dim))
    records.tensor(f"{name}/largest", torch.tensor(largest))
    records.tensor(f"{name}/sorted", torch.tensor(sorted))
    records.tensor(f"{name}/out", values)
    records.tensor(f"{name}/idx", indices)
    backward(name, x, values)


def var_all_backward_2x(x, gout, correction, op, out):
    """PyTorch 2.x's var/std backward over all elements when correction >= numel."""
    nan_or_inf = torch.where(x == x.mean(), torch.tensor(NAN, dtype=x.dtype), torch.tensor(INF, dtype=x.dtype))
    g = gout
    if op == "std":  # std_backward: grad / (2 std), 0 where std == 0, then var_backward
        g = (gout / (out * 2)).masked_fill(out == 0, 0)
    return g * nan_or_inf


def stat_case(name, op, x, dims=None, correction=1, keepdim=False):
    x = x.clone().requires_grad_(True)
    fn = torch.var if op == "var" else torch.std
    out = fn(x, dims, correction=correction, keepdim=keepdim)
    records.text(f"{name}/op", op)
    records.tensor(f"{name}/in", x)
    if dims is not None:
        records.tensor(f"{name}/dims", torch.tensor(dims, dtype=torch.int64))
    records.tensor(f"{name}/correction", torch.tensor(float(correction), dtype=F64))
    records.tensor(f"{name}/keepdim", torch.tensor(keepdim))
    records.tensor(f"{name}/out", out)
    gout = torch.randn(out.shape, dtype=out.dtype)
    records.tensor(f"{name}/gout", gout)
    if dims is None and x.numel() - correction <= 0:
        gin = var_all_backward_2x(x.detach(), gout, correction, op, out.detach())
    else:
        (gin,) = torch.autograd.grad(out, x, gout)
    records.tensor(f"{name}/gin", gin)


# ---- sort
A = torch.randn(4, 6, dtype=F64)
sort_case("sort/basic", A)
sort_case("sort/basic_desc", A, descending=True)
sort_case("sort/dim0_desc", torch.randn(5, 3, dtype=F64), dim=0, descending=True)
sort_case("sort/middle_dim", torch.randn(2, 5, 3, dtype=F64), dim=1)
sort_case("sort/float32", torch.randn(3, 7))
TIES_SMALL = torch.randint(0, 3, (2, 12)).to(F64)
TIES_LARGE = torch.randint(0, 5, (3, 100)).to(F64)
for stable in (None, False, True):
    for desc in (False, True):
        tag = f"{'default' if stable is None else 'stable' if stable else 'unstable'}_{'desc' if desc else 'asc'}"
        sort_case(f"sort/ties_small_{tag}", TIES_SMALL, descending=desc, stable=stable)
        sort_case(f"sort/ties_large_{tag}", TIES_LARGE, descending=desc, stable=stable)
NANS = torch.tensor([[3.0, NAN, 1.0, NAN, -INF, 2.0, INF, 1.0],
                     [NAN, NAN, NAN, 0.0, -0.0, 0.0, 5.0, NAN]], dtype=F64)
NANS_LARGE = TIES_LARGE.clone()
NANS_LARGE[:, ::7] = NAN
for desc in (False, True):
    sort_case(f"sort/nan_{'desc' if desc else 'asc'}", NANS, descending=desc)
    sort_case(f"sort/nan_stable_{'desc' if desc else 'asc'}", NANS, descending=desc, stable=True)
    sort_case(f"sort/nan_large_{'desc' if desc else 'asc'}", NANS_LARGE, descending=desc)
sort_case("sort/int64", torch.randint(-3, 4, (3, 40)))
sort_case("sort/int32_desc", torch.randint(-3, 4, (3, 40), dtype=torch.int32), descending=True)
sort_case("sort/empty_rows", torch.zeros(0, 3, dtype=F64), dim=1)
sort_case("sort/empty_dim", torch.zeros(3, 0, dtype=F64), dim=1)
sort_case("sort/scalar", torch.tensor(2.5, dtype=F64))
sort_case("sort/scalar_dim0", torch.tensor(-1.0, dtype=F64), dim=0, descending=True)

# ---- topk: partial_sort when k * 64 <= n, else nth_element (+ sort when sorted)
B = torch.randn(3, 8, dtype=F64)
topk_case("topk/basic", B, 3)
topk_case("topk/smallest", B, 3, largest=False)
topk_case("topk/dim0", torch.randn(6, 4, dtype=F64), 2, dim=0)
topk_case("topk/middle_dim", torch.randn(2, 5, 3, dtype=F64), 4, dim=1, largest=False)
topk_case("topk/float32", torch.randn(2, 9), 4)
TIES_TOPK = torch.randint(0, 3, (2, 200)).to(F64)
for k in (1, 3, 4, 50, 200):
    for largest in (True, False):
        for sorted_ in (True, False):
            topk_case(f"topk/ties_k{k}_{'largest' if largest else 'smallest'}_{'sorted' if sorted_ else 'unsorted'}",
                      TIES_TOPK, k, largest=largest, sorted=sorted_)
topk_case("topk/ties_small", TIES_SMALL, 5)
topk_case("topk/ties_small_unsorted", TIES_SMALL, 5, sorted=False)
for largest in (True, False):
    tag = "largest" if largest else "smallest"
    topk_case(f"topk/nan_{tag}", NANS, 4, largest=largest)
    topk_case(f"topk/nan_large_{tag}", NANS_LARGE, 2, largest=largest)
    topk_case(f"topk/nan_large_k30_{tag}", NANS_LARGE, 30, largest=largest)
topk_case("topk/k0", B, 0)
topk_case("topk/k_full", B, 8, largest=False)
topk_case("topk/int64", torch.randint(-3, 4, (3, 10)), 4)
topk_case("topk/empty_rows", torch.zeros(0, 5, dtype=F64), 2)
topk_case("topk/empty_dim", torch.zeros(4, 0, dtype=F64), 0)
topk_case("topk/scalar", torch.tensor(1.5, dtype=F64), 1)
topk_case("topk/scalar_k0", torch.tensor(1.5, dtype=F64), 0, dim=0)

# ---- var / std
C = torch.randn(3, 4, 5, dtype=F64)
for op in ("var", "std"):
    stat_case(f"{op}/all", op, C)
    stat_case(f"{op}/all_c0", op, C, correction=0)
    stat_case(f"{op}/all_c2_keepdim", op, C, correction=2, keepdim=True)
    stat_case(f"{op}/float32", op, torch.randn(4, 6), dims=[1])
    for dims in ([0], [1], [-1], [0, 2], [2, 0, 1]):
        for keepdim in (False, True):
            for correction in (0, 1, 3):
                tag = "_".join(str(d) for d in dims)
                stat_case(f"{op}/d{tag}_c{correction}_k{int(keepdim)}", op, C, dims, correction, keepdim)
    # correction >= N: the divisor max(0, N - correction) is 0, so inf (nan where every x equals the mean)
    R = torch.tensor([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], dtype=F64)
    for correction in (3, 4):
        stat_case(f"{op}/rows_c{correction}", op, R, [1], correction)
        stat_case(f"{op}/all_small_c{correction}", op, R[0], None, correction)
    stat_case(f"{op}/all_const_c3", op, R[1], None, 3)
    stat_case(f"{op}/const_rows", op, R, [1])  # std 0: its gradient is 0, not nan
    stat_case(f"{op}/one_element", op, torch.tensor([2.0], dtype=F64))
    stat_case(f"{op}/scalar", op, torch.tensor(5.0, dtype=F64))
    stat_case(f"{op}/scalar_c0", op, torch.tensor(5.0, dtype=F64), None, 0)
    stat_case(f"{op}/empty", op, torch.zeros(0, dtype=F64))
    stat_case(f"{op}/empty_d0", op, torch.zeros(0, 3, dtype=F64), [0])
    stat_case(f"{op}/empty_d1", op, torch.zeros(0, 3, dtype=F64), [1])

records.save("sort_stats.txt")
