#include "core/shaping.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace rapport {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Splits "name(number)" into its lowercased name and the number; a bare name gives has_param =
// false. False on malformed text or a number that isn't finite.
struct MethodText {
  std::string name;
  bool has_param = false;
  double param = 0;
};

bool split_method(std::string_view text, MethodText& out) {
  const std::size_t open = text.find('(');
  out.name = lower(text.substr(0, open));
  if (open == std::string_view::npos) return !out.name.empty();
  if (text.back() != ')') return false;
  const std::string number(text.substr(open + 1, text.size() - open - 2));
  // strtod alone would also take spaces, "inf", "nan" and hex.
  if (number.empty() || number.find_first_not_of("0123456789.eE+-") != std::string::npos) return false;
  char* end = nullptr;
  out.param = std::strtod(number.c_str(), &end);
  out.has_param = true;
  return end == number.c_str() + number.size() && std::isfinite(out.param);
}

bool valid_gamma(double gamma) { return gamma >= 0 && gamma <= 1; }

}  // namespace

bool parse_turn_credit(std::string_view text, ShapingConfig& cfg) {
  MethodText m;
  if (!split_method(text, m)) return false;
  if (m.name == "em") {
    if (m.has_param && !(m.param > 0)) return false;
    cfg.turn = TurnCredit::EM;
    if (m.has_param) cfg.em_k = m.param;
    return true;
  }
  if (m.name == "r2g") {
    if (m.has_param && !valid_gamma(m.param)) return false;
    cfg.turn = TurnCredit::R2G;
    if (m.has_param) cfg.gamma = m.param;
    return true;
  }
  if (m.has_param) return false;
  if (m.name == "naive") cfg.turn = TurnCredit::Naive;
  else if (m.name == "equalized") cfg.turn = TurnCredit::Equalized;
  else return false;
  return true;
}

bool parse_trajectory_score(std::string_view text, ShapingConfig& cfg) {
  MethodText m;
  if (!split_method(text, m)) return false;
  if (m.name == "r2g") {
    if (m.has_param && !valid_gamma(m.param)) return false;
    cfg.score = TrajectoryScore::R2G;
    if (m.has_param) cfg.gamma = m.param;
    return true;
  }
  if (m.has_param) return false;
  // UserRL's "Sum" is a rounded mean; only the exact spellings say which one is meant.
  if (text == "Sum") cfg.score = TrajectoryScore::Mean;
  else if (text == "sum") cfg.score = TrajectoryScore::Sum;
  else if (m.name == "mean") cfg.score = TrajectoryScore::Mean;
  else return false;
  return true;
}

std::string_view to_string(TurnCredit method) {
  switch (method) {
    case TurnCredit::Naive: return "naive";
    case TurnCredit::Equalized: return "equalized";
    case TurnCredit::R2G: return "r2g";
    case TurnCredit::EM: return "em";
  }
  return "?";
}

std::string_view to_string(TrajectoryScore method) {
  switch (method) {
    case TrajectoryScore::Sum: return "sum";
    case TrajectoryScore::Mean: return "mean";
    case TrajectoryScore::R2G: return "r2g";
  }
  return "?";
}

double trajectory_score(std::span<const double> rewards, const ShapingConfig& cfg) {
  return shaping_math::score(rewards.data(), static_cast<std::uint32_t>(rewards.size()), cfg);
}

std::vector<double> turn_credits(std::span<const double> rewards, const ShapingConfig& cfg) {
  std::vector<double> out(rewards.size());
  shaping_math::credits(rewards.data(), static_cast<std::uint32_t>(rewards.size()), cfg, out.data());
  return out;
}

std::vector<double> group_normalize(std::span<const double> scores, const ShapingConfig& cfg) {
  const auto stats = shaping_math::group_stats(scores.data(), static_cast<std::uint32_t>(scores.size()), cfg);
  std::vector<double> z;
  z.reserve(scores.size());
  for (double s : scores) z.push_back(shaping_math::z_score(s, stats));
  return z;
}

std::vector<double> turn_advantages(std::span<const double> credits, std::span<const int> tokens, double z) {
  if (!tokens.empty() && tokens.size() != credits.size())
    throw std::invalid_argument("turn_advantages: token counts don't match the turns");
  std::vector<double> out(credits.size());
  shaping_math::advantages(credits.data(), tokens.empty() ? nullptr : tokens.data(),
                           static_cast<std::uint32_t>(credits.size()), z, out.data());
  return out;
}

