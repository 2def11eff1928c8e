// Reward shaping against UserRL's numbers (reference §9.2) and its edge cases.
#include "core/shaping.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <vector>

using namespace rapport;

namespace {

// The reference prints 4 decimals (6 for scores and z): agree to half a unit of the last one.
constexpr double k4 = 0.5e-4 + 1e-12;
constexpr double k6 = 0.5e-6 + 1e-12;

// Tiny deterministic generator for test data (the tests must not depend on <random>).
struct Lcg {
  std::uint64_t state;
  std::uint64_t next() { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  int below(int n) { return static_cast<int>((next() >> 33) % static_cast<std::uint64_t>(n)); }
};

// Python's round(x, 4) the way CPython does it: correctly rounded decimal text, read back.
double printf_round4(double x) {
  char text[512];
  std::snprintf(text, sizeof text, "%.4f", x);
  const double r = std::strtod(text, nullptr);
  return r == 0 ? std::copysign(0.0, x) : r;
}

ShapingConfig config(TurnCredit turn, TrajectoryScore score) {
  ShapingConfig cfg;
  cfg.turn = turn;
  cfg.score = score;
  return cfg;
}

// §9.2: one group of three trajectories, γ = 0.8.
const std::vector<std::vector<double>> kRewards = {{0, 0.8, 0, 1.0}, {0, 0, 0}, {0.2, 0}};
const std::vector<std::vector<int>> kTokens = {{10, 20, 10, 10}, {10, 10, 10}, {5, 5}};

void check_advantages(const std::vector<ShapedTrajectory>& got, const std::vector<std::vector<double>>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    REQUIRE(got[i].turn_advantage.size() == want[i].size());
    for (std::size_t t = 0; t < want[i].size(); ++t) {
      INFO("trajectory " << i << " turn " << t);
      CHECK(got[i].turn_advantage[t] == Approx(want[i][t]).margin(k4));
    }
  }
}

void check_z(const std::vector<ShapedTrajectory>& got, const std::vector<double>& scores,
             const std::vector<double>& z) {
  for (std::size_t i = 0; i < z.size(); ++i) {
    CHECK(got[i].score == Approx(scores[i]).margin(k6));
    CHECK(got[i].z == Approx(z[i]).margin(k6));
  }
}

}  // namespace

TEST_CASE("round4 is Python's round(x, 4)", "[shaping]") {
  using shaping_math::round4;
  // Values from CPython 3: exact binary values decide; true ties go to even.
  const std::vector<std::pair<double, double>> cases = {
      {0.00005, 0.0001},        {0.00015, 0.0001},           {-0.00005, -0.0001},
      {0.03125, 0.0312},        {0.09375, 0.0938},           {0.15625, 0.1562},
      {-0.03125, -0.0312},      {1.03125, 1.0312},           {12345.03125, 12345.0312},
      {2.675, 2.675},           {0.45, 0.45},                {1.0 / 3, 0.3333},
      {-2.0 / 3, -0.6667},      {123456789.00005, 123456789.0}, {549755813887.99994, 549755813887.9999},
      {2.5e-5, 0.0},            {0.99995, 1.0},              {0.99994999, 0.9999},
      {1e300, 1e300},
  };
  for (auto [x, want] : cases) {
    INFO("x = " << x);
    CHECK(round4(x) == want);
  }
  CHECK(std::signbit(round4(-0.00001)));
  CHECK(std::signbit(round4(-0.0)));
  CHECK(!std::signbit(round4(0.00001)));
  CHECK(std::isinf(round4(std::numeric_limits<double>::infinity())));
  CHECK(std::isnan(round4(std::numeric_limits<double>::quiet_NaN())));

  // Against the printf route on many magnitudes, and right next to the rounding boundaries.
  Lcg rng{42};
  for (int i = 0; i < 20000; ++i) {
    const double magnitude = std::pow(10.0, rng.below(16) - 5);
    double x = (rng.uniform() * 2 - 1) * magnitude;
    if (i % 2) {  // a few ulps around (k + 0.5)·1e-4
      const double boundary = (std::floor(x * 1e4) + 0.5) / 1e4;
      x = boundary;
      for (int step = rng.below(7) - 3; step != 0; step += step > 0 ? -1 : 1)
        x = std::nextafter(x, step > 0 ? INFINITY : -INFINITY);
    }
    INFO("x = " << x);
    REQUIRE(round4(x) == printf_round4(x));
  }
}

