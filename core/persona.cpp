// The persona generator. Every list below is ours; a persona is one draw from each, with the
// traits and phrases following from the personality and the verbosity, so a profile hangs
// together (a terse ISTJ does not gush).
#include "core/persona.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/rng.h"

namespace rapport {
namespace {

const std::vector<std::string> kFirstNames = {
    "Amara", "Bram", "Chiara", "Dmitri", "Esme", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kalani", "Lena",
    "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sami", "Tove", "Umar", "Vera", "Wendell", "Ximena",
    "Yusuf", "Zofia", "Aldo", "Beatriz", "Cyrus", "Delphine", "Emeka", "Freya", "Goran", "Hana", "Ivo", "Juno",
    "Kofi", "Liesel", "Marcus", "Noor"};
const std::vector<std::string> kSurnames = {
    "Abernathy", "Bakshi", "Castellanos", "Dufresne", "Eriksen", "Fonseca", "Gallagher", "Haddad", "Iwu",
    "Jankowski", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rahman",
    "Santoro", "Tanaka", "Ulrich", "Varga", "Whitlock", "Yilmaz", "Zeller", "Brennan", "Carvalho", "Devlin"};

struct Occupation {
  const char* title;
  const char* background;  // {0}: city
};
const std::vector<Occupation> kOccupations = {
    {"nurse", "works rotating shifts at a hospital in {0}"},
    {"secondary-school teacher", "teaches history and coaches the debate club in {0}"},
    {"software developer", "writes payroll software for a mid-sized firm in {0}"},
    {"electrician", "runs a two-person electrical business out of {0}"},
    {"retired bookkeeper", "kept the accounts of a family bakery in {0} for thirty years"},
    {"graduate student", "is finishing a doctorate in marine biology in {0}"},
    {"restaurant manager", "manages a busy bistro in the centre of {0}"},
    {"pharmacist", "works at a neighbourhood pharmacy in {0}"},
    {"freelance photographer", "shoots weddings and product catalogues around {0}"},
    {"civil engineer", "inspects bridges for the regional authority near {0}"},
    {"bus driver", "drives a night route through {0}"},
    {"small-business owner", "owns a bicycle repair shop in {0}"},
    {"paralegal", "prepares contracts at a law office in {0}"},
    {"farmer", "grows apples and pears on a farm outside {0}"},
    {"data analyst", "builds sales reports for a retailer based in {0}"},
    {"social worker", "supports families through the city services of {0}"},
    {"architect", "designs schools and libraries from a studio in {0}"},
    {"retired postal worker", "delivered mail in {0} for most of their life"},
    {"dental hygienist", "works at a family dental practice in {0}"},
    {"musician", "plays cello in an orchestra and teaches lessons in {0}"},
    {"warehouse supervisor", "runs the early shift at a distribution centre near {0}"},
    {"journalist", "covers local politics for a newspaper in {0}"},
    {"physiotherapist", "treats sports injuries at a clinic in {0}"},
    {"chef", "cooks at a hotel kitchen in {0}"},
    {"accountant", "audits charities for a small firm in {0}"},
    {"librarian", "runs the children's section of the public library in {0}"},
    {"sales representative", "sells medical equipment across the region around {0}"},
    {"university lecturer", "lectures in economics in {0}"},
    {"stay-at-home parent", "looks after three children in {0}"},
    {"carpenter", "builds kitchens and staircases around {0}"}};
const std::vector<std::string> kCities = {"Lisbon", "Leeds", "Porto Alegre", "Osaka", "Tampere", "Adelaide",
                                          "Lyon", "Toronto", "Kraków", "Nairobi", "Graz", "Denver",
                                          "Valencia", "Hamburg", "Cork", "Pune"};

// The sixteen MBTI-style codes; traits follow from the letters.
const std::vector<std::string> kPersonalities = {"ISTJ", "ISFJ", "INFJ", "INTJ", "ISTP", "ISFP", "INFP", "INTP",
                                                 "ESTP", "ESFP", "ENFP", "ENTP", "ESTJ", "ESFJ", "ENFJ", "ENTJ"};
const std::map<char, std::vector<std::string>> kLetterTraits = {
    {'I', {"reserved", "private"}},       {'E', {"outgoing", "talkative"}},
    {'S', {"practical", "detail-minded"}}, {'N', {"imaginative", "big-picture"}},
    {'T', {"analytical", "blunt"}},        {'F', {"warm", "considerate"}},
    {'J', {"organised", "decisive"}},      {'P', {"spontaneous", "flexible"}}};

const std::vector<std::string> kLifeScenarios = {
    "saving up for a house deposit", "recovering from a knee operation", "planning a wedding for next spring",
    "caring for an elderly parent", "just started a new job", "moving to another city soon",
    "training for a half marathon", "paying off a student loan", "expecting their first child",
    "recently retired and travelling more", "renovating an old flat", "on a strict monthly budget after a divorce",
    "taking evening classes in Spanish", "helping a teenager choose a university", "running a side business at weekends",
    "looking after a new puppy", "about to change careers", "settling in after emigrating",
    "organising a family reunion", "cutting back on spending this year"};

const std::vector<std::string> kVerbosity = {"terse", "moderate", "chatty"};
const std::vector<std::string> kPace = {"brisk", "measured", "unhurried"};
const std::map<std::string, std::vector<std::string>> kPhrases = {
    {"terse", {"Right.", "Fine.", "Get to the point.", "Noted.", "Okay, and?", "Just the facts, please."}},
    {"moderate", {"I see.", "Let me think about that.", "Fair enough.", "That makes sense.", "Hmm, okay.",
                  "To be honest,"}},
    {"chatty", {"Oh, that reminds me,", "You know what,", "I have to say,", "Funny you should ask!",
                "Honestly, between you and me,", "Well, here's the thing,"}}};
const std::vector<std::string> kWaryPhrases = {"I'd like to see that in writing.", "What's the catch?",
                                               "I'll decide in my own time.", "Let me check that myself."};

}  // namespace

std::vector<Persona> generate_personas(std::uint64_t seed, std::size_t count) {
  std::vector<Persona> bank;
  bank.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    Rng rng = Rng::derive(seed, "user/persona", i);
    Persona p;
    p.id = fmt::format("p{:04d}", i);
    // Two draws in two statements: the order of evaluation of `a + b` differs between compilers.
    const std::string& first = rng.pick(kFirstNames);
    p.name = first + " " + rng.pick(kSurnames);
    p.age = static_cast<int>(rng.range(19, 78));
    const Occupation& job = rng.pick(kOccupations);
    p.occupation = job.title;
    p.background = fmt::format("{} {}.", p.name.substr(0, p.name.find(' ')),
                               fmt::format(fmt::runtime(job.background), rng.pick(kCities)));
    p.personality = rng.pick(kPersonalities);
    for (char letter : p.personality) {
      const auto& options = kLetterTraits.at(letter);
      p.traits.push_back(options[rng.below(options.size())]);
    }
    p.life_scenario = rng.pick(kLifeScenarios);
    // Thinking-judging types and older users are a little more likely to distrust a pitch.
    double wary = 0.3 + (p.personality[2] == 'T' ? 0.2 : 0.0) + (p.personality[3] == 'J' ? 0.1 : 0.0) + (p.age > 55 ? 0.1 : 0.0);
    p.skeptical = rng.chance(wary);
    // Introverts lean terse, extraverts chatty.
    std::size_t v = rng.below(3);
    if (p.personality[0] == 'I' && v == 2 && rng.chance(0.5)) v = 0;
    if (p.personality[0] == 'E' && v == 0 && rng.chance(0.5)) v = 2;
    p.style.verbosity = kVerbosity[v];
    p.style.pace = rng.pick(kPace);
    p.style.patience = 0.4 + 0.1 * static_cast<double>(rng.below(6));  // 0.4 .. 0.9
    if (p.personality[3] == 'P') p.style.patience = std::min(0.9, p.style.patience + 0.1);
    std::vector<std::string> phrases = kPhrases.at(p.style.verbosity);
    rng.shuffle(phrases);
    p.style.phrases.assign(phrases.begin(), phrases.begin() + 2);
    if (p.skeptical) p.style.phrases.push_back(rng.pick(kWaryPhrases));
    bank.push_back(std::move(p));
  }
  return bank;
}

