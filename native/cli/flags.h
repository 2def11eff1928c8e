// The flags several commands share (model endpoints, requests, sampling, tasks) and the checks of
// numeric flags. Only the commands see CLI11: the library code in native/ takes plain settings.
#pragma once

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "native/endpoint.h"
#include "native/task_source.h"

namespace rapport {

// Adds --<prefix>model, --<prefix>base-url (repeatable or comma-separated: replicas), --<prefix>api-key,
// --<prefix>max-requests, --<prefix>rpm and --<prefix>tpm, e.g. prefix "" for the policy, "user-" and
// "judge-" for the oracles.
void add_endpoint_flags(CLI::App& command, const std::string& prefix, const std::string& who, EndpointFlags& flags);

// Retry and timeout flags shared by every endpoint: --timeout, --retries.
void add_client_flags(CLI::App& command, ClientFlags& flags);

// Adds --<prefix>temperature, --<prefix>top-p, --<prefix>max-tokens and, for the oracles
// (`with_response_format`), --<prefix>response-format.
void add_sampling_flags(CLI::App& command, const std::string& prefix, const std::string& who, SamplingFlags& flags,
                        bool with_response_format);

// Adds --data, --split, --task and --seed to a command.
void add_task_options(CLI::App& command, TaskOptions& options);

// Validators for numeric flags: CLI11 reads "-1" into an unsigned integer as 2^64-1 and lets
// "nan" through its Range check, so every numeric flag goes through one of these.

// A finite number in [min, max] ((min, max] when `open_min`).
inline CLI::Validator finite_number(double min, double max, bool open_min = false) {
  std::string range = fmt::format("{}{}, {}]", open_min ? "(" : "[", min, max);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double v = 0;
        std::size_t used = 0;
        try {
          v = std::stod(text, &used);
        } catch (const std::exception&) {
          return fmt::format("'{}' is not a number", text.substr(0, 40));
        }
        if (used != text.size() || !std::isfinite(v)) return fmt::format("'{}' is not a finite number", text.substr(0, 40));
        if (v < min || v > max || (open_min && v == min)) return fmt::format("{} is outside {}", v, range);
        return "";
      },
      "NUMBER in " + range);
}

// An integer in [min, max], written in decimal digits (an optional leading '-').
inline CLI::Validator integer_in(long long min, long long max) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        long long v = 0;
        std::size_t used = 0;
        try {
          v = std::stoll(text, &used);
        } catch (const std::exception&) {
          return fmt::format("'{}' is not an integer in [{}, {}]", text.substr(0, 40), min, max);
        }
        if (used != text.size()) return fmt::format("'{}' is not an integer", text.substr(0, 40));
        if (v < min || v > max) return fmt::format("{} is outside [{}, {}]", v, min, max);
        return "";
      },
      fmt::format("INT in [{}, {}]", min, max));
}

// An unsigned 64-bit integer: decimal digits only, no sign, no overflow.
inline CLI::Validator unsigned_64() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
          return fmt::format("'{}' is not an integer in [0, 2^64-1]", text.substr(0, 40));
        std::uint64_t v = 0;
        for (char c : text) {
          std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
          if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
            return fmt::format("{} is larger than 2^64-1", text.substr(0, 40));
          v = v * 10 + digit;
        }
        return "";
      },
      "INT in [0, 2^64-1]");
}

}  // namespace rapport
