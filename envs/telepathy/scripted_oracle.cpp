// TelepathyGym's scripted oracle: reads a yes/no question into concepts (phrases of a lexicon,
// years, centuries, size comparisons, countries) and answers it from an entity's attribute table.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/pynum.h"
#include "envs/telepathy/telepathy.h"

namespace rapport::telepathy {
namespace {

// What a concept asks. Evaluations give Yes, No or unknown (Maybe).
enum K : int {
  kNeutral,    // words that hold for every entity in this game ("famous", "thing")
  kHuman,
  kReal,
  kFictional,
  kMale,
  kFemale,
  kManWord,    // "a man": human and male
  kWomanWord,
  kAlive,
  kDead,
  kLiving,     // a living thing
  kKind,       // arg: kind
  kType,       // arg: type (or a tag of that name)
  kTag,        // arg: tag; other kinds: No
  kTagAnimal,  // arg: tag judged only for animals; other kinds: unknown ("dangerous")
  kField,      // arg: field of a person
  kRole,       // arg: role of a person
  kRoyal,
  kLeader,
  kSport,
  kMusic,
  kFilm,
  kBook,
  kContinent,  // arg: continent
  kAmerica,    // either America
  kCountry,    // arg: country
  kBefore,     // number; arg: "", "born" or "died"
  kAfter,
  kRange,      // number .. number2
  kSizeAbove,  // number: size level
  kSizeBelow,
  kBig,
  kSmall,
  kFitsHand,
  kManMade,
  kObject,
  kPlace,
  kLandmark,
  kWater,
  kSea,
  kFly,
  kEdible,
  kDrink,
  kFourLegs,
  kTwoLegs,
  kCarnivore,
  kHerbivore,
  kLegs,
};

// Ages ("older than 100 years") are counted back from this year, so that answers never depend on
// the clock.
constexpr int kReferenceYear = 2025;

enum class V { Yes, No, Unknown };

struct Entry {
  std::vector<std::string> words;
  Concept meaning;
};

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  std::string w;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80) w += static_cast<char>(std::tolower(c));
    else if (!w.empty()) out.push_back(std::exchange(w, {}));
  }
  if (!w.empty()) out.push_back(w);
  return out;
}

struct CountryInfo {
  const char* name;
  const char* continent;
  const char* words;  // '|'-separated phrases naming it or its people
};

const CountryInfo kCountries[] = {
    {"United States", "North America", "united states|united states of america|usa|american|americans|u s a"},
    {"Canada", "North America", "canada|canadian"},
    {"Mexico", "North America", "mexico|mexican"},
    {"Jamaica", "North America", "jamaica|jamaican"},
    {"Cuba", "North America", "cuba|cuban"},
    {"Brazil", "South America", "brazil|brazilian"},
    {"Argentina", "South America", "argentina|argentinian|argentine"},
    {"Peru", "South America", "peru|peruvian"},
    {"Chile", "South America", "chile|chilean"},
    {"Colombia", "South America", "colombia|colombian"},
    {"United Kingdom", "Europe",
     "united kingdom|uk|u k|britain|great britain|british|england|english|scotland|scottish|wales|welsh"},
    {"Ireland", "Europe", "ireland|irish"},
    {"France", "Europe", "france|french"},
    {"Germany", "Europe", "germany|german"},
    {"Italy", "Europe", "italy|italian"},
    {"Spain", "Europe", "spain|spanish"},
    {"Portugal", "Europe", "portugal|portuguese"},
    {"Netherlands", "Europe", "netherlands|dutch|holland"},
    {"Belgium", "Europe", "belgium|belgian"},
    {"Switzerland", "Europe", "switzerland|swiss"},
    {"Austria", "Europe", "austria|austrian"},
    {"Poland", "Europe", "poland|polish"},
    {"Russia", "Europe", "russia|russian|soviet|soviet union|ussr"},
    {"Greece", "Europe", "greece|greek"},
    {"Sweden", "Europe", "sweden|swedish"},
    {"Norway", "Europe", "norway|norwegian"},
    {"Denmark", "Europe", "denmark|danish"},
    {"Iceland", "Europe", "iceland|icelandic"},
    {"Finland", "Europe", "finland|finnish"},
    {"Czech Republic", "Europe", "czech republic|czechia|czech"},
    {"Hungary", "Europe", "hungary|hungarian"},
    {"Croatia", "Europe", "croatia|croatian"},
    {"Serbia", "Europe", "serbia|serbian"},
    {"Turkey", "Asia", "turkey|turkish"},
    {"Egypt", "Africa", "egypt|egyptian"},
    {"South Africa", "Africa", "south africa|south african"},
    {"Kenya", "Africa", "kenya|kenyan"},
    {"Tanzania", "Africa", "tanzania|tanzanian"},
    {"Nigeria", "Africa", "nigeria|nigerian"},
    {"Morocco", "Africa", "morocco|moroccan"},
    {"Ethiopia", "Africa", "ethiopia|ethiopian"},
    {"Zambia", "Africa", "zambia|zambian"},
    {"Zimbabwe", "Africa", "zimbabwe"},
    {"China", "Asia", "china|chinese"},
    {"Japan", "Asia", "japan|japanese"},
    {"India", "Asia", "india|indian"},
    {"Pakistan", "Asia", "pakistan|pakistani"},
    {"Nepal", "Asia", "nepal|nepalese|nepali"},
    {"Mongolia", "Asia", "mongolia|mongolian"},
    {"South Korea", "Asia", "south korea|korea|korean"},
    {"Thailand", "Asia", "thailand|thai"},
    {"Vietnam", "Asia", "vietnam|vietnamese"},
    {"Indonesia", "Asia", "indonesia|indonesian"},
    {"Israel", "Asia", "israel|israeli"},
    {"Jordan", "Asia", "jordan|jordanian"},
    {"Saudi Arabia", "Asia", "saudi arabia|saudi"},
    {"United Arab Emirates", "Asia", "united arab emirates|uae|emirati"},
    {"Iran", "Asia", "iran|iranian|persia|persian"},
    {"Australia", "Oceania", "australia|australian"},
    {"New Zealand", "Oceania", "new zealand"},
};

