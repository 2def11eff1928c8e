# Our own fixture tasks in tau-bench's task-file format (train split).
from tau_bench.types import Action, Task

TASKS_TRAIN = [
    Task(
        annotator="synthetic",
        user_id="ben_otto_2002",
        instruction="Your name is Ben Otto and your zip code is 89501. Cancel #W0000003 via paypal_3333333: T-Shirt; ",
        actions=[
            Action(name="cancel_pending_order", kwargs={"order_id": "#W0000003", "reason": "ordered by mistake"}),
        ],
        outputs=[],
    ),
]
