// The default models: shipped Hugging Face folders first, then the test data's models; folders
// without a config.json and files that are no model are not offered.
#include "core/common/bundled_models.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/test_support.h"

namespace qs {
namespace {
namespace fs = std::filesystem;

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "{}";
}


TEST(BundledModels, ShippedFoldersComeFirstThenTheTestDataModels) {
  test::TempDir dir;
  const fs::path res = fs::path(dir.file("res")), data = fs::path(dir.file("data"));
  touch(res / "models/zeta/config.json");
  touch(res / "models/alpha/config.json");
  touch(res / "models/tokenizer-only/tokenizer.model");  // no config.json: not a model
  touch(data / "llm/tiny/tiny.gguf");
  touch(data / "llm/tiny/README.md");
  touch(data / "llm/hf-model/config.json");
  test::ScopedEnv r("QUANTISCOPE_RESOURCES", res.string()), d("QUANTISCOPE_DATA", data.string());
  const auto all = bundled_models();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].name, "alpha");
  EXPECT_EQ(all[0].origin, "shipped");
  EXPECT_EQ(all[1].name, "zeta");
  EXPECT_EQ(all[2].name, "hf-model");
  EXPECT_EQ(all[2].origin, "test data");
  EXPECT_EQ(all[3].name, "tiny.gguf");
  EXPECT_EQ(all[3].path, (data / "llm/tiny/tiny.gguf").string());
}

TEST(BundledModels, ACleanCheckoutOffersTheReferenceLlmFirst) {
  test::ScopedEnv r("QUANTISCOPE_RESOURCES", "");  // empty: the source tree
  const auto all = bundled_models();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().name, "qs-ref-llm");
  EXPECT_TRUE(fs::is_regular_file(fs::path(all.front().path) / "config.json"));
}

TEST(BundledModels, MissingFoldersGiveAnEmptyList) {
  test::TempDir dir;
  test::ScopedEnv r("QUANTISCOPE_RESOURCES", dir.file("nowhere")), d("QUANTISCOPE_DATA", dir.file("nothing"));
  EXPECT_TRUE(bundled_models().empty());
}

}  // namespace
}  // namespace qs