Concept make(int kind, std::string arg = {}, int number = 0, int number2 = 0) {
  return Concept{kind, std::move(arg), number, number2, 0};
}

// Phrases → concepts. Whole words; longer phrases win over the words inside them.
std::vector<Entry> build_lexicon() {
  std::vector<std::pair<const char*, Concept>> table = {
      {"famous|well known|popular|known|thing|something|entity|real thing", make(kNeutral)},
      {"person|people|human|humans|human being|individual|celebrity|someone|somebody", make(kHuman)},
      {"real|real life|historical|exist|exists|existed", make(kReal)},
      {"real person|historical figure", make(kKind, "person")},
      {"fictional|fiction|imaginary|made up|invented character|character|fictional character|myth|mythical|"
       "not real",
       make(kFictional)},
      {"myth|myths|mythical|mythological|mythology|folklore", make(kTag, "myth")},
      {"male|masculine", make(kMale)},
      {"female|feminine", make(kFemale)},
      {"man|men|gentleman|guy|boy", make(kManWord)},
      {"woman|women|lady|girl", make(kWomanWord)},
      {"alive|living|still alive|alive today|still living|alive now", make(kAlive)},
      {"dead|deceased|died|passed away", make(kDead)},
      {"living thing|living being|living organism|organism|life form|ever alive|ever living", make(kLiving)},
      {"animal|animals|creature|beast", make(kKind, "animal")},
      {"mammal|mammals", make(kType, "mammal")},
      {"bird|birds|feathers|feathered", make(kType, "bird")},
      {"fish", make(kType, "fish")},
      {"reptile|reptiles", make(kType, "reptile")},
      {"amphibian|amphibians", make(kType, "amphibian")},
      {"insect|insects|bug|bugs|six legs|6 legs", make(kType, "insect")},
      {"plant|plants", make(kKind, "plant")},
      {"tree|trees", make(kType, "tree")},
      {"flower|flowers|blossom", make(kType, "flower")},
      {"food|foods|dish|meal|snack|edible|eat|eaten|eat it|taste", make(kEdible)},
      {"fruit|fruits", make(kType, "fruit")},
      {"vegetable|vegetables|veggie", make(kType, "vegetable")},
      {"drink|beverage|liquid|drinkable", make(kDrink)},
      {"dessert|sweet treat", make(kType, "dessert")},
      {"object|objects|item|items|gadget|device|appliance|tool used|artifact|artefact", make(kObject)},
      {"man made|manmade|artificial|manufactured|made by people|made by humans|human made|built by people|"
       "built by humans",
       make(kManMade)},
      {"place|location|geographical|geographic|somewhere|destination|visit", make(kPlace)},
      {"country|nation|countries", make(kType, "country")},
      {"city|cities|town|metropolis", make(kType, "city")},
      {"capital|capital city", make(kTag, "capital")},
      {"mountain|mountains|peak|volcano", make(kType, "mountain")},
      {"river|rivers", make(kType, "river")},
      {"lake", make(kType, "lake")},
      {"desert", make(kType, "desert")},
      {"waterfall|waterfalls|falls", make(kType, "waterfall")},
      {"island|islands", make(kTag, "island")},
      {"continent", make(kType, "continent")},
      {"coast|coastal|by the sea|on the coast|seaside|beach|port", make(kTag, "coastal")},
      {"building|buildings", make(kType, "building")},
      {"tower|towers|skyscraper", make(kType, "tower")},
      {"bridge|bridges", make(kType, "bridge")},
      {"statue|sculpture|monument", make(kType, "monument")},
      {"structure|construction|built structure", make(kKind, "structure")},
      {"landmark|landmarks|tourist attraction|attraction|wonder|wonders", make(kLandmark)},
      {"religious|religion|worship|church|temple|mosque|holy|sacred", make(kTag, "religious")},
      {"tomb|grave|burial", make(kTag, "tomb")},
      {"vehicle|vehicles|transport|transportation|means of transport|travel in", make(kType, "vehicle")},
      {"ride|rides|ride it|ride on it|ride in it|ridden", make(kTag, "ridden")},
      {"wheels|wheel", make(kTag, "wheels")},
      {"engine|motor|fuel|petrol|gasoline|diesel", make(kTag, "engine")},
      {"pedal|pedals", make(kTag, "pedals")},
      {"instrument|instruments|musical instrument", make(kType, "instrument")},
      {"strings|string|stringed|string instrument", make(kTag, "strings")},
      {"keys|keyboard", make(kTag, "keys")},
      {"blow|blown|wind instrument|brass|woodwind", make(kTag, "wind")},
      {"percussion|drum|drums|hit|struck", make(kTag, "percussion")},
      {"tool|tools", make(kType, "tool")},
      {"furniture", make(kType, "furniture")},
      {"clothing|clothes|wear|worn|wearable|garment|accessory", make(kTag, "wearable")},
      {"toy|toys|play with|plaything|game", make(kTag, "toy")},
      {"electric|electricity|electrical|battery|batteries|plug|plugged|powered|electric power|charge|charged",
       make(kTag, "electric")},
      {"electronic|electronics|digital|computer|computers|chip|software", make(kTag, "electronic")},
      {"screen|display", make(kTag, "screen")},
      {"metal|metallic|steel|iron", make(kTag, "metal")},
      {"wood|wooden", make(kTag, "wood")},
      {"plastic", make(kTag, "plastic")},
      {"glass", make(kTag, "glass")},
      {"paper", make(kTag, "paper")},
      {"kitchen|cooking|cook|cook with", make(kTag, "kitchen")},
      {"household|in a house|in the house|at home|in a home|in the home|in your home|in most homes", make(kTag, "household")},
      {"sharp|cut|cuts|cutting|blade", make(kTag, "sharp")},
      {"write|writing|draw|drawing", make(kTag, "writing")},
      {"communicate|communication|call|calls|phone", make(kTag, "communication")},
      {"light|lights|lighting|illuminate|glow|shine", make(kTag, "light")},
      {"tell time|tells time|tell the time|tells the time|clock|clocks|timekeeping", make(kTag, "time")},
      {"sweet|sugar|sugary", make(kTag, "sweet")},
      {"meat|contain meat|contains meat|meaty", make(kTag, "meat")},
      {"dairy|milk|cheese|cream", make(kTag, "dairy")},
      {"hot|served hot|warm|eaten hot", make(kTag, "hot")},
      {"baked|bake|oven", make(kTag, "baked")},
      {"spicy|spice|spices", make(kTag, "spicy")},
      {"breakfast", make(kTag, "breakfast")},
      {"caffeine|caffeinated", make(kTag, "caffeine")},
      {"alcohol|alcoholic", make(kTag, "alcohol")},
      {"wild|in the wild", make(kTag, "wild")},
      {"domestic|domesticated|tame", make(kTag, "domestic")},
      {"pet|pets|kept as a pet|house pet", make(kTag, "pet")},
      {"farm|farms|farm animal|livestock", make(kTag, "farm")},
      {"carnivore|carnivorous|eat meat|eats meat|meat eater|predator|hunt|hunts|hunter", make(kCarnivore)},
      {"herbivore|herbivorous|eat plants|eats plants|eat grass|eats grass|vegetarian|plant eater", make(kHerbivore)},
      {"omnivore|omnivorous", make(kTag, "omnivore")},
      {"fly|flies|flying|can fly|airborne|air|sky", make(kFly)},
      {"wings|wing", make(kTag, "wings")},
      {"water|aquatic|swim|swims|swimming|underwater|in water|in the water", make(kWater)},
      {"sea|ocean|oceans|seas|marine|saltwater", make(kSea)},
      {"venomous|venom|poisonous|sting|stings|bite", make(kTag, "venomous")},
      {"dangerous|deadly|harmful|kill people|kill humans", make(kTagAnimal, "dangerous")},
      {"fur|furry|hair|hairy|fluffy", make(kTag, "fur")},
      {"stripes|striped|stripe", make(kTag, "stripes")},
      {"spots|spotted|spot", make(kTag, "spots")},
      {"horns|horn|antlers|tusks|tusk", make(kTag, "horns")},
      {"shell|shells", make(kTag, "shell")},
      {"extinct", make(kTag, "extinct")},
      {"endangered", make(kTag, "endangered")},
      {"nocturnal|at night|night", make(kTag, "nocturnal")},
      {"jump|jumps|hop|hops", make(kTag, "jumps")},
      {"four legs|4 legs|four legged|quadruped", make(kFourLegs)},
      {"legs|leg|feet|paws", make(kLegs)},
      {"two legs|2 legs|two legged|biped|walk upright", make(kTwoLegs)},
      {"eight legs|8 legs|eight arms|8 arms|tentacles", make(kTag, "eight_limbs")},
      {"scientist|scientists|science|researcher", make(kField, "science")},
      {"physicist|physics", make(kRole, "physicist")},
      {"chemist|chemistry", make(kRole, "chemist")},
      {"biologist|biology|naturalist", make(kRole, "biologist")},
      {"mathematician|mathematics|math|maths", make(kRole, "mathematician")},
      {"astronomer|astronomy|stars|planets", make(kRole, "astronomer")},
      {"inventor", make(kRole, "inventor")},
      {"engineer|engineering", make(kRole, "engineer")},
      {"musician|musicians|music|musical", make(kMusic)},
      {"composer|compose|composed|classical music|classical", make(kRole, "composer")},
      {"singer|sing|sings|sang|vocalist", make(kRole, "singer")},
      {"pianist", make(kRole, "pianist")},
      {"guitarist", make(kRole, "guitarist")},
      {"rock|rock music|rock and roll", make(kTag, "rock")},
      {"pop|pop music|pop star", make(kTag, "pop")},
      {"artist|artists|art|visual artist", make(kField, "art")},
      {"painter|paint|painted|paints|painting|paintings", make(kRole, "painter")},
      {"sculptor|sculpted", make(kRole, "sculptor")},
      {"writer|writers|author|authors|wrote|literature|literary", make(kField, "literature")},
      {"poet|poetry|poems", make(kRole, "poet")},
      {"playwright|plays|theatre|theater", make(kRole, "playwright")},
      {"novelist|novels", make(kRole, "novelist")},
      {"book|books|novel", make(kBook)},
      {"film|films|movie|movies|cinema|hollywood", make(kFilm)},
      {"actor|actress|acted|acting|star in", make(kRole, "actor")},
      {"director|directed", make(kRole, "director")},
      {"comedian|comedy|funny", make(kRole, "comedian")},
      {"politician|politics|political|government", make(kField, "politics")},
      {"leader|ruler|ruled|head of state", make(kLeader)},
      {"president|presidents", make(kRole, "president")},
      {"prime minister", make(kRole, "prime minister")},
      {"king|kings", make(kRole, "king")},
      {"queen|queens", make(kRole, "queen")},
      {"emperor|empress|empire", make(kRole, "emperor")},
      {"pharaoh", make(kRole, "pharaoh")},
      {"royal|royalty|monarch|monarchy|crown|throne|prince|princess|noble", make(kRoyal)},
      {"activist|civil rights|rights|protest|peace", make(kRole, "activist")},
      {"general|military|soldier|army|war|wars|battle|battles|warrior|conqueror|conquered", make(kField, "military")},
      {"athlete|athletes|sportsman|sportswoman|sportsperson|sports|sport|olympic|olympics|olympian|compete|competed",
       make(kSport)},
      {"football|soccer|footballer|soccer player", make(kRole, "footballer")},
      {"basketball", make(kRole, "basketball player")},
      {"tennis", make(kRole, "tennis player")},
      {"boxer|boxing", make(kRole, "boxer")},
      {"swimmer", make(kRole, "swimmer")},
      {"runner|sprinter|running|sprint|track", make(kRole, "sprinter")},
      {"gymnast|gymnastics", make(kRole, "gymnast")},
      {"explorer|explore|explored|exploration|discovered|voyage|sailed|navigator", make(kField, "exploration")},
      {"astronaut|astronauts|cosmonaut|space|moon|outer space", make(kRole, "astronaut")},
      {"pilot|aviator|aviation", make(kRole, "aviator")},
      {"businessman|businesswoman|business|entrepreneur|company|companies|ceo|billionaire|businessperson",
       make(kField, "business")},
      {"philosopher|philosophy|thinker", make(kField, "philosophy")},
      {"nun|saint|priest|monk|religious leader|missionary", make(kRole, "religious")},
      {"nobel|nobel prize|nobel laureate|nobel peace prize", make(kTag, "nobel")},
      {"superhero|super hero|superpowers|super powers|powers", make(kTag, "superhero")},
      {"villain|evil|bad guy", make(kTag, "villain")},
      {"cartoon|animated|animation|comic|comics", make(kTag, "cartoon")},
      {"video game|video games|games|nintendo", make(kTag, "videogame")},
      {"fairy tale|fairy tales|fairytale|folk tale", make(kTag, "fairytale")},
      {"magic|magical|wizard|witch|spell|spells", make(kTag, "magic")},
      {"detective|solves crimes|crime|mystery", make(kTag, "detective")},
      {"god|goddess|deity|divine", make(kTag, "god")},
      {"europe|european|europeans", make(kContinent, "Europe")},
      {"asia|asian", make(kContinent, "Asia")},
      {"africa|african", make(kContinent, "Africa")},
      {"north america|north american", make(kContinent, "North America")},
      {"south america|south american|latin america|latin american", make(kContinent, "South America")},
      {"oceania|australasia|pacific islands", make(kContinent, "Oceania")},
      {"antarctica|antarctic|south pole", make(kContinent, "Antarctica")},
      {"america|americas", make(kAmerica)},
      {"big|large|huge|giant|enormous|massive|tall", make(kBig)},
      {"small|tiny|little|miniature|short", make(kSmall)},
      {"fit in your hand|fit in a hand|fit in my hand|fit in the hand|hold in your hand|hold in one hand|"
       "hold it in your hand|handheld|hand held|fit in a pocket|fit in your pocket|pocket|portable|carry it|pick up|"
       "pick it up|you can hold|can hold|hold it|can be held",
       make(kFitsHand)},
      {"ancient|antiquity|prehistoric", make(kBefore, "", 500)},
      {"medieval|middle ages", make(kRange, "", 500, 1499)},
      {"modern|contemporary|recent", make(kAfter, "", 1900)},
  };
  std::vector<Entry> out;
  for (auto& [phrases, meaning] : table) {
    std::string_view rest = phrases;
    while (!rest.empty()) {
      auto bar = rest.find('|');
      out.push_back({split_words(rest.substr(0, bar)), meaning});
      rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
    }
  }
  for (const auto& c : kCountries) {
    std::string_view rest = c.words;
    while (!rest.empty()) {
      auto bar = rest.find('|');
      out.push_back({split_words(rest.substr(0, bar)), make(kCountry, c.name)});
      rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.words.size() > b.words.size(); });
  return out;
}

