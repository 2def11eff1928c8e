// Environment specs such as `travel(tier=hard,shape=233)`: typed, validated parameters. Every
// error names what was wrong and lists what is valid.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rapport {

// Bad configuration, files or links: a message for the user, never a crash.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class ParamType { Int, Real, Bool, Choice, Text };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Text;
  std::string default_value;
  std::string help;
  std::vector<std::string> choices;  // for Choice
  double min = -1e300;               // for Int and Real
  double max = 1e300;

  static ParamSpec integer(std::string name, long long def, long long min, long long max, std::string help);
  static ParamSpec real(std::string name, double def, double min, double max, std::string help);
  static ParamSpec boolean(std::string name, bool def, std::string help);
  static ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices, std::string help);
  static ParamSpec text(std::string name, std::string def, std::string help);

  std::string describe() const;  // "int in [1, 100]", "one of easy|medium|hard", ...
};

// Validated values of every declared parameter (defaults filled in).
class Params {
 public:
  Params() = default;
  // Checks `given` against `specs`; throws ConfigError naming the bad key/value and what is valid.
  Params(std::string_view env_name, const std::vector<ParamSpec>& specs, const std::map<std::string, std::string>& given);

  long long get_int(std::string_view name) const;
  double get_real(std::string_view name) const;
  bool get_bool(std::string_view name) const;
  const std::string& get(std::string_view name) const;

  // `name(k=v,...)` listing only values that differ from the defaults, keys sorted.
  std::string spec_string() const;
  // Every value, keys sorted: part of the environment fingerprint.
  std::string all_values() const;
  const std::string& env_name() const { return env_name_; }

 private:
  std::string env_name_;
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, std::string, std::less<>> defaults_;
};

struct SpecText {
  std::string name;
  std::map<std::string, std::string> values;
};
// Splits `name(k=v,...)` (whitespace allowed around tokens); throws ConfigError on bad syntax.
SpecText parse_spec_text(std::string_view spec);

}  // namespace rapport
