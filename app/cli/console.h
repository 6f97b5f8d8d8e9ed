// What several commands parse and print alike: comma lists, the progress line, text files
// tokenized for evaluation or calibration.
#pragma once
#include <string>
#include <vector>

#include "core/common/cancel.h"

namespace qs {
class Tokenizer;
}

namespace qs::cli {

// "a,b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(const std::string& text);
// Prints "[done/total what]" on stderr (about 20 updates per run).
ProgressFn progress_printer(const std::string& what);
// The file tokenized as a corpus (tokenize_corpus) with `doc_sep`; an empty one means
// "<|endoftext|>" when the text contains it (the TinyStories sample: each story starts with BOS).
std::vector<int32_t> tokenize_text_file(const Tokenizer& tokenizer, const std::string& path, const std::string& doc_sep);

}  // namespace qs::cli