const std::vector<Persona>& persona_bank() {
  static const std::vector<Persona> bank = generate_personas(kPersonaBankSeed, kPersonaBankSize);
  return bank;
}

const Persona& persona_for(std::uint64_t seed, std::string_view task_id) {
  const auto& bank = persona_bank();
  return bank[Rng::derive(seed, "user/persona-pick", fnv1a64(task_id)).below(bank.size())];
}

const Persona* find_persona(std::string_view id) {
  for (const auto& p : persona_bank())
    if (p.id == id) return &p;
  return nullptr;
}

json::object to_json(const Persona& p) {
  json::array traits(p.traits.begin(), p.traits.end());
  json::array phrases(p.style.phrases.begin(), p.style.phrases.end());
  return json::object{{"id", p.id},
                      {"name", p.name},
                      {"age", p.age},
                      {"occupation", p.occupation},
                      {"background", p.background},
                      {"personality", p.personality},
                      {"traits", std::move(traits)},
                      {"life_scenario", p.life_scenario},
                      {"skeptical", p.skeptical},
                      {"style", json::object{{"verbosity", p.style.verbosity},
                                             {"pace", p.style.pace},
                                             {"patience", p.style.patience},
                                             {"phrases", std::move(phrases)}}}};
}

namespace {
std::vector<std::string> strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto it = o.find(key); it != o.end() && it->value().is_array())
    for (const auto& v : it->value().get_array())
      if (v.is_string()) out.emplace_back(v.get_string());
  return out;
}
}  // namespace

