// bench-decode and bench-kernels end to end on the CPU build: the table names every cache and the
// attention path that served it, the baseline ratio column, and bad arguments are refused with
// exit 2 (or 5 where the command needs CUDA). Speed is never asserted.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace qs {
namespace {

using test::run_cli;

TEST(BenchCli, DecodeTablesEveryCacheAgainstTheBaselineWithItsPath) {
  auto r = run_cli({"bench-decode", "--random-init", "stories260k", "--batch", "1,2", "--ctx", "40", "--gen-tokens", "2", "--caches",
                    "f16,q8_0,rotatekv-post-2@reorder=none", "--fill", "random"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("random-init weights: speed only"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| f16 | 2 | 40 |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| rotatekv-post-2@reorder=none | 1 | 40 |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1.00x"), std::string::npos) << r.out;  // the baseline against itself
  // The CPU build has no kernels: quantized rows say which path ran and why.
  EXPECT_NE(r.out.find("reference: this build has no CUDA kernels"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("matmul + softmax (full-precision cache)"), std::string::npos) << r.out;
}

TEST(BenchCli, DecodeFillsThroughAPrefillToo) {
  auto r = run_cli({"bench-decode", "--random-init", "stories260k", "--ctx", "33", "--gen-tokens", "1", "--caches", "f16,kivi-2", "--prefill-chunk", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("a chunked prefill of random tokens"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| kivi-2 | 1 | 33 |"), std::string::npos) << r.out;
}

TEST(BenchCli, BadArgumentsAreRefusedBeforeAnyRun) {
  for (std::vector<std::string> bad : {std::vector<std::string>{"--batch", "0"}, {"--batch", "4x"}, {"--ctx", "-5"}, {"--fill", "zeros"}, {"--gen-tokens", "0"},
                                       {"--caches", "f16,q3_k"}, {"--caches", "f16,q8_0@residual=4"}, {"--max-batch", "0"}}) {
    std::vector<std::string> args = {"bench-decode", "--random-init", "stories260k", "--ctx", "16", "--gen-tokens", "1"};
    args.insert(args.end(), bad.begin(), bad.end());
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << bad[0] << " " << bad[1] << ": " << r.err;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << r.err;
  }
  auto k = run_cli({"bench-kernels", "--device", "cpu"});
  EXPECT_EQ(k.exit_code, 5) << k.err;
  EXPECT_NE(k.err.find("--device cuda"), std::string::npos) << k.err;
}

}  // namespace
}  // namespace qs
