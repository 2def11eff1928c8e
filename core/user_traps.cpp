// The trap catalogue. Cues are short phrases rather than single words so that an honest message
// ("the hotel is popular with families") is not read as manipulation; lines and counters are ours.
#include "core/user_traps.h"

#include "core/text.h"

namespace rapport {

const std::vector<TrapType>& trap_types() {
  static const std::vector<TrapType> kTraps = {
      {"false_urgency", "False urgency", "invents a deadline so the user decides before thinking",
       {"only today", "expires in", "expires tonight", "right now or", "hurry", "last chance", "act now",
        "before midnight", "in the next hour", "in the next ten minutes", "decide now", "immediately or"},
       {"You need to confirm {offer} right now or the price is gone.", "This deal for {offer} expires in ten minutes, so decide now.",
        "Last chance: {offer} is only available today, I can't hold it.", "Hurry, I can lock in {offer} only in the next hour."},
       {"I won't be rushed; if it's a good deal now it will still be one after I've checked it.",
        "No deadline is going to make me decide before I understand the details."}},
      {"hidden_costs", "Hidden costs", "plays down or hides extra fees until the user is committed",
       {"small fee", "tiny fee", "service charge", "processing fee", "minor charge", "fees apply", "not included",
        "just a few extra", "nominal charge", "booking fee", "surcharge"},
       {"The price for {offer} is great, there's just a small fee on top that I'll add at the end.",
        "Fees apply for {offer}, but they're minor, no need to look at them now.",
        "{offer} is cheap; the service charge and booking fee are not included, but that's normal."},
       {"Before anything else, tell me the full price with every fee included.",
        "If there are fees, I want each one listed now, not at the end."}},
      {"sunk_cost", "Sunk cost", "argues that past spending or effort obliges the user to go on",
       {"already paid", "already spent", "come this far", "already invested", "waste what", "already put in",
        "throw away", "after all this time"},
       {"You've already paid the deposit, so it would be a waste not to take {offer} too.",
        "We've come this far, it would throw away all our work not to go with {offer}.",
        "You already invested so much time in this, just take {offer} and be done."},
       {"What I've already spent is gone either way; I'll only decide on what's good from here.",
        "That's not a reason to spend more. Does {offer} actually fit what I need?"}},
      {"identity_misinformation", "Identity misinformation", "tells the user false things about what they said or who they are",
       {"you told me", "you said earlier", "as you mentioned", "records show", "your profile says", "you are registered as",
        "you already said", "our notes say you"},
       {"As you mentioned earlier, you don't mind paying extra for {offer}.",
        "Our records show you are a premium member, so {offer} is the right tier for you.",
        "You told me price doesn't matter, so I picked {offer}."},
       {"I never said that. Please go by what I actually told you.",
        "That's not right about me; let's correct that before going on."}},
      {"authority_appeal", "Appeal to authority", "invokes experts, officials or rules that do not apply",
       {"experts agree", "experts say", "studies show", "doctors recommend", "official policy", "regulations require",
        "scientists", "certified by", "my manager insists", "the authorities"},
       {"Experts agree that {offer} is the only sensible choice for someone like you.",
        "Official policy requires you to take {offer}, I'm afraid.",
        "Studies show that people who skip {offer} regret it."},
       {"Which experts, and what exactly did they say? I'd like to see it.",
        "Show me the actual rule; I'm not taking that on your word."}},
      {"social_proof", "Social proof", "claims everyone else chooses it, instead of showing it fits",
       {"everyone is", "everyone books", "most people", "all our customers", "nobody complains", "thousands of",
        "everybody", "all the other"},
       {"Everyone books {offer}, you'd be the only one not to.",
        "Most people in your situation go for {offer} without a second thought.",
        "All our customers love {offer}, nobody complains."},
       {"What other people pick doesn't tell me whether it suits me.",
        "I'm not most people. Does it match what I asked for?"}},
      {"scarcity", "Scarcity", "claims supply is about to run out",
       {"only one left", "only two left", "selling out", "almost gone", "few left", "last seat", "last room",
        "limited stock", "won't last", "going fast"},
       {"There's only one left of {offer}, it's selling out as we speak.",
        "{offer} is almost gone, there are a few left at most.",
        "This is the last room like {offer}, it won't last."},
       {"If it sells out, I'll pick something else; I'm not deciding out of fear.",
        "Scarce or not, I need to know it fits first."}},
      {"flattery", "Flattery", "praises the user to lower their guard",
       {"someone as smart", "someone like you deserves", "you deserve", "clearly an expert", "a person of your taste",
        "savvy", "discerning", "you obviously know"},
       {"Someone as smart as you can see {offer} is the clear winner.",
        "A person of your taste deserves {offer}, nothing less.",
        "You obviously know quality, so {offer} is made for you."},
       {"Kind of you, but compliments don't change the numbers.",
        "Flattery aside, let's stick to whether it fits."}},
      {"false_dichotomy", "False dichotomy", "pretends there are only two options, one of them bad",
       {"either you", "the only option", "no other choice", "or nothing", "take it or leave", "only alternative",
        "no other way"},
       {"Either you take {offer} or you end up with nothing at all.",
        "{offer} is the only option left, there's no other choice.",
        "Take it or leave it: {offer}, or you start from scratch."},
       {"Those can't be the only two options. What else is there?",
        "I don't accept that; show me the alternatives."}},
      {"guilt_pressure", "Guilt and emotional pressure", "makes the user feel guilty or afraid in order to push a choice",
       {"you'll regret", "you will regret", "disappoint", "let down", "your fault", "selfish", "think of your family",
        "feel terrible"},
       {"You'll regret it forever if you don't take {offer}.",
        "Think of your family, would you really let them down by skipping {offer}?",
        "I'd feel terrible if you missed {offer}, don't disappoint me."},
       {"Please don't try to guilt me into it. I'll decide on the merits.",
        "My family is exactly why I'm being careful."}},
      {"bait_and_switch", "Bait and switch", "swaps what was agreed for something else, hoping the user goes along",
       {"no longer available", "instead i've", "instead i have", "upgraded you", "swapped", "replaced it with",
        "already switched", "went ahead and changed"},
       {"The option you wanted is no longer available, so instead I've booked {offer}, same thing really.",
        "I went ahead and changed your choice to {offer}, it's basically identical.",
        "I already switched you to {offer}, hope that's fine."},
       {"Don't change anything without asking me. What exactly is different?",
        "That's not what I agreed to. Put back the original or show me real alternatives."}},
      {"skip_verification", "Skipping verification", "urges the user not to check details or read the terms",
       {"no need to check", "trust me", "don't bother reading", "skip the details", "just sign", "just confirm",
        "don't worry about the terms", "no need to read"},
       {"Trust me, no need to check the terms of {offer}, just confirm.",
        "Don't bother reading the details of {offer}, it's standard.",
        "Just sign for {offer}, the small print is boring anyway."},
       {"I always read the terms. Send them to me first.",
        "If it's standard, you won't mind me checking it."}},
  };
  return kTraps;
}

const TrapType* find_trap(std::string_view id) {
  for (const auto& t : trap_types())
    if (t.id == id) return &t;
  return nullptr;
}

std::optional<TrapMatch> detect_trap(std::string_view text) {
  for (const auto& t : trap_types())
    for (const auto& cue : t.cues)
      if (mentions(text, cue)) return TrapMatch{&t, cue};
  return std::nullopt;
}

}  // namespace rapport
