// Python-compatible numbers: text that reaches agents and scores must match what the reference
// (Python) prints and computes, on every target.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapport {

// repr(float): shortest round-trip digits, at least one decimal ("1.0"), exponent form when the
// decimal exponent is < -4 or >= 16 ("1e-05", "1e+16"), "inf", "-inf", "nan".
std::string py_repr(double x);

// "[1.0, 2.0]": repr of a Python list of floats.
std::string py_list_repr(const std::vector<double>& xs);

// round(x, ndigits) for floats: correctly rounded from the exact binary value (half to even on
// exact ties), as CPython does; not floor(x * 10^n + 0.5).
double py_round(double x, int ndigits);

// float(text): surrounding whitespace, sign, "inf"/"infinity"/"nan" in any case, exponents and
// single underscores between digits. nullopt where Python raises ValueError.
std::optional<double> py_float(std::string_view text);

// str.strip(): removes leading and trailing whitespace (ASCII whitespace and the Unicode spaces
// an LLM commonly emits).
std::string_view py_strip(std::string_view text);

// str.lower() for ASCII letters (other bytes unchanged).
std::string ascii_lower(std::string_view text);

}  // namespace rapport
