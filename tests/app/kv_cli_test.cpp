// The KV commands end to end: calibrate, the reorder file's guards, kv-report, kv-sweep and
// kv-analyze, with clear errors and non-zero exits for hostile inputs.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace qs {
namespace {

using test::asset;
using test::run_cli;

std::string stories() { return asset("llm/stories260K/stories260K.gguf"); }
std::string tiny() { return asset("llm/tinystories-656K"); }

// A calibration text disjoint from the evaluation texts: GSM8K questions.
std::string calib_text(const test::TempDir& dir) { return dir.write("calib.txt", test::read_text(asset("eval/gsm8k/test.jsonl")).substr(0, 30000)); }

TEST(KvCli, CalibrateWritesAFileRotateKvUsesAndRefusesToOverwrite) {
  test::TempDir dir;
  const std::string calib = calib_text(dir), out = dir.file("s.qsreorder");
  auto c = run_cli({"calibrate", "-m", stories(), "--data", calib, "--tokens", "3000", "--out", out});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("3000 tokens"), std::string::npos) << c.out;
  auto again = run_cli({"calibrate", "-m", stories(), "--data", calib, "--tokens", "3000", "--out", out});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
  auto g = run_cli({"generate", "-m", stories(), "-p", "Once", "-n", "8", "--temp", "0", "-ctk", "rotatekv-2", "-ctv", "rotatekv-2", "--kv-reorder", out});
  EXPECT_EQ(g.exit_code, 0) << g.err;
}

TEST(KvCli, HostileReorderFilesAndUnknownTypesAreClearErrors) {
  test::TempDir dir;
  const std::string calib = calib_text(dir), other = dir.file("tiny.qsreorder");
  ASSERT_EQ(run_cli({"calibrate", "-m", tiny(), "--data", calib, "--tokens", "2000", "--out", other}).exit_code, 0);
  auto ppl = [&](const std::string& reorder) {
    return run_cli({"ppl", "-m", stories(), "-f", asset("eval/tinystories/TinyStories-valid.head.txt"), "--ctx", "64", "--max-windows", "1", "-ctk", "rotatekv-2",
                    "--kv-reorder", reorder});
  };
  auto foreign = ppl(other);
  EXPECT_NE(foreign.exit_code, 0);
  EXPECT_NE(foreign.err.find("another model"), std::string::npos) << foreign.err;
  std::vector<uint8_t> bytes = test::read_bytes(other);
  auto truncated = ppl(dir.write("cut.qsreorder", std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(bytes.size() / 2))));
  EXPECT_NE(truncated.exit_code, 0);
  EXPECT_NE(truncated.err.find("checksum"), std::string::npos) << truncated.err;
  bytes[100] ^= 1;
  auto corrupt = ppl(dir.write("bad.qsreorder", bytes));
  EXPECT_NE(corrupt.exit_code, 0);
  EXPECT_NE(corrupt.err.find("corrupt"), std::string::npos) << corrupt.err;
  auto junk = ppl(dir.write("junk.qsreorder", std::string(5000, 'z')));
  EXPECT_NE(junk.exit_code, 0);
  EXPECT_NE(junk.err.find("not a Quantiscope reorder file"), std::string::npos) << junk.err;
  auto missing = ppl(dir.file("nope.qsreorder"));
  EXPECT_NE(missing.exit_code, 0);
  auto unknown = run_cli({"generate", "-m", stories(), "-n", "4", "-ctk", "q3_k"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("unknown KV cache type 'q3_k'"), std::string::npos) << unknown.err;
  auto bad_opt = run_cli({"generate", "-m", stories(), "-n", "4", "-ctk", "q8_0", "--kv-opt", "clip=0.5"});
  EXPECT_NE(bad_opt.exit_code, 0);
  EXPECT_NE(bad_opt.err.find("not an option"), std::string::npos) << bad_opt.err;
}

TEST(KvCli, ReportPrintsEveryCodecAsCsv) {
  auto r = run_cli({"kv-report", "--random-init", "llama2-7b", "--ctx", "4096", "--batch", "8", "--csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("codec,meta,bits_k,bits_v,avg_bits_k,avg_bits_v,bytes_per_token,total_bytes\n", 0), 0u);
  // f16 at 4096 tokens x batch 8: 2 sides x 32 layers x 4096 channels x 2 bytes per token.
  EXPECT_NE(r.out.find("f16,-,16,16,16,16,524288,17179869184"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rotatekv-2,f16,2.25,2.25,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rotatekv-2,fp8+int8,2.125,2.125,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("q4_0,f16,4.5,4.5,4.5,4.5,"), std::string::npos) << r.out;
}

TEST(KvCli, SweepRefusesCalibratingOnTheEvaluationText) {
  const std::string text = asset("eval/tinystories/TinyStories-valid.head.txt");
  auto r = run_cli({"kv-sweep", "--models", stories(), "--texts", text, "--calib-data", text, "--codecs", "rotatekv-2"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("disjoint"), std::string::npos) << r.err;
}

TEST(KvCli, AnalyzeSaysTextOnlyModelsHaveNoTsaSplit) {
  auto r = run_cli({"kv-analyze", "-m", stories(), "--data", asset("eval/tinystories/TinyStories-valid.head.txt"), "--tokens", "512"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Text-only model"), std::string::npos) << r.out;
  auto span = run_cli({"kv-analyze", "-m", stories(), "--data", asset("eval/tinystories/TinyStories-valid.head.txt"), "--tokens", "512", "--image-span", "20:200"});
  ASSERT_EQ(span.exit_code, 0) << span.err;
  EXPECT_NE(span.out.find("TSA layers"), std::string::npos) << span.out;
}

}  // namespace
}  // namespace qs
