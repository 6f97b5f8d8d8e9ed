// The `quantiscope` subcommands, one file each, plus the option handling they share.
#pragma once
#include <memory>
#include <set>
#include <string>

#include "app/cli/args.h"
#include "core/llm/generate/sampler.h"
#include "core/kv/kv_options.h"
#include "core/llm/model/weights.h"

namespace qs::cli {

// Options every model-using command accepts.
extern const std::set<std::string> kModelOptions;
extern const std::set<std::string> kSamplingOptions;
extern const std::map<std::string, std::string> kAliases;

std::set<std::string> merge(std::initializer_list<std::set<std::string>> sets);

// --model (or the first positional argument) / --random-init, --tokenizer, --device, --dtype.
std::unique_ptr<LoadedModel> load_model_from_args(const Args& a);
SamplingParams sampling_from_args(const Args& a);
std::string k_type_from_args(const Args& a);  // --cache-type-k / -ctk, default f32 (f16 on CUDA)
std::string v_type_from_args(const Args& a);
// --kv-opt key=value,... and the reorder file (--kv-reorder FILE, else the model's default path).
KvOptions kv_options_from_args(const Args& a, const LoadedModel& model);

int cmd_info(int argc, char** argv);
int cmd_generate(int argc, char** argv);
int cmd_chat(int argc, char** argv);
int cmd_ppl(int argc, char** argv);
int cmd_kld(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_bench_decode(int argc, char** argv);
int cmd_bench_kernels(int argc, char** argv);
int cmd_calibrate(int argc, char** argv);
int cmd_train_lm(int argc, char** argv);
int cmd_kv_report(int argc, char** argv);
int cmd_kv_sweep(int argc, char** argv);
int cmd_kv_analyze(int argc, char** argv);
int cmd_mri(int argc, char** argv);  // the `mri` command group (app/cli/mri/)

}  // namespace qs::cli
