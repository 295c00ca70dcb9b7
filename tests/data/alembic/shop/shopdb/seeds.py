"""Reference data loaded by migrations."""

ORDER_STATUSES = [
    {"code": "pending", "label": "Pending payment", "is_final": False},
    {"code": "paid", "label": "Paid", "is_final": False},
    {"code": "shipped", "label": "Shipped", "is_final": False},
    {"code": "delivered", "label": "Delivered", "is_final": True},
    {"code": "cancelled", "label": "Cancelled (customer's request)", "is_final": True},
]
