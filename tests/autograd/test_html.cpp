// to_html (autograd/html.h): the page's recorded steps are the trace's, the user's
// .grad and graph are left as they were, long tapes stay small, NaNs are found,
// bad input is refused, and the layout draws every edge downward without overlaps.
// The page's script is checked in a real browser by tests/browser (ctest browser_tour_pages).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <tapegrad/autograd/html_internal.h>
#include <tapegrad/tapegrad.h>

namespace {

struct Scalar {  // tanh(w x + b), summed: the tour's first example
  tg::Tensor w = tg::tensor({0.5f}).requires_grad_();
  tg::Tensor b = tg::tensor({-0.25f}).requires_grad_();
  tg::Tensor y;
  Scalar() {
    w.set_name("w");
    b.set_name("b");
    y = (w * tg::tensor({2.0f}) + b).tanh().sum();
  }
};

// The first line of each node's block in the trace: "#3 SumBackward0 (sum): ...".
std::vector<std::string> trace_heads(const tg::Tensor& loss) {
  std::ostringstream text;
  {
    tg::autograd::TraceBackwardGuard trace(text);
    loss.backward({}, /*retain_graph=*/true);
  }
  std::vector<std::string> heads;
  std::istringstream lines(text.str());
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != ' ') heads.push_back(line);
  return heads;
}

// The "head" of each recorded step in the page's data, in order.
std::vector<std::string> page_heads(const std::string& page) {
  std::vector<std::string> heads;
  const std::regex head("\"head\":\"((?:[^\"\\\\]|\\\\.)*)\"");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), head); it != std::sregex_iterator(); ++it)
    heads.push_back(std::regex_replace((*it)[1].str(), std::regex("\\\\\""), "\""));
  return heads;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("to_html records the steps TraceBackwardGuard prints, in the engine's order") {
  Scalar s;
  const std::string page = tg::autograd::html_string(s.y);
  const std::vector<std::string> heads = page_heads(page);
  CHECK(heads == std::vector<std::string>{
                     "#3 SumBackward0 (sum): grad_out = 1.0000",
                     "#2 TanhBackward0 (tanh): grad_out = [1.0000]",
                     "#1 AddBackward0 (add): grad_out = [0.5966]",
                     "#0 MulBackward0 (mul): grad_out = [0.5966]",
                     "accumulate into 'b'.grad: [0.5966]",
                     "accumulate into 'w'.grad: [1.1932]",
                 });
  CHECK(heads == trace_heads(s.y));
  // Self-contained: no script, style or image is fetched.
  CHECK(page.find("src=") == std::string::npos);
  CHECK(page.find("http://") == page.find("http://www.w3.org/2000/svg"));
  CHECK(page.find("https://") == std::string::npos);
}

TEST_CASE("to_html leaves every .grad as it was and the graph ready for the user's backward") {
  Scalar s;
  s.w.mutable_grad() = tg::tensor({7.0f});
  const tg::Tensor held = s.w.grad();  // whoever holds the gradient sees it unchanged
  tg::autograd::html_string(s.y);
  CHECK(s.w.grad().impl() == held.impl());
  CHECK(held.item<float>() == 7.0f);
  CHECK_FALSE(s.b.grad().defined());
  s.y.backward();  // not released by to_html's own run
  CHECK(s.w.grad().item<float>() == doctest::Approx(7.0 + 1.1932).epsilon(1e-4));
  CHECK(s.b.grad().item<float>() == doctest::Approx(0.5966).epsilon(1e-3));
}

TEST_CASE("to_html keeps a sparse .grad object and shows the new gradient's duplicates, then coalesced") {
  const tg::Tensor table = tg::tensor({{0.f, 0.f}, {1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}, {7.f, 8.f}});
  tg::nn::Embedding emb(tg::nn::EmbeddingOptions(5, 2).sparse(true)._weight(table));
  (emb(tg::tensor({4})) * 1.0).sum().backward();  // an earlier step's gradient: row 4
  const tg::Tensor held = emb.weight.grad();
  const tg::Tensor diff = emb(tg::tensor({1, 3, 1})) - tg::full({3, 2}, 1.0);
  const std::string page = tg::autograd::html_string((diff * diff).sum());
  CHECK(emb.weight.grad().impl() == held.impl());
  CHECK(held._nnz() == 1);
  // The gradient of this backward alone: rows 1, 3, 1 as they arrive; 1 and 3 coalesced.
  CHECK(page.find("\"nnz\":3,\"cnnz\":2,\"rows\":[1,3,1],\"vals\":[\"[0.0000, 2.0000]\",\"[8.0000, 10.0000]\","
                  "\"[0.0000, 2.0000]\"],\"crows\":[1,3],\"cvals\":[\"[0.0000, 4.0000]\",\"[8.0000, 10.0000]\"]") !=
        std::string::npos);
  CHECK(page.find("\"sp\":true") != std::string::npos);  // the lookup's edge is marked sparse
}

TEST_CASE("to_html on a graph freed by backward draws it and says why there is no player") {
  Scalar s;
  s.y.backward();
  const std::string page = tg::autograd::html_string(s.y);
  CHECK(page.find("no player: the graph was freed by an earlier backward()") != std::string::npos);
  CHECK(page.find("\"steps\":[]") != std::string::npos);
  CHECK(count(page, "\"kind\":\"op\"") == 4);
}