TEST_CASE("EM credits map rewards as UserRL's table", "[shaping]") {
  const std::vector<std::pair<double, double>> table = {
      {0, 0.5},         {0.1667, 0.6639}, {0.2, 0.6906}, {0.3333, 0.7814}, {0.4, 0.8184},
      {0.5, 0.8655},    {0.6, 0.9041},    {0.7, 0.9357}, {0.8, 0.9615},    {1.0, 1.0},
  };
  for (auto [r, c] : table) {
    INFO("r = " << r);
    CHECK(shaping_math::em_credit(r, 2.0) == c);  // rounded to 4 decimals, so exact
  }
  CHECK(shaping_math::em_credit(-0.5, 2.0) < 0.5);
  CHECK(shaping_math::em_credit(0.3, 0.0) == 0.65);  // the k → 0 limit, not 0/0
}

TEST_CASE("worked example: scores and z", "[shaping]") {
  ShapingConfig cfg;
  SECTION("UserRL Sum = rounded mean") {
    const auto shaped = shape_group(kRewards, kTokens, config(TurnCredit::Equalized, TrajectoryScore::Mean));
    check_z(shaped, {0.45, 0.0, 0.1}, {1.128548, -0.775877, -0.352671});
    const double scores[] = {0.45, 0.0, 0.1};
    const auto stats = shaping_math::group_stats(scores, 3, cfg);
    CHECK(stats.mean == Approx(0.183333).margin(k6));
    CHECK(stats.scale - cfg.epsilon == Approx(0.236291).margin(k6));
  }
  SECTION("R2G") {
    const auto shaped = shape_group(kRewards, kTokens, config(TurnCredit::Equalized, TrajectoryScore::R2G));
    check_z(shaped, {1.152, 0.0, 0.2}, {1.139359, -0.732136, -0.407223});
    const double scores[] = {1.152, 0.0, 0.2};
    const auto stats = shaping_math::group_stats(scores, 3, cfg);
    CHECK(stats.mean == Approx(0.450667).margin(k6));
    CHECK(stats.scale - cfg.epsilon == Approx(0.615550).margin(k6));
  }
  SECTION("true sum (ours)") {
    const auto shaped = shape_group(kRewards, kTokens, config(TurnCredit::Equalized, TrajectoryScore::Sum));
    check_z(shaped, {1.8, 0.0, 0.2}, {1.148752, -0.675737, -0.473016});
  }
}

TEST_CASE("worked example: credits", "[shaping]") {
  const auto r2g = turn_credits(kRewards[0], config(TurnCredit::R2G, TrajectoryScore::Mean));
  REQUIRE(r2g.size() == 4);
  CHECK(r2g[0] == Approx(1.152));
  CHECK(r2g[1] == Approx(1.44));
  CHECK(r2g[2] == Approx(0.8));
  CHECK(r2g[3] == Approx(1.0));
  CHECK(turn_credits(kRewards[0], config(TurnCredit::EM, TrajectoryScore::Mean)) ==
        std::vector<double>{0.5, 0.9615, 0.5, 1.0});
  CHECK(turn_credits(kRewards[2], config(TurnCredit::EM, TrajectoryScore::Mean)) == std::vector<double>{0.6906, 0.5});
  CHECK(turn_credits(kRewards[1], config(TurnCredit::Naive, TrajectoryScore::Mean)) == std::vector<double>{1, 1, 1});
}

