// The tape instruments (autograd/tape.h): print_tape / tape_string, to_dot,
// TraceBackwardGuard and DetectAnomalyGuard, on small graphs (exact text), a
// 10,000-op graph (summary) and a word-embedding training step.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include <tapegrad/tapegrad.h>

namespace {

size_t count_lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

struct Scalar {  // tanh(w x + b), summed: the tour's first example
  tg::Tensor w = tg::tensor({0.5f}).requires_grad_();
  tg::Tensor b = tg::tensor({-0.25f}).requires_grad_();
  tg::Tensor x = tg::tensor({2.0f});
  tg::Tensor y;
  Scalar() {
    w.set_name("w");
    b.set_name("b");
    y = (w * x + b).tanh().sum();
  }
};

// A two-word-context embedding model, as in word2vec: parameters named by Module.
struct WordModel : tg::nn::Module {
  tg::nn::Embedding emb{tg::nn::EmbeddingOptions(10, 3).sparse(true)};
  WordModel() { register_module("emb", emb); }
};

}  // namespace

TEST_CASE("tape_string lists a small graph's ops in forward order with inputs and saved tensors") {
  Scalar s;
  CHECK(tg::autograd::tape_string(s.y) ==
        "tape: 4 ops, 2 leaves; forward order, backward runs it from the last op up\n"
  "leaves: 'w' [1] float32, 'b' [1] float32\n"
  "  #0 mul   -> [1] float32  reads 'w', constant\n"
  "                           saved constant = [2.0000]\n"
  "  #1 add   -> [1] float32  reads #0, 'b'\n"
  "  #2 tanh  -> [1] float32  reads #1\n"
  "                           saved its output = [0.6351]\n"
  "  #3 sum   -> [] float32   reads #2\n");
}

TEST_CASE("tape_string of a leaf or of a tensor without grad says the tape is empty") {
  CHECK(tg::autograd::tape_string(tg::ones({2}).requires_grad_()) ==
        "tape: empty (the tensor is a leaf: no op made it)\n");
  CHECK(tg::autograd::tape_string(tg::ones({2}) * 2.0) ==
        "tape: empty (the tensor does not require grad: nothing was recorded)\n");
  CHECK_THROWS_WITH_AS(tg::autograd::tape_string(tg::Tensor()), doctest::Contains("undefined"), tg::Error);
}

TEST_CASE("print_tape writes tape_string to the stream") {
  Scalar s;
  std::ostringstream out;
  tg::autograd::print_tape(s.y, out);
  CHECK(out.str() == tg::autograd::tape_string(s.y));
}

TEST_CASE("a 10,000-op tape is summarised: both ends, and a count of each op in between") {
  tg::Tensor x = tg::ones({2}).requires_grad_();
  x.set_name("x");
  tg::Tensor y = x;
  for (int i = 0; i < 5000; ++i) y = (y * 1.0001).add(x);  // 10,000 ops
  const std::string tape = tg::autograd::tape_string(y);
  CHECK(tape.rfind("tape: 10000 ops, 1 leaf;", 0) == 0);
  CHECK(tape.find("  ... 9970 ops omitted (#15 to #9984): add x4985, mul x4985\n") != std::string::npos);
  CHECK(tape.find("#0    mul") != std::string::npos);
  CHECK(tape.find("#9999 add") != std::string::npos);
  CHECK(count_lines(tape) < 80);
}

TEST_CASE("tracing a 10,000-op backward prints one block per node and stays fast") {
  tg::Tensor x = tg::ones({2}).requires_grad_();
  tg::Tensor y = x;
  for (int i = 0; i < 10000; ++i) y = y * 1.0;
  std::ostringstream out;
  {
    tg::autograd::TraceBackwardGuard trace(out);
    y.sum().backward();
  }
  const std::string text = out.str();
  CHECK(text.find("#10000 SumBackward0 (sum)") != std::string::npos);
  CHECK(text.find("#0 MulBackward0 (mul)") != std::string::npos);
  CHECK(text.find("accumulate into leaf0.grad: [1.0000, 1.0000]") != std::string::npos);
}

