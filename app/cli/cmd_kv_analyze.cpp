// quantiscope kv-analyze: per-layer channel outlier ratios before and after each rotation, massive
// activations, and AKVQ-VL's attention analysis (TSA vs PSA layers).
#include <iomanip>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/signals.h"
#include "core/common/error.h"
#include "core/kv/channel_reorder.h"
#include "core/common/file_bytes.h"
#include "core/llm/eval/kv_analysis.h"
#include "core/llm/eval/perplexity.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs::cli {

namespace {

// Per (layer, query head): attention on token 0 and the largest share one key gets; Gu et al.'s
// sink rate; where each layer's largest hidden activation sits.
void print_sinks_and_massive_activations(const KvAnalysis& r, const Tokenizer& tok) {
  const size_t heads = r.layers.empty() ? 0 : r.layers[0].head_attn_token0.size();
  std::cout << std::defaultfloat << "\nattention on token 0 per query head (mean over queries; * = sink, above " << kSinkEpsilon << ") | largest share of one key\n layer";
  for (size_t h = 0; h < heads; ++h) std::cout << std::setw(8) << ("h" + std::to_string(h));
  std::cout << "  |";
  for (size_t h = 0; h < heads; ++h) std::cout << std::setw(7) << ("h" + std::to_string(h));
  std::cout << "\n";
  for (size_t l = 0; l < r.layers.size(); ++l) {
    const LayerKvStats& s = r.layers[l];
    std::cout << std::setw(6) << l << std::fixed << std::setprecision(3);
    for (double v : s.head_attn_token0) std::cout << std::setw(7) << v << (v > kSinkEpsilon ? "*" : " ");
    std::cout << "  |";
    for (double v : s.head_attn_top_key) std::cout << std::setw(7) << v;
    std::cout << "\n";
  }
  std::cout << "sink rate (Gu et al., epsilon " << std::defaultfloat << kSinkEpsilon << "): " << std::fixed << std::setprecision(1) << 100.0 * r.sink_rate() << "% of layer x head pairs\n"
            << "\nlargest |h| at each layer's input: value, position in its window, channel, token\n";
  for (size_t l = 0; l < r.layers.size(); ++l) {
    const LayerKvStats& s = r.layers[l];
    std::string piece = s.massive_token >= 0 ? tok.piece(s.massive_token) : "?";
    for (char& ch : piece)
      if (ch == '\n') ch = ' ';
    std::cout << std::setw(6) << l << std::setw(10) << std::setprecision(1) << s.massive_value << std::setw(8) << s.massive_position << std::setw(8) << s.massive_channel
              << "  " << s.massive_token << " '" << piece << "'\n";
  }
}

}  // namespace

int cmd_kv_analyze(int argc, char** argv) {
  Args a(argc, argv, 2, merge({kModelOptions, {"--data", "--tokens", "--image-span", "--doc-sep"}}), {"--bos-per-window"}, kAliases);
  if (!a.has("--data")) fail(ErrorKind::kInvalidArgument, "--data TEXT is required");
  auto m = load_model_from_args(a);
  Transformer model(*m);
  std::vector<int32_t> tokens = tokenize_text_file(*m->tokenizer, a.get("--data"), a.get("--doc-sep"));
  KvAnalysisOptions o;
  o.ctx = a.get_ll("--ctx", std::min<int64_t>(256, m->config.context_length));
  o.max_tokens = a.get_ll("--tokens", 4096);
  if (a.flag("--bos-per-window")) {
    if (m->tokenizer->bos() < 0) fail(ErrorKind::kInvalidArgument, "--bos-per-window: the tokenizer has no BOS token");
    o.window_bos = m->tokenizer->bos();
  }
  if (a.has("--image-span")) {
    const std::string span = a.get("--image-span");
    const size_t colon = span.find(':');
    if (colon == std::string::npos) fail(ErrorKind::kInvalidArgument, "--image-span BEGIN:END (token positions inside each window)");
    o.image_begin = std::stoll(span.substr(0, colon));
    o.image_end = std::stoll(span.substr(colon + 1));
    if (o.image_begin < 0 || o.image_end <= o.image_begin || o.image_end > o.ctx) fail(ErrorKind::kInvalidArgument, "--image-span must lie inside the window");
  }
  CancelToken cancel;
  install_interrupt(cancel);
  KvAnalysis r = analyze_kv(model, tokens, o, nullptr, cancel);
  const auto& c = m->config;
  std::cout << "KV analysis: " << m->path << ", " << r.windows << " windows of " << o.ctx << " tokens (" << r.tokens << ")"
            << (o.window_bos >= 0 ? ", each starting with BOS" : ", slices of the text (only the first starts with BOS)") << "\n"
            << "outlier ratio = max over channels of (max |x| over tokens) / its mean over channels; rotations as the codecs apply them\n"
            << "logit = q.k/sqrt(hd) over causal pairs (how much a key error moves attention)\n"
            << "(grouped: Hadamard over " << rotation_head_group(c.n_kv_heads) << " KV heads x " << c.head_dim << " before RoPE, RotateKV; per-head: after RoPE)\n\n"
            << " layer  K pre-RoPE  K post-RoPE  K grouped-H  K per-head-H   V plain  V per-head-H  max|h|/median  logit std  logit max  attn first5  attn top15  per-text  per-image\n";
  std::string tsa;
  for (size_t l = 0; l < r.layers.size(); ++l) {
    const LayerKvStats& s = r.layers[l];
    std::cout << std::fixed << std::setprecision(2) << std::setw(6) << l << std::setw(12) << s.k_pre_rope << std::setw(13) << s.k_post_rope << std::setw(13) << s.k_grouped_hadamard
              << std::setw(14) << s.k_head_hadamard << std::setw(10) << s.v_plain << std::setw(14) << s.v_head_hadamard << std::setw(15) << std::setprecision(1) << s.massive_ratio
              << std::setprecision(2) << std::setw(11) << s.score_std << std::setw(11) << s.score_max << std::setprecision(3) << std::setw(13) << s.attn_first5 << std::setw(12) << s.attn_top15 << std::setprecision(5) << std::setw(10) << s.attn_per_text;
    if (r.has_image_tokens) std::cout << std::setw(11) << s.attn_per_image << (s.tsa ? "  TSA" : "  PSA");
    else std::cout << std::setw(11) << "-";
    std::cout << "\n";
    if (s.tsa) tsa += (tsa.empty() ? "" : "+") + std::to_string(l);
  }
  print_sinks_and_massive_activations(r, *m->tokenizer);
  if (r.has_image_tokens) {
    std::cout << "\nTSA layers (text gets more attention per token than image): " << (tsa.empty() ? "none" : tsa) << "\nuse: -ctk akvq-2 -ctv akvq-2"
              << (tsa.empty() ? "" : " --kv-opt tsa=" + tsa) << "\n";
  } else {
    std::cout << "\nText-only model: every token is text, so the TSA/PSA split (attention per text vs per image token) is undefined;\n"
                 "akvq-2 keeps every layer PSA unless --kv-opt tsa=L1+L2 is given (pass --image-span B:E to treat a token span as image).\n";
  }
  return 0;
}

}  // namespace qs::cli