TEST_CASE("worked example: per-turn token advantages", "[shaping]") {
  using enum TurnCredit;
  using S = TrajectoryScore;
  auto shaped = [](TurnCredit turn, S score) { return shape_group(kRewards, kTokens, config(turn, score)); };
  const double a = 1.1285, b = -0.7759, c = -0.3527;  // Equalized / UserRL Sum
  check_advantages(shaped(Equalized, S::Mean), {{a, a, a, a}, {b, b, b}, {c, c}});
  check_advantages(shaped(Naive, S::Mean), {{a, a, a, a}, {b, b, b}, {c, c}});
  const double d = 1.1394, e = -0.7321, f = -0.4072;  // Equalized / R2G
  check_advantages(shaped(Equalized, S::R2G), {{d, d, d, d}, {e, e, e}, {f, f}});
  check_advantages(shaped(R2G, S::Mean), {{1.1146, 1.3933, 0.7740, 0.9675}, {0, 0, 0}, {-0.3527, 0}});
  check_advantages(shaped(R2G, S::R2G), {{1.1253, 1.4066, 0.7815, 0.9768}, {0, 0, 0}, {-0.4072, 0}});
  check_advantages(shaped(EM, S::Mean), {{0.7192, 1.3830, 0.7192, 1.4384}, {b, b, b}, {-0.4091, -0.2962}});
  check_advantages(shaped(EM, S::R2G), {{0.7261, 1.3962, 0.7261, 1.4522}, {e, e, e}, {-0.4724, -0.3420}});
  // Our true sum: naive/sum is plain GRPO.
  const double g = 1.1488, h = -0.6757, i = -0.4730;
  check_advantages(shaped(Naive, S::Sum), {{g, g, g, g}, {h, h, h}, {i, i}});
  check_advantages(shaped(Equalized, S::Sum), {{g, g, g, g}, {h, h, h}, {i, i}});
  check_advantages(shaped(R2G, S::Sum), {{1.1346, 1.4182, 0.7879, 0.9849}, {0, 0, 0}, {-0.4730, 0}});
  check_advantages(shaped(EM, S::Sum), {{0.7321, 1.4078, 0.7321, 1.4641}, {h, h, h}, {-0.5487, -0.3973}});

  // The check line of §9.2, and the invariant behind it: credited tokens average to z.
  const auto em = shaped(EM, S::Mean);
  CHECK(em[0].turn_advantage[1] == Approx(0.9615 * 1.128548 * 50 / 39.23).margin(k4));
  for (std::size_t k = 0; k < em.size(); ++k) {
    double total = 0;
    int n = 0;
    for (std::size_t t = 0; t < kTokens[k].size(); ++t) {
      total += em[k].turn_advantage[t] * kTokens[k][t];
      n += kTokens[k][t];
    }
    CHECK(total / n == Approx(em[k].z).margin(1e-12));
  }
  // Equalized gives every token exactly z, not z up to rounding.
  for (const auto& t : shaped(Equalized, S::Mean))
    for (double v : t.turn_advantage) CHECK(v == t.z);
}

TEST_CASE("edge cases", "[shaping]") {
  ShapingConfig cfg;
  SECTION("a group of one: mean 0, std 1") {
    const auto one = shape_group({{0.5, 0.7}}, {}, cfg);
    CHECK(one[0].score == 0.6);
    CHECK(one[0].z == 0.6 / (1 + 1e-6));
    cfg.normalize_by_std = false;
    CHECK(shape_group({{0.5, 0.7}}, {}, cfg)[0].z == 0.6);
  }
  SECTION("equal scores give exactly zero") {
    // 0.1 three times sums to 0.30000000000000004: the mean is not 0.1, the flag still holds.
    cfg.score = TrajectoryScore::Sum;
    for (const auto& t : shape_group({{0.1}, {0.1}, {0.1}}, {}, cfg)) {
      CHECK(t.z == 0);
      CHECK(t.turn_advantage == std::vector<double>{0});
    }
    CHECK(group_normalize(std::vector<double>{0.3, 0.3}, cfg) == std::vector<double>{0, 0});
  }
  SECTION("all-zero rewards under R2G credits get nothing, even when z < 0") {
    cfg.turn = TurnCredit::R2G;
    const auto shaped = shape_group({{0, 0}, {1.0}}, {}, cfg);
    CHECK(shaped[0].z < 0);
    CHECK(shaped[0].turn_advantage == std::vector<double>{0, 0});
  }
  SECTION("no turns: score 0, nothing to credit, still in the group") {
    for (auto score : {TrajectoryScore::Sum, TrajectoryScore::Mean, TrajectoryScore::R2G}) {
      cfg.score = score;
      CHECK(trajectory_score({}, cfg) == 0);
    }
    cfg.score = TrajectoryScore::Mean;
    const auto shaped = shape_group({{}, {1.0}}, {{}, {3}}, cfg);
    CHECK(shaped[0].score == 0);
    CHECK(shaped[0].z < 0);
    CHECK(shaped[0].credits.empty());
    CHECK(shaped[0].turn_advantage.empty());
    CHECK(shaped[1].turn_advantage[0] == shaped[1].z);
    CHECK(shape_group({}, {}, cfg).empty());
  }
  SECTION("turns without tokens are left out of N and E") {
    cfg.turn = TurnCredit::EM;
    const auto adv = turn_advantages(std::vector<double>{0.5, 1.0}, std::vector<int>{0, 4}, 2.0);
    CHECK(adv[1] == 2.0);  // N = 4, E = 4
    CHECK(turn_advantages(std::vector<double>{1.0}, std::vector<int>{0}, 2.0) == std::vector<double>{0});
  }
  SECTION("malformed token counts are refused") {
    CHECK_THROWS_AS(shape_group({{1.0, 0.0}}, {{3}}, cfg), std::invalid_argument);
    CHECK_THROWS_AS(shape_group({{1.0}}, {{-1}}, cfg), std::invalid_argument);
    CHECK_THROWS_AS(shape_group({{1.0}, {0.0}}, {{1}}, cfg), std::invalid_argument);
  }
}