Persona persona_from(const json::value& record) {
  Persona p;
  if (!record.is_object()) return p;
  const auto& o = record.get_object();
  p.id = get_string(o, "id");
  p.name = get_string(o, "name", "Alex Doe");
  p.age = static_cast<int>(get_int(o, "age", 30));
  p.occupation = get_string(o, "occupation");
  p.background = get_string(o, "background");
  p.personality = get_string(o, "personality", "ISTJ");
  p.traits = strings(o, "traits");
  p.life_scenario = get_string(o, "life_scenario");
  p.skeptical = get_bool(o, "skeptical");
  if (auto it = o.find("style"); it != o.end() && it->value().is_object()) {
    const auto& s = it->value().get_object();
    p.style.verbosity = get_string(s, "verbosity", "moderate");
    p.style.pace = get_string(s, "pace", "measured");
    p.style.patience = get_number(s, "patience", 0.7);
    p.style.phrases = strings(s, "phrases");
  }
  return p;
}

std::string describe(const Persona& p) {
  std::string traits, phrases;
  for (const auto& t : p.traits) traits += (traits.empty() ? "" : ", ") + t;
  for (const auto& s : p.style.phrases) phrases += (phrases.empty() ? "\"" : ", \"") + s + "\"";
  return fmt::format(
      "You are {}, {} years old, a {}. {} Right now you are {}. Personality: {} ({}){}. You speak in a {}, {} way "
      "and your patience is {}; phrases you often use: {}.",
      p.name, p.age, p.occupation, p.background, p.life_scenario, p.personality, traits,
      p.skeptical ? "; you are quick to suspect a sales pitch" : "", p.style.verbosity, p.style.pace,
      p.style.patience >= 0.75 ? "high" : p.style.patience >= 0.55 ? "moderate" : "low", phrases);
}

}  // namespace rapport
