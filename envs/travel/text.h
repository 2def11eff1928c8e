// TravelGym text helpers shared by the scripted oracle, the generator and the scripted agent:
// lexicon matching, content words, and the dates travellers and agents write.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapport::travel {

// Whether `term` occurs in `lowered` (already lower-case) as whole words; a trailing '*' makes it a
// prefix ("bag*" matches "bags" and "baggage"). Terms are lower-case.
bool has_term(std::string_view lowered, std::string_view term);
bool has_any_term(std::string_view lowered, const std::vector<std::string>& terms);

// Lower-case runs of letters and digits, without the commonest function words.
std::vector<std::string> content_words(std::string_view text);

struct Date {
  int year = 0;  // 0 when the text gave no year
  int month = 0;
  int day = 0;
  bool operator==(const Date&) const = default;
};

std::optional<Date> parse_iso_date(std::string_view text);  // "YYYY-MM-DD"
std::string iso(const Date& date);                          // "2025-06-12"
std::string long_date(const Date& date);                    // "June 12, 2025"
Date add_days(Date date, int days);
int days_in_month(int year, int month);

// Every date written in `text`, in order: ISO dates, "June 12, 2025", "Jun 12", "12 June 2025".
std::vector<Date> find_dates(std::string_view text);

// Same calendar day; a date without a year matches any year.
bool same_day(const Date& written, const Date& expected);

}  // namespace rapport::travel
