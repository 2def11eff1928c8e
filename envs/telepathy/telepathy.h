// TelepathyGym (twenty questions): the simulated user has an entity in mind; the agent asks yes/no
// questions and guesses, and is rewarded once, for the first guess that names the entity exactly or
// by a clear synonym (reference §2.5).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent.h"
#include "core/environment.h"
#include "core/user_episode.h"
#include "core/flow.h"
#include "core/question_game.h"

namespace rapport::telepathy {

inline constexpr const char* kName = "telepathy";
inline constexpr const char* kVersion = "1";

// What the scripted oracle knows of an entity. In our dataset the table is complete: a tag that is
// not listed is false ("No"), and a tag written "?name" is uncertain ("Maybe"). Imported entities
// have only what their category tells (complete = false): everything else is unknown ("Maybe").
struct Attributes {
  bool complete = true;
  std::string kind;    // person | character | animal | plant | food | object | place | structure
  std::string type;    // finer kind: mammal, fruit, instrument, vehicle, country, city, river, tower, ...
  std::string gender;  // male | female (people and characters)
  std::string field;   // people: science, music, art, literature, politics, royalty, sport, film, ...
  std::string size;    // tiny | small | medium | large | huge
  std::vector<std::string> roles;      // people: physicist, composer, president, footballer, ...
  std::vector<std::string> countries;  // origin, nationality, location
  std::vector<std::string> continents; // derived from the countries unless given (animals: habitat)
  std::vector<std::string> tags;       // wild, pet, carnivore, flies, electric, wheels, sweet, capital, ...
  std::optional<int> born, died;       // people (negative: BCE)
  std::optional<int> year;             // built, made or invented (negative: BCE)
};

struct Entity {
  std::string id;
  std::string title;
  std::string category;
  std::string description;  // the hint the agent reads first
  std::string gloss;        // what the entity is, for the LLM oracle ("the physicist who ...")
  std::vector<std::string> synonyms;
  Attributes attributes;

  // The reference's target_entity text: "<title> - <gloss>".
  std::string target() const;
};

json::value to_json(const Entity& entity);
Entity entity_from(const Task& task);  // throws ConfigError on a malformed task

// Our own entities (assets/telepathy/entities.json), in file order.
const std::vector<Entity>& builtin_entities();
std::vector<Entity> parse_entities(std::string_view text, std::string_view where);
// The reference's all_entities_refined.json: a list of {id, title, description, goal,
// target_entity, category}. split: all | train (first 90% of a NumPy seed-42 shuffle) | test.
std::vector<Entity> import_reference_entities(std::string_view text, std::string_view split);
// The continent of a country our lexicon knows ("Germany" → "Europe"), or "".
std::string continent_of(std::string_view country);
// What a free-form category says about an entity's kind (imported data): "famous_person" → person.
Attributes attributes_from_category(std::string_view category);

// ---- The scripted oracle ----

enum class Reply { Yes, No, Maybe };
const char* to_string(Reply reply);

// A question read once into the concepts it asks about ("Is it a European scientist?" → from
// Europe, and a scientist), so that it can be answered for many entities quickly.
struct Concept {
  int kind = 0;  // internal
  std::string arg;
  int number = 0, number2 = 0;
  int group = 0;  // concepts joined by "or" share a group
};
struct Question {
  std::vector<Concept> concepts;
};
Question parse_question(std::string_view text);
// No concept recognised → Maybe. Otherwise every group must hold (a group holds when any of its
// concepts does): any group No → No, any unknown → Maybe, else Yes. Words that hold for anything
// ("famous", "thing") never decide.
Reply evaluate(const Question& question, const Attributes& attributes);
Reply scripted_reply(const Entity& entity, std::string_view question);
// The scripted guess judge: the guess, without fillers ("I think it is", articles, punctuation,
// letter case, a plural s), equals the title or one of its synonyms.
bool guess_matches(const Entity& entity, std::string_view guess);

// ---- Oracles ----

struct GuessVerdict {
  bool correct = false;
  std::string feedback;
  bool fallback = false;  // the judge failed: not correct, fixed message
};

class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual Ask<QuestionReply> answer_question(const Entity& entity, const std::string& question) const = 0;
  virtual Ask<GuessVerdict> judge_guess(const Entity& entity, const std::string& guess) const = 0;
};
std::unique_ptr<Oracle> make_scripted_oracle();
std::unique_ptr<Oracle> make_llm_oracle();

extern const char* const kQuestionFallback;
extern const char* const kGuessFallback;

LlmRequest question_request(const Entity& entity, std::string_view question);
QuestionReply read_question_reply(const LlmResponse& response);
LlmRequest guess_request(const Entity& entity, std::string_view guess);
GuessVerdict read_guess_verdict(const LlmResponse& response);

// ---- Baseline agent ----

// Questions the scripted agent chooses from: each splits our entities along a common attribute.
const std::vector<std::string>& agent_questions();
// Asks the question that best splits the entities still consistent with the answers (it knows
// our public list of entities and their attributes, never the hidden one), guesses when one
// candidate is left or questions stop helping, and finishes by its 15th move.
std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed);

// The user's goals for the reasoning user (core/user_episode.h), derived from the task.
UserAdapter user_adapter(const Entity& task, const Params& params);

}  // namespace rapport::telepathy
