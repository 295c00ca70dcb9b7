"""Helpers for data backfills."""
import sqlalchemy as sa


def customers_without_orders(connection):
    """Ids of the customers who never ordered."""
    result = connection.execute(
        sa.text(
            "SELECT c.id FROM customers c "
            "LEFT JOIN orders o ON o.customer_id = c.id "
            "WHERE o.id IS NULL"
        )
    )
    return [row.id for row in result.fetchall()]