const std::vector<Entry>& lexicon() {
  static const std::vector<Entry> entries = build_lexicon();
  return entries;
}

// Things a size can be compared with, by size level: 0 tiny .. 4 huge.
int reference_size(const std::string& w) {
  static const std::pair<const char*, int> kRefs[] = {
      {"coin", 0},     {"hand", 0},      {"phone", 0},     {"apple", 0},     {"mouse", 0},     {"pencil", 0},
      {"breadbox", 1}, {"shoebox", 1},   {"cat", 1},       {"football", 1},  {"ball", 1},      {"book", 1},
      {"laptop", 1},   {"microwave", 1}, {"loaf", 1},      {"person", 2},    {"human", 2},     {"man", 2},
      {"woman", 2},    {"adult", 2},     {"dog", 2},       {"chair", 2},     {"child", 2},     {"table", 2},
      {"fridge", 2},   {"car", 3},       {"horse", 3},     {"cow", 3},       {"room", 3},      {"house", 4},
      {"building", 4}, {"bus", 4},       {"truck", 4},     {"elephant", 4},  {"tree", 4},
  };
  for (const auto& [name, level] : kRefs)
    if (w == name || w == std::string(name) + "s") return level;
  return -1;
}

int size_level(const std::string& size) {
  if (size == "tiny") return 0;
  if (size == "small") return 1;
  if (size == "medium") return 2;
  if (size == "large") return 3;
  if (size == "huge") return 4;
  return -1;
}

