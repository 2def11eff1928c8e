// The environment registry: every environment registers itself with one line, and specs such as
// `travel(tier=hard)` become Games.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/environment.h"

namespace rapport {

struct EnvInfo {
  std::string name;         // spec name, e.g. "function"
  std::string title;        // e.g. "FunctionGym"
  std::string description;  // one line
  std::string version;      // bump when behaviour changes; part of the fingerprint
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Game>(Params)> make;
};

class Registry {
 public:
  static Registry& instance();
  bool add(EnvInfo info);
  const EnvInfo* find(std::string_view name) const;
  std::vector<const EnvInfo*> all() const;  // sorted by name

 private:
  std::vector<EnvInfo> infos_;
};

// Parses and validates a spec; throws ConfigError (unknown environment: lists the valid ones).
std::unique_ptr<Game> make_game(std::string_view spec);

#define RAPPORT_CONCAT_INNER(a, b) a##b
#define RAPPORT_CONCAT(a, b) RAPPORT_CONCAT_INNER(a, b)
// Registers an environment from a function returning its EnvInfo. Env code is linked as an
// OBJECT library so these registrations are never dropped.
#define RAPPORT_REGISTER_ENV(info_function) \
  static const bool RAPPORT_CONCAT(rapport_registered_, __LINE__) = ::rapport::Registry::instance().add(info_function())

}  // namespace rapport