TEST_CASE("to_dot draws ops, named leaves and data-flow edges with stable ids") {
  Scalar s;
  CHECK(tg::autograd::to_dot(s.y) ==
        "digraph tape {\n"
  "  rankdir=BT;\n"
  "  node [fontname=\"Helvetica\", fontsize=10];\n"
  "  edge [fontname=\"Helvetica\", fontsize=9];\n"
  "  leaf0 [shape=ellipse, style=filled, fillcolor=\"#dbe9f6\", label=\"'w'\\n[1] float32\"];\n"
  "  leaf1 [shape=ellipse, style=filled, fillcolor=\"#dbe9f6\", label=\"'b'\\n[1] float32\"];\n"
  "  op0 [shape=box, label=\"#0 mul\\nMulBackward0\\n[1] float32\"];\n"
  "  op1 [shape=box, label=\"#1 add\\nAddBackward0\\n[1] float32\"];\n"
  "  op2 [shape=box, label=\"#2 tanh\\nTanhBackward0\\n[1] float32\"];\n"
  "  op3 [shape=box, label=\"#3 sum\\nSumBackward0\\n[] float32\"];\n"
  "  leaf0 -> op0;\n"
  "  op0 -> op1;\n"
  "  leaf1 -> op1;\n"
  "  op1 -> op2;\n"
  "  op2 -> op3;\n"
  "}\n");
}

TEST_CASE("to_dot ids do not depend on addresses: two equal graphs give equal text") {
  CHECK(tg::autograd::to_dot(Scalar().y) == tg::autograd::to_dot(Scalar().y));
  tg::Tensor a = tg::ones({2}).requires_grad_(), b = tg::ones({2}).requires_grad_();
  const std::string dot = tg::autograd::to_dot((a * b).sum());
  CHECK(dot.find("leaf0 [") != std::string::npos);
  CHECK(dot.find("leaf1 [") != std::string::npos);
  CHECK(dot.find("0x") == std::string::npos);
}

TEST_CASE("TraceBackwardGuard narrates each node: gradient in, gradients out, accumulation into leaves") {
  Scalar s;
  std::ostringstream out;
  {
    tg::autograd::TraceBackwardGuard trace(out);
    s.y.backward();
  }
  CHECK(out.str() ==
        "#3 SumBackward0 (sum): grad_out = 1.0000\n"
  "    -> input 0 (#2 TanhBackward0): [1.0000]\n"
  "#2 TanhBackward0 (tanh): grad_out = [1.0000]\n"
  "    -> input 0 (#1 AddBackward0): [0.5966]\n"
  "#1 AddBackward0 (add): grad_out = [0.5966]\n"
  "    -> input 0 (#0 MulBackward0): [0.5966]\n"
  "    -> input 1 ('b'): [0.5966]\n"
  "#0 MulBackward0 (mul): grad_out = [0.5966]\n"
  "    -> input 0 ('w'): [1.1932]\n"
  "accumulate into 'b'.grad: [0.5966]\n"
  "accumulate into 'w'.grad: [1.1932]\n");
}

TEST_CASE("TraceBackwardGuard is scoped: backward after it ends prints nothing") {
  std::ostringstream out;
  { tg::autograd::TraceBackwardGuard trace(out); }
  Scalar().y.backward();
  CHECK(out.str().empty());
}

TEST_CASE("Module parameters appear on the tape under their registered names") {
  WordModel model;
  const tg::Tensor loss = model.emb(tg::tensor({1, 2})).sum();
  CHECK(model.emb.weight.name() == "emb.weight");
  const std::string tape = tg::autograd::tape_string(loss);
  CHECK(tape.find("leaves: 'emb.weight' [10, 3] float32\n") != std::string::npos);
  CHECK(tape.find("embedding  -> [2, 3] float32  reads 'emb.weight'\n") != std::string::npos);
  tg::nn::Linear fc(2, 1);
  const std::string linear = tg::autograd::tape_string(fc(tg::ones({1, 2})).sum());
  CHECK(linear.find("'weight' [1, 2] float32") != std::string::npos);
  CHECK(linear.find("'bias' [1] float32") != std::string::npos);
}

