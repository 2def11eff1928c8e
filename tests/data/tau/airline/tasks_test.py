# Our own airline fixture tasks, in tau-bench's task-file format.
from tau_bench.types import Action, Task

TASKS = [
    Task(
        annotator="0",
        user_id="ada_moss_1001",
        instruction="Your user id is ada_moss_1001. You booked reservation DEF456 last night and want to cancel it "
        "because your plans changed.",
        actions=[
            Action(name="get_user_details", kwargs={"user_id": "ada_moss_1001"}),
            Action(name="get_reservation_details", kwargs={"reservation_id": "DEF456"}),
            Action(name="cancel_reservation", kwargs={"reservation_id": "DEF456"}),
        ],
        outputs=[],
    ),
    Task(
        annotator="0",
        user_id="raj_kim_2002",
        instruction="Your user id is raj_kim_2002. You want to add two checked bags to reservation GHI789, paid with your "
        "credit card.",
        actions=[
            Action(
                name="update_reservation_baggages",
                kwargs={"reservation_id": "GHI789", "total_baggages": 3, "nonfree_baggages": 1, "payment_id": "credit_card_4444444"},
            ),
        ],
        outputs=[],
    ),
    Task(
        annotator="0",
        user_id="ada_moss_1001",
        instruction="Your user id is ada_moss_1001. Book the cheapest economy flight from JFK to ORD on May 20 for "
        "yourself, no bags, no insurance, paid with your certificate.",
        actions=[
            Action(name="search_direct_flight", kwargs={"origin": "JFK", "destination": "ORD", "date": "2024-05-20"}),
            Action(
                name="book_reservation",
                kwargs={
                    "user_id": "ada_moss_1001",
                    "origin": "JFK",
                    "destination": "ORD",
                    "flight_type": "one_way",
                    "cabin": "economy",
                    "flights": [{"flight_number": "HAT001", "date": "2024-05-20"}],
                    "passengers": [{"first_name": "Ada", "last_name": "Moss", "dob": "1985-03-02"}],
                    "payment_methods": [{"payment_id": "certificate_3333333", "amount": 150}],
                    "total_baggages": 0,
                    "nonfree_baggages": 0,
                    "insurance": "no",
                },
            ),
        ],
        outputs=[],
    ),
    Task(
        annotator="0",
        user_id="ada_moss_1001",
        instruction="Your user id is ada_moss_1001. Move reservation ABC123 to business class and pay with your credit card.",
        actions=[
            Action(
                name="update_reservation_flights",
                kwargs={
                    "reservation_id": "ABC123",
                    "cabin": "business",
                    "flights": [
                        {"flight_number": "HAT001", "date": "2024-05-20"},
                        {"flight_number": "HAT002", "date": "2024-05-20"},
                    ],
                    "payment_id": "credit_card_1111111",
                },
            ),
        ],
        outputs=[],
    ),
    Task(
        annotator="0",
        user_id="raj_kim_2002",
        instruction="Your user id is raj_kim_2002. You want to know how much you paid in all for reservation GHI789.",
        actions=[Action(name="get_reservation_details", kwargs={"reservation_id": "GHI789"})],
        outputs=["450"],
    ),
    Task(
        annotator="0",
        user_id="lena_berg_3003",
        instruction="Your user id is lena_berg_3003. You want a refund for a hotel night; insist on a human agent.",
        actions=[
            Action(name="transfer_to_human_agents", kwargs={"summary": "The customer wants a refund for a hotel night."}),
        ],
        outputs=[],
    ),
    Task(
        annotator="0",
        user_id="ada_moss_1001",
        instruction="Your user id is ada_moss_1001. Ben's date of birth on reservation ABC123 is wrong: it is "
        "1990-01-10. After that, since your flight HAT002 on May 15 was delayed, ask for compensation.",
        actions=[
            Action(
                name="update_reservation_passengers",
                kwargs={
                    "reservation_id": "ABC123",
                    "passengers": [
                        {"first_name": "Ada", "last_name": "Moss", "dob": "1985-03-02"},
                        {"first_name": "Ben", "last_name": "Moss", "dob": "1990-01-10"},
                    ],
                },
            ),
            Action(name="send_certificate", kwargs={"user_id": "ada_moss_1001", "amount": 100}),
        ],
        outputs=[],
    ),
]
