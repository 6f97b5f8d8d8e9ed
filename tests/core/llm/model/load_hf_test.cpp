// Hostile Hugging Face folders: each defect gives an Error naming the problem, never a crash.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/llm/model/weights.h"
#include "tests/support/test_support.h"

namespace qs {
namespace {

namespace fs = std::filesystem;

// A copy of the TinyStories-656K folder in a temp dir, with one file replaced.
std::string folder_with(const test::TempDir& dir, const std::string& name, const std::string& content) {
  for (const auto& f : fs::directory_iterator(test::asset("llm/tinystories-656K"))) {
    std::string to = dir.file(f.path().filename().string());
    fs::copy_file(f.path(), to, fs::copy_options::overwrite_existing);
    fs::permissions(to, fs::perms::owner_write, fs::perm_options::add);  // the shared assets are read-only
  }
  if (content == "<delete>") fs::remove(dir.file(name));
  else dir.write(name, content);
  return dir.path();
}

void expect_error(const std::string& name, const std::string& content, const std::string& needle) {
  test::TempDir dir;
  std::string folder = folder_with(dir, name, content);
  try {
    load_model(folder, LoadOptions());
    FAIL() << name << ": loaded a broken folder";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << name << ": " << e.what();
  }
}

TEST(LoadHf, HostileFoldersAreRefusedWithTheReason) {
  std::string cfg = test::read_text(test::asset("llm/tinystories-656K/config.json"));
  expect_error("config.json", "", "not valid JSON");
  expect_error("config.json", "{\"model_type\": \"gpt_neox\"}", "not supported");
  std::string lying = cfg;
  lying.replace(lying.find("\"hidden_size\": 128"), 18, "\"hidden_size\": 256");
  expect_error("config.json", lying, "shape");
  std::string heads = cfg;
  heads.replace(heads.find("\"num_key_value_heads\": 4"), 24, "\"num_key_value_heads\": 3");
  expect_error("config.json", heads, "multiple");
  std::string huge = cfg;
  huge.replace(huge.find("\"num_hidden_layers\": 2"), 22, "\"num_hidden_layers\": 999999999");
  expect_error("config.json", huge, "out of range");
  expect_error("model.safetensors", "<delete>", "model.safetensors");
  expect_error("model.safetensors", std::string("\x10\0\0\0\0\0\0\0{}", 10), "past the end");
  expect_error("tokenizer.json", "<delete>", "tokenizer");
  expect_error("tokenizer.json", "{\"model\": 5}", "model");
}

TEST(LoadHf, ShardedIndexMustStayInsideTheFolder) {
  test::TempDir dir;
  std::string folder = folder_with(dir, "model.safetensors", "<delete>");
  dir.write("model.safetensors.index.json", R"({"weight_map": {"lm_head.weight": "../../etc/passwd"}})");
  EXPECT_THROW(load_model(folder, LoadOptions()), Error);
}

TEST(LoadHf, ShardedIndexLoadsTheSameModel) {
  test::TempDir dir;
  std::string folder = folder_with(dir, "model.safetensors", "<delete>");
  fs::copy_file(test::asset("llm/tinystories-656K/model.safetensors"), dir.file("model-00001-of-00001.safetensors"));
  dir.write("model.safetensors.index.json", R"({"metadata": {}, "weight_map": {"lm_head.weight": "model-00001-of-00001.safetensors"}})");
  auto m = load_model(folder, LoadOptions());
  EXPECT_EQ(m->config.vocab, 2048);
  EXPECT_TRUE(m->config.tied_output);
}

}  // namespace
}  // namespace qs
