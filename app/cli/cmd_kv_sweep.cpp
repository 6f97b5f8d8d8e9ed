// quantiscope kv-sweep: codecs x models x texts x protocols; PPL, delta PPL against the reference
// cache, KL divergence, top-1 agreement and measured bits per element; CSV and a markdown table.
// RotateKV's reorder is calibrated per model on --calib-data, which must differ from every text.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/signals.h"
#include "core/common/device.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/common/output_guard.h"
#include "core/llm/calibrate/reorder_calibration.h"
#include "core/llm/eval/kv_sweep.h"
#include "core/llm/tokenizer/tokenizer.h"

namespace qs::cli {
namespace {

std::string name_of(const std::string& path) {
  std::filesystem::path p(path);
  return p.filename().empty() ? p.parent_path().filename().string() : p.filename().string();
}

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

const char* kDefaultCodecs = "f32,q8_0,q4_0,kivi-4,kivi-2,rotatekv-4,rotatekv-3,rotatekv-2,rotatekv-2@reorder=none,rotatekv-post-2,akvq-2";

}  // namespace

int cmd_kv_sweep(int argc, char** argv) {
  Args a(argc, argv, 2,
         {"--models", "--texts", "--codecs", "--ctx", "--protocols", "--max-windows", "--decode-windows", "--reference", "--calib-data", "--calib-tokens",
          "--csv", "--md", "--device", "--dtype", "--tokenizer", "--batch"},
         {"--force", "--allow-calibration-leak", "--keep-partial"}, kAliases);
  if (!a.has("--models") || !a.has("--texts")) fail(ErrorKind::kInvalidArgument, "--models M1,M2 and --texts T1,T2 are required");
  const bool force = a.flag("--force");
  for (const char* o : {"--csv", "--md"})
    if (a.has(o)) ensure_may_write(a.get(o), force);  // before hours of work
  const auto texts = split_list(a.get("--texts"));
  const std::string calib = a.get("--calib-data");
  if (!calib.empty() && !a.flag("--allow-calibration-leak"))
    for (const auto& t : texts)
      if (std::filesystem::exists(t) && std::filesystem::exists(calib) && std::filesystem::equivalent(t, calib))
        fail(ErrorKind::kInvalidArgument, "calibration text " + calib + " is also an evaluation text: use disjoint text (or --allow-calibration-leak to measure the leak)");
  std::vector<SweepCodec> codecs;
  for (const auto& c : split_list(a.get("--codecs", kDefaultCodecs))) codecs.push_back(SweepCodec::parse(c));
  SweepOptions o;
  o.ctx = a.get_ll("--ctx", 256);
  o.max_windows = a.get_ll("--max-windows", 0);
  o.decode_max_windows = a.get_ll("--decode-windows", 0);
  o.batch = a.get_ll("--batch", 1);
  o.keep_partial = a.flag("--keep-partial");  // Ctrl-C (or timeout -s INT) still writes the windows done
  o.reference = a.get("--reference", "f16");
  o.protocols.clear();
  for (const auto& p : split_list(a.get("--protocols", "prefill,decode"))) o.protocols.push_back(eval_protocol_from_name(p));
  CancelToken cancel;
  install_interrupt(cancel);

  std::ostringstream csv, md;
  csv << "model,text,protocol,codec,k_type,v_type,windows,tokens,ppl,delta_ppl,kld,kld_p99,top1,bits_k,bits_v,seconds\n";
  md << "| model | text | protocol | codec | PPL | ΔPPL | KLD | KLD p99 | top-1 % | bits K | bits V |\n|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& model_path : split_list(a.get("--models"))) {
    if (cancel.cancelled()) break;
    LoadOptions lo;
    lo.device = parse_device(a.get("--device", "cpu"));
    lo.dtype = parse_dtype(a.get("--dtype", "f32"));
    lo.tokenizer_path = a.get("--tokenizer");
    auto m = load_model(model_path, lo);
    Transformer model(*m);
    std::shared_ptr<const ChannelReorder> table;
    if (!calib.empty()) {
      CalibrationOptions co;
      co.max_tokens = a.get_ll("--calib-tokens", 0);
      co.source = name_of(calib);
      table = std::make_shared<ChannelReorder>(calibrate_channel_reorder(model, tokenize_text_file(*m->tokenizer, calib, ""), co, nullptr, cancel));
      std::cerr << name_of(model_path) << ": calibrated on " << table->tokens << " tokens of " << co.source << "\n";
      o.base_options.reorder_source = [table]() { return table; };
    } else {
      o.base_options.reorder_source = reorder_source_for(*m, "");
    }
    for (const auto& text : texts) {
      if (cancel.cancelled()) break;
      std::vector<int32_t> tokens = tokenize_text_file(*m->tokenizer, text, "");
      std::cerr << name_of(model_path) << " on " << name_of(text) << ": " << tokens.size() << " tokens\n";
      auto rows = kv_sweep(model, tokens, codecs, o, progress_printer("windows"), cancel);
      for (const auto& r : rows) {
        csv << name_of(model_path) << "," << name_of(text) << "," << r.protocol << "," << r.codec << "," << r.k_type << "," << r.v_type << "," << r.windows << ","
            << r.tokens << "," << std::setprecision(8) << r.ppl << "," << r.delta_ppl << "," << r.kld << "," << r.kld_p99 << "," << r.top1 << "," << r.bits_k << ","
            << r.bits_v << "," << r.seconds << "\n";
        md << "| " << name_of(model_path) << " | " << name_of(text) << " | " << r.protocol << " | " << r.codec << " | " << fixed(r.ppl, 4) << " | "
           << (r.delta_ppl >= 0 ? "+" : "") << fixed(r.delta_ppl, 4) << " | " << fixed(r.kld, 5) << " | " << fixed(r.kld_p99, 4) << " | " << fixed(100 * r.top1, 2) << " | "
           << fixed(r.bits_k, 2) << " | " << fixed(r.bits_v, 2) << " |\n";
      }
    }
  }
  std::cout << md.str();
  auto save = [&](const char* opt, const std::string& body) {
    if (!a.has(opt)) return;
    write_file_atomically(a.get(opt), body, a.flag("--force"));
  };
  save("--csv", csv.str());
  save("--md", md.str());
  if (cancel.cancelled()) {
    std::cerr << "stopped: the tables hold the windows done before the interrupt (their 'windows' column)\n";
    return 130;
  }
  return 0;
}

}  // namespace qs::cli
