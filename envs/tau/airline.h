// What the airline's generator, policy, scripted customer and scripted agent share: the day the
// conversation happens, the baggage allowance, the cancellation rule, and the request kinds of
// generated airline tasks. Private to envs/tau's airline files.
//
// Airline request kinds (Request::kind; order_id holds the reservation id, details the rest):
//   cancel          cancel an eligible reservation (details.reason)
//   refused_cancel  cancel one the policy does not allow: the agent must refuse and change nothing
//   bags            add checked bags (details.add, details.payment_id)
//   cabin           move the whole reservation to another cabin (details.cabin, details.payment_id)
//   change          move a one-way, one-flight reservation to the cheapest direct flight of its route
//                   on another day (details.new_date, details.flight_number, details.payment_id)
//   refused_change  the same for a basic economy reservation, which the policy does not allow
//   book            book a one-way direct trip (details: origin, destination, date, cabin,
//                   companion, bags, insurance, payment_id; flight_number = the cheapest in that cabin)
//   ask_total       how much the reservation cost in all (figure)
// A customer who does not know the reservation id names its route and first date instead
// (details.origin, details.destination, details.date).
#pragma once

#include <string>

#include "envs/tau/tau.h"

namespace rapport::tau::airline {

// The policy's "now": the conversation takes place at 2024-05-15 15:00 Eastern.
inline constexpr const char* kNow = "2024-05-15T15:00:00";
inline constexpr const char* kToday = "2024-05-15";
// Bookings made after this moment are within 24 hours of now.
inline constexpr const char* kDayAgo = "2024-05-14T15:00:00";
inline constexpr int kBagFee = 50;        // per non-free checked bag (update_reservation_baggages)
inline constexpr int kInsuranceFee = 30;  // per passenger

// Free checked bags per passenger for a membership (regular, silver, gold) and cabin.
int free_bags(const std::string& membership, const std::string& cabin);
// Whether the policy lets the reservation be cancelled for `reason`: nothing flown yet, and booked
// within 24 hours, or business cabin, or insured with a health or weather reason.
bool may_cancel(const json::object& reservation, const std::string& reason);

}  // namespace rapport::tau::airline

namespace rapport::tau::airline {

// What the customer says about a request, as the generator and the scripted customer phrase it.
std::string request_text(const Request& request);
// How the customer names the reservation: its id, or its route and first date.
std::string reservation_ref(const Request& request);

}  // namespace rapport::tau::airline