TEST_CASE("method names", "[shaping]") {
  ShapingConfig cfg;
  CHECK(parse_turn_credit("naive", cfg));
  CHECK(cfg.turn == TurnCredit::Naive);
  CHECK(parse_turn_credit("Equalized", cfg));
  CHECK(cfg.turn == TurnCredit::Equalized);
  CHECK(parse_turn_credit("R2G", cfg));
  CHECK(cfg.turn == TurnCredit::R2G);
  CHECK(parse_turn_credit("EM", cfg));
  CHECK(cfg.turn == TurnCredit::EM);
  CHECK(cfg.em_k == 2.0);
  CHECK(parse_turn_credit("em(3)", cfg));
  CHECK(cfg.em_k == 3.0);
  CHECK(parse_turn_credit("em(0.5)", cfg));
  CHECK(cfg.em_k == 0.5);
  CHECK(parse_turn_credit("r2g(0.9)", cfg));
  CHECK(cfg.turn == TurnCredit::R2G);
  CHECK(cfg.gamma == 0.9);

  const ShapingConfig before = cfg;
  for (const char* junk : {"", "em(", "em()", "em(0)", "em(-1)", "em(inf)", "em(nan)", "em( 3)", "em(3)x",
                           "em(1e999)", "em3", "r2g(1.5)", "naive(1)", "equalised", " naive", "grpo", "(2)"}) {
    INFO("'" << junk << "'");
    CHECK_FALSE(parse_turn_credit(junk, cfg));
  }
  CHECK(cfg.turn == before.turn);
  CHECK(cfg.em_k == before.em_k);
  CHECK(cfg.gamma == before.gamma);

  CHECK(parse_trajectory_score("sum", cfg));
  CHECK(cfg.score == TrajectoryScore::Sum);
  CHECK(parse_trajectory_score("Sum", cfg));  // UserRL's spelling: its rounded mean
  CHECK(cfg.score == TrajectoryScore::Mean);
  CHECK(parse_trajectory_score("R2G", cfg));
  CHECK(cfg.score == TrajectoryScore::R2G);
  CHECK(parse_trajectory_score("MEAN", cfg));
  CHECK(cfg.score == TrajectoryScore::Mean);
  CHECK(parse_trajectory_score("r2g(0.5)", cfg));
  CHECK(cfg.gamma == 0.5);
  for (const char* junk : {"", "SUM", "sUm", "sum(2)", "mean(1)", "r2g(-0.1)", "avg", "em", "mean "}) {
    INFO("'" << junk << "'");
    CHECK_FALSE(parse_trajectory_score(junk, cfg));
  }

  for (auto m : {TurnCredit::Naive, TurnCredit::Equalized, TurnCredit::R2G, TurnCredit::EM}) {
    ShapingConfig round_trip;
    REQUIRE(parse_turn_credit(to_string(m), round_trip));
    CHECK(round_trip.turn == m);
  }
  for (auto m : {TrajectoryScore::Sum, TrajectoryScore::Mean, TrajectoryScore::R2G}) {
    ShapingConfig round_trip;
    REQUIRE(parse_trajectory_score(to_string(m), round_trip));
    CHECK(round_trip.score == m);
  }
}