std::optional<int> ordinal(const std::string& w) {
  static const char* const kWords[] = {"first",     "second",     "third",      "fourth",     "fifth",     "sixth",
                                       "seventh",   "eighth",     "ninth",      "tenth",      "eleventh",  "twelfth",
                                       "thirteenth", "fourteenth", "fifteenth", "sixteenth",  "seventeenth", "eighteenth",
                                       "nineteenth", "twentieth"};
  for (int i = 0; i < 20; ++i)
    if (w == kWords[i]) return i + 1;
  // 19th, 21st, 3rd, 2nd
  std::size_t d = 0;
  while (d < w.size() && std::isdigit(static_cast<unsigned char>(w[d]))) ++d;
  if (d == 0 || d > 2) return std::nullopt;
  std::string suffix = w.substr(d);
  if (suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th") return std::nullopt;
  return std::stoi(w.substr(0, d));
}

std::optional<int> number_of(const std::string& w) {
  if (w.empty() || w.size() > 4) return std::nullopt;
  for (char c : w)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  return std::stoi(w);
}

bool is_article(const std::string& w) { return w == "a" || w == "an" || w == "the" || w == "your" || w == "my" || w == "average"; }

}  // namespace

std::string continent_of(std::string_view country) {
  for (const auto& c : kCountries)
    if (country == c.name) return c.continent;
  return {};
}

