// Outputs are written whole or not at all (core/common/atomic_file.h): on a full disk, into a
// missing or read-only folder, over a device, over a sibling file, or when Ctrl-C arrives, a
// command fails with exit 3 (or 130) and leaves no file and no temporary behind.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/test_support.h"

namespace qs {
namespace {

using test::asset;
using test::run_cli_limited;

std::string epi() { return asset("mri/nibabel/example4d.nii.gz"); }
std::string stories() { return asset("llm/stories260K/stories260K.gguf"); }
std::string text() { return asset("eval/tinystories/TinyStories-valid.head.txt"); }

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

// A tmpfs of `size` mounted at `dir` for the test's lifetime (root only).
struct Mount {
  std::string dir;
  bool ok = false;
  Mount(const std::string& d, const std::string& options) : dir(d) {
    std::filesystem::create_directories(d);
    ok = ::geteuid() == 0 && ::mount("tmpfs", d.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~Mount() {
    if (ok) ::umount2(dir.c_str(), MNT_DETACH);
  }
};

// Every writer the CLI has, aimed at `dir`.
std::vector<std::vector<std::string>> writers(const test::TempDir& src, const std::string& dir) {
  return {
      {"mri", "simulate", epi(), "--slices", "8:10", "--out", dir + "/k.h5"},
      {"mri", "simulate", epi(), "--slices", "8:10", "--out", dir + "/k.cfl"},
      {"mri", "mask", "--shape", "256x256", "--out", dir + "/m.png"},
      {"mri", "mask", "--shape", "256x256", "--out", dir + "/m.h5"},
      {"mri", "recon", "--kspace", src.file("k.h5"), "--mask-type", "random", "--out", dir + "/r.nii"},
      {"mri", "recon", "--kspace", src.file("k.h5"), "--mask-type", "random", "--out", dir + "/r.nii.gz"},
      {"mri", "recon", "--kspace", src.file("k.h5"), "--mask-type", "random", "--out", dir + "/r.mha"},
      {"mri", "eval", "--target", src.file("k.h5"), "--pred", src.file("k.h5"), "--csv", dir + "/e.csv"},
      {"mri", "compare", src.file("k.h5"), "--methods", "zero-filled", "--accels", "4", "--masks", "random", "--csv", dir + "/c.csv"},
      {"ppl", "-m", stories(), "-f", text(), "--ctx", "64", "--max-windows", "2", "--save-logits", dir + "/ref.logp"},
  };
}

TEST(OutputSafety, AFullDiskLeavesNoFileAndSaysSo) {
  test::TempDir src, dir;
  ASSERT_EQ(test::run_cli({"mri", "simulate", epi(), "--slices", "8:10", "--out", src.file("k.h5")}).exit_code, 0);
  Mount full(dir.file("full"), "size=64k");
  if (!full.ok) GTEST_SKIP() << "needs root to mount a small tmpfs (not root, or mount refused)";
  // Fill it up to the last byte.
  {
    const std::string filler = full.dir + "/filler";
    FILE* f = std::fopen(filler.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::vector<char> block(4096, 'x');
    while (std::fwrite(block.data(), 1, block.size(), f) == block.size()) {
    }
    std::fclose(f);
  }
  for (const auto& args : writers(src, full.dir)) {
    std::string what;
    for (const auto& s : args) what += s + " ";
    auto r = run_cli_limited(args, 120);
    EXPECT_EQ(r.exit_code, 3) << what << "\n" << r.err;
    EXPECT_NE(r.err.find("cannot write"), std::string::npos) << what << "\n" << r.err;
    EXPECT_EQ(r.out.find("wrote"), std::string::npos) << what << "\n" << r.out;
    EXPECT_EQ(entries(full.dir), std::vector<std::string>{"filler"}) << what;  // no output, no temporary
  }
}

TEST(OutputSafety, MissingReadOnlyAndDeviceTargetsAreRefused) {
  test::TempDir src, dir;
  ASSERT_EQ(test::run_cli({"mri", "simulate", epi(), "--slices", "8:10", "--out", src.file("k.h5")}).exit_code, 0);
  for (const auto& args : writers(src, dir.file("missing"))) {
    auto r = run_cli_limited(args, 120);
    EXPECT_EQ(r.exit_code, 3) << args[1] << "\n" << r.err;
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  }
  Mount ro(dir.file("ro"), "ro,size=64k");
  if (ro.ok) {
    for (const auto& args : writers(src, ro.dir)) {
      auto r = run_cli_limited(args, 120);
      EXPECT_EQ(r.exit_code, 3) << args[1] << "\n" << r.err;
      EXPECT_NE(r.err.find("is not writable"), std::string::npos) << r.err;
    }
  } else {
    std::cout << "read-only folder case skipped: needs root to mount a read-only tmpfs\n";
  }
  // A device as the target: refused, and the device is still a device.
  auto dev = run_cli_limited({"calibrate", "-m", stories(), "--data", text(), "--tokens", "200", "--out", "/dev/full", "--force"}, 60);
  EXPECT_EQ(dev.exit_code, 3) << dev.err;
  EXPECT_NE(dev.err.find("is not a regular file"), std::string::npos) << dev.err;
  struct stat st {};
  ASSERT_EQ(::stat("/dev/full", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  // BART output: an existing .hdr is part of the output and is not replaced without --force.
  const std::string hdr = dir.write("x.hdr", std::string("keep me"));
  auto cfl = run_cli_limited({"mri", "simulate", epi(), "--slices", "8:9", "--out", dir.file("x.cfl")}, 60);
  EXPECT_EQ(cfl.exit_code, 2) << cfl.err;
  EXPECT_NE(cfl.err.find("x.hdr' exists"), std::string::npos) << cfl.err;
  EXPECT_EQ(test::read_text(hdr), "keep me");
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.cfl")));
}

// Ctrl-C while `ppl --save-logits` writes: exit 130 and neither the output nor a temporary.
TEST(OutputSafety, CtrlCLeavesNoPartialOutput) {
  test::TempDir dir;
  const std::string out = dir.file("ref.logp");
  std::string script = "'" + std::string(QS_CLI_PATH) + "' ppl -m '" + stories() + "' -f '" + text() + "' --ctx 64 --save-logits '" + out + "' >" + dir.file("o") +
                       " 2>" + dir.file("e") + " </dev/null & pid=$!; " + "for i in $(seq 600); do ls -a '" + dir.path() +
                       "' | grep -q qs- && break; sleep 0.05; done; sleep 0.2; kill -INT $pid; wait $pid";
  const int status = std::system(script.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << test::read_text(dir.file("e"));
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& name : entries(dir.path())) EXPECT_EQ(name.find("qs-"), std::string::npos) << name;
}

}  // namespace
}  // namespace qs