TEST_CASE("a word-embedding training step, traced: sparse gradient rows, SparseAdam moves only them") {
  tg::manual_seed(0);
  WordModel model;
  const tg::Tensor center = tg::tensor({4, 7, 4});
  const tg::Tensor context = tg::tensor({1, 2, 3});
  const tg::Tensor before = model.emb.weight.detach().clone();
  // Skip-gram with one positive pair each: loss = -sum log sigmoid(u_center . u_context).
  const tg::Tensor score = (model.emb(center) * model.emb(context)).sum(1);
  const tg::Tensor loss = -score.sigmoid().log().sum();

  const std::string tape = tg::autograd::tape_string(loss);
  CHECK(tape.find("leaves: 'emb.weight' [10, 3] float32\n") != std::string::npos);
  CHECK(tape.find("  #0 embedding") != std::string::npos);
  CHECK(tape.find("  #1 embedding") != std::string::npos);
  const std::string dot = tg::autograd::to_dot(loss);
  CHECK(dot.find("leaf0 -> op0 [style=dashed, color=\"#c0392b\", label=\"sparse grad\"];") != std::string::npos);
  CHECK(dot.find("leaf0 -> op1 [style=dashed") != std::string::npos);
  CHECK(dot.find("op0 -> op2;") != std::string::npos);

  std::ostringstream trace;
  {
    tg::autograd::TraceBackwardGuard guard(trace);
    loss.backward();
  }
  const std::string text = trace.str();
  // Two lookups reach the one table: their sparse gradients are concatenated, not merged.
  CHECK(text.find("    -> input 0 ('emb.weight'): sparse [10, 3] float32, 3 entries\n        row 4: [") !=
        std::string::npos);
  CHECK(text.find("accumulate into 'emb.weight'.grad: sparse [10, 3] float32, 6 entries") != std::string::npos);
  CHECK(text.find("        row 7: [") != std::string::npos);
  const tg::Tensor grad = model.emb.weight.grad();
  REQUIRE(grad.is_sparse());
  CHECK(grad._nnz() == 6);

  tg::optim::SparseAdam adam(model.parameters(), tg::optim::SparseAdamOptions(0.1));
  adam.step();
  const tg::Tensor moved = (model.emb.weight.detach() - before).abs().sum(1);
  for (int64_t row = 0; row < 10; ++row) {
    const bool looked_up = row == 1 || row == 2 || row == 3 || row == 4 || row == 7;
    CAPTURE(row);
    CHECK((moved[row].item<float>() > 0.0f) == looked_up);
  }
}

TEST_CASE("to_dot draws a dense embedding's edge as an ordinary one") {
  tg::nn::Embedding emb(4, 2);
  const std::string dot = tg::autograd::to_dot(emb(tg::tensor({1})).sum());
  CHECK(dot.find("sparse grad") == std::string::npos);
  CHECK(dot.find("leaf0 -> op0;") != std::string::npos);
}

TEST_CASE("DetectAnomalyGuard stops at log(0) * 0 and names LogBackward0, its position and forward op") {
  tg::Tensor x = tg::tensor({1.f, 0.f}).requires_grad_();
  x.set_name("x");
  const tg::Tensor loss = (x.log() * tg::tensor({1.f, 0.f})).sum();
  tg::autograd::DetectAnomalyGuard anomaly;
  CHECK_THROWS_WITH_AS(loss.backward(),
                       "backward: anomaly detected: LogBackward0 returned NaN or Inf in its gradient for input 0 "
                       "('x'). It is op #0 of 3 on the tape, recorded by the forward op log (output [2] float32); "
                       "check that op's inputs (log of 0, division by 0, sqrt of a negative number, overflow)",
                       tg::Error);
}

