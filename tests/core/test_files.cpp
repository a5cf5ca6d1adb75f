// Note [Atomic files]: what every save promises, each reproduced from a reported defect.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <tapegrad/tapegrad.h>

namespace fs = std::filesystem;

namespace {
// A fresh directory per test, removed afterwards: listing it shows any stray temporary.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / ("tapegrad_files_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path, ignored);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(path)) out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
unsigned mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}
}  // namespace

TEST_CASE("load of a FIFO is refused at once instead of waiting for a writer") {
  TempDir dir("fifo_load");
  const std::string fifo = dir / "pipe.tg";
  REQUIRE(::mkfifo(fifo.c_str(), 0666) == 0);
  CHECK_THROWS_WITH_AS(tg::load_tensor(fifo), doctest::Contains("is a FIFO (named pipe); expected a regular file"),
                       tg::Error);
}

TEST_CASE("save to a FIFO, a directory or a device is refused and leaves it as it was") {
  TempDir dir("special_save");
  const std::string fifo = dir / "pipe.tg";
  REQUIRE(::mkfifo(fifo.c_str(), 0666) == 0);
  CHECK_THROWS_WITH_AS(tg::save(fifo, tg::ones({2})), doctest::Contains("is a FIFO (named pipe); expected a regular "
                                                                         "file or a new name"), tg::Error);
  CHECK(fs::is_fifo(fifo));
  const std::string sub = dir / "sub";
  fs::create_directory(sub);
  CHECK_THROWS_WITH_AS(tg::save(sub, tg::ones({2})), doctest::Contains("is a directory"), tg::Error);
  CHECK_THROWS_WITH_AS(tg::load_tensor(sub), doctest::Contains("is a directory; expected a regular file"), tg::Error);
  CHECK(fs::is_directory(sub));
  // A private copy of /dev/null's device node, where the system allows making one (root
  // outside a restricted container): the real /dev/null is never put at risk.
  const std::string device = dir / "null";
  if (::mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    CHECK_THROWS_WITH_AS(tg::save(device, tg::ones({2})), doctest::Contains("is a character device"), tg::Error);
    CHECK(fs::is_character_file(device));
    CHECK_THROWS_WITH_AS(tg::load_tensor(device), doctest::Contains("is a character device"), tg::Error);
  }
  const std::vector<std::string> names = dir.names();
  CHECK((names == std::vector<std::string>{"null", "pipe.tg", "sub"} ||
         names == std::vector<std::string>{"pipe.tg", "sub"}));
}

TEST_CASE("save through a symlink replaces its target atomically, keeping the link and the target's mode") {
  TempDir dir("symlink");
  const std::string target = dir / "real.tg", link = dir / "link.tg";
  tg::save(target, tg::ones({2}));
  REQUIRE(::chmod(target.c_str(), 0640) == 0);
  fs::create_symlink("real.tg", link);  // relative, resolved against the link's folder
  tg::save(link, tg::full({3}, 5.0));
  CHECK(fs::is_symlink(link));
  CHECK(tg::load_tensor(target).to_vector<float>() == std::vector<float>{5.f, 5.f, 5.f});
  CHECK(mode_of(target) == 0640);
  // A dangling link is written through too: its target is created.
  const std::string dangling = dir / "dangling.tg";
  fs::create_symlink(dir / "new.tg", dangling);
  tg::save(dangling, tg::ones({1}));
  CHECK(fs::is_symlink(dangling));
  CHECK(tg::load_tensor(dir / "new.tg").numel() == 1);
  CHECK(dir.names() == std::vector<std::string>{"dangling.tg", "link.tg", "new.tg", "real.tg"});
}

TEST_CASE("a read-only file is refused, as root too, and keeps its content") {
  TempDir dir("readonly");
  const std::string path = dir / "frozen.tg";
  tg::save(path, tg::ones({2}));
  const std::string before = read_text(path);
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  CHECK_THROWS_WITH_AS(tg::save(path, tg::zeros({4})), doctest::Contains("is read-only (mode 0444)"), tg::Error);
  CHECK(read_text(path) == before);
  CHECK(dir.names() == std::vector<std::string>{"frozen.tg"});
}

TEST_CASE("a new file gets the usual mode, and a 250-character name can be saved") {
  TempDir dir("long_name");
  const std::string name(246, 'n');
  const std::string path = dir / (name + ".tg");
  tg::save(path, tg::arange(0, 5));
  CHECK(tg::load_tensor(path).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3, 4});
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK(mode_of(path) == (0666 & ~mask));
  CHECK(dir.names() == std::vector<std::string>{name + ".tg"});
}

