#include "app/cli/commands.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/llm/calibrate/reorder_calibration.h"
#include "core/llm/model/random_init.h"

namespace qs::cli {

const std::set<std::string> kModelOptions = {"--model", "--tokenizer", "--device", "--dtype", "--random-init", "--ctx",
                                             "--cache-type-k", "--cache-type-v", "--kv-opt", "--kv-reorder"};
const std::set<std::string> kSamplingOptions = {"--temp", "--top-k", "--top-p", "--min-p", "--repeat-penalty", "--repeat-last-n", "--seed"};
const std::map<std::string, std::string> kAliases = {{"-m", "--model"}, {"-n", "--n-predict"}, {"-p", "--prompt"}, {"-s", "--seed"},
                                                     {"-t", "--temp"},  {"-z", "--tokenizer"}, {"-c", "--ctx"}, {"-f", "--file"},
                                                     {"-ctk", "--cache-type-k"}, {"-ctv", "--cache-type-v"}, {"-h", "--help"}};

std::set<std::string> merge(std::initializer_list<std::set<std::string>> sets) {
  std::set<std::string> out;
  for (const auto& s : sets) out.insert(s.begin(), s.end());
  return out;
}

std::unique_ptr<LoadedModel> load_model_from_args(const Args& a) {
  LoadOptions o;
  o.device = parse_device(a.get("--device", "cpu"));
  o.dtype = parse_dtype(a.get("--dtype", "f32"));
  o.tokenizer_path = a.get("--tokenizer");
  if (a.has("--random-init")) return random_init_model(a.get("--random-init"), o);
  std::string path = a.get("--model", a.positional().empty() ? "" : a.positional().front());
  if (path.empty()) fail(ErrorKind::kInvalidArgument, "--model FILE (or --random-init SHAPE) is required");
  return load_model(path, o);
}

SamplingParams sampling_from_args(const Args& a) {
  SamplingParams p;
  p.temperature = float(a.get_double("--temp", p.temperature));
  p.top_k = a.get_int("--top-k", p.top_k);
  p.top_p = float(a.get_double("--top-p", p.top_p));
  p.min_p = float(a.get_double("--min-p", p.min_p));
  p.repeat_penalty = float(a.get_double("--repeat-penalty", p.repeat_penalty));
  p.repeat_last_n = a.get_int("--repeat-last-n", p.repeat_last_n);
  p.seed = uint64_t(a.get_ll("--seed", 0));
  p.validate();
  return p;
}

std::string k_type_from_args(const Args& a) { return a.get("--cache-type-k", "f32"); }
std::string v_type_from_args(const Args& a) { return a.get("--cache-type-v", a.get("--cache-type-k", "f32")); }

}  // namespace qs::cli

namespace qs::cli {

KvOptions kv_options_from_args(const Args& a, const LoadedModel& model) {
  KvOptions o = KvOptions::parse(a.get("--kv-opt"));
  o.reorder_source = reorder_source_for(model, a.get("--kv-reorder"));
  return o;
}

}  // namespace qs::cli
