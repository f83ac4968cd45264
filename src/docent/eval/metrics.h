// Ranking metrics as BEIR computes them (trec_eval definitions): nDCG with linear gain,
// recall over the judged-relevant documents, and reciprocal rank of the first relevant one.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace docent::eval {

using Judgements = std::unordered_map<std::string, int>;  // doc id -> relevance (> 0 relevant)

double NdcgAtK(const std::vector<std::string>& ranked, const Judgements& rel, size_t k);
double RecallAtK(const std::vector<std::string>& ranked, const Judgements& rel, size_t k);
double MrrAtK(const std::vector<std::string>& ranked, const Judgements& rel, size_t k);

// The p-th percentile (0..100) by nearest rank; 0 for an empty list.
double Percentile(std::vector<double> values, double p);

}  // namespace docent::eval