const char* to_string(Reply reply) {
  switch (reply) {
    case Reply::Yes: return "Yes";
    case Reply::No: return "No";
    case Reply::Maybe: return "Maybe";
  }
  return "Maybe";
}

Question parse_question(std::string_view text) {
  Question q;
  std::vector<std::string> w = split_words(text);
  bool born = false, died = false;
  for (const auto& x : w) {
    born = born || x == "born" || x == "birth";
    died = died || x == "die" || x == "died" || x == "death" || x == "dies";
  }
  std::string when = born ? "born" : died ? "died" : "";
  // "a king or a queen": the concepts either side of "or" form one group.
  int groups = 0;
  bool join = false;
  auto push = [&](Concept c) {
    c.group = join && !q.concepts.empty() ? q.concepts.back().group : groups++;
    join = false;
    q.concepts.push_back(std::move(c));
  };
  const auto& lex = lexicon();
  std::size_t i = 0;
  while (i < w.size()) {
    // Size comparisons: "bigger than a car", "smaller than a breadbox".
    static const char* const kBigger[] = {"bigger", "larger", "taller", "heavier", "longer"};
    static const char* const kSmaller[] = {"smaller", "shorter", "lighter", "tinier"};
    bool bigger = std::any_of(std::begin(kBigger), std::end(kBigger), [&](const char* s) { return w[i] == s; });
    bool smaller = std::any_of(std::begin(kSmaller), std::end(kSmaller), [&](const char* s) { return w[i] == s; });
    if ((bigger || smaller) && i + 2 < w.size() && w[i + 1] == "than") {
      std::size_t k = i + 2;
      while (k < w.size() && is_article(w[k])) ++k;
      int level = k < w.size() ? reference_size(w[k]) : -1;
      if (level >= 0) {
        push(make(bigger ? kSizeAbove : kSizeBelow, "", level));
        i = k + 1;
        continue;
      }
    }
    // Years: "before 1900", "after 1950 AD", "in 1889", "500 BC", "the 1800s"; centuries: "19th century".
    if (auto ord = ordinal(w[i]); ord && i + 1 < w.size() && (w[i + 1] == "century" || w[i + 1] == "centuries")) {
      bool bc = i + 2 < w.size() && (w[i + 2] == "bc" || w[i + 2] == "bce");
      int lo = bc ? -100 * *ord : 100 * (*ord - 1) + 1, hi = bc ? -100 * (*ord - 1) - 1 : 100 * *ord;
      push(make(kRange, when, lo, hi));
      i += bc ? 3 : 2;
      continue;
    }
    if (w[i].size() == 5 && w[i].back() == 's') {
      if (auto n = number_of(w[i].substr(0, 4))) {  // "1800s", "1960s"
        int span = *n % 100 == 0 ? 99 : 9;
        push(make(kRange, when, *n, *n + span));
        ++i;
        continue;
      }
    }
    // Ages: "older than 100 years", "over 50 years old", "less than 10 years old".
    if (auto n = number_of(w[i]); n && i + 1 < w.size() && (w[i + 1] == "years" || w[i + 1] == "year")) {
      std::string before = i >= 1 ? w[i - 1] : "", before2 = i >= 2 ? w[i - 2] : "";
      bool older = (before == "than" && (before2 == "older" || before2 == "more")) || before == "over";
      bool younger = (before == "than" && (before2 == "younger" || before2 == "less" || before2 == "newer")) || before == "under";
      if (older || younger) {
        push(make(older ? kBefore : kAfter, when, kReferenceYear - *n));
        i += 2;
        continue;
      }
    }
    if (auto n = number_of(w[i])) {
      bool bc = i + 1 < w.size() && (w[i + 1] == "bc" || w[i + 1] == "bce");
      if (bc || *n >= 100) {
        int year = bc ? -*n : *n;
        std::size_t k = i;
        while (k > 0 && (w[k - 1] == "year" || w[k - 1] == "the")) --k;
        std::string prev = k > 0 ? w[k - 1] : "";
        if (prev == "to" && k > 1 && (w[k - 2] == "prior" || w[k - 2] == "up")) prev = "before";
        if (prev == "before" || prev == "until" || prev == "earlier" || prev == "prior") push(make(kBefore, when, year));
        else if (prev == "after" || prev == "since" || prev == "later") push(make(kAfter, when, year));
        else push(make(kRange, when, year, year));
        i += bc ? 2 : 1;
        continue;
      }
    }
    const Entry* best = nullptr;
    for (const auto& e : lex) {
      if (e.words.empty() || i + e.words.size() > w.size()) continue;
      if (std::equal(e.words.begin(), e.words.end(), w.begin() + static_cast<std::ptrdiff_t>(i))) {
        best = &e;
        break;  // longest first
      }
    }
    if (best) {
      Concept c = best->meaning;
      if (c.kind == kBefore || c.kind == kAfter || c.kind == kRange) c.arg = when;
      push(std::move(c));
      i += best->words.size();
    } else {
      join = join || (w[i] == "or" && !q.concepts.empty());
      ++i;
    }
  }
  return q;
}

