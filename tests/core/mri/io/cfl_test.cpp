#include "core/mri/io/cfl.h"

#include <gtest/gtest.h>


#include "core/common/error.h"
#include "tests/support/test_support.h"

namespace qs::mri {
namespace {

TEST(Cfl, RoundTripsShapesAndValues) {
  test::TempDir dir;
  at::manual_seed(9);
  for (const auto& shape : std::vector<std::vector<int64_t>>{{5, 7}, {3, 5, 7}, {2, 4, 5, 7}}) {
    const at::Tensor x = at::randn(shape, at::kComplexFloat);
    write_cfl(dir.file("x"), x, true);  // the same name each round
    at::Tensor r = read_cfl(dir.file("x.cfl"));
    if (shape.size() == 2) r = r.squeeze(0);
    EXPECT_TRUE(at::equal(r, x)) << shape.size();
  }
  // BART's layout: W is the fastest dimension, the coil dim is 3, slices dim 13.
  EXPECT_NE(test::read_text(dir.file("x.hdr")).find("7 5 1 4 1 1 1 1 1 1 1 1 1 2 1 1"), std::string::npos);
}

TEST(Cfl, HeaderThatLiesIsAnError) {
  test::TempDir dir;
  write_cfl(dir.file("x"), at::ones({4, 4}, at::kComplexFloat));
  dir.write("x.hdr", std::string("# Dimensions\n4 5 1\n"));
  EXPECT_THROW(read_cfl(dir.file("x")), Error);
  dir.write("x.hdr", std::string("# Dimensions\n2147483647 2147483647 2147483647\n"));
  EXPECT_THROW(read_cfl(dir.file("x")), Error);
  dir.write("x.hdr", std::string("nothing here\n"));
  EXPECT_THROW(read_cfl(dir.file("x")), Error);
  EXPECT_THROW(read_cfl(dir.file("absent")), Error);
}

}  // namespace
}  // namespace qs::mri
