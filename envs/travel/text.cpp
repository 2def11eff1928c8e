#include "envs/travel/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/pynum.h"

namespace rapport::travel {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr std::array<const char*, 12> kMonths = {"january", "february", "march",     "april",   "may",      "june",
                                                 "july",    "august",   "september", "october", "november", "december"};

// Month named by a word (full name or its first three letters), 0 if none.
int month_of_word(std::string_view word) {
  std::string w = ascii_lower(word);
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    std::string_view full = kMonths[m];
    if (w == full || (w.size() == 3 && full.substr(0, 3) == w) || (w == "sept" && m == 8)) return static_cast<int>(m) + 1;
  }
  return 0;
}

struct Token {
  std::string text;
  bool number = false;
  std::size_t pos = 0;
};

// Words and numbers with their order kept; punctuation other than '-' between digits splits.
std::vector<Token> tokens(std::string_view text) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_alnum(text[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    bool digits = is_digit(text[i]);
    while (i < text.size() && is_alnum(text[i]) && is_digit(text[i]) == digits) ++i;
    out.push_back({std::string(text.substr(start, i - start)), digits, start});
    // "12th": drop an ordinal suffix.
    if (digits && i + 1 < text.size()) {
      std::string suffix = ascii_lower(text.substr(i, 2));
      if ((suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th") && (i + 2 >= text.size() || !is_alnum(text[i + 2])))
        i += 2;
    }
  }
  return out;
}

int to_int(const std::string& digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

bool valid(const Date& d) {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= days_in_month(d.year == 0 ? 2024 : d.year, d.month);
}

}  // namespace

bool has_term(std::string_view lowered, std::string_view term) {
  bool prefix = !term.empty() && term.back() == '*';
  if (prefix) term.remove_suffix(1);
  if (term.empty()) return false;
  std::size_t at = 0;
  while ((at = lowered.find(term, at)) != std::string_view::npos) {
    bool start_ok = at == 0 || !is_alnum(lowered[at - 1]) || !is_alnum(term.front());
    std::size_t end = at + term.size();
    bool end_ok = prefix || end >= lowered.size() || !is_alnum(lowered[end]) || !is_alnum(term.back());
    if (start_ok && end_ok) return true;
    ++at;
  }
  return false;
}

bool has_any_term(std::string_view lowered, const std::vector<std::string>& terms) {
  for (const auto& t : terms)
    if (has_term(lowered, t)) return true;
  return false;
}

std::vector<std::string> content_words(std::string_view text) {
  static const std::array<std::string_view, 48> kStop = {
      "a",    "an",   "the",  "and",  "or",   "but",  "to",   "of",   "in",   "on",   "at",   "for",
      "with", "is",   "are",  "be",   "i",    "me",   "my",   "we",   "our",  "us",   "you",  "your",
      "it",   "its",  "that", "this", "so",   "as",   "if",   "not",  "no",   "do",   "don",  "t",
      "s",    "m",    "ll",   "d",    "re",   "ve",   "have", "has",  "will", "would", "can", "from"};
  std::vector<std::string> out;
  std::string lowered = ascii_lower(text);
  std::size_t i = 0;
  while (i < lowered.size()) {
    if (!is_alnum(lowered[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < lowered.size() && is_alnum(lowered[i])) ++i;
    std::string w = lowered.substr(start, i - start);
    bool stop = false;
    for (auto s : kStop) stop = stop || w == s;
    if (!stop) out.push_back(std::move(w));
  }
  return out;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[(month - 1) % 12];
}

Date add_days(Date d, int days) {
  while (days > 0) {
    if (++d.day > days_in_month(d.year, d.month)) {
      d.day = 1;
      if (++d.month > 12) {
        d.month = 1;
        ++d.year;
      }
    }
    --days;
  }
  while (days < 0) {
    if (--d.day < 1) {
      if (--d.month < 1) {
        d.month = 12;
        --d.year;
      }
      d.day = days_in_month(d.year, d.month);
    }
    ++days;
  }
  return d;
}

std::optional<Date> parse_iso_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!is_digit(t[i])) return std::nullopt;
  Date d{to_int(std::string(t.substr(0, 4))), to_int(std::string(t.substr(5, 2))), to_int(std::string(t.substr(8, 2)))};
  if (!valid(d)) return std::nullopt;
  return d;
}

std::string iso(const Date& d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

std::string long_date(const Date& d) {
  std::string month = kMonths[static_cast<std::size_t>(d.month - 1)];
  month[0] = static_cast<char>(month[0] - 'a' + 'A');
  return d.year ? fmt::format("{} {}, {}", month, d.day, d.year) : fmt::format("{} {}", month, d.day);
}

std::vector<Date> find_dates(std::string_view text) {
  std::vector<Date> out;
  // ISO dates first pass, scanning the raw text (the tokenizer splits on '-').
  std::vector<std::pair<std::size_t, Date>> found;
  for (std::size_t i = 0; i + 10 <= text.size(); ++i) {
    if (i > 0 && is_digit(text[i - 1])) continue;
    if (auto d = parse_iso_date(text.substr(i, 10)); d && (i + 10 == text.size() || !is_digit(text[i + 10])))
      found.push_back({i, *d});
  }
  // Month-name dates: "June 12[, 2025]" and "12 June[ 2025]".
  std::vector<Token> tk = tokens(text);
  for (std::size_t k = 0; k < tk.size(); ++k) {
    if (tk[k].number) continue;
    int month = month_of_word(tk[k].text);
    if (!month) continue;
    Date d{0, month, 0};
    if (k + 1 < tk.size() && tk[k + 1].number && tk[k + 1].text.size() <= 2) {
      d.day = to_int(tk[k + 1].text);
      if (k + 2 < tk.size() && tk[k + 2].number && tk[k + 2].text.size() == 4) d.year = to_int(tk[k + 2].text);
    } else if (k > 0 && tk[k - 1].number && tk[k - 1].text.size() <= 2) {
      d.day = to_int(tk[k - 1].text);
      if (k + 1 < tk.size() && tk[k + 1].number && tk[k + 1].text.size() == 4) d.year = to_int(tk[k + 1].text);
    }
    // "may" is also a common verb: only accept it with a day next to it.
    if (d.day && valid(d)) found.push_back({tk[k].pos, d});
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [pos, d] : found) out.push_back(d);
  return out;
}

bool same_day(const Date& written, const Date& expected) {
  return written.month == expected.month && written.day == expected.day && (written.year == 0 || written.year == expected.year);
}

}  // namespace rapport::travel