namespace {

bool contains(const std::vector<std::string>& xs, std::string_view x) { return std::find(xs.begin(), xs.end(), x) != xs.end(); }
// Whether xs lists x as uncertain, written "?x".
bool contains_uncertain(const std::vector<std::string>& xs, std::string_view x) {
  return std::any_of(xs.begin(), xs.end(),
                     [x](std::string_view s) { return s.size() == x.size() + 1 && s[0] == '?' && s.substr(1) == x; });
}

V yes_if(bool b) { return b ? V::Yes : V::No; }

V both(V a, V b) {
  if (a == V::No || b == V::No) return V::No;
  if (a == V::Unknown || b == V::Unknown) return V::Unknown;
  return V::Yes;
}

// A listed tag is Yes, a "?tag" unknown, and an unlisted one No in a complete table.
V tag(const Attributes& a, std::string_view t) {
  if (contains(a.tags, t)) return V::Yes;
  if (contains_uncertain(a.tags, t)) return V::Unknown;
  return a.complete ? V::No : V::Unknown;
}

bool kind_known(const Attributes& a) { return !a.kind.empty(); }
bool is_person(const Attributes& a) { return a.kind == "person"; }
bool is_character(const Attributes& a) { return a.kind == "character"; }

V human(const Attributes& a) {
  if (!kind_known(a)) return V::Unknown;
  if (is_person(a)) return V::Yes;
  if (is_character(a)) return tag(a, "human");
  return V::No;
}

V gender(const Attributes& a, std::string_view g) {
  if (!a.gender.empty()) return yes_if(a.gender == g);
  if (!kind_known(a) || ((is_person(a) || is_character(a)) && !a.complete)) return V::Unknown;
  return V::No;
}

V type_is(const Attributes& a, std::string_view t) {
  if (a.type == t) return V::Yes;
  if (t == "mammal" && is_person(a)) return V::Yes;  // people are mammals too
  if (!kind_known(a) || (a.type.empty() && !a.complete)) return V::Unknown;
  return tag(a, t);
}

V person_role(const Attributes& a, std::string_view role) {
  if (!kind_known(a)) return V::Unknown;
  if (!is_person(a) && !is_character(a)) return V::No;
  if (contains(a.roles, role)) return V::Yes;
  if (contains_uncertain(a.roles, role)) return V::Unknown;
  return a.complete ? V::No : V::Unknown;
}

V person_field(const Attributes& a, std::string_view field) {
  if (!kind_known(a)) return V::Unknown;
  if (!is_person(a) && !is_character(a)) return V::No;
  if (a.field == field || contains(a.tags, field)) return V::Yes;
  if (contains_uncertain(a.tags, field)) return V::Unknown;
  return a.complete ? V::No : V::Unknown;
}

// When something lived or was made, for "before 1900", "in the 19th century", "ancient".
V in_time(const Attributes& a, const Concept& c) {
  int lo = c.kind == kAfter ? c.number + 1 : c.kind == kRange ? c.number : -1000000;
  int hi = c.kind == kBefore ? c.number - 1 : c.kind == kRange ? c.number2 : 1000000;
  if (is_person(a)) {
    if (!a.born) return V::Unknown;
    if (c.arg == "born") return yes_if(*a.born >= lo && *a.born <= hi);
    if (c.arg == "died") return a.died ? yes_if(*a.died >= lo && *a.died <= hi) : V::No;
    int end = a.died ? *a.died : 1000000;  // alive: still living
    return yes_if(*a.born <= hi && end >= lo);
  }
  if (a.year) return yes_if(*a.year >= lo && *a.year <= hi);
  return V::Unknown;
}

template <class F>
V size_is(const Attributes& a, F f) {
  int level = size_level(a.size);
  if (level < 0 && (is_person(a) || (is_character(a) && contains(a.tags, "human")))) level = 2;
  if (level < 0 && a.kind == "place") level = 4;  // countries, cities, rivers: bigger than anything
  if (level < 0) return V::Unknown;
  return f(level);
}

V evaluate_concept(const Concept& c, const Attributes& a) {
  const std::string& k = a.kind;
  switch (c.kind) {
    case kNeutral: return V::Yes;
    case kHuman: return human(a);
    case kReal: return kind_known(a) ? yes_if(!is_character(a)) : V::Unknown;
    case kFictional: return kind_known(a) ? yes_if(is_character(a)) : V::Unknown;
    case kMale: return gender(a, "male");
    case kFemale: return gender(a, "female");
    case kManWord: return both(human(a), gender(a, "male"));
    case kWomanWord: return both(human(a), gender(a, "female"));
    case kAlive:
      if (is_person(a)) return a.died ? V::No : (a.complete || a.born ? V::Yes : V::Unknown);
      if (!kind_known(a)) return V::Unknown;
      return yes_if((k == "animal" || k == "plant") && !contains(a.tags, "extinct"));
    case kDead:
      if (is_person(a)) return a.died ? V::Yes : (a.complete || a.born ? V::No : V::Unknown);
      if (!kind_known(a)) return V::Unknown;
      return yes_if(contains(a.tags, "extinct"));
    case kLiving:
      if (!kind_known(a)) return V::Unknown;
      return yes_if(k == "person" || k == "animal" || k == "plant");
    case kKind:
      if (!kind_known(a)) return V::Unknown;
      if (k == c.arg) return V::Yes;
      if (c.arg == "animal" && is_character(a)) return tag(a, "animal");
      return V::No;
    case kType: return type_is(a, c.arg);
    case kTag:
      if (!kind_known(a) && !contains(a.tags, c.arg)) return V::Unknown;
      return tag(a, c.arg);
    case kTagAnimal:
      if (!kind_known(a) || k != "animal") return V::Unknown;
      return tag(a, c.arg);
    case kField: return person_field(a, c.arg);
    case kRole: return person_role(a, c.arg);
    case kRoyal: {
      V r = person_field(a, "royalty");
      if (r == V::Yes) return r;
      for (const char* role : {"king", "queen", "emperor", "pharaoh", "prince", "princess"})
        if (person_role(a, role) == V::Yes) return V::Yes;
      return r;
    }
    case kLeader: {
      V r = person_field(a, "politics");
      if (r == V::Yes || person_field(a, "royalty") == V::Yes) return V::Yes;
      for (const char* role : {"president", "king", "queen", "emperor", "pharaoh", "prime minister"})
        if (person_role(a, role) == V::Yes) return V::Yes;
      return r;
    }
    case kSport:
      if (is_person(a) || is_character(a)) return person_field(a, "sport");
      if (!kind_known(a)) return V::Unknown;
      return k == "object" ? tag(a, "sport") : V::No;
    case kMusic:
      if (is_person(a) || is_character(a)) return person_field(a, "music");
      if (!kind_known(a)) return V::Unknown;
      return k == "object" ? type_is(a, "instrument") : V::No;
    case kFilm:
      if (is_person(a)) return person_field(a, "film");
      if (is_character(a)) return tag(a, "film");
      return kind_known(a) ? V::No : V::Unknown;
    case kBook:
      if (is_person(a)) return person_field(a, "literature");
      if (is_character(a)) return tag(a, "book");
      if (k == "object") return type_is(a, "book");
      return kind_known(a) ? V::No : V::Unknown;
    case kContinent:
      if (a.continents.empty()) return V::Unknown;
      return yes_if(contains(a.continents, c.arg));
    case kAmerica:
      if (a.continents.empty()) return V::Unknown;
      return yes_if(contains(a.continents, "North America") || contains(a.continents, "South America"));
    case kCountry: {
      if (contains(a.countries, c.arg)) return V::Yes;
      if (!a.countries.empty() && a.complete) return V::No;
      std::string continent = continent_of(c.arg);
      if (!a.continents.empty() && !contains(a.continents, continent)) return V::No;
      return V::Unknown;
    }
    case kBefore:
    case kAfter:
    case kRange: return in_time(a, c);
    case kSizeAbove:
      return size_is(a, [&](int level) { return level > c.number ? V::Yes : level < c.number ? V::No : V::Unknown; });
    case kSizeBelow:
      return size_is(a, [&](int level) { return level < c.number ? V::Yes : level > c.number ? V::No : V::Unknown; });
    case kBig: return size_is(a, [](int level) { return yes_if(level >= 3); });
    case kSmall: return size_is(a, [](int level) { return yes_if(level <= 1); });
    case kFitsHand: return size_is(a, [](int level) { return yes_if(level <= 1); });
    case kManMade:
      if (!kind_known(a)) return V::Unknown;
      if (k == "object" || k == "structure") return V::Yes;
      if (k == "food") return a.type == "fruit" || a.type == "vegetable" || contains(a.tags, "natural") ? V::No : V::Yes;
      if (k == "place") return a.type == "city" ? V::Yes : a.type == "country" ? V::Unknown : V::No;
      return V::No;
    case kObject: return kind_known(a) ? yes_if(k == "object") : V::Unknown;
    case kPlace: return kind_known(a) ? yes_if(k == "place" || k == "structure") : V::Unknown;
    case kLandmark:
      if (!kind_known(a)) return V::Unknown;
      return yes_if(k == "structure" || (k == "place" && a.type != "country" && a.type != "city"));
    case kWater:
      if (!kind_known(a)) return V::Unknown;
      if (k == "animal" || k == "object" || k == "character") return tag(a, "aquatic");
      if (k == "place")
        return yes_if(a.type == "ocean" || a.type == "river" || a.type == "lake" || a.type == "waterfall" ||
                      contains(a.tags, "aquatic"));
      return V::No;
    case kSea:
      if (!kind_known(a)) return V::Unknown;
      if (k == "animal" || k == "object") return tag(a, "marine");
      if (k == "place") return a.type == "ocean" ? V::Yes : tag(a, "marine");
      return V::No;
    case kFly:
      if (!kind_known(a)) return V::Unknown;
      if (k == "animal" || k == "object" || k == "character") return tag(a, "flies");
      return V::No;
    case kEdible:
      if (!kind_known(a)) return V::Unknown;
      if (k == "food") return a.type == "drink" ? V::Unknown : V::Yes;
      if (k == "animal" || k == "plant") return tag(a, "edible");
      return V::No;
    case kDrink:
      if (!kind_known(a)) return V::Unknown;
      return k == "food" ? type_is(a, "drink") : V::No;
    case kFourLegs:
      if (!kind_known(a)) return V::Unknown;
      return tag(a, "four_legs");
    case kTwoLegs:
      if (!kind_known(a)) return V::Unknown;
      if (human(a) == V::Yes) return V::Yes;
      return tag(a, "two_legs");
    case kCarnivore:
      if (!kind_known(a)) return V::Unknown;
      if (k == "plant") return tag(a, "carnivore");
      return k == "animal" ? tag(a, "carnivore") : V::No;
    case kHerbivore:
      if (!kind_known(a)) return V::Unknown;
      return k == "animal" ? tag(a, "herbivore") : V::No;
    case kLegs: {
      if (!kind_known(a)) return V::Unknown;
      if (human(a) == V::Yes) return V::Yes;
      if (k == "animal" && (a.type == "insect" || a.type == "arachnid")) return V::Yes;
      if (k != "animal" && k != "object" && k != "character") return V::No;
      V best = V::No;
      for (const char* t : {"four_legs", "two_legs", "eight_limbs"}) {
        V v = tag(a, t);
        if (v == V::Yes) return V::Yes;
        if (v == V::Unknown) best = V::Unknown;
      }
      return best;
    }
  }
  return V::Unknown;
}

}  // namespace