TEST_CASE("to_html finds the node whose backward made a NaN, as DetectAnomalyGuard does") {
  tg::Tensor x = tg::tensor({1.f, 0.f}).requires_grad_();
  x.set_name("x");
  const tg::Tensor loss = (x.log() * tg::tensor({1.f, 0.f})).sum();
  std::string expected;
  try {
    tg::autograd::DetectAnomalyGuard anomaly;
    loss.backward({}, /*retain_graph=*/true);
  } catch (const tg::Error& e) {
    expected = std::string(e.what()).substr(std::string("backward: anomaly detected: ").size());
  }
  REQUIRE_FALSE(expected.empty());
  x.mutable_grad() = tg::Tensor();
  tg::autograd::DetectAnomalyGuard anomaly;  // the caller's guard does not stop the page's run
  const std::string page = tg::autograd::html_string(loss);
  CHECK(page.find("\"anomaly\":{\"step\":2,") != std::string::npos);  // sum, mul, then log
  CHECK(page.find(tg::autograd::html::json_string(expected)) != std::string::npos);
  CHECK(page.find("\"op\":\"log\",\"inputs\":[\"'x'\"]") != std::string::npos);
}

TEST_CASE("a 10,000-op tape makes a page of a few hundred boxes and under 3 MB") {
  tg::Tensor x = tg::tensor({0.5f, -0.5f}).requires_grad_();
  x.set_name("x");
  tg::Tensor y = x;
  for (int i = 0; i < 5000; ++i) y = (y * 1.0001).tanh();
  const tg::Tensor loss = y.sum();  // #10000
  const std::string page = tg::autograd::html_string(loss);
  CHECK(page.size() < 3'000'000);
  MESSAGE("page for 10,001 ops: " << page.size() << " bytes");
  CHECK(count(page, "\"kind\":\"op\"") == 200);
  CHECK(count(page, "\"kind\":\"more\"") == 1);
  CHECK(page.find("... 9801 ops omitted (#100 to #9900)") != std::string::npos);
  CHECK(page.find("mul x4901, tanh x4900") != std::string::npos);
  // The player still has every step: 10,001 ops and the leaf.
  CHECK(page_heads(page).size() == 10'002);
  CHECK(page_heads(page).front() == "#10000 SumBackward0 (sum): grad_out = 1.0000");
  CHECK(page_heads(page).back().rfind("accumulate into 'x'.grad: [", 0) == 0);
}

TEST_CASE("to_html keeps a parameter name from closing the page's script") {
  tg::Tensor w = tg::tensor({1.f}).requires_grad_();
  w.set_name("</script><b>x");
  tg::autograd::HtmlOptions options;
  options.title = "<b>title</b>";
  const std::string page = tg::autograd::html_string((w * 2.0).sum(), options);
  CHECK(page.find("</script><b>") == std::string::npos);
  CHECK(page.find("<b>title") == std::string::npos);
  CHECK(page.find("\\u003c/script>\\u003cb>x") != std::string::npos);
  CHECK(page.find("&lt;b&gt;title&lt;/b&gt;") != std::string::npos);
}

TEST_CASE("to_html writes the file atomically and refuses bad input with a message") {
  Scalar s;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "tapegrad_test_html";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "page.html").string();
  tg::autograd::to_html(s.y, path);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == tg::autograd::html_string(s.y));
  CHECK_THROWS_WITH_AS(tg::autograd::to_html(s.y, dir.string()), doctest::Contains("directory"), tg::Error);
  CHECK_THROWS_WITH_AS(tg::autograd::html_string(tg::Tensor()), doctest::Contains("undefined"), tg::Error);
  CHECK_THROWS_WITH_AS(tg::autograd::html_string(s.w), doctest::Contains("is a leaf"), tg::Error);
  CHECK_THROWS_WITH_AS(tg::autograd::html_string(tg::ones({2}).sum()), doctest::Contains("does not require grad"),
                       tg::Error);
  tg::autograd::HtmlOptions few;
  few.max_ops = 1;
  CHECK_THROWS_WITH_AS(tg::autograd::html_string(s.y, few), doctest::Contains("max_ops is 1"), tg::Error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("to_html on a non-scalar root draws the graph and says why there is no player") {
  Scalar s;
  const std::string page = tg::autograd::html_string(s.w * 3.0 + s.b.expand({2}));
  CHECK(page.find("no player: the root has shape [2]") != std::string::npos);
}

TEST_CASE("the layered layout draws every edge downward and no two boxes of a layer overlap") {
  // A diamond with a late side input: 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 4 -> 3.
  std::vector<tg::autograd::html::Box> boxes(5, {60, 30, 0, 0});
  boxes[1].w = 140;
  const std::vector<std::pair<size_t, size_t>> edges = {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {4, 3}};
  const auto layout = tg::autograd::html::layered_layout(boxes, edges);
  for (const auto& [from, to] : edges) CHECK(boxes[from].y + boxes[from].h < boxes[to].y);
  CHECK(boxes[1].y == boxes[2].y);
  CHECK(boxes[4].y == boxes[1].y);  // a source sits just above its consumer, not at the top
  CHECK(boxes[0].y < boxes[4].y);
  for (size_t a = 0; a < boxes.size(); ++a)
    for (size_t b = a + 1; b < boxes.size(); ++b)
      if (boxes[a].y == boxes[b].y)
        CHECK((boxes[a].x + boxes[a].w <= boxes[b].x || boxes[b].x + boxes[b].w <= boxes[a].x));
  for (const auto& box : boxes) {
    CHECK(box.x >= 0);
    CHECK(box.x + box.w <= layout.width);
    CHECK(box.y + box.h <= layout.height);
  }
}