TEST_CASE("threads saving one path all succeed, and a reader only ever sees a whole file") {
  TempDir dir("concurrent");
  const std::string path = dir / "shared.tg";
  tg::save(path, tg::full({1000}, -1.0));
  std::atomic<bool> done{false};
  std::atomic<int> failures{0}, torn{0}, reads{0};
  std::thread reader([&] {
    while (!done) {
      try {
        const std::vector<float> v = tg::load_tensor(path).to_vector<float>();
        // Each writer saves one constant vector: a mixture would show two values.
        if (v.size() != 1000 || std::count(v.begin(), v.end(), v[0]) != 1000) ++torn;
      } catch (const tg::Error&) {
        ++torn;  // truncated or checksum-failing: never acceptable
      }
      ++reads;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < 30; ++i) {
        try {
          tg::save(path, tg::full({1000}, static_cast<double>(w * 100 + i)));
        } catch (const tg::Error&) {
          ++failures;
        }
      }
    });
  for (std::thread& t : writers) t.join();
  done = true;
  reader.join();
  CHECK(failures == 0);
  CHECK(torn == 0);
  CHECK(reads > 0);
  CHECK(dir.names() == std::vector<std::string>{"shared.tg"});
}

TEST_CASE("a save killed mid-write leaves the old file and no temporary") {
  TempDir dir("killed");
  const std::string path = dir / "victim.tg";
  tg::save(path, tg::ones({3}));
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // writes forever, never commits
    tg::AtomicFile file(path);
    std::vector<char> block(1 << 16, 'x');
    file.write(block.data(), block.size());
    file.flush();
    (void)!::write(ready[1], "r", 1);
    for (;;) file.write(block.data(), block.size());
  }
  char byte = 0;
  CHECK(::read(ready[0], &byte, 1) == 1);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  CHECK(WIFSIGNALED(status));
  CHECK(tg::load_tensor(path).to_vector<float>() == std::vector<float>{1.f, 1.f, 1.f});
  // On a filesystem with O_TMPFILE (ext4, xfs, btrfs, tmpfs) nothing is left; elsewhere
  // at worst one clearly named ".tapegrad-*.tmp".
  const std::vector<std::string> names = dir.names();
  CHECK((names == std::vector<std::string>{"victim.tg"} ||
         (names.size() == 2 && names[0].rfind(".tapegrad-", 0) == 0)));
}

TEST_CASE("write_file_atomically reports every write error and keeps the previous file") {
  TempDir dir("write_error");
  const std::string path = dir / "words.vec";
  tg::write_file_atomically(path, [](std::FILE* f) { std::fputs("old\n", f); });
  CHECK(read_text(path) == "old\n");
  // A full disk, as the process sees it: writes past 4 KiB fail with EFBIG.
  struct rlimit saved {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  auto big = [](std::FILE* f) {
    for (int i = 0; i < 10000; ++i) std::fprintf(f, "word%d 0.1 0.2 0.3\n", i);
  };
  CHECK_THROWS_WITH_AS(tg::write_file_atomically(path, big, "train"), doctest::Contains("train: writing"), tg::Error);
  tg::AtomicFile raw(path);
  std::vector<char> block(1 << 20, 'x');
  CHECK_THROWS_WITH_AS(raw.write(block.data(), block.size()), doctest::Contains("File too large"), tg::Error);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  CHECK(read_text(path) == "old\n");
  // A writer that throws leaves no trace either.
  CHECK_THROWS_AS(tg::write_file_atomically(path, [](std::FILE*) { throw tg::ValueError("stop"); }), tg::ValueError);
  CHECK(read_text(path) == "old\n");
}

TEST_CASE("AtomicFile writes nothing until commit and refuses writes after it") {
  TempDir dir("commit");
  const std::string path = dir / "log.txt";
  {
    tg::AtomicFile file(path);
    file.write("never seen");
  }
  CHECK_FALSE(fs::exists(path));
  tg::AtomicFile file(path);
  file.write("line 1\n");
  CHECK_FALSE(fs::exists(path));
  file.commit();
  CHECK(read_text(path) == "line 1\n");
  CHECK_THROWS_WITH_AS(file.write("late"), doctest::Contains("already committed"), tg::Error);
  CHECK_THROWS_WITH_AS(tg::AtomicFile(dir / "missing/x.txt"), doctest::Contains("No such file or directory"),
                       tg::Error);
  CHECK(dir.names() == std::vector<std::string>{"log.txt"});
}