Reply evaluate(const Question& question, const Attributes& attributes) {
  if (question.concepts.empty()) return Reply::Maybe;
  // Each group: Yes if any concept is Yes, No if all are No, else unknown.
  std::vector<std::pair<int, V>> groups;
  for (const auto& c : question.concepts) {
    if (c.kind == kNeutral) continue;
    V v = evaluate_concept(c, attributes);
    if (!groups.empty() && groups.back().first == c.group) {
      V& g = groups.back().second;
      g = (g == V::Yes || v == V::Yes) ? V::Yes : (g == V::No && v == V::No) ? V::No : V::Unknown;
    } else {
      groups.emplace_back(c.group, v);
    }
  }
  bool any_no = false, any_unknown = false;
  for (const auto& [group, v] : groups) {
    any_no = any_no || v == V::No;
    any_unknown = any_unknown || v == V::Unknown;
  }
  return any_no ? Reply::No : any_unknown ? Reply::Maybe : Reply::Yes;
}

Reply scripted_reply(const Entity& entity, std::string_view question) {
  return evaluate(parse_question(question), entity.attributes);
}

namespace {

// Words around a guess that do not name anything.
std::vector<std::string> guess_words(std::string_view text) {
  std::vector<std::string> w = split_words(text);
  static const std::vector<std::vector<std::string>> kFillers = {
      {"i", "think", "it", "is"}, {"i", "think", "it", "s"}, {"i", "think"},        {"i", "guess", "it", "is"},
      {"i", "guess"},             {"my", "guess", "is"},     {"my", "answer", "is"}, {"the", "answer", "is"},
      {"is", "it"},               {"it", "is"},              {"it", "s"},            {"its"},
      {"you", "are", "thinking", "of"}, {"you", "re", "thinking", "of"}, {"are", "you", "thinking", "of"},
      {"maybe"},                  {"perhaps"},               {"probably"},           {"answer"},
      {"guess"},                  {"a"},                     {"an"},                 {"the"}};
  bool changed = true;
  while (changed && !w.empty()) {
    changed = false;
    for (const auto& f : kFillers) {
      if (f.size() <= w.size() && std::equal(f.begin(), f.end(), w.begin())) {
        w.erase(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(f.size()));
        changed = true;
        break;
      }
    }
  }
  return w;
}

std::string joined(const std::vector<std::string>& w) {
  std::string out;
  for (const auto& x : w) out += (out.empty() ? "" : " ") + x;
  return out;
}

}  // namespace