std::vector<ShapedTrajectory> shape_group(const std::vector<std::vector<double>>& rewards,
                                          const std::vector<std::vector<int>>& tokens_per_turn,
                                          const ShapingConfig& cfg) {
  if (!tokens_per_turn.empty() && tokens_per_turn.size() != rewards.size())
    throw std::invalid_argument("shape_group: token counts given for a different number of trajectories");
  std::vector<ShapedTrajectory> out(rewards.size());
  std::vector<double> scores;
  for (std::size_t i = 0; i < rewards.size(); ++i) scores.push_back(out[i].score = trajectory_score(rewards[i], cfg));
  const std::vector<double> z = group_normalize(scores, cfg);
  for (std::size_t i = 0; i < rewards.size(); ++i) {
    const std::span<const int> tokens = tokens_per_turn.empty() ? std::span<const int>() : tokens_per_turn[i];
    if (!tokens.empty() && tokens.size() != rewards[i].size())
      throw std::invalid_argument("shape_group: token counts don't match the turns");
    for (int n : tokens)
      if (n < 0) throw std::invalid_argument("shape_group: negative token count");
    out[i].z = z[i];
    out[i].credits = turn_credits(rewards[i], cfg);
    out[i].turn_advantage = turn_advantages(out[i].credits, tokens, z[i]);
  }
  return out;
}

void ShapingBatch::add_group(const std::vector<std::vector<double>>& group_rewards,
                             const std::vector<std::vector<int>>& group_tokens) {
  if (!group_tokens.empty() && group_tokens.size() != group_rewards.size())
    throw std::invalid_argument("add_group: token counts given for a different number of trajectories");
  if (turn_offsets.empty()) turn_offsets.push_back(0);
  if (group_offsets.empty()) group_offsets.push_back(0);
  tokens.resize(rewards.size(), 1);  // a batch built without counts until now: one token per turn
  for (std::size_t i = 0; i < group_rewards.size(); ++i) {
    const auto& r = group_rewards[i];
    const bool counted = !group_tokens.empty() && !group_tokens[i].empty();
    if (counted && group_tokens[i].size() != r.size())
      throw std::invalid_argument("add_group: token counts don't match the turns");
    rewards.insert(rewards.end(), r.begin(), r.end());
    if (counted) tokens.insert(tokens.end(), group_tokens[i].begin(), group_tokens[i].end());
    else tokens.resize(rewards.size(), 1);
    turn_offsets.push_back(static_cast<std::uint32_t>(rewards.size()));
  }
  group_offsets.push_back(static_cast<std::uint32_t>(trajectory_count()));
}

std::string_view check_batch(const ShapingBatch& in) {
  auto check_offsets = [](const std::vector<std::uint32_t>& offsets, std::size_t total) {
    if (offsets.empty()) return total == 0;
    if (offsets.front() != 0 || offsets.back() != total) return false;
    for (std::size_t i = 1; i < offsets.size(); ++i)
      if (offsets[i] < offsets[i - 1]) return false;
    return true;
  };
  if (!check_offsets(in.turn_offsets, in.rewards.size()))
    return "turn_offsets must rise from 0 to the number of rewards";
  if (!check_offsets(in.group_offsets, in.trajectory_count()))
    return "group_offsets must rise from 0 to the number of trajectories";
  if (!in.tokens.empty() && in.tokens.size() != in.rewards.size())
    return "tokens must be empty or hold one count per reward";
  for (int n : in.tokens)
    if (n < 0) return "token counts must not be negative";
  return {};
}

void shape_batch(const ShapingBatch& in, ShapingBatchOut& out, const ShapingConfig& cfg) {
  if (const std::string_view error = check_batch(in); !error.empty())
    throw std::invalid_argument("shape_batch: " + std::string(error));
  const std::size_t trajectories = in.trajectory_count();
  out.score.resize(trajectories);
  out.z.resize(trajectories);
  out.credit.resize(in.rewards.size());
  out.advantage.resize(in.rewards.size());
  const double* rewards = in.rewards.data();
  const int* tokens = in.tokens.empty() ? nullptr : in.tokens.data();
  for (std::size_t i = 0; i < trajectories; ++i) {
    const std::uint32_t begin = in.turn_offsets[i];
    out.score[i] = shaping_math::score(rewards + begin, in.turn_offsets[i + 1] - begin, cfg);
  }
  for (std::size_t g = 0; g < in.group_count(); ++g) {
    const std::uint32_t first = in.group_offsets[g], last = in.group_offsets[g + 1];
    const auto stats = shaping_math::group_stats(out.score.data() + first, last - first, cfg);
    for (std::uint32_t i = first; i < last; ++i) {
      const std::uint32_t begin = in.turn_offsets[i], n = in.turn_offsets[i + 1] - begin;
      out.z[i] = shaping_math::z_score(out.score[i], stats);
      shaping_math::credits(rewards + begin, n, cfg, out.credit.data() + begin);
      shaping_math::advantages(out.credit.data() + begin, tokens ? tokens + begin : nullptr, n, out.z[i],
                               out.advantage.data() + begin);
    }
  }
}

}  // namespace rapport
