// A real SentencePiece Unigram vocabulary for the tests: Debian's spm_train (Unigram, nmt_nfkc,
// 8,000 pieces) on the shared KorQuAD and SQuAD passages, trained into `dir` (about ten
// seconds). No real XLM-RoBERTa vocabulary can be had here; this one has the same kind of
// compiled character map and loads through the same path.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docent/llm/sentencepiece_model.h"
#include "support/temp_dir.h"

namespace docent::llm::synth {

struct TrainedVocab {
  std::filesystem::path model_file;  // the .model spm_train wrote
  SentencePieceModel model;
  std::vector<std::string> samples;  // every 25th passage's first ~300 bytes, one line each
};

// Trains the vocabulary into `dir` (ASSERTs on failure: call from a void function).
inline void TrainVocab(const std::filesystem::path& dir, TrainedVocab& out) {
  std::ofstream train(dir / "train.txt");
  for (const char* set : {"korquad-dev", "squad-dev"}) {
    std::ifstream corpus(docent::testing::SharedDir() / "eval" / set / "corpus.jsonl");
    ASSERT_TRUE(corpus) << set;
    std::string line;
    size_t n = 0;
    while (std::getline(corpus, line)) {
      const auto doc = nlohmann::json::parse(line);
      const std::string text = doc.at("text").get<std::string>();
      train << doc.at("title").get<std::string>() << '\n' << text << '\n';
      if (n++ % 25 == 0) {
        const size_t cut = text.size() > 300 ? text.rfind(' ', 300) : text.size();
        std::string sample = text.substr(0, cut == std::string::npos ? 300 : cut);
        std::replace(sample.begin(), sample.end(), '\n', ' ');
        out.samples.push_back(std::move(sample));
      }
    }
  }
  train.close();
  const std::string prefix = (dir / "ugm").string();
  const std::string command =
      "spm_train --input=" + (dir / "train.txt").string() + " --model_prefix=" + prefix +
      " --vocab_size=8000 --model_type=unigram --normalization_rule_name=nmt_nfkc "
      "--character_coverage=0.9995 --num_threads=2 --minloglevel=2 > " +
      prefix + ".log 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0)
      << "spm_train failed (Debian's sentencepiece package: scripts/install-deps.sh): " << command;
  out.model_file = prefix + ".model";
  std::ifstream in(out.model_file, std::ios::binary);
  const std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  auto model = ReadSentencePieceModel(bytes, "ugm.model");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_FALSE(model->precompiled_charsmap.empty()) << "nmt_nfkc compiles a character map";
  out.model = std::move(*model);
}

}  // namespace docent::llm::synth