bool guess_matches(const Entity& entity, std::string_view guess) {
  std::string g = joined(guess_words(guess));
  if (g.empty()) return false;
  auto same = [](const std::string& a, const std::string& b) {
    if (a == b) return true;
    // A plural s on either side: "lions" names the lion.
    return (a.size() == b.size() + 1 && a.back() == 's' && a.compare(0, b.size(), b) == 0) ||
           (b.size() == a.size() + 1 && b.back() == 's' && b.compare(0, a.size(), a) == 0);
  };
  std::vector<std::string> names{entity.title};
  names.insert(names.end(), entity.synonyms.begin(), entity.synonyms.end());
  for (const auto& name : names)
    if (same(g, joined(guess_words(name)))) return true;
  return false;
}

namespace {

class ScriptedOracle : public Oracle {
 public:
  Ask<QuestionReply> answer_question(const Entity& entity, const std::string& question) const override {
    return Ask<QuestionReply>::now(QuestionReply{to_string(scripted_reply(entity, question)), false});
  }
  Ask<GuessVerdict> judge_guess(const Entity& entity, const std::string& guess) const override {
    bool correct = guess_matches(entity, guess);
    return Ask<GuessVerdict>::now(GuessVerdict{
        correct, correct ? "Correct! That is what I was thinking of." : "No, that is not it. Keep asking.", false});
  }
};

}  // namespace

std::unique_ptr<Oracle> make_scripted_oracle() { return std::make_unique<ScriptedOracle>(); }

}  // namespace rapport::telepathy
