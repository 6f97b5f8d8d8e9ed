#include "core/mri/diffusion/slice_split.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/file_bytes.h"

namespace qs::mri {

std::vector<int64_t> SliceSplit::train() const {
  std::vector<int64_t> out;
  for (int64_t s = 0; s < slices; ++s)
    if (s < heldout_first - margin || s > heldout_last + margin) out.push_back(s);
  return out;
}

std::vector<int64_t> SliceSplit::heldout() const {
  std::vector<int64_t> out;
  for (int64_t s = heldout_first; s <= heldout_last; ++s) out.push_back(s);
  return out;
}

SliceSplit read_slice_split(const std::string& path) {
  const std::string text = read_text_file(path);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail_format("'" + path + "' is not a JSON object");
  auto need = [&](const char* key, bool (nlohmann::json::*is)() const noexcept) -> const nlohmann::json& {
    if (!j.contains(key) || !(j[key].*is)()) fail_format("'" + path + "': '" + key + "' is missing or of the wrong type");
    return j[key];
  };
  SliceSplit s;
  s.volume = need("volume", &nlohmann::json::is_string).get<std::string>();
  s.axis = need("axis", &nlohmann::json::is_string).get<std::string>();
  s.slices = need("slices", &nlohmann::json::is_number_integer).get<int64_t>();
  s.margin = need("margin", &nlohmann::json::is_number_integer).get<int64_t>();
  const nlohmann::json& h = need("heldout", &nlohmann::json::is_array);
  if (h.size() != 2 || !h[0].is_number_integer() || !h[1].is_number_integer()) fail_format("'" + path + "': 'heldout' must be [first, last]");
  s.heldout_first = h[0].get<int64_t>(), s.heldout_last = h[1].get<int64_t>();
  if (s.axis != "axial" && s.axis != "coronal" && s.axis != "sagittal") fail_format("'" + path + "': axis '" + s.axis + "' (axial, coronal, sagittal)");
  if (s.slices < 1 || s.heldout_first < 0 || s.heldout_last < s.heldout_first || s.heldout_last >= s.slices || s.margin < 0)
    fail_format("'" + path + "': the held-out slab must lie inside 0.." + std::to_string(s.slices - 1) + " and the margin must not be negative");
  return s;
}

}  // namespace qs::mri
