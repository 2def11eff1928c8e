#include "core/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

namespace rapport {

Registry& Registry::instance() {
  static Registry registry;
  return registry;
}

bool Registry::add(EnvInfo info) {
  assert(!find(info.name) && "environment registered twice");
  infos_.push_back(std::move(info));
  return true;
}

const EnvInfo* Registry::find(std::string_view name) const {
  for (const auto& info : infos_)
    if (info.name == name) return &info;
  return nullptr;
}

std::vector<const EnvInfo*> Registry::all() const {
  std::vector<const EnvInfo*> out;
  for (const auto& info : infos_) out.push_back(&info);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

std::unique_ptr<Game> make_game(std::string_view spec) {
  SpecText text = parse_spec_text(spec);
  const EnvInfo* info = Registry::instance().find(text.name);
  if (!info) {
    std::string valid;
    for (const auto* i : Registry::instance().all()) valid += (valid.empty() ? "" : ", ") + i->name;
    throw ConfigError(fmt::format("unknown environment '{}'; valid environments: {}",
                                  text.name.size() > 80 ? text.name.substr(0, 80) + "..." : text.name, valid));
  }
  return info->make(Params(info->name, info->params, text.values));
}

}  // namespace rapport
