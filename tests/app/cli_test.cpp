// The quantiscope executable end to end: exact stdout of `generate`, the `ppl` result line,
// and clear errors with non-zero exits for hostile inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sys/wait.h>

#include <cstdlib>

#include "tests/support/test_support.h"

namespace qs {
namespace {

using test::asset;
using test::run_cli;

std::string md_sample_200() {
  std::string md = test::read_text(asset("llm/stories260K/stories260K.md"));
  size_t start = md.find("-t 0.0\n") + 7;
  std::string sample = md.substr(start, md.find("```", start) - start);
  return sample.substr(0, sample.find("so she") + 6);
}

TEST(Cli, GenerateBinAndGgufPrintExactlyTheMdSample) {
  const std::string expected = md_sample_200() + "\n";
  auto bin = run_cli({"generate", "--model", asset("llm/stories260K/stories260K.bin"), "--tokenizer", asset("llm/stories260K/tok512.bin"), "--temp", "0", "-n", "200"});
  EXPECT_EQ(bin.exit_code, 0) << bin.err;
  EXPECT_EQ(bin.out, expected);
  auto gguf = run_cli({"generate", "--model", asset("llm/stories260K/stories260K.gguf"), "--temp", "0", "-n", "200"});
  EXPECT_EQ(gguf.exit_code, 0) << gguf.err;
  EXPECT_EQ(gguf.out, expected);
  EXPECT_NE(gguf.err.find("tok/s"), std::string::npos);  // timings on stderr only
}

TEST(Cli, GenerateEchoesThePromptThenContinues) {
  auto r = run_cli({"generate", "-m", asset("llm/tinystories-656K"), "-p", "Once upon a time", "--temp", "0", "-n", "12"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Once upon a time", 0), 0u);
  EXPECT_GT(r.out.size(), 30u);
}

TEST(Cli, PplEndsWithTheMachineReadableLine) {
  auto r = run_cli({"ppl", "--model", asset("llm/stories260K/stories260K.gguf"), "--file", asset("eval/tinystories/TinyStories-valid.head.txt"),
                    "--ctx", "256", "--doc-sep", "<|endoftext|>"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string last = r.out.substr(r.out.rfind("ppl="));
  double ppl = 0, nll = 0;
  long long tokens = 0;
  ASSERT_EQ(std::sscanf(last.c_str(), "ppl=%lf nll=%lf tokens=%lld", &ppl, &nll, &tokens), 3) << last;
  EXPECT_GT(tokens, 3000);
  EXPECT_NEAR(std::exp(nll), ppl, 1e-3 * ppl);
}

TEST(Cli, HostileModelFilesGiveClearErrorsAndNonZeroExits) {
  test::TempDir dir;
  auto gguf = test::read_bytes(asset("llm/stories260K/stories260K.gguf"));
  auto bin = test::read_bytes(asset("llm/stories260K/stories260K.bin"));
  struct Case {
    std::string name;
    std::vector<uint8_t> bytes;
    std::string needle;
  };
  std::vector<uint8_t> lying = bin;
  lying[8] = 0xff;  // n_layers becomes huge
  lying[9] = 0x0f;
  std::vector<Case> cases = {
      {"empty.gguf", {}, "error:"},
      {"trunc.gguf", std::vector<uint8_t>(gguf.begin(), gguf.begin() + 20000), "truncated"},
      {"magic.bin", std::vector<uint8_t>(100, 7), "error:"},
      {"trunc.bin", std::vector<uint8_t>(bin.begin(), bin.begin() + 5000), "truncated"},
      {"lying.bin", lying, "error:"},
  };
  for (const auto& c : cases) {
    std::string path = dir.write(c.name, c.bytes);
    auto r = run_cli({"generate", "--model", path, "--tokenizer", asset("llm/stories260K/tok512.bin"), "-n", "5"});
    EXPECT_NE(r.exit_code, 0) << c.name;
    EXPECT_LT(r.exit_code, 128) << c.name << " crashed: " << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.name << ": " << r.err;
    EXPECT_EQ(r.out, "") << c.name;
  }
  auto missing = run_cli({"info", dir.file("nope.gguf")});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos);
  auto half = run_cli({"generate", "--model", asset("llm/stories260K/stories260K.gguf"), "--dtype", "f16", "-n", "3"});
#if !defined(QS_WITH_CUDA)
  EXPECT_EQ(half.exit_code, 5) << half.err;  // Debian's LibTorch 1.13: no f16 CPU matmul, said plainly
  EXPECT_NE(half.err.find("bf16"), std::string::npos);
#endif
  auto bad_opt = run_cli({"generate", "--modle", "x"});
  EXPECT_EQ(bad_opt.exit_code, 2);
  EXPECT_NE(bad_opt.err.find("--modle"), std::string::npos);
}

TEST(Cli, ChatAnswersEachLineAndKeepsTheConversation) {
  auto r = run_cli({"chat", "-m", asset("llm/stories260K/stories260K.gguf"), "--temp", "0", "-n", "20", "--template", "plain"},
                   "Once upon a time\nThe end\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("template plain"), std::string::npos) << r.err;
  // Two replies, each followed by its statistics line on stderr.
  size_t first = r.err.find("tokens, "), second = r.err.find("tokens, ", first + 1);
  EXPECT_NE(first, std::string::npos);
  EXPECT_NE(second, std::string::npos);
  EXPECT_GT(r.out.size(), 20u);
}

TEST(Cli, CtrlCStopsGenerationAndKeepsWhatWasPrinted) {
  // SIGINT once the reply has streamed its first 16 bytes (waiting only for "non-empty" raced with
  // a busy machine: the signal could land after the first token) into a long generation:
  // exit 130, the text so far on stdout, the reason on stderr.
  test::TempDir dir;
  std::string script = "'" + std::string(QS_CLI_PATH) + "' generate -m '" + asset("llm/stories260K/stories260K.gguf") +
                       "' --temp 0 -n 2000 --ignore-eos >" + dir.file("out") + " 2>" + dir.file("err") + " </dev/null & pid=$!; " +
                       "for i in $(seq 600); do [ $(wc -c < " + dir.file("out") + ") -ge 16 ] && break; sleep 0.05; done; kill -INT $pid; wait $pid";
  int status = std::system(script.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << test::read_text(dir.file("err"));
  EXPECT_NE(test::read_text(dir.file("err")).find("stop: cancelled"), std::string::npos) << test::read_text(dir.file("err"));
  EXPECT_EQ(test::read_text(dir.file("out")).rfind("Once upon a time", 0), 0u);
}

TEST(Cli, SaveLogitsRefusesToOverwrite) {
  test::TempDir dir;
  std::string ref = dir.write("ref.logp", std::string("keep me"));
  auto r = run_cli({"ppl", "-m", asset("llm/stories260K/stories260K.gguf"), "-f", asset("eval/tinystories/TinyStories-valid.head.txt"), "--ctx", "128",
                    "--save-logits", ref});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(test::read_text(ref), "keep me");
}

}  // namespace
}  // namespace qs

namespace qs {
namespace {

// train-lm end to end on the CPU: a few steps of the tiny model on the GPL-3 text, a checkpoint,
// the loss curve, a Hugging Face folder that `generate` loads; an existing checkpoint is not
// replaced without --resume or --force.
TEST(Cli, TrainLmWritesACheckpointACurveAndALoadableFolder) {
  test::TempDir dir;
  const std::string tok = std::string(QS_SOURCE_DIR) + "/resources/models/qs-ref-tokenizer/tokenizer.model";
  const std::vector<std::string> args = {"train-lm", "--data", "/usr/share/common-licenses/GPL-3", "--tokenizer", tok, "--out", dir.file("run"),
                                         "--steps", "4", "--batch", "2", "--seq", "16", "--warmup", "1"};
  auto r = test::run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("step 4/4"), std::string::npos) << r.out;
  for (const char* f : {"run/checkpoint.pt", "run/loss.csv", "run/hf/config.json", "run/hf/model.safetensors", "run/hf/tokenizer.model"})
    EXPECT_TRUE(std::filesystem::exists(dir.file(f))) << f;
  const std::string curve = test::read_text(dir.file("run/loss.csv"));
  EXPECT_EQ(std::count(curve.begin(), curve.end(), '\n'), 5);  // the header and four steps
  auto gen = test::run_cli({"generate", "-m", dir.file("run/hf"), "-p", "The", "-n", "4"});
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  auto again = test::run_cli(args);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("pass --resume"), std::string::npos) << again.err;
}

}  // namespace
}  // namespace qs