TEST_CASE("shape_batch agrees with shape_group", "[shaping]") {
  Lcg rng{7};
  std::vector<std::vector<std::vector<double>>> groups;
  std::vector<std::vector<std::vector<int>>> group_tokens;
  ShapingBatch batch;
  for (int g = 0; g < 40; ++g) {
    std::vector<std::vector<double>> rewards(1 + rng.below(8));
    std::vector<std::vector<int>> tokens(rewards.size());
    for (std::size_t i = 0; i < rewards.size(); ++i) {
      const int turns = rng.below(6);  // includes trajectories with no turns
      for (int t = 0; t < turns; ++t) {
        // Mostly UserRL-like rewards in [0, 1], some zeros, some negatives.
        const int kind = rng.below(4);
        rewards[i].push_back(kind == 0 ? 0.0 : kind == 1 ? -rng.uniform() : std::round(rng.uniform() * 6) / 6);
        tokens[i].push_back(rng.below(50));
      }
    }
    if (g % 5 == 0) tokens = {};  // one token per turn for some groups
    batch.add_group(rewards, tokens);
    groups.push_back(rewards);
    group_tokens.push_back(tokens);
  }
  for (auto turn : {TurnCredit::Naive, TurnCredit::Equalized, TurnCredit::R2G, TurnCredit::EM}) {
    for (auto score : {TrajectoryScore::Sum, TrajectoryScore::Mean, TrajectoryScore::R2G}) {
      for (bool normalize : {true, false}) {
        ShapingConfig cfg = config(turn, score);
        cfg.normalize_by_std = normalize;
        ShapingBatchOut out;
        shape_batch(batch, out, cfg);
        REQUIRE(out.score.size() == batch.trajectory_count());
        REQUIRE(out.advantage.size() == batch.rewards.size());
        std::size_t traj = 0;
        for (std::size_t g = 0; g < groups.size(); ++g) {
          const auto shaped = shape_group(groups[g], group_tokens[g], cfg);
          for (const auto& t : shaped) {
            INFO(to_string(turn) << "/" << to_string(score) << " group " << g << " trajectory " << traj);
            CHECK(out.score[traj] == t.score);
            CHECK(out.z[traj] == t.z);
            const std::uint32_t begin = batch.turn_offsets[traj];
            for (std::size_t k = 0; k < t.credits.size(); ++k) {
              CHECK(out.credit[begin + k] == t.credits[k]);
              CHECK(out.advantage[begin + k] == t.turn_advantage[k]);
            }
            ++traj;
          }
        }
      }
    }
  }
}

TEST_CASE("shape_batch refuses malformed batches", "[shaping]") {
  ShapingConfig cfg;
  ShapingBatchOut out;
  ShapingBatch empty;
  CHECK(check_batch(empty).empty());
  shape_batch(empty, out, cfg);
  CHECK(out.score.empty());

  ShapingBatch b;
  b.add_group({{1.0, 0.0}, {0.5}});
  REQUIRE(check_batch(b).empty());
  CHECK(b.tokens == std::vector<int>{1, 1, 1});

  ShapingBatch bad = b;
  bad.turn_offsets.back() = 2;
  CHECK_THROWS_AS(shape_batch(bad, out, cfg), std::invalid_argument);
  bad = b;
  bad.group_offsets = {0, 1};
  CHECK_FALSE(check_batch(bad).empty());
  bad = b;
  bad.tokens.pop_back();
  CHECK_FALSE(check_batch(bad).empty());
  bad = b;
  bad.tokens[0] = -2;
  CHECK_FALSE(check_batch(bad).empty());
  bad = b;
  bad.turn_offsets = {0, 2, 1, 3};
  bad.group_offsets = {0, 3};
  CHECK_FALSE(check_batch(bad).empty());
}
