// quantiscope info MODEL: what the file is, its shapes, tokenizer and template.
#include <iostream>

#include "app/cli/commands.h"
#include "core/common/device.h"
#include "core/llm/chat/chat_template.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs::cli {

int cmd_info(int argc, char** argv) {
  // `info MODEL` and `info --model MODEL` are the same (load_model_from_args takes either).
  Args b(argc, argv, 2, merge({kModelOptions}), {"--hash", "--metadata"}, kAliases);
  auto m = load_model_from_args(b);
  const ModelConfig& c = m->config;
  std::cout << "path:           " << m->path << "\n"
            << "format:         " << m->format << "\n"
            << "architecture:   " << c.arch << "\n"
            << "parameters:     " << c.parameter_count() << "\n"
            << "layers:         " << c.n_layers << "\n"
            << "dim:            " << c.dim << "\n"
            << "heads / kv:     " << c.n_heads << " / " << c.n_kv_heads << " (GQA group " << c.group_size() << ")\n"
            << "head_dim:       " << c.head_dim << "\n"
            << "ffn_dim:        " << c.ffn_dim << "\n"
            << "vocab:          " << c.vocab << "\n"
            << "context:        " << c.context_length << "\n"
            << "rms eps:        " << c.norm_eps << "\n"
            << "rope:           theta " << c.rope_theta << ", " << (c.rope_style == RopeStyle::kAdjacent ? "adjacent pairs" : "rotate-half")
            << ", scaling " << c.rope_scaling.type << "\n"
            << "qkv bias:       " << (c.qkv_bias ? "yes" : "no") << "\n"
            << "tied output:    " << (c.tied_output ? "yes" : "no") << "\n"
            << "file dtype:     " << m->file_dtype << "\n"
            << "compute dtype:  " << dtype_name(m->weights.tok_embd.scalar_type()) << " on " << m->weights.tok_embd.device().str() << "\n"
            << "tokenizer:      " << m->tokenizer->name() << ", " << m->tokenizer->n_vocab() << " tokens, BOS " << m->tokenizer->bos()
            << ", EOS " << m->tokenizer->eos() << (m->tokenizer->add_bos() ? ", adds BOS" : "") << "\n"
            << "chat template:  " << chat_template_name(detect_chat_template(m->chat_template))
            << (m->chat_template.empty() ? " (none in file)" : " (detected)") << "\n";
  if (b.flag("--hash")) std::cout << "sha256:         " << m->file_hash() << "\n";
  if (b.flag("--metadata"))
    for (const auto& [k, v] : m->metadata) std::cout << "  " << k << " = " << v << "\n";
  return 0;
}

}  // namespace qs::cli
