// nDCG, recall, MRR and percentiles.
#include "docent/eval/metrics.h"

#include <algorithm>
#include <cmath>

namespace docent::eval {

double NdcgAtK(const std::vector<std::string>& ranked, const Judgements& rel, size_t k) {
  double dcg = 0;
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    auto it = rel.find(ranked[i]);
    if (it != rel.end() && it->second > 0)
      dcg += it->second / std::log2(static_cast<double>(i) + 2);
  }
  std::vector<int> gains;
  for (const auto& [id, r] : rel) {
    if (r > 0) gains.push_back(r);
  }
  std::sort(gains.rbegin(), gains.rend());
  double idcg = 0;
  for (size_t i = 0; i < gains.size() && i < k; ++i)
    idcg += gains[i] / std::log2(static_cast<double>(i) + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

double RecallAtK(const std::vector<std::string>& ranked, const Judgements& rel, size_t k) {
  size_t relevant = 0;
  for (const auto& [id, r] : rel) relevant += r > 0;
  if (relevant == 0) return 0;
  size_t found = 0;
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    auto it = rel.find(ranked[i]);
    found += it != rel.end() && it->second > 0;
  }
  return static_cast<double>(found) / static_cast<double>(relevant);
}

double MrrAtK(const std::vector<std::string>& ranked, const Judgements& rel, size_t k) {
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    auto it = rel.find(ranked[i]);
    if (it != rel.end() && it->second > 0) return 1.0 / static_cast<double>(i + 1);
  }
  return 0;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  size_t idx = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(idx, values.size() - 1)];
}

}  // namespace docent::eval
