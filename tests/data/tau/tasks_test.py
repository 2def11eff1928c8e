# Our own fixture tasks in tau-bench's task-file format (tau_bench/envs/retail/tasks_test.py).
from tau_bench.types import Action, Task

TASKS_TEST = [
    Task(
        annotator="0",
        user_id="ada_moss_1001",
        instruction="Your name is Ada Moss and your zip code is 74103. You want to cancel order #W0000001 because you no longer need it.",
        actions=[
            Action(name="find_user_id_by_name_zip", kwargs={"first_name": "Ada", "last_name": "Moss", "zip": "74103"}),
            Action(name="get_order_details", kwargs={"order_id": "#W0000001"}),
            Action(name="cancel_pending_order", kwargs={"order_id": "#W0000001", "reason": "no longer needed"}),
        ],
        outputs=[],
    ),
    Task(
        annotator="0",
        user_id="ben_otto_2002",
        instruction="Your name is Ben Otto and your zip code is 89501. "
        "You want to exchange the blue T-Shirt of order #W0000004 for a red one in size L, paying with your credit card.",
        actions=[
            Action(name="find_user_id_by_email", kwargs={"email": "Ben.Otto2002@example.com"}),
            Action(
                name="exchange_delivered_order_items",
                kwargs={
                    "order_id": "#W0000004",
                    "item_ids": ["2000000013"],
                    "new_item_ids": ["2000000012"],
                    "payment_method_id": "credit_card_4444444",
                },
            ),
        ],
        outputs=[],
    ),
    Task(
        annotator="1",
        user_id="ben_otto_2002",
        instruction="Your name is Ben Otto and your zip code is 89501. You want one of the two T-Shirts of order #W0000003 in size L, paid with PayPal.",
        actions=[
            Action(
                name="modify_pending_order_items",
                kwargs={
                    "order_id": "#W0000003",
                    "item_ids": ["2000000011"],
                    "new_item_ids": ["2000000012"],
                    "payment_method_id": "paypal_3333333",
                },
            ),
        ],
        outputs=[],
    ),
    Task(
        annotator="1",
        user_id="ada_moss_1001",
        instruction="Your email is ada.moss1001@example.com. You want to return the desk lamp of order #W0000002 with the refund on your gift card.",
        actions=[
            Action(name="get_product_details", kwargs={"product_id": "9999999999"}),
            Action(
                name="return_delivered_order_items",
                kwargs={"order_id": "#W0000002", "item_ids": ["2000000021"], "payment_method_id": "gift_card_2222222"},
            ),
        ],
        outputs=[],
    ),
    Task(
        annotator="2",
        user_id="cy_park_3003",
        instruction="Your name is Cy Park and your zip code is 85201. You want to know how many T-Shirt variants the shop has.",
        actions=[
            Action(name="list_all_product_types", kwargs={}),
            Action(name="get_product_details", kwargs={"product_id": "1000000002"}),
        ],
        outputs=["3"],
    ),
    Task(
        annotator="2",
        user_id="ada_moss_1001",
        instruction="Your name is Ada Moss and your zip code is 74103. You moved to \"7 Kiln Way\", Unit 2, Tulsa, OK 74104: update order #W0000001 and your profile, then pay the order with your visa.",
        actions=[
            Action(
                name="modify_pending_order_address",
                kwargs={
                    "order_id": "#W0000001",
                    "address1": "7 Kiln Way",
                    "address2": "Unit 2",
                    "city": "Tulsa",
                    "state": "OK",
                    "country": "USA",
                    "zip": "74104",
                },
            ),
            Action(
                name="modify_user_address",
                kwargs={
                    "user_id": "ada_moss_1001",
                    "address1": "7 Kiln Way",
                    "address2": "Unit 2",
                    "city": "Tulsa",
                    "state": "OK",
                    "country": "USA",
                    "zip": "74104",
                },
            ),
            Action(
                name="modify_pending_order_payment",
                kwargs={"order_id": "#W0000001", "payment_method_id": "credit_card_1111111"},
            ),
        ],
        outputs=[],
    ),
    Task(
        annotator="3",
        user_id="cy_park_3003",
        instruction="Your name is Cy Park. You want a refund for a lamp that arrived broken, and want to speak to a person.",
        actions=[
            Action(name="calculate", kwargs={"expression": "47.1 - 10"}),
            Action(name="transfer_to_human_agents", kwargs={"summary": "Broken lamp in processed order #W0000005."}),
        ],
        outputs=[],
    ),
]
