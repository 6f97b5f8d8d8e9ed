// The committed Colin27 split: no evaluation slice, and no slice within the margin of one, is a
// training slice; the file's own checks refuse broken splits.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "core/common/error.h"
#include "core/mri/diffusion/slice_split.h"
#include "core/mri/io/volume_io.h"
#include "tests/support/test_support.h"

namespace qs::mri {
namespace {

TEST(SliceSplit, NoEvaluationSliceIsATrainingSlice) {
  const SliceSplit s = read_slice_split(std::string(QS_RESOURCES_DIR) + "/mri/colin27-split.json");
  const std::vector<int64_t> train = s.train(), eval = s.heldout();
  ASSERT_EQ(eval.size(), 20u);
  const std::set<int64_t> train_set(train.begin(), train.end());
  for (int64_t e : eval)
    for (int64_t d = -s.margin; d <= s.margin; ++d) EXPECT_EQ(train_set.count(e + d), 0u) << e + d;
  EXPECT_EQ(train.size() + eval.size() + 2 * size_t(s.margin), size_t(s.slices));
  // The split describes the volume it names (axial slices of Colin27 as read here).
  const char* colin = "/usr/share/mricron/templates/ch2better.nii.gz";
  if (std::ifstream(colin)) {
    EXPECT_EQ(read_volume(colin).data.size(0), s.slices);
  }
}

TEST(SliceSplit, BrokenSplitsAreRefused) {
  test::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.file(name)) << text;
    return dir.file(name);
  };
  EXPECT_THROW(read_slice_split(write("a.json", "[1, 2]")), Error);
  EXPECT_THROW(read_slice_split(write("b.json", R"({"volume": "v", "axis": "axial", "slices": 10, "heldout": [8, 12], "margin": 1})")), Error);
  EXPECT_THROW(read_slice_split(write("c.json", R"({"volume": "v", "axis": "oblique", "slices": 10, "heldout": [2, 3], "margin": 1})")), Error);
  EXPECT_THROW(read_slice_split(write("d.json", R"({"volume": "v", "axis": "axial", "slices": 10, "heldout": [2, 3], "margin": -1})")), Error);
}

}  // namespace
}  // namespace qs::mri
