#include "app/cli/console.h"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "core/common/file_bytes.h"
#include "core/llm/eval/perplexity.h"

namespace qs::cli {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

ProgressFn progress_printer(const std::string& what) {
  return [what](long long done, long long total) {
    if (total <= 0) return;
    const long long step = std::max<long long>(1, total / 20);
    if (done % step == 0 || done == total) std::cerr << "\r[" << done << "/" << total << " " << what << "]" << std::flush;
    if (done == total) std::cerr << "\n";
  };
}

std::vector<int32_t> tokenize_text_file(const Tokenizer& tokenizer, const std::string& path, const std::string& doc_sep) {
  const std::string text = read_text_file(path);
  std::string sep = doc_sep;
  if (sep.empty() && text.find("<|endoftext|>") != std::string::npos) sep = "<|endoftext|>";
  return tokenize_corpus(tokenizer, text, sep);
}

}  // namespace qs::cli
