// Hostile inputs end to end (issue "Hardening"): each is built here, run under a time and
// address-space limit, and must end with the README's exit code, a message naming the problem,
// and no file left behind. FIFOs would block in open(); lying headers must not divide by zero.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>

#include "tests/support/test_support.h"

namespace qs {
namespace {

using test::asset;
using test::run_cli_limited;

std::string stories() { return asset("llm/stories260K/stories260K.gguf"); }
std::string text() { return asset("eval/tinystories/TinyStories-valid.head.txt"); }

std::string make_fifo(const test::TempDir& dir, const std::string& name) {
  const std::string p = dir.file(name);
  EXPECT_EQ(::mkfifo(p.c_str(), 0600), 0) << std::strerror(errno);
  return p;
}

void expect_clean_refusal(const test::CommandResult& r, int code, const std::string& says, const std::string& what) {
  EXPECT_EQ(r.exit_code, code) << what << "\n" << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << what << "\n" << r.err;
}

TEST(HostileInputs, FifosAreRefusedInsteadOfBlocking) {
  test::TempDir dir;
  const std::string fifo = make_fifo(dir, "pipe");
  expect_clean_refusal(run_cli_limited({"generate", "-m", fifo, "-n", "2"}, 30), 3, "is a FIFO", "model");
  expect_clean_refusal(run_cli_limited({"ppl", "-m", stories(), "-f", fifo, "--ctx", "32"}, 30), 3, "is a FIFO", "text");
  expect_clean_refusal(run_cli_limited({"generate", "-m", asset("llm/stories260K/stories260K.bin"), "-z", fifo, "-n", "2"}, 30), 3, "is a FIFO", "tokenizer");
  expect_clean_refusal(run_cli_limited({"mri", "info", fifo}, 30), 3, "is a FIFO", "volume");
  const std::string h5 = make_fifo(dir, "k.h5");
  expect_clean_refusal(run_cli_limited({"mri", "info", h5}, 30), 3, "is a FIFO", "fastMRI file");
  std::filesystem::create_directory(dir.file("dicom"));
  ASSERT_EQ(::mkfifo(dir.file("dicom/IM0001").c_str(), 0600), 0);
  expect_clean_refusal(run_cli_limited({"mri", "info", dir.file("dicom")}, 30), 3, "holds 'IM0001', which is a FIFO", "DICOM folder");
}

TEST(HostileInputs, ZeroAndNegativeWindowsAreRefusedNotDividedBy) {
  test::TempDir dir;
  const std::string calib = dir.write("calib.txt", test::read_text(asset("eval/gsm8k/test.jsonl")).substr(0, 4000));
  for (const char* ctx : {"0", "1", "-5"}) {
    const std::string out = dir.file(std::string("r") + ctx + ".qsreorder");
    expect_clean_refusal(run_cli_limited({"calibrate", "-m", stories(), "--data", calib, "--ctx", ctx, "--out", out}, 60), 2, "--ctx must be at least 2", "calibrate --ctx");
    EXPECT_FALSE(std::filesystem::exists(out)) << ctx;
    expect_clean_refusal(run_cli_limited({"kv-analyze", "-m", stories(), "--data", calib, "--ctx", ctx}, 60), 2, "--ctx must be at least 2", "kv-analyze --ctx");
  }
  expect_clean_refusal(run_cli_limited({"calibrate", "-m", stories(), "--data", calib, "--tokens", "-3", "--out", dir.file("t.qsreorder")}, 60), 2,
                       "--tokens must not be negative", "calibrate --tokens");
}

// A logit reference whose header makes the window size wrap around 2^64 (it was a SIGFPE).
TEST(HostileInputs, LogitReferenceHeadersThatWrapAreMalformedFiles) {
  test::TempDir dir;
  struct Header {
    uint32_t vocab, ctx;
  };
  for (Header h : {Header{0x80000000u, 0x40000001u}, Header{0xffffffffu, 0xffffffffu}, Header{32000u, 0x7fffffffu}}) {
    std::vector<uint8_t> b(8);
    std::memcpy(b.data(), "QSLOGP01", 8);
    auto put = [&](const void* p, size_t n) { b.insert(b.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n); };
    const uint64_t windows = 1;
    put(&h.vocab, 4), put(&h.ctx, 4), put(&windows, 8);
    b.resize(b.size() + 4096, 0);
    const std::string ref = dir.write("ref.logp", b);
    expect_clean_refusal(run_cli_limited({"kld", "-m", stories(), "-f", text(), "--ctx", "64", "--reference", ref}, 60), 4, "describes windows larger than the file",
                         "vocab " + std::to_string(h.vocab) + " ctx " + std::to_string(h.ctx));
  }
}

}  // namespace
}  // namespace qs