TEST_CASE("DetectAnomalyGuard names SqrtBackward0 for sqrt(-1) deep in a graph") {
  tg::Tensor x = tg::tensor({4.f, -1.f}).requires_grad_();
  // sqrt(2 * -1 + 1) = nan, masked by * 0: the forward loss is nan, the mul's backward is
  // finite, and SqrtBackward0 computes 0 / (2 * nan).
  const tg::Tensor loss = ((x * 2.0 + 1.0).sqrt() * tg::tensor({1.f, 0.f})).sum();
  tg::autograd::DetectAnomalyGuard anomaly;
  CHECK_THROWS_WITH_AS(loss.backward(),
                       doctest::Contains("SqrtBackward0 returned NaN or Inf in its gradient for input 0 (#1 "
                                         "AddBackward0). It is op #2 of 5 on the tape, recorded by the forward "
                                         "op sqrt (output [2] float32)"),
                       tg::Error);
}

TEST_CASE("DetectAnomalyGuard names the first backward step that is not finite, downstream of a NaN forward") {
  // exp(nan) is nan already in the forward pass, so ExpBackward0 (grad * exp(x)) is the
  // first backward step to produce NaN: the guard points at it, as PyTorch's does.
  tg::Tensor x = tg::tensor({4.f, -1.f}).requires_grad_();
  const tg::Tensor loss = ((x * 2.0 + 1.0).sqrt() + 3.0).exp().sum();
  tg::autograd::DetectAnomalyGuard anomaly;
  CHECK_THROWS_WITH_AS(loss.backward(),
                       doctest::Contains("ExpBackward0 returned NaN or Inf in its gradient for input 0 (#3 "
                                         "AddBackward0). It is op #4 of 6"),
                       tg::Error);
}

TEST_CASE("DetectAnomalyGuard catches an Inf: sqrt(0) has an infinite slope") {
  tg::Tensor x = tg::tensor({0.f, 1.f}).requires_grad_();
  x.set_name("x");
  const tg::Tensor loss = x.sqrt().sum();
  tg::autograd::DetectAnomalyGuard anomaly;
  CHECK_THROWS_WITH_AS(loss.backward(),
                       doctest::Contains("SqrtBackward0 returned NaN or Inf in its gradient for input 0 ('x')"),
                       tg::Error);
}

TEST_CASE("without DetectAnomalyGuard a NaN gradient flows silently into .grad") {
  tg::Tensor x = tg::tensor({1.f, 0.f}).requires_grad_();
  (x.log() * tg::tensor({1.f, 0.f})).sum().backward();
  CHECK(std::isnan(x.grad()[1].item<float>()));
}

TEST_CASE("DetectAnomalyGuard lets a finite backward through and restores the previous mode") {
  {
    tg::autograd::DetectAnomalyGuard anomaly;
    Scalar s;
    CHECK_NOTHROW(s.y.backward());
    CHECK(s.w.grad().item<float>() == doctest::Approx(1.1932).epsilon(1e-4));
  }
  CHECK_FALSE(tg::autograd::instruments::anomaly_enabled());
}

TEST_CASE("after backward the tape marks released ops and keeps none of their saved tensors") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  x.set_name("x");
  const tg::Tensor loss = x.exp().sum();
  CHECK(tg::autograd::tape_string(loss).find("saved its output") != std::string::npos);
  loss.backward();
  const std::string tape = tg::autograd::tape_string(loss);
  CHECK(tape.find("  #0 exp   -> [2] float32  reads 'x'  [released by backward]\n") != std::string::npos);
  CHECK(tape.find("saved") == std::string::npos);
}

TEST_CASE("retain_graph keeps the saved tensors on the tape") {
  tg::Tensor x = tg::tensor({1.f, 2.f}).requires_grad_();
  const tg::Tensor loss = x.exp().sum();
  tg::autograd::backward({loss}, {}, /*retain_graph=*/true);
  CHECK(tg::autograd::tape_string(loss).find("saved its output = [2.7183, 7.3891]") != std::string::npos);
}
